from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from medinsure.core import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("medinsure.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("audit/", include("medinsure.audit.urls")),
    path("jobs/", include("medinsure.jobs.urls")),
    path("regions/", include("medinsure.regions.urls")),
    path("captcha/", include("captcha.urls")),
    path("api/", include("medinsure.api")),
    path("enrollment/", include("enrollment.urls")),
    path("claims/", include("claims.urls")),
    path("handling/", include("handling.urls")),
    path("supervision/", include("supervision.urls")),
    path("fundbudget/", include("fundbudget.urls")),
    path("replies/", include("replies.urls")),
]

handler400 = "medinsure.core.views.bad_request"
handler404 = "medinsure.core.views.not_found"
