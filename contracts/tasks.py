"""Contract tasks: generate the signed contract PDF."""

from celery import shared_task

from . import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def contract_generate_document(contract_id: int) -> str:
    return services.contract_document_generate(contract_id=contract_id).sha256
