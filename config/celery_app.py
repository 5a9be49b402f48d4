"""The Celery application: reads CELERY_* settings and autodiscovers each app's tasks.

Every task runs through `Task` below: a message that came from the transactional outbox (task id
`outbox-<row>-<n>`, see marketplace/outbox.py) first claims its row, so a message the relay sent twice runs once.
"""

import os

from celery import Celery
from celery import Task as BaseTask
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


class Task(BaseTask):
    def __call__(self, *args, **kwargs):
        request_id = getattr(self.request, "id", None)
        if not (request_id or "").startswith("outbox-"):
            return super().__call__(*args, **kwargs)
        from marketplace import outbox

        pk = outbox.message_id(request_id)
        if pk is None:
            return super().__call__(*args, **kwargs)
        return outbox.run_claimed(pk, lambda: super(Task, self).__call__(*args, **kwargs),
                                  worker=self.request.hostname or "")


app = Celery("community_services", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _release_claims_of_a_dead_run(sender, **kwargs):
    """A worker killed mid-task (kill -9) leaves its outbox claim behind; the same worker starting again has no
    task running yet, so those claims are released and the relay's next copy runs at once."""
    from marketplace import outbox

    try:
        released = outbox.release_claims_of(getattr(sender, "hostname", "") or "")
    except Exception:  # noqa: BLE001 - the database may be down at start; the claim lease runs out instead
        return
    if released:
        import logging

        logging.getLogger(__name__).warning("outbox: released %s claim(s) left by a previous run", released)
