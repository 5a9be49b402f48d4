"""Email notifications: queued after commit through Celery and rendered in each recipient's language."""

from django.db import transaction


def notify(*, users, template: str, context: dict) -> None:
    """Queue the emails to these users as one task, after the current transaction commits.

    `template` names `templates/email/<template>_subject.txt` and `_body.txt`. `context` must be JSON
    serialisable (ids and strings), because it travels through the broker.
    """
    from .tasks import send_notifications

    recipients = list(dict.fromkeys(u.pk for u in users if u is not None and u.email))
    if recipients:
        transaction.on_commit(
            lambda: send_notifications.delay(user_ids=recipients, template=template, context=context)
        )
