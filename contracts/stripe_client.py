"""The only module that talks to Stripe (the layering contract forbids `import stripe` anywhere else).

Thin typed functions over the `stripe` library. Every call that changes something takes an idempotency key the
caller derives from the payment (`payment-<id>-attempt-<n>-intent` …). Stripe's errors become our DomainErrors
with a message for the user; callers never see a `stripe` exception. `STRIPE_API_BASE`, when set, points the
library at another server (localstripe and the project's test server in tests).
"""

import json
from dataclasses import dataclass, field

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from marketplace.errors import DomainError, ValidationFailed

CURRENCY = "cny"  # amounts are in fen (1/100 yuan)


class PaymentDeclined(ValidationFailed):
    """The card (or other payment method) was declined. `reason` is Stripe's own explanation."""

    code = "payment_declined"

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(
            _("The card was declined: %(reason)s; the milestone stays accepted and you can pay again.")
            % {"reason": reason.strip().rstrip(".。")}
        )


class StripeUnavailable(DomainError):
    """Stripe could not be reached or failed; nothing is lost, the payment is reconciled later."""

    status = 503
    code = "stripe_unavailable"
    default_message = _("The payment service could not be reached. Try again in a few minutes; a payment that "
                        "went through is found and recorded automatically, never charged twice.")


class StripeRefused(ValidationFailed):
    """Stripe refused the request itself (a bad parameter, a state that does not allow it)."""

    code = "stripe_refused"

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(_("Stripe refused the request: %(reason)s") % {"reason": reason})


class InvalidWebhook(ValidationFailed):
    code = "invalid_webhook"
    default_message = _("The webhook signature is not valid.")


@dataclass(frozen=True)
class Intent:
    id: str
    status: str  # requires_payment_method | requires_confirmation | requires_action | processing | succeeded | canceled
    amount: int
    currency: str
    metadata: dict = field(default_factory=dict)
    error_message: str = ""  # the last payment error, e.g. "Your card was declined."


@dataclass(frozen=True)
class Account:
    id: str
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool


def stripe_enabled() -> bool:
    """Online payment is on when a secret key is configured; otherwise payments are recorded offline."""
    return bool(settings.STRIPE_SECRET_KEY)


def _client() -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE or None
    addresses = {"api": base, "connect": base} if base else None
    # Network retries reuse the same idempotency key, so they can never charge twice.
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=addresses, max_network_retries=2)


def _call(fn, *args, **kwargs):
    try:
        result = fn(*args, **kwargs)
    except stripe.CardError as exc:
        raise PaymentDeclined(exc.user_message or _("the card issuer gave no reason")) from exc
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.AuthenticationError) as exc:
        raise StripeUnavailable() from exc
    except stripe.InvalidRequestError as exc:
        raise StripeRefused(exc.user_message or str(exc)) from exc
    except stripe.StripeError as exc:  # APIError and friends: Stripe's side failed
        raise StripeUnavailable() from exc
    return result.to_dict()  # plain dicts from here on


def _options(idempotency_key: str) -> dict:
    return {"idempotency_key": idempotency_key}


def _intent(obj) -> Intent:
    error = obj.get("last_payment_error") or {}
    return Intent(id=obj["id"], status=obj["status"], amount=int(obj["amount"]), currency=obj["currency"],
                  metadata=dict(obj.get("metadata") or {}), error_message=(error or {}).get("message") or "")


def create_payment_intent(*, amount_fen: int, payment_method: str, metadata: dict, idempotency_key: str) -> Intent:
    """A PaymentIntent on the platform account, NOT confirmed yet: no money moves until `confirm_payment_intent`."""
    params = {"amount": amount_fen, "currency": CURRENCY, "payment_method": payment_method,
              "payment_method_types": ["card"], "metadata": {k: str(v) for k, v in metadata.items()}}
    return _intent(_call(_client().v1.payment_intents.create, params, _options(idempotency_key)))


def confirm_payment_intent(intent_id: str, *, idempotency_key: str) -> Intent:
    """Charge the PaymentIntent's payment method. A decline raises PaymentDeclined."""
    return _intent(_call(_client().v1.payment_intents.confirm, intent_id, None, _options(idempotency_key)))


def cancel_payment_intent(intent_id: str, *, idempotency_key: str) -> Intent:
    """Cancel an intent that was never confirmed, so that nobody can confirm it later."""
    return _intent(_call(_client().v1.payment_intents.cancel, intent_id, None, _options(idempotency_key)))


def retrieve_payment_intent(intent_id: str) -> Intent:
    return _intent(_call(_client().v1.payment_intents.retrieve, intent_id))


def create_refund(*, intent_id: str, amount_fen: int, payment_id: int, idempotency_key: str) -> str:
    params = {"payment_intent": intent_id, "amount": amount_fen, "metadata": {"payment_id": str(payment_id)}}
    return _call(_client().v1.refunds.create, params, _options(idempotency_key))["id"]


def find_refund(*, intent_id: str, payment_id: int) -> str:
    """The id of a refund already made for this payment (a crash after the refund call, before our write), or ""."""
    refunds = _call(_client().v1.refunds.list, {"payment_intent": intent_id, "limit": 100})
    for refund in refunds["data"]:
        if (refund.get("metadata") or {}).get("payment_id") == str(payment_id):
            return refund["id"]
    return ""


def _account(obj) -> Account:
    return Account(id=obj["id"], charges_enabled=bool(obj.get("charges_enabled")),
                   payouts_enabled=bool(obj.get("payouts_enabled")),
                   details_submitted=bool(obj.get("details_submitted")))


def create_express_account(*, email: str, metadata: dict, idempotency_key: str) -> Account:
    params = {"type": "express", "country": "CN", "email": email,
              "capabilities": {"transfers": {"requested": True}},
              "metadata": {k: str(v) for k, v in metadata.items()}}
    return _account(_call(_client().v1.accounts.create, params, _options(idempotency_key)))


def retrieve_account(account_id: str) -> Account:
    return _account(_call(_client().v1.accounts.retrieve, account_id))


def create_account_link(*, account_id: str, refresh_url: str, return_url: str) -> str:
    """A one-time onboarding URL. Links expire, so each visit makes a new one (no idempotency key needed: it
    creates nothing that lasts)."""
    params = {"account": account_id, "refresh_url": refresh_url, "return_url": return_url,
              "type": "account_onboarding"}
    return _call(_client().v1.account_links.create, params)["url"]


def create_transfer(*, amount_fen: int, destination: str, metadata: dict, transfer_group: str,
                    idempotency_key: str) -> str:
    params = {"amount": amount_fen, "currency": CURRENCY, "destination": destination,
              "transfer_group": transfer_group, "metadata": {k: str(v) for k, v in metadata.items()}}
    return _call(_client().v1.transfers.create, params, _options(idempotency_key))["id"]


def construct_event(payload: bytes, signature: str | None) -> dict:
    """Verify the Stripe-Signature header with STRIPE_WEBHOOK_SECRET and return the event as a plain dict."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret or not signature:
        raise InvalidWebhook()
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise InvalidWebhook() from exc
    except (TypeError, AttributeError, KeyError, RecursionError) as exc:  # signed, but JSON that is no event
        raise MalformedWebhook() from exc
    event = event.to_dict()
    _check_event(event)
    return event


class MalformedWebhook(InvalidWebhook):
    code = "malformed_webhook"
    default_message = _("The webhook is signed but is not a Stripe event this platform can read.")


def _check_event(event) -> None:
    """A signed event is stored and read as Stripe documents it: refuse (400) one that is not, rather than fail on
    it later (a 500 for Stripe, and a retry that fails again). Ids and types are short strings, `data.object` and
    its metadata are objects, and the whole can be stored as JSON text (no NUL, no lone surrogate)."""
    def short_string(value, required=True) -> bool:
        return (value is None and not required) or (isinstance(value, str) and 0 < len(value) <= 100)

    data = event.get("data") if isinstance(event, dict) else None
    obj = data.get("object") if isinstance(data, dict) else None
    well_formed = (
        isinstance(event, dict) and short_string(event.get("id")) and short_string(event.get("type"))
        and isinstance(data, dict) and isinstance(obj, dict)
        and short_string(obj.get("id"), required=False)
        and isinstance(obj.get("metadata") or {}, dict)
    )
    if well_formed:
        try:
            text = json.dumps(event, ensure_ascii=False)
            text.encode("utf-8")  # a lone surrogate cannot be stored
            well_formed = "\\u0000" not in text
        except (TypeError, ValueError, RecursionError):
            well_formed = False
    if not well_formed:
        raise MalformedWebhook()
