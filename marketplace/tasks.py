"""Foundation tasks: notification emails, ending suspensions whose end date has passed, the outbox relay and the
worker's heartbeat."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from . import heartbeat, outbox
from .models import User


def _render(template: str, ctx: dict) -> tuple[str, str]:
    subject = render_to_string(f"email/{template}_subject.txt", ctx).strip()
    body = render_to_string(f"email/{template}_body.txt", ctx)
    return settings.EMAIL_SUBJECT_PREFIX + " ".join(subject.split()), body


def _send_to_user(user: User, template: str, context: dict) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        ctx = {**context, "user": user, "base_url": settings.WAGTAILADMIN_BASE_URL}
        subject, body = _render(template, ctx)
    send_mail(subject, body, None, [user.email])


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification(self, *, user_id: int, template: str, context: dict) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return
    _send_to_user(user, template, context)


@shared_task
def send_notifications(*, user_ids: list[int], template: str, context: dict) -> None:
    """One task for everyone one event concerns (a tender's bidders can be hundreds). A user whose email fails
    gets a retrying task of their own, so a retry never sends the others' emails twice.

    Sent through the outbox, each recipient is checkpointed once their email is out (or handed to their own
    task): a run interrupted half-way (worker killed, database lost) is repeated for the others only.
    """
    done = outbox.progress()
    for user in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email="").order_by("pk"):
        if str(user.pk) in done:
            continue
        try:
            _send_to_user(user, template, context)
        except OSError:
            outbox.enqueue(send_notification, kwargs={"user_id": user.pk, "template": template, "context": context})
        outbox.checkpoint(str(user.pk))


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email_to_address(self, *, email: str, template: str, context: dict, language: str = "") -> None:
    """An email to someone who may have no account yet (an invitation), in the sender's language."""
    with translation.override(language or settings.LANGUAGE_CODE):
        ctx = {**context, "email": email, "base_url": settings.WAGTAILADMIN_BASE_URL}
        subject, body = _render(template, ctx)
    send_mail(subject, body, None, [email])


@shared_task
def organisations_reinstate_due() -> int:
    """Beat: reinstate organisations whose suspension has run out."""
    from .services import organisations_reinstate_due as reinstate_due

    return reinstate_due()


@shared_task
def outbox_relay() -> int:
    """Beat, every few seconds: send the outbox rows the after-commit relay could not (broker down, lost)."""
    return outbox.relay(publish_retry=False)


@shared_task
def outbox_prune() -> int:
    """Beat, daily: delete outbox rows done a week ago."""
    return outbox.prune()


@shared_task
def worker_heartbeat() -> None:
    """Beat sends it, a worker runs it: the stamp says a worker is taking tasks from the broker."""
    heartbeat.stamp("worker")
