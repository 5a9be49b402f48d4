"""Ratings tasks: publish the reviews of every window that has closed."""

from celery import shared_task

from . import services


@shared_task
def review_windows_close_due() -> int:
    return services.review_windows_close_due()
