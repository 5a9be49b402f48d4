"""Email notifications: queued after commit through Celery and rendered in each recipient's language."""

from django.db import transaction


def notify(*, users, template: str, context: dict) -> None:
    """Queue one email per user, after the current transaction commits.

    `template` names `templates/email/<template>_subject.txt` and `_body.txt`. `context` must be JSON
    serialisable (ids and strings), because it travels through the broker.
    """
    from .tasks import send_notification

    recipients = [u.pk for u in users if u is not None and u.email]
    for user_id in dict.fromkeys(recipients):
        transaction.on_commit(
            lambda uid=user_id: send_notification.delay(user_id=uid, template=template, context=context)
        )
