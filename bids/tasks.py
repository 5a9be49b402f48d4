"""Tendering tasks: close each tender at its deadline, plus beat sweeps that catch anything a task missed."""

from celery import shared_task

from . import services


@shared_task
def tender_close_at_deadline(tender_id: int) -> str:
    return services.tender_close(tender_id=tender_id).status


@shared_task
def tenders_close_due() -> int:
    return services.tenders_close_due()


@shared_task
def tenders_end_standstill() -> int:
    return services.tenders_end_standstill_due()


@shared_task
def tenders_remind_drafts() -> int:
    return services.tenders_remind_drafts()
