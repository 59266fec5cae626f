"""The REST API: /api/v1/<app>/… per app, the OpenAPI schema and Swagger UI (served locally)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

v1 = [
    path("auth/", include("medinsure.accounts.api.urls")),
    path("regions/", include("medinsure.regions.api.urls")),
    path("jobs/", include("medinsure.jobs.api.urls")),
    path("enrollment/", include("enrollment.api.urls")),
    path("claims/", include("claims.api.urls")),
    path("handling/", include("handling.api.urls")),
    path("supervision/", include("supervision.api.urls")),
    path("fundbudget/", include("fundbudget.api.urls")),
    path("replies/", include("replies.api.urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]
