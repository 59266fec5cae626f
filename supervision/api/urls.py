from django.urls import path
from rest_framework.routers import SimpleRouter

from supervision.api import views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="supervision-case")
router.register("flags", views.FlagViewSet, basename="supervision-flag")
router.register("institutions", views.InstitutionViewSet, basename="supervision-institution")
urlpatterns = [
    path("stats/", views.StatsView.as_view(), name="supervision-stats"),
    path("stats/table/", views.StatsTableView.as_view(), name="supervision-stats-table"),
    *router.urls,
]
