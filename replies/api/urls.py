from django.urls import path
from rest_framework.routers import SimpleRouter

from replies.api.views import CommitmentViewSet, HolidayYearViewSet, ProposalViewSet, PublishedViewSet, StatsView

router = SimpleRouter()
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("published", PublishedViewSet, basename="published")
router.register("holidays", HolidayYearViewSet, basename="holiday")

urlpatterns = [path("stats/", StatsView.as_view(), name="replies-stats"), *router.urls]
