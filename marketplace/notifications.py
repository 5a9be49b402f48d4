"""Email notifications: written to the outbox with the change, sent through Celery, in each recipient's language."""

from . import outbox


def notify(*, users, template: str, context: dict) -> None:
    """Queue the emails to these users as one task, in the current transaction (marketplace.outbox): they go out
    once it commits, even if the broker is down at that moment, and never if it rolls back.

    `template` names `templates/email/<template>_subject.txt` and `_body.txt`. `context` must be JSON
    serialisable (ids and strings), because it travels through the database and the broker.
    """
    from .tasks import send_notifications

    recipients = list(dict.fromkeys(u.pk for u in users if u is not None and u.email))
    if recipients:
        outbox.enqueue(send_notifications, kwargs={"user_ids": recipients, "template": template, "context": context})
