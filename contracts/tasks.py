"""Contract tasks: generate the signed contract PDF; remind the parties of overdue milestones."""

from celery import shared_task

from . import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def contract_generate_document(contract_id: int) -> str:
    return services.contract_document_generate(contract_id=contract_id).sha256


@shared_task
def milestones_remind_overdue() -> int:
    """Beat (daily): one reminder for each late evidence and each late acceptance."""
    return services.milestones_remind_overdue()


@shared_task
def payments_reconcile() -> dict:
    """Beat (every few minutes): settle online payments whose webhook was lost or deferred, and make due transfers."""
    return services.payment_reconcile()
