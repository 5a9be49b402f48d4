"""Foundation tasks: sending notification emails."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from .models import User


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification(self, *, user_id: int, template: str, context: dict) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return
    with translation.override(user.language or settings.LANGUAGE_CODE):
        ctx = {**context, "user": user, "base_url": settings.WAGTAILADMIN_BASE_URL}
        subject = render_to_string(f"email/{template}_subject.txt", ctx).strip()
        body = render_to_string(f"email/{template}_body.txt", ctx)
    send_mail(settings.EMAIL_SUBJECT_PREFIX + subject, body, None, [user.email])
