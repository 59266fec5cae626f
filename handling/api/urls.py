from django.urls import path

from handling.api import views

urlpatterns = [
    path("applications/", views.ApplicationListView.as_view(), name="handling-applications"),
    path("applications/<str:tracking>/", views.ApplicationDetailView.as_view(), name="handling-application"),
    path("applications/<str:tracking>/accept/", views.AcceptView.as_view(), name="handling-accept"),
    path("applications/<str:tracking>/return/", views.ReturnView.as_view(), name="handling-return"),
    path("applications/<str:tracking>/review/", views.ReviewView.as_view(), name="handling-review"),
    path("applications/<str:tracking>/decide/", views.DecideView.as_view(), name="handling-decide"),
    path("applications/<str:tracking>/finish/", views.FinishView.as_view(), name="handling-finish"),
    path("stats/", views.StatsView.as_view(), name="handling-stats"),
]
