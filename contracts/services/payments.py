"""Payments for accepted milestones: online through Stripe, or recorded as paid outside the platform.

How an online payment is never lost and never doubled
-----------------------------------------------------
`payment_pay` works in steps, each committed before the next Stripe call (keys carry the payment's id and creation
time, written `<id>` below):

1. attempt n begins: the row goes to `processing`, `attempt` is incremented (committed);
2. a PaymentIntent is created *unconfirmed* (no money moves) with the key `payment-<id>-attempt-<n>-intent`,
   and its id is stored on the row (committed);
3. only then is that stored intent confirmed (key `payment-<id>-attempt-<n>-confirm`), and the result applied.

A worker that dies after step 2's Stripe call but before its write leaves at most an unconfirmed intent behind:
nothing was charged, and running `payment_pay` again creates the intent again with the same key (Stripe returns
the same one; localstripe, which ignores idempotency keys, makes a second unconfirmed one that is never charged).
A worker that dies after the confirmation but before its write leaves the stored intent id: running `payment_pay`
again, the reconciliation task, or the webhook each *retrieve* that intent and record its result, and never
confirm a second one. So the design does not depend on Stripe honouring the idempotency key; the key is a second
guard. Every change to a payment row happens in `_apply_intent` under `select_for_update` (contract, then
payment, the order every contract service uses), and it only moves forward: a `payment_failed` arriving after
`succeeded`, or an event for an older attempt's intent, changes nothing.

Webhooks are stored by event id (a duplicate is a no-op). The event's payload is only a hint: the current state
of the intent is retrieved from Stripe and applied. An event whose payment row is busy (locked by a worker that
has not committed) or not yet visible is kept unprocessed and answered 409, so Stripe delivers it again; the
reconciliation task applies it in any case (localstripe never redelivers).
"""

import logging
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import policy
from marketplace.audit import audit_record
from marketplace.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.models import Organisation, User
from marketplace.statemachine import transition

from .. import stripe_client as sc
from ..models import Contract, Milestone, Payment, PayoutAccount, StripeEvent
from ..signals import contract_closed, payment_succeeded
from ._common import _lock, _office_side

log = logging.getLogger(__name__)

# A payment left `processing` without an intent for this long was interrupted before any charge: it may be paid again.
INTERRUPTED_AFTER = timedelta(minutes=5)
# A stored event that still cannot be applied after this long is given up (it was not about one of our payments).
EVENT_GIVE_UP_AFTER = timedelta(days=3)
INTENT_EVENTS = {"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
                 "payment_intent.processing"}


def stripe_enabled() -> bool:
    return sc.stripe_enabled()


def _stamp(obj) -> str:
    """The row's id and creation time: keys stay unique even if ids are reused (a database restored or reset)
    within Stripe's 24-hour idempotency window."""
    return f"{obj.pk}.{int(obj.created_at.timestamp() * 1_000_000)}"


def _key(payment: Payment, step: str) -> str:
    return f"payment-{_stamp(payment)}-attempt-{payment.attempt}-{step}"


def _lock_contract_of_payment_for_office(actor: User, payment_id: int) -> Contract:
    """Lock the contract a payment belongs to, for the office that pays it: "not found" for anyone else."""
    contract_id = Payment.objects.filter(pk=payment_id).values_list("milestone__contract_id", flat=True).first()
    if contract_id is None:
        raise NotFound()
    contract = _lock(contract_id)
    if not _office_side(actor, contract):
        raise NotFound()
    return contract


# --- Offline ---------------------------------------------------------------------------------------------------


@transaction.atomic
def payment_record_offline(*, actor: User, payment_id: int, reference: str) -> Payment:
    """Without online payments, the office records a payment made outside the platform, with its reference."""
    contract = _lock_contract_of_payment_for_office(actor, payment_id)
    if not reference.strip():
        raise ValidationFailed(_("Enter the payment reference (for example the bank transfer number)."))
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status == Payment.Status.PROCESSING:
        raise Conflict(_("This payment is being processed online; wait for Stripe's answer."))
    payment.method = Payment.Method.OFFLINE
    payment.reference = reference.strip()
    payment.recorded_by = actor
    return _payment_succeeded(payment, contract, actor=actor, fields=["method", "reference", "recorded_by"])


def _payment_succeeded(payment: Payment, contract: Contract, *, actor, fields=()) -> Payment:
    payment.paid_at = timezone.now()
    transition(payment, Payment.Status.SUCCEEDED, actor=actor, verb="payment.succeed", fields=["paid_at", *fields],
               note={"method": payment.method, "reference": payment.reference})
    milestone = Milestone.objects.select_for_update().get(pk=payment.milestone_id)
    transition(milestone, Milestone.Status.PAID, actor=actor, verb="milestone.paid")
    payment_succeeded.send(sender=Payment, payment=payment, contract=contract)
    if not contract.milestones.exclude(status=Milestone.Status.PAID).exists():
        contract.closed_at = timezone.now()
        transition(contract, Contract.Status.COMPLETED, actor=actor, verb="contract.complete", fields=["closed_at"])
        contract_closed.send(sender=Contract, contract=contract)
    return payment


# --- Online: paying ------------------------------------------------------------------------------------------


def payment_pay(*, actor: User, payment_id: int, payment_method: str) -> Payment:
    """The office pays an accepted milestone by card. Returns the payment, `succeeded` or still `processing`.

    A declined card raises `PaymentDeclined` (the payment is `failed` and can be paid again); a payment already
    `processing` (an earlier request died) is resumed: its stored intent is looked up, never charged twice."""
    payment = _begin_attempt(actor=actor, payment_id=payment_id, payment_method=payment_method)
    payment = _drive(payment, payment_method=payment_method, actor=actor)
    _transfer_quietly(payment.pk)
    return payment


@transaction.atomic
def _begin_attempt(*, actor: User, payment_id: int, payment_method: str) -> Payment:
    contract = _lock_contract_of_payment_for_office(actor, payment_id)
    if not sc.stripe_enabled():
        raise Conflict(_("Online payment is not configured; record the payment made outside the platform instead."))
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status == Payment.Status.PROCESSING:
        return payment  # an earlier request was interrupted: resume it
    if payment.status not in (Payment.Status.PENDING, Payment.Status.FAILED):
        raise Conflict(_("This payment is already settled."))
    if contract.status != Contract.Status.ACTIVE:
        raise Conflict(_("Payments are made while the contract is active."))
    if not payment_method.strip():
        raise ValidationFailed(_("Choose the card to pay with."))
    payment.attempt += 1
    payment.method = Payment.Method.STRIPE
    payment.payment_intent_id = ""
    payment.failure_message = ""
    payment.attempt_started_at = timezone.now()
    return transition(payment, Payment.Status.PROCESSING, actor=actor, verb="payment.process",
                      fields=["attempt", "method", "payment_intent_id", "failure_message", "attempt_started_at"],
                      note={"attempt": payment.attempt})


def _drive(payment: Payment, *, payment_method: str, actor) -> Payment:
    """Steps 2 and 3 for a `processing` payment: create and store the intent if needed, confirm the stored one."""
    if not payment.payment_intent_id:
        if not payment_method.strip():
            raise ValidationFailed(_("Choose the card to pay with."))
        intent = sc.create_payment_intent(
            amount_fen=payment.amount_fen, payment_method=payment_method.strip(), idempotency_key=_key(payment, "intent"),
            metadata={"payment_id": payment.pk, "attempt": payment.attempt, "milestone_id": payment.milestone_id})
        payment = _store_intent(payment, intent.id)
    else:
        intent = sc.retrieve_payment_intent(payment.payment_intent_id)
    if intent.id != payment.payment_intent_id:  # a concurrent request stored its own intent first: follow that one
        intent = sc.retrieve_payment_intent(payment.payment_intent_id)
    if intent.status == "requires_confirmation":
        try:
            intent = sc.confirm_payment_intent(intent.id, idempotency_key=_key(payment, "confirm"))
        except sc.PaymentDeclined as exc:
            declined = sc.Intent(id=intent.id, status="requires_payment_method", amount=intent.amount,
                                 currency=intent.currency, error_message=exc.reason)
            _apply_intent(payment.pk, declined, actor=actor)
            raise
        except sc.StripeRefused:  # e.g. confirmed meanwhile by a concurrent request: take Stripe's word for it
            intent = sc.retrieve_payment_intent(intent.id)
    payment, _outcome = _apply_intent(payment.pk, intent, actor=actor)
    if payment.status == Payment.Status.FAILED:
        raise sc.PaymentDeclined(payment.failure_message)
    return payment


@transaction.atomic
def _store_intent(payment: Payment, intent_id: str) -> Payment:
    row = Payment.objects.select_for_update().get(pk=payment.pk)
    if row.status == Payment.Status.PROCESSING and row.attempt == payment.attempt and not row.payment_intent_id:
        row.payment_intent_id = intent_id
        row.save(update_fields=["payment_intent_id"])
        audit_record(actor=None, verb="payment.intent", obj=row, after={"intent": intent_id, "attempt": row.attempt})
    return row


@transaction.atomic
def _apply_intent(payment_id: int, intent: "sc.Intent", *, actor=None, nowait: bool = False) -> tuple[Payment, str]:
    """Record what Stripe says about the payment's current intent. The one place an online payment changes
    status; it only moves forward. Returns the payment and the outcome (succeeded, failed, no-op, stale, waiting).
    With `nowait`, a row locked by someone else raises DatabaseError instead of waiting (webhooks)."""
    milestone_contract = Payment.objects.filter(pk=payment_id).values_list("milestone__contract_id", flat=True).first()
    if milestone_contract is None:
        raise NotFound()
    contract = Contract.objects.select_for_update(nowait=nowait).get(pk=milestone_contract)
    payment = Payment.objects.select_for_update(nowait=nowait).get(pk=payment_id)
    if payment.method != Payment.Method.STRIPE or payment.payment_intent_id != intent.id:
        return payment, "stale"  # an older attempt's intent, or a payment settled another way
    if intent.status == "succeeded":
        if payment.status in (Payment.Status.PROCESSING, Payment.Status.FAILED):
            payment.failure_message = ""
            _payment_succeeded(payment, contract, actor=actor, fields=["failure_message"])
            return payment, "succeeded"
        return payment, "no-op"
    if intent.status in ("requires_payment_method", "canceled"):
        if payment.status == Payment.Status.PROCESSING:
            payment.failure_message = intent.error_message or _("the payment was not completed")
            transition(payment, Payment.Status.FAILED, actor=actor, verb="payment.fail", fields=["failure_message"],
                       note={"intent": intent.id, "message": payment.failure_message})
            return payment, "failed"
        return payment, "no-op"
    return payment, "waiting"  # processing, requires_confirmation, requires_action: Stripe has not decided yet


# --- Online: webhooks and reconciliation ---------------------------------------------------------------------


def payment_handle_webhook(*, payload: bytes, signature: str | None) -> tuple[int, str]:
    """Verify, store and apply one Stripe webhook. Returns (HTTP status, outcome).

    400 for a bad signature (InvalidWebhook is raised); 200 when applied, ignored or a duplicate; 409 when the event
    is kept for later (its payment row is busy or not yet visible) so that Stripe delivers it again."""
    event = sc.construct_event(payload, signature)
    try:
        with transaction.atomic():
            stored, created = StripeEvent.objects.get_or_create(
                event_id=event["id"], defaults={"type": event.get("type", ""), "payload": event})
    except IntegrityError:  # the same event delivered twice at the same moment
        stored, created = StripeEvent.objects.get(event_id=event["id"]), False
    if not created and stored.processed_at is not None:
        return 200, "duplicate"
    outcome = _process_event(stored)
    return (409, outcome) if outcome == "deferred" else (200, outcome)


def _process_event(stored: StripeEvent) -> str:
    obj = (stored.payload.get("data") or {}).get("object") or {}
    if stored.type not in INTENT_EVENTS or not obj.get("id"):
        return _event_done(stored, "ignored")
    payment = Payment.objects.filter(payment_intent_id=obj["id"]).first()
    if payment is None:
        # Not one of our stored intents, or the row that will hold it is not committed yet: keep it for later
        # if its metadata names a payment of ours that is still waiting for an intent.
        meta = obj.get("metadata") or {}
        waiting = Payment.objects.filter(pk=_int(meta.get("payment_id")), attempt=_int(meta.get("attempt")),
                                         status=Payment.Status.PROCESSING, payment_intent_id="").exists()
        if waiting and timezone.now() - stored.received_at < EVENT_GIVE_UP_AFTER:
            return "deferred"
        return _event_done(stored, "ignored: no payment for this intent")
    try:
        intent = sc.retrieve_payment_intent(obj["id"])  # the current state, not the event's snapshot
    except sc.StripeUnavailable:
        return "deferred"
    try:
        with transaction.atomic():  # the payment's change and the event's "processed" commit together
            payment, outcome = _apply_intent(payment.pk, intent, nowait=True)
            _event_done(stored, outcome)
    except DatabaseError:  # the row is locked by a worker that has not committed: later
        stored.processed_at = None
        return "deferred"
    if outcome == "succeeded":
        _transfer_quietly(payment.pk)
    return outcome


def _event_done(stored: StripeEvent, outcome: str) -> str:
    stored.processed_at = timezone.now()
    stored.outcome = outcome[:200]
    stored.save(update_fields=["processed_at", "outcome"])
    return outcome


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def payment_reconcile() -> dict[str, int]:
    """Beat task: apply stored events that waited, ask Stripe about every payment still processing, and make the
    transfers that are due. A lost webhook delays a payment; it never loses it."""
    counts = {"events": 0, "succeeded": 0, "failed": 0, "accounts": 0, "transfers": 0}
    if not sc.stripe_enabled():
        return counts
    for stored in StripeEvent.objects.filter(processed_at__isnull=True).order_by("received_at")[:200]:
        if _process_event(stored) != "deferred":
            counts["events"] += 1
    now = timezone.now()
    for payment in Payment.objects.filter(status=Payment.Status.PROCESSING, method=Payment.Method.STRIPE):
        if payment.payment_intent_id:
            try:
                intent = sc.retrieve_payment_intent(payment.payment_intent_id)
            except sc.StripeUnavailable:
                continue
            if intent.status == "requires_confirmation" and _stale(payment, now):
                # The worker died between storing the intent and confirming it: nothing was charged. Cancel the
                # intent so it can never be confirmed, and let the office pay again.
                intent = sc.cancel_payment_intent(intent.id, idempotency_key=_key(payment, "cancel"))
                intent = sc.Intent(id=intent.id, status=intent.status, amount=intent.amount, currency=intent.currency,
                                   error_message=_("the payment was interrupted before the card was charged"))
            _payment, outcome = _apply_intent(payment.pk, intent)
            counts["succeeded"] += outcome == "succeeded"
            counts["failed"] += outcome == "failed"
        elif _stale(payment, now):
            counts["failed"] += _mark_interrupted(payment.pk, payment.attempt)
    # A provider that finished onboarding at Stripe but never came back to the return page is found here.
    for account in PayoutAccount.objects.filter(onboarded_at__isnull=True):
        try:
            counts["accounts"] += _payout_account_refresh(account).ready
        except sc.StripeUnavailable:
            continue
    for payment in _transfers_due():
        counts["transfers"] += bool(_transfer_quietly(payment.pk))
    return counts


def _stale(payment: Payment, now) -> bool:
    return bool(payment.attempt_started_at) and now - payment.attempt_started_at > INTERRUPTED_AFTER


@transaction.atomic
def _mark_interrupted(payment_id: int, attempt: int) -> int:
    """No intent was ever stored for this attempt, so nothing was confirmed or charged: it can be paid again."""
    contract_id = Payment.objects.filter(pk=payment_id).values_list("milestone__contract_id", flat=True).get()
    _lock(contract_id)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status != Payment.Status.PROCESSING or payment.payment_intent_id or payment.attempt != attempt:
        return 0
    payment.failure_message = _("the payment was interrupted before the card was charged")
    transition(payment, Payment.Status.FAILED, actor=None, verb="payment.fail", fields=["failure_message"],
               note={"interrupted": True})
    return 1


# --- Connect: the provider's payout account and transfers ------------------------------------------------------


def _transfers_due():
    return Payment.objects.filter(status=Payment.Status.SUCCEEDED, method=Payment.Method.STRIPE, transfer_id="",
                                  milestone__contract__provider__payout_account__payouts_enabled=True,
                                  milestone__contract__provider__payout_account__details_submitted=True)


def _transfer_quietly(payment_id: int) -> str:
    """Transfer if due; Stripe being down only delays it (reconciliation retries)."""
    try:
        return payment_transfer(payment_id=payment_id)
    except (sc.StripeUnavailable, sc.StripeRefused) as exc:
        log.warning("transfer of payment %s postponed: %s", payment_id, exc)
        return ""


def payment_transfer(*, payment_id: int) -> str:
    """Send a succeeded online payment to the provider's connected account, once. Returns the transfer id, or ""
    when none is due (not paid online, already transferred, or the provider has not finished onboarding)."""
    payment = Payment.objects.select_related("milestone__contract__provider").get(pk=payment_id)
    contract = payment.milestone.contract
    account = PayoutAccount.objects.filter(organisation_id=contract.provider_id).first()
    if (payment.status != Payment.Status.SUCCEEDED or payment.method != Payment.Method.STRIPE or payment.transfer_id
            or account is None or not account.ready):
        return payment.transfer_id
    # One transfer per payment: the key is the payment's, so a retry after a crash returns the same transfer.
    transfer_id = sc.create_transfer(amount_fen=payment.amount_fen, destination=account.stripe_account_id,
                                     transfer_group=f"contract-{contract.pk}", idempotency_key=f"payment-{_stamp(payment)}-transfer",
                                     metadata={"payment_id": payment.pk, "contract_id": contract.pk})
    with transaction.atomic():
        row = Payment.objects.select_for_update().get(pk=payment_id)
        if not row.transfer_id:
            row.transfer_id = transfer_id
            row.transferred_at = timezone.now()
            row.save(update_fields=["transfer_id", "transferred_at"])
            audit_record(actor=None, verb="payment.transfer", obj=row,
                         after={"transfer": transfer_id, "account": account.stripe_account_id})
    return row.transfer_id


def _organisation_admin_or_404(actor: User, organisation_id: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not policy.is_member(actor, organisation_id, admin=True):
        raise NotFound()
    if not sc.stripe_enabled():
        raise Conflict(_("Online payment is not configured, so there is no payout account to set up. Payments are "
                         "recorded as paid outside the platform."))
    return organisation


def payout_onboarding_start(*, actor: User, organisation_id: int, refresh_url: str, return_url: str) -> str:
    """The provider's admin starts (or continues) Stripe Express onboarding. Returns the URL to send them to."""
    organisation = _organisation_admin_or_404(actor, organisation_id)
    account = PayoutAccount.objects.filter(organisation=organisation).first()
    if account is None:
        created = sc.create_express_account(email=actor.email, idempotency_key=f"organisation-{_stamp(organisation)}-payouts",
                                            metadata={"organisation_id": organisation.pk})
        with transaction.atomic():
            account, made = PayoutAccount.objects.get_or_create(organisation=organisation,
                                                                defaults={"stripe_account_id": created.id})
            if made:
                audit_record(actor=actor, verb="payout_account.create", obj=account, after={"account": created.id})
    return sc.create_account_link(account_id=account.stripe_account_id, refresh_url=refresh_url, return_url=return_url)


def payout_onboarding_refresh(*, actor: User, organisation_id: int) -> PayoutAccount:
    """Back from Stripe: record the account's state; once it can receive payouts, the due transfers are made."""
    organisation = _organisation_admin_or_404(actor, organisation_id)
    account = PayoutAccount.objects.filter(organisation=organisation).first()
    if account is None:
        raise Conflict(_("Start setting up the payout account first."))
    return _payout_account_refresh(account, actor=actor)


def _payout_account_refresh(account: PayoutAccount, *, actor=None) -> PayoutAccount:
    remote = sc.retrieve_account(account.stripe_account_id)
    account.charges_enabled = remote.charges_enabled
    account.payouts_enabled = remote.payouts_enabled
    account.details_submitted = remote.details_submitted
    if account.ready and account.onboarded_at is None:
        account.onboarded_at = timezone.now()
        audit_record(actor=actor, verb="payout_account.ready", obj=account, after={"account": account.stripe_account_id})
    account.save(update_fields=["charges_enabled", "payouts_enabled", "details_submitted", "onboarded_at"])
    if account.ready:
        for payment in _transfers_due().filter(milestone__contract__provider_id=account.organisation_id):
            _transfer_quietly(payment.pk)
    return account


# --- Refunds (operators) ---------------------------------------------------------------------------------------


def payment_refund(*, actor: User, payment_id: int, reason: str) -> Payment:
    """An operator refunds a succeeded payment: through Stripe when it was paid online, otherwise recorded as
    refunded outside the platform. At most one refund per payment, also across a crash."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise NotFound()
    if not policy.is_operator(actor):
        raise PermissionDenied(_("Only platform operators can refund a payment."))
    if not reason.strip():
        raise ValidationFailed(_("Give the reason for the refund."))
    if payment.status != Payment.Status.SUCCEEDED:
        raise Conflict(_("Only a payment that went through can be refunded."))
    refund_id = ""
    if payment.method == Payment.Method.STRIPE:
        refund_id = sc.find_refund(intent_id=payment.payment_intent_id, payment_id=payment.pk) or sc.create_refund(
            intent_id=payment.payment_intent_id, amount_fen=payment.amount_fen, payment_id=payment.pk,
            idempotency_key=f"payment-{_stamp(payment)}-refund")
    with transaction.atomic():
        _lock(Payment.objects.filter(pk=payment_id).values_list("milestone__contract_id", flat=True).get())
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status != Payment.Status.SUCCEEDED:
            raise Conflict(_("Only a payment that went through can be refunded."))
        payment.refund_id = refund_id
        payment.refunded_at = timezone.now()
        payment.refunded_by = actor
        payment.refund_reason = reason.strip()
        transition(payment, Payment.Status.REFUNDED, actor=actor, verb="payment.refund",
                   fields=["refund_id", "refunded_at", "refunded_by", "refund_reason"],
                   note={"refund": refund_id, "reason": payment.refund_reason})
    return payment
