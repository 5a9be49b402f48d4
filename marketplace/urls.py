from django.urls import path

from . import views

app_name = "marketplace"

urlpatterns = [
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/<int:pk>/", views.provider_detail, name="provider_detail"),
    path("offices/", views.office_list, name="office_list"),
    path("offices/<int:pk>/", views.office_detail, name="office_detail"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
]
