from rest_framework.routers import SimpleRouter

from medinsure.regions.api.views import DivisionViewSet

router = SimpleRouter()
router.register("divisions", DivisionViewSet, basename="division")
urlpatterns = router.urls
