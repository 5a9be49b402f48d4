from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("dashboard/contracts/<int:pk>/review/", views.review_form, name="review_form"),
]
