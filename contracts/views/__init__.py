"""Contract pages. `contracts`: the public summary and the parties' working page, one POST per action."""

from .contracts import (  # noqa: F401
    contract_action,
    contract_document,
    contract_list,
    contract_plan,
    contract_public,
    contract_variation_new,
    contract_work,
    evidence_file,
)
from .payments import payment_pay, payment_refund, payout_onboard, payout_return, stripe_webhook  # noqa: F401
