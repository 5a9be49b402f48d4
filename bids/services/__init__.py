"""Every state change of tendering. `tenders`: the lifecycle and sealed bids; `evaluation`: panel and scores."""

from .clarifications import clarification_answer, clarification_ask  # noqa: F401
from .documents import bid_attachment_add, bid_attachment_remove, tender_document_attach  # noqa: F401
from .evaluation import (  # noqa: F401
    criteria_set,
    panel_add,
    panel_declare,
    score_record,
    tender_ranking,
)
from .objections import has_pending_objection, objection_answer, objection_lodge  # noqa: F401
from .tenders import (  # noqa: F401
    bid_canonical_content,
    bid_content_problems,
    bid_digest,
    bid_qualify,
    bid_ranking,
    bid_save_draft,
    bid_submit,
    bid_submit_content,
    bid_withdraw,
    closes_due_tender_first,
    digest_of,
    notify_bidders,
    tender_cancel,
    tender_close,
    tender_close_if_due,
    tender_finalise_award,
    tender_propose_award,
    tender_publication_problems,
    tender_publish,
    tender_requirements,
    tender_start_evaluation,
    tender_update,
    tenders_close_due,
    tenders_end_standstill_due,
    tenders_remind_drafts,
    tenders_sync_from_purchase_list,
)
