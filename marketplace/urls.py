from django.urls import path

from .views import dashboard, directory

app_name = "marketplace"

urlpatterns = [
    path("providers/", directory.provider_list, name="provider_list"),
    path("providers/<int:pk>/", directory.provider_detail, name="provider_detail"),
    path("offices/", directory.office_list, name="office_list"),
    path("offices/<int:pk>/", directory.office_detail, name="office_detail"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/organisations/<int:pk>/", dashboard.organisation_detail, name="organisation_detail"),
]
