from django.urls import path, re_path

from marketplace.converters import ID_PATTERN  # also registers <id:…>, the converter for ids

from . import views
from .feeds import TendersFeed

app_name = "bids"

urlpatterns = [
    path("tenders/", views.tender_list, name="tender_list"),
    path("tenders/feed/", TendersFeed(), name="tender_feed"),
    path("tenders/<id:pk>/", views.tender_detail, name="tender_detail"),
    path("tenders/<id:pk>/questions/", views.clarification_ask, name="clarification_ask"),
    path("tenders/<id:pk>/objections/", views.objection_lodge, name="objection_lodge"),
    path("objections/<id:pk>/document/", views.objection_document, name="objection_document"),
    path("tenders/<id:pk>/bid/", views.bid_edit, name="bid_edit"),
    path("tenders/<id:pk>/document.pdf", views.tender_document, name="tender_document"),
    path("tenders/<id:pk>/award.pdf", views.award_notice_pdf, name="award_notice_pdf"),
    path("bids/files/<id:pk>/", views.bid_attachment, name="bid_attachment"),
    path("bids/files/<id:pk>/remove/", views.bid_attachment_remove, name="bid_attachment_remove"),
    path("bids/<id:pk>/receipt/", views.bid_receipt, name="bid_receipt"),
    path("bids/<id:pk>/receipt.pdf", views.bid_receipt_pdf, name="bid_receipt_pdf"),
    path("bids/<id:pk>/withdraw/", views.bid_withdraw, name="bid_withdraw"),
    path("awards/", views.award_list, name="award_list"),
    path("dashboard/tenders/", views.office_tender_list, name="office_tender_list"),
    path("dashboard/tenders/<id:pk>/", views.office_tender, name="office_tender"),
    path("dashboard/tenders/<id:pk>/evaluation-report.pdf", views.evaluation_report_pdf,
         name="evaluation_report_pdf"),
    re_path(
        rf"^dashboard/tenders/(?P<pk>{ID_PATTERN})/(?P<action>evaluate|qualify|disqualify|award|cancel|panel|declare|score|answer|uphold|reject_objection)/$",
        views.office_tender_action,
        name="office_tender_action",
    ),
]
