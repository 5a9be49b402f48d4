from django.urls import path

import marketplace.converters  # noqa: F401 - registers <id:…>, the converter for ids

from . import views

app_name = "ratings"

urlpatterns = [
    path("dashboard/contracts/<id:pk>/review/", views.review_form, name="review_form"),
    path("dashboard/reviews/<id:pk>/reply/", views.review_reply, name="review_reply"),
    path("reviews/<id:pk>/report/", views.review_report, name="review_report"),
    path("contracts/<id:pk>/resident-rating/", views.resident_rate, name="resident_rate"),
    path("resident-ratings/<id:pk>/report/", views.resident_report, name="resident_report"),
    path("dashboard/operator/ratings/", views.operator_queue, name="operator_queue"),
    path("dashboard/operator/ratings/reviews/<id:pk>/hide/", views.operator_review_hide, name="operator_review_hide"),
    path("dashboard/operator/ratings/resident-ratings/<id:pk>/hide/", views.operator_resident_hide,
         name="operator_resident_hide"),
    path("dashboard/operator/ratings/reports/<id:pk>/dismiss/", views.operator_report_dismiss,
         name="operator_report_dismiss"),
    path("dashboard/operator/ratings/flags/<id:pk>/close/", views.operator_flag_close, name="operator_flag_close"),
]
