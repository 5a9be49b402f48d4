"""Ratings tasks (beat): publish closed windows, remind before they close, and the nightly full recompute."""

from celery import shared_task

from . import aggregation, indicators, services


@shared_task
def review_windows_close_due() -> int:
    return services.review_windows_close_due()


@shared_task
def review_reminders_due() -> int:
    return services.review_reminders_due()


@shared_task
def reputation_recompute_all() -> int:
    """Nightly: rebuild every aggregate from the published reviews (it must equal the incremental result),
    and recompute every objective indicator."""
    aggregation.recompute_all()
    return indicators.indicators_update_all()
