from django.urls import path

from medinsure.accounts.api.views import TokenView

urlpatterns = [path("token/", TokenView.as_view(), name="api-token")]
