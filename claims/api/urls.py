from django.urls import path

from claims.api import views

urlpatterns = [
    path("calculate/", views.CalculateView.as_view(), name="claims-calculate"),
    path("eligibility/", views.EligibilityView.as_view(), name="claims-eligibility"),
    path("stats/", views.StatsView.as_view(), name="claims-stats"),
    path("policies/", views.PolicyListView.as_view(), name="claims-policies"),
    path("policies/<slug:code>/", views.PolicyDetailView.as_view(), name="claims-policy"),
    path("recalculations/<uuid:pk>/", views.RecalculationDetailView.as_view(), name="claims-recalculation"),
    path("settlements/", views.SettlementListView.as_view(), name="claims-settlements"),
    path("settlements/search/", views.SettlementSearchView.as_view(), name="claims-settlements-search"),
    path("imports/<uuid:pk>/", views.SettlementImportDetailView.as_view(), name="claims-import"),
    path("imports/<uuid:pk>/approve/", views.SettlementImportApproveView.as_view(), name="claims-import-approve"),
]
