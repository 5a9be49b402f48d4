from django.urls import path, re_path

from marketplace.converters import ID_PATTERN  # also registers <id:…>, the converter for ids

from . import views

app_name = "contracts"

urlpatterns = [
    path("contracts/<id:pk>/", views.contract_public, name="contract_public"),
    path("dashboard/contracts/", views.contract_list, name="contract_list"),
    path("dashboard/contracts/<id:pk>/", views.contract_work, name="contract_work"),
    path("dashboard/payments/<id:pk>/pay/", views.payment_pay, name="payment_pay"),
    path("dashboard/payments/<id:pk>/refund/", views.payment_refund, name="payment_refund"),
    path("dashboard/payouts/<id:org>/onboard/", views.payout_onboard, name="payout_onboard"),
    path("dashboard/payouts/<id:org>/return/", views.payout_return, name="payout_return"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("dashboard/contracts/<id:pk>/documents/<id:version>.pdf", views.contract_document,
         name="contract_document"),
    path("dashboard/contracts/<id:pk>/plan/", views.contract_plan, name="contract_plan"),
    path("dashboard/contracts/<id:pk>/variations/new/", views.contract_variation_new, name="contract_variation_new"),
    path("dashboard/contracts/<id:pk>/evidence/<id:file_id>/", views.evidence_file, name="evidence_file"),
    re_path(
        rf"^dashboard/contracts/(?P<pk>{ID_PATTERN})/(?P<action>send|recall|sign|evidence|accept|reject|pay_offline|terminate|variation_accept|variation_reject|variation_withdraw)/$",
        views.contract_action,
        name="contract_action",
    ),
]
