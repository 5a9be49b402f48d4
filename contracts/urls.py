from django.urls import path, re_path

from . import views

app_name = "contracts"

urlpatterns = [
    path("contracts/<int:pk>/", views.contract_public, name="contract_public"),
    path("dashboard/contracts/", views.contract_list, name="contract_list"),
    path("dashboard/contracts/<int:pk>/", views.contract_work, name="contract_work"),
    path("dashboard/payments/<int:pk>/pay/", views.payment_pay, name="payment_pay"),
    path("dashboard/payments/<int:pk>/refund/", views.payment_refund, name="payment_refund"),
    path("dashboard/payouts/<int:org>/onboard/", views.payout_onboard, name="payout_onboard"),
    path("dashboard/payouts/<int:org>/return/", views.payout_return, name="payout_return"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("dashboard/contracts/<int:pk>/documents/<int:version>.pdf", views.contract_document,
         name="contract_document"),
    path("dashboard/contracts/<int:pk>/plan/", views.contract_plan, name="contract_plan"),
    path("dashboard/contracts/<int:pk>/variations/new/", views.contract_variation_new, name="contract_variation_new"),
    path("dashboard/contracts/<int:pk>/evidence/<int:file_id>/", views.evidence_file, name="evidence_file"),
    re_path(
        r"^dashboard/contracts/(?P<pk>[0-9]+)/(?P<action>send|recall|sign|evidence|accept|reject|pay_offline|terminate|variation_accept|variation_reject|variation_withdraw)/$",
        views.contract_action,
        name="contract_action",
    ),
]
