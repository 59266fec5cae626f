from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("statements", views.StatementViewSet, basename="statement")
router.register("warnings", views.WarningViewSet, basename="warning")
router.register("budgets", views.BudgetViewSet, basename="budget")
router.register("rules", views.WarningRuleViewSet, basename="rule")

urlpatterns = [
    path("execution/", views.ExecutionView.as_view(), name="execution"),
    *router.urls,
]
