"""Payment pages: the office pays, an operator refunds, the provider sets up payouts, Stripe calls the webhook."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from marketplace.errors import DomainError
from marketplace.inputs import text_param

from .. import services
from ..models import Payment


def _payment_or_404(pk: int) -> Payment:
    payment = Payment.objects.select_related("milestone").filter(pk=pk).first()
    if payment is None:
        raise Http404
    return payment


def _back_with_error(request, exc: DomainError, to: str, **kwargs):
    if exc.status in (403, 404):  # not yours / not allowed: the error page says so with its status
        raise exc
    messages.error(request, exc.message)
    return redirect(to, **kwargs)


@login_required
@require_POST
def payment_pay(request, pk: int):
    payment = _payment_or_404(pk)
    contract_id = payment.milestone.contract_id
    try:
        payment = services.payment_pay(actor=request.user, payment_id=payment.pk,
                                       payment_method=text_param(request.POST, "payment_method"))
    except DomainError as exc:
        return _back_with_error(request, exc, "contracts:contract_work", pk=contract_id)
    if payment.status == Payment.Status.SUCCEEDED:
        messages.success(request, _("Paid. The milestone is settled."))
    else:
        messages.info(request, _("The payment is being processed; this page shows the result once Stripe confirms it."))
    return redirect("contracts:contract_work", pk=contract_id)


@login_required
@require_POST
def payment_refund(request, pk: int):
    payment = _payment_or_404(pk)
    contract_id = payment.milestone.contract_id
    try:
        services.payment_refund(actor=request.user, payment_id=payment.pk, reason=text_param(request.POST, "reason"))
    except DomainError as exc:
        return _back_with_error(request, exc, "contracts:contract_work", pk=contract_id)
    messages.success(request, _("The payment was refunded."))
    return redirect("contracts:contract_work", pk=contract_id)


@login_required
@require_POST
def payout_onboard(request, org: int):
    """The provider's admin goes to Stripe to set up (or finish setting up) the account payments are sent to."""
    back = request.build_absolute_uri(reverse("contracts:payout_return", kwargs={"org": org}))
    try:
        url = services.payout_onboarding_start(actor=request.user, organisation_id=org, refresh_url=back,
                                               return_url=back)
    except DomainError as exc:
        return _back_with_error(request, exc, "marketplace:dashboard")
    return redirect(url)


@login_required
def payout_return(request, org: int):
    try:
        account = services.payout_onboarding_refresh(actor=request.user, organisation_id=org)
    except DomainError as exc:
        return _back_with_error(request, exc, "marketplace:dashboard")
    if account.ready:
        messages.success(request, _("The payout account is ready: payments for accepted milestones are sent to it."))
    else:
        messages.warning(request, _("The payout account is not complete yet. Continue the setup with Stripe."))
    return redirect("marketplace:dashboard")


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's events. 400 for a bad signature; 200 once stored (a duplicate is a no-op); 409 when the event
    waits for its payment row, so that Stripe sends it again (reconciliation applies it anyway)."""
    try:
        status, outcome = services.payment_handle_webhook(payload=request.body,
                                                          signature=request.headers.get("Stripe-Signature"))
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    return HttpResponse(outcome, status=status, content_type="text/plain; charset=utf-8")
