from django.urls import path
from rest_framework.routers import SimpleRouter

from replies.api.views import ProposalViewSet, StatsView

router = SimpleRouter()
router.register("proposals", ProposalViewSet, basename="proposal")

urlpatterns = [path("stats/", StatsView.as_view(), name="replies-stats"), *router.urls]
