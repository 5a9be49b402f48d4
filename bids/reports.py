"""What the tendering PDFs say: the evaluation report (评标报告) and the award notice (中标公示).

Each function gathers one document's content from a tender the caller was allowed to see (see bids.selectors);
the views render it with marketplace.pdf.render_pdf.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from marketplace.models import AuditEvent

from .models import Bid, Score, Tender
from .selectors import OPENED_STATUSES
from .services import tender_ranking


def _last_events(model, object_ids, verbs) -> dict[str, AuditEvent]:
    """The latest audit event of the given verbs for each object: who decided, and when."""
    events = AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                       object_id__in=[str(i) for i in object_ids], verb__in=verbs)
    latest: dict[str, AuditEvent] = {}
    for event in events.order_by("created_at", "id"):
        latest[event.object_id] = event
    return latest


def evaluation_report_context(tender: Tender) -> dict:
    criteria = list(tender.criteria.order_by("order", "pk"))
    panel = list(tender.panel.select_related("evaluator").order_by("pk"))
    opened = list(Bid.objects.filter(tender=tender, status__in=OPENED_STATUSES).select_related("organisation")
                  .prefetch_related("attachments").order_by("submitted_at", "pk"))
    decisions = _last_events(Bid, [b.pk for b in opened], ["bid.qualify", "bid.disqualify"])
    ranking = tender_ranking(tender)
    scores = {(s.bid_id, s.evaluator_id, s.criterion_id): s
              for s in Score.objects.filter(bid__tender=tender).select_related("evaluator")}
    evaluators = [m.evaluator for m in panel]
    score_sheets = [
        {"bid": bid, "rows": [{"evaluator": evaluator,
                                "cells": [scores.get((bid.pk, evaluator.pk, c.pk)) for c in criteria]}
                               for evaluator in evaluators]}
        for bid, _entry in ranking
    ] if criteria else []
    award_event = _last_events(Tender, [tender.pk], ["tender.propose_award"]).get(str(tender.pk))
    return {
        "tender": tender,
        "interim": tender.status == Tender.Status.EVALUATING,
        "criteria": criteria,
        "price_weight": tender.price_weight if criteria else 100,
        "panel": panel,
        "opened": [(bid, decisions.get(str(bid.pk))) for bid in opened],
        "ranking": ranking,
        "score_sheets": score_sheets,
        "award_event": award_event,
        "top_bid": ranking[0][0] if ranking else None,
    }


def award_notice_context(tender: Tender, *, request) -> dict:
    ranking = tender_ranking(tender)
    objection_url = request.build_absolute_uri(reverse("bids:tender_detail", args=[tender.pk]))
    return {
        "tender": tender,
        "bid": tender.awarded_bid,
        "ranking": ranking,
        "chosen_not_first": bool(ranking) and ranking[0][0].pk != tender.awarded_bid_id,
        "opened_count": Bid.objects.filter(tender=tender, status__in=OPENED_STATUSES).count(),
        "objection_url": objection_url,
        "standstill_days": settings.TENDER_STANDSTILL_WORKING_DAYS,
    }
