from django.urls import path
from rest_framework.routers import SimpleRouter

from replies.api.views import CommitmentViewSet, ProposalViewSet, PublishedViewSet, StatsView

router = SimpleRouter()
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("published", PublishedViewSet, basename="published")

urlpatterns = [path("stats/", StatsView.as_view(), name="replies-stats"), *router.urls]
