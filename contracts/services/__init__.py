"""Every state change of contracts. The modules: `contracts` (creation, plan, signing, PDF, termination),
`milestones` (evidence, acceptance, overdue reminders), `variations` and `payments`. Callers import from this package."""

from ._common import _lock, _office_side, _party_or_404, _provider_side  # noqa: F401
from .contracts import (  # noqa: F401
    contract_create_from_award,
    contract_document_generate,
    contract_recall,
    contract_send_for_signature,
    contract_set_plan,
    contract_sign,
    contract_terminate,
    default_milestone_plan,
    milestone_plan_problems,
)
from .milestones import (  # noqa: F401
    milestone_accept,
    milestone_reject,
    milestone_submit_evidence,
    milestones_remind_overdue,
)
from .payments import (  # noqa: F401
    payment_handle_webhook,
    payment_pay,
    payment_reconcile,
    payment_record_offline,
    payment_refund,
    payment_transfer,
    payout_onboarding_refresh,
    payout_onboarding_start,
    stripe_enabled,
)
from .variations import (  # noqa: F401
    contract_variation_accept,
    contract_variation_propose,
    contract_variation_reject,
    contract_variation_withdraw,
    variation_problems,
)
