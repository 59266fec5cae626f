from django.urls import path

from medinsure.accounts import views

app_name = "accounts"
urlpatterns = [
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("tokens/", views.api_tokens, name="tokens"),
]
