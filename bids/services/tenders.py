"""Every state change of tendering: draft tenders from purchase lists, publishing, sealed bids, closing,
opening, qualification, award, standstill and cancellation.

The server clock decides. Any service handed a published tender whose deadline has passed closes it first
(`_lock_tender`), so a late worker never lets a late bid in.
"""

import datetime as dt
import functools
import hashlib
import json
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import PurchaseListPage
from marketplace import policy
from marketplace.audit import audit_record
from marketplace.eligibility import TenderRequirements, bid_eligibility
from marketplace.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from marketplace.models import Membership, Organisation, User
from marketplace.notifications import notify
from marketplace.statemachine import transition, transition_many
from marketplace.workdays import add_working_days, working_days_between

from .. import scoring
from ..models import Bid, BidAttachment, BidResponse, Tender
from ..signals import tender_awarded

# --- Purchase lists open draft tenders ------------------------------------------------------------


@transaction.atomic
def tenders_sync_from_purchase_list(*, actor, page: PurchaseListPage) -> list[Tender]:
    """Each line of a published purchase list has one draft tender. Idempotent: unchanged lines change nothing,
    changed lines update their draft, and a draft whose line was removed is cancelled."""
    page = PurchaseListPage.objects.select_related("office").get(pk=page.pk)
    tenders = []
    seen_keys = []
    for line in page.lines.select_related("item").all():
        seen_keys.append(line.key)
        item = line.item.specific
        values = {
            "office": page.office,
            "purchase_list": page,
            "service_item": item,
            "category": item.category,
            "title": line.title,
            "description": line.notes,
            "quantity": line.quantity,
            "unit": item.unit,
            "budget_ceiling": line.budget,
            "planned_month": line.planned_month,
            "allow_registered": item.allow_registered,
            "allow_filed": item.allow_filed,
            "min_grade": item.min_grade,
            "filed_budget_threshold": page.office.filed_budget_threshold,
            "indicators": item.indicator_snapshot(),
        }
        tender = Tender.objects.select_for_update().filter(line_key=line.key).first()
        if tender is None:
            tender = Tender.objects.create(line_key=line.key, **values)
            audit_record(actor=actor, verb="tender.create", obj=tender, after={"line": str(line.key)})
        elif tender.status == Tender.Status.DRAFT:
            changed = {k: v for k, v in values.items() if getattr(tender, k) != v}
            if changed:
                before = {k: getattr(tender, k) for k in changed}
                for k, v in changed.items():
                    setattr(tender, k, v)
                tender.save(update_fields=[*changed, "updated_at"])
                audit_record(actor=actor, verb="tender.update_from_list", obj=tender,
                             before=_plain(before), after=_plain(changed))
        tenders.append(tender)
    orphans = Tender.objects.filter(purchase_list=page, status=Tender.Status.DRAFT).exclude(line_key__in=seen_keys)
    for tender in orphans:
        tender.public_reason = _("The line was removed from the purchase list.")
        transition(tender, Tender.Status.CANCELLED, actor=actor, verb="tender.cancel", fields=["public_reason"])
    return tenders


def notify_bidders(tender: Tender, template: str, *, statuses=None, **context) -> None:
    """Email the members of every organisation with a bid on the tender (of the given statuses), after commit."""
    bids = Bid.objects.filter(tender=tender)
    if statuses:
        bids = bids.filter(status__in=statuses)
    members = Membership.objects.filter(organisation_id__in=bids.values("organisation_id")).values("user_id")
    notify(users=User.objects.filter(pk__in=members), template=template,
           context={"tender_id": tender.pk, "tender_title": tender.title, **context})


def _plain(values: dict) -> dict:
    return {k: (v.pk if hasattr(v, "pk") else v) for k, v in values.items()}


# --- Tender set-up and publication ----------------------------------------------------------------


def _require_procurement(actor: User, tender: Tender) -> None:
    if not policy.can_run_procurement(actor, tender.office_id):
        raise NotFound()


EDITABLE_FIELDS = (
    "title", "description", "budget_ceiling", "allow_registered", "allow_filed", "min_grade",
    "filed_budget_threshold", "method", "price_weight", "min_bids", "clarification_deadline", "submission_deadline",
)


@transaction.atomic
def tender_update(*, actor: User, tender: Tender, **fields) -> Tender:
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    _require_procurement(actor, tender)
    if tender.status != Tender.Status.DRAFT:
        raise Conflict(_("Only a draft tender can be edited."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("These fields cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    before = {k: getattr(tender, k) for k in fields}
    for k, v in fields.items():
        setattr(tender, k, v)
    tender.full_clean()
    tender.save(update_fields=[*fields, "updated_at"])
    audit_record(actor=actor, verb="tender.update", obj=tender, before=_plain(before), after=_plain(fields))
    return tender


def tender_publication_problems(tender: Tender, *, now=None) -> list[str]:
    """Everything that stops a draft from being published, in words the officer understands."""
    now = now or timezone.now()
    problems = []
    if not tender.submission_deadline:
        problems.append(_("Set the submission deadline."))
    if not tender.clarification_deadline:
        problems.append(_("Set the clarification deadline."))
    if not (tender.allow_registered or tender.allow_filed):
        problems.append(_("Open the tender to at least one kind of organisation."))
    if tender.submission_deadline:
        need = settings.TENDER_MIN_SUBMISSION_WORKING_DAYS
        have = working_days_between(now, tender.submission_deadline)
        if have < need:
            problems.append(
                _("The submission deadline must be at least %(need)d working days after publication (it is %(have)d).")
                % {"need": need, "have": have}
            )
    if tender.clarification_deadline:
        need = settings.TENDER_MIN_CLARIFICATION_WORKING_DAYS
        have = working_days_between(now, tender.clarification_deadline)
        if have < need:
            problems.append(
                _("The clarification deadline must be at least %(need)d working days after publication "
                  "(it is %(have)d).") % {"need": need, "have": have}
            )
        if tender.submission_deadline and tender.clarification_deadline >= tender.submission_deadline:
            problems.append(_("The clarification deadline must come before the submission deadline."))
    if tender.method == Tender.Method.LOWEST_PRICE and tender.price_weight != 100:
        problems.append(_("Under the lowest-price method the price weight is 100."))
    if tender.method == Tender.Method.COMPREHENSIVE:
        weights = list(tender.criteria.values_list("weight", flat=True))
        if not weights or scoring.weights_problems(price_weight=tender.price_weight, criteria_weights=weights):
            problems.append(_("Comprehensive scoring needs technical criteria whose weights and the price weight "
                              "add up to 100."))
    return problems


@transaction.atomic
def tender_publish(*, actor: User, tender: Tender) -> Tender:
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    _require_procurement(actor, tender)
    problems = tender_publication_problems(tender)
    if problems:
        raise ValidationFailed(problems[0], reasons=problems, code="not_publishable")
    tender.published_at = timezone.now()
    transition(tender, Tender.Status.PUBLISHED, actor=actor, verb="tender.publish", fields=["published_at"],
               note={"deadline": tender.submission_deadline})
    _schedule_close(tender)
    return tender


def _schedule_close(tender: Tender) -> None:
    from marketplace.outbox import enqueue

    from ..tasks import tender_close_at_deadline

    deadline = tender.closes_at  # the deadline plus the grace for bids that arrived in time
    enqueue(tender_close_at_deadline, args=[tender.pk], eta=deadline)


# --- Closing and opening --------------------------------------------------------------------------


def _lock_tender(pk: int) -> Tender:
    """Lock the tender row; if its deadline and the grace after it have passed, close it first. Every write path
    starts here."""
    tender = Tender.objects.select_for_update().select_related("office").filter(pk=pk).first()
    if tender is None:
        raise NotFound()
    if tender.status == Tender.Status.PUBLISHED and tender.close_due():
        _close_locked(tender)
    return tender


def file_sha256(file) -> str:
    """SHA-256 of a Django File (an upload, or a file opened from storage), read in chunks."""
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def stored_file_sha256(field_file) -> str | None:
    """Hash a stored file again from storage; None when it is missing."""
    try:
        with field_file.storage.open(field_file.name, "rb") as handle:
            return file_sha256(handle)
    except FileNotFoundError:
        return None


def bid_digest(bid: Bid, *, file_hashes: dict[int, str | None] | None = None) -> str:
    """SHA-256 of the bid's canonical content: price, proposal, the response to each criterion, each file's
    SHA-256 and the bid's secret nonce. At submission the files' hashes are those taken at upload; at opening
    `file_hashes` carries them hashed again from storage, so a file changed behind the platform's back shows as a
    mismatch.

    The nonce (256 random bits, on the bidder's receipt, revealed at opening) makes the digest a commitment:
    without it nobody can test a guessed price against the digest. Responses, files and the nonce enter the
    canonical form only when the bid has some, so a bid sealed before them keeps the digest it always had."""
    return digest_of(bid_canonical_content(bid, file_hashes=file_hashes))


def digest_of(content: dict) -> str:
    """SHA-256 of canonical JSON (sorted keys, no spaces, UTF-8): what anyone can recompute from a receipt."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def bid_canonical_content(bid: Bid, *, file_hashes: dict[int, str | None] | None = None) -> dict:
    content = {
        "tender": bid.tender_id,
        "organisation": bid.organisation_id,
        "version": bid.version,
        "price": f"{Decimal(bid.price):.2f}",
        "proposal": bid.proposal,
        "submitted_at": bid.submitted_at.isoformat(),
    }
    responses = {str(r.criterion_id): r.text for r in bid.responses.all()}
    if responses:
        content["responses"] = responses
    files = [
        {"name": a.original_name, "size": a.size,
         "sha256": file_hashes.get(a.pk) if file_hashes is not None else a.sha256}
        for a in sorted(bid.attachments.all(), key=lambda a: a.pk)
    ]
    if files:
        content["files"] = files
    if bid.receipt_nonce:
        content["nonce"] = bid.receipt_nonce
    return content


def _verify_opened_bid(bid: Bid) -> bool:
    """Hash the bid's files again from storage, mark each, and recompute the receipt digest."""
    attachments = list(bid.attachments.all())
    hashes = {a.pk: stored_file_sha256(a.file) for a in attachments}
    for a in attachments:
        a.verified = hashes[a.pk] == a.sha256
    if attachments:
        BidAttachment.objects.bulk_update(attachments, ["verified"])
    return bid_digest(bid, file_hashes=hashes) == bid.receipt_digest


def _close_locked(tender: Tender) -> None:
    """Close a locked, published tender past its deadline, and open its bids."""
    now = timezone.now()
    tender.closed_at = now
    # One query each for the bids (with their organisations, locking only the bids), their responses and files;
    # `bid.tender` is the locked tender, so naming a bid in the audit log costs no query.
    submitted = list(Bid.objects.select_for_update(of=("self",)).select_related("organisation")
                     .filter(tender=tender, status=Bid.Status.SUBMITTED).prefetch_related("responses", "attachments"))
    for bid in submitted:
        bid.tender = tender
    if len(submitted) < tender.min_bids:
        tender.public_reason = _("Fewer bids were received (%(count)d) than the minimum of %(min)d.") % {
            "count": len(submitted), "min": tender.min_bids,
        }
        transition(tender, Tender.Status.UNSUCCESSFUL, actor=None, verb="tender.unsuccessful",
                   fields=["closed_at", "public_reason"])
    else:
        transition(tender, Tender.Status.CLOSED, actor=None, verb="tender.close", fields=["closed_at"],
                   note={"bids": len(submitted)})
    # Drafts never submitted are dropped; submitted bids are opened and their digests checked.
    drafts = list(Bid.objects.select_for_update(of=("self",)).select_related("organisation")
                  .filter(tender=tender, status=Bid.Status.DRAFT))
    for bid in drafts:
        bid.tender = tender
    transition_many(drafts, Bid.Status.WITHDRAWN, actor=None, verb="bid.withdraw",
                    note=lambda bid: {"reason": "not submitted by the deadline"})
    for bid in submitted:
        bid.opened_at = now
        bid.digest_verified = _verify_opened_bid(bid)
    transition_many(submitted, Bid.Status.OPENED, actor=None, verb="bid.open", fields=["opened_at", "digest_verified"],
                    note=lambda bid: {"digest_verified": bid.digest_verified})
    if submitted:
        notify_bidders(tender, "bids/opened", statuses=[Bid.Status.OPENED])


@transaction.atomic
def tender_close(*, tender_id: int) -> Tender:
    """Close a tender whose deadline has passed. Safe to call any number of times: it closes exactly once."""
    return _lock_tender(tender_id)


def tender_close_if_due(tender: Tender) -> Tender:
    """For reads: a page showing a published tender past its deadline and grace closes it first (no query
    otherwise). Within the grace the tender stays published, so a bid that arrived in time is still accepted."""
    if tender.status == Tender.Status.PUBLISHED and tender.close_due():
        closed = tender_close(tender_id=tender.pk)
        tender.status, tender.closed_at, tender.public_reason = closed.status, closed.closed_at, closed.public_reason
    return tender


def closes_due_tender_first(service):
    """Run `service` in a transaction, after closing its tender in a transaction of its own if the deadline has
    passed. So a refused late write does not roll the close back with it."""

    @functools.wraps(service)
    def wrapper(**kwargs):
        tender_id = kwargs.get("tender_id")
        if tender_id is None and "bid_id" in kwargs:
            tender_id = Bid.objects.filter(pk=kwargs["bid_id"]).values_list("tender_id", flat=True).first()
        _close_if_due(tender_id)
        with transaction.atomic():
            return service(**kwargs)

    return wrapper


def _close_if_due(tender_id: int | None) -> None:
    """Close the tender in a transaction of its own if it is due. Only a tender due to close is locked here, so
    bids of different organisations do not queue on the tender's lock for nothing."""
    if tender_id is None:
        return
    due = Tender.objects.filter(pk=tender_id, status=Tender.Status.PUBLISHED,
                                submission_deadline__lte=timezone.now() - _grace())
    if due.exists():
        tender_close(tender_id=tender_id)


def _grace() -> dt.timedelta:
    return dt.timedelta(seconds=settings.TENDER_CLOSE_GRACE_SECONDS)


def tenders_close_due() -> int:
    """The beat sweep: close every published tender past its deadline and grace. Returns how many it closed."""
    due = Tender.objects.filter(status=Tender.Status.PUBLISHED, submission_deadline__lte=timezone.now() - _grace())
    closed = 0
    for pk in due.values_list("pk", flat=True):
        if tender_close(tender_id=pk).status != Tender.Status.PUBLISHED:
            closed += 1
    return closed


# --- Bids ---------------------------------------------------------------------------------------------


def tender_requirements(tender: Tender) -> TenderRequirements:
    return TenderRequirements(
        office_id=tender.office_id,
        budget=tender.budget_ceiling,
        category_id=tender.category_id,
        allowed_tracks=tender.allowed_tracks,
        min_grade=tender.min_grade,
        filed_budget_threshold=tender.filed_budget_threshold,
    )


def _require_open(tender: Tender, now=None) -> None:
    """Writes to bids need a published tender before its deadline, by the server clock at `now`: the time the
    request arrived (see marketplace.arrival), so waiting for a worker or a lock does not count against it."""
    if tender.status == Tender.Status.PUBLISHED and not tender.deadline_passed(now):
        return
    if tender.status in (Tender.Status.PUBLISHED, Tender.Status.CLOSED, Tender.Status.UNSUCCESSFUL):
        raise Conflict(_("The submission deadline has passed. Bids can no longer be changed."),
                       code="deadline_passed")
    raise Conflict(_("This tender is not open for bids."), code="not_open")


def _require_bidder(actor: User, organisation: Organisation) -> None:
    if not policy.is_member(actor, organisation.pk):
        raise PermissionDenied(_("You are not a member of this organisation."))


def _validate_bid(tender: Tender, price) -> Decimal:
    if price is None:
        raise ValidationFailed(_("Enter a price."), code="price_required")
    price = Decimal(price)
    if price <= 0:
        raise ValidationFailed(_("The price must be more than zero."), code="price_positive")
    if price > tender.budget_ceiling:
        raise ValidationFailed(
            _("The price must not exceed the budget ceiling of ¥%(ceiling)s.") % {"ceiling": f"{tender.budget_ceiling:,.2f}"},
            code="price_over_ceiling",
        )
    return price


def _clean_responses(tender: Tender, responses) -> dict[int, str]:
    """The responses by criterion id, stripped; only the tender's own criteria."""
    known = set(tender.criteria.values_list("pk", flat=True))
    cleaned = {}
    for criterion_id, text in (responses or {}).items():
        if int(criterion_id) not in known:
            raise ValidationFailed(_("This tender has no such technical criterion."), code="unknown_criterion")
        cleaned[int(criterion_id)] = (text or "").strip()
    return cleaned


def _copy_content(source: Bid, target: Bid) -> None:
    """A new version starts from the one it replaces: its responses and files (sharing the stored files)."""
    BidResponse.objects.bulk_create(
        BidResponse(bid=target, criterion_id=r.criterion_id, text=r.text) for r in source.responses.all()
    )
    BidAttachment.objects.bulk_create(
        BidAttachment(bid=target, file=a.file.name, original_name=a.original_name, size=a.size, sha256=a.sha256,
                      uploaded_by_id=a.uploaded_by_id)
        for a in source.attachments.order_by("pk")
    )


@closes_due_tender_first
def bid_save_draft(*, actor: User, tender_id: int, organisation: Organisation, price=None, proposal: str = "",
                   responses: dict[int, str] | None = None, arrived_at=None) -> Bid:
    """Save the organisation's draft. `responses` maps criterion id → text (None keeps the draft's own).
    `arrived_at` is when the request reached the server (default: now), checked against the deadline."""
    tender = _lock_tender(tender_id)
    _require_bidder(actor, organisation)
    _require_open(tender, arrived_at)
    reasons = bid_eligibility(organisation, tender_requirements(tender))
    if reasons:
        raise PermissionDenied(_("Your organisation may not bid on this tender."), reasons=[str(r) for r in reasons])
    if price not in (None, ""):
        price = _validate_bid(tender, price)
    cleaned = _clean_responses(tender, responses) if responses is not None else None
    bid = Bid.objects.select_for_update().filter(tender=tender, organisation=organisation,
                                                 status=Bid.Status.DRAFT).first()
    latest = None
    if bid is None:
        latest = Bid.objects.filter(tender=tender, organisation=organisation).order_by("-version").first()
        bid = Bid(tender=tender, organisation=organisation, created_by=actor,
                  version=(latest.version + 1) if latest else 1)
    bid.price = price or None
    bid.proposal = proposal
    bid.save()
    if latest is not None:
        _copy_content(latest, bid)
    if cleaned is not None:
        bid.responses.filter(criterion_id__in=[k for k, v in cleaned.items() if not v]).delete()
        for criterion_id, text in cleaned.items():
            if text:
                BidResponse.objects.update_or_create(bid=bid, criterion_id=criterion_id, defaults={"text": text})
    audit_record(actor=actor, verb="bid.save_draft", obj=bid, after={"version": bid.version})
    return bid


def bid_content_problems(bid: Bid, tender: Tender) -> list[str]:
    """What stops a draft from being submitted besides the price: each required criterion left unanswered."""
    answered = set(bid.responses.exclude(text="").values_list("criterion_id", flat=True))
    return [
        _("Write a response to the criterion “%(criterion)s”.") % {"criterion": c.name}
        for c in tender.criteria.filter(response_required=True).order_by("order", "pk")
        if c.pk not in answered
    ]


@closes_due_tender_first
def bid_submit(*, actor: User, bid_id: int, arrived_at=None) -> Bid:
    """Seal the draft and give a receipt. A submitted earlier version is superseded.

    `arrived_at` is when the request reached the server (default: now, when the service is called): it both
    decides (before the deadline or not) and stamps the bid, so time spent waiting for a worker or the tender's
    lock never counts against the bidder; the close waits the grace after the deadline for such bids. Submitting
    a bid that is already submitted returns it unchanged: the same receipt, no new event."""
    arrived_at = arrived_at or timezone.now()
    bid = Bid.objects.select_related("organisation").filter(pk=bid_id).first()
    if bid is None:
        raise NotFound()
    _require_bidder(actor, bid.organisation)
    tender = _lock_tender(bid.tender_id)
    _require_open(tender, arrived_at)
    bid = Bid.objects.select_for_update().get(pk=bid_id)
    if bid.status == Bid.Status.SUBMITTED:
        return bid
    if bid.status != Bid.Status.DRAFT:
        raise Conflict(_("This bid has already been submitted."))
    reasons = bid_eligibility(bid.organisation, tender_requirements(tender))
    if reasons:
        raise PermissionDenied(_("Your organisation may not bid on this tender."), reasons=[str(r) for r in reasons])
    _validate_bid(tender, bid.price)
    problems = bid_content_problems(bid, tender)
    if problems:
        raise ValidationFailed(problems[0], reasons=problems, code="responses_required")
    for earlier in Bid.objects.select_for_update().filter(tender=tender, organisation=bid.organisation,
                                                          status=Bid.Status.SUBMITTED):
        transition(earlier, Bid.Status.SUPERSEDED, actor=actor, verb="bid.supersede", note={"by_version": bid.version})
    bid.submitted_at = arrived_at
    bid.receipt_nonce = secrets.token_hex(32)
    bid.receipt_digest = bid_digest(bid)
    # The digest may go in the audit log: without the nonce it says nothing about the price. The nonce never does.
    transition(bid, Bid.Status.SUBMITTED, actor=actor, verb="bid.submit",
               fields=["submitted_at", "receipt_nonce", "receipt_digest"], note={"digest": bid.receipt_digest})
    return bid


def _file_key(file) -> tuple[str, str]:
    from .documents import _original_name

    return _original_name(file), file_sha256(file)


def _sealed_bid_holding(tender: Tender, organisation: Organisation, *, price, proposal: str,
                        responses: dict[int, str] | None, files) -> Bid | None:
    """The organisation's submitted bid when it already holds exactly this content and no draft is in progress:
    the same price, proposal and responses, and every file given already among its files (by name and SHA-256)."""
    if price in (None, "") or Bid.objects.filter(tender=tender, organisation=organisation,
                                                 status=Bid.Status.DRAFT).exists():
        return None
    sealed = (Bid.objects.select_for_update().filter(tender=tender, organisation=organisation,
                                                     status=Bid.Status.SUBMITTED)
              .prefetch_related("responses", "attachments").first())
    if sealed is None or sealed.price != Decimal(price) or sealed.proposal != proposal:
        return None
    if responses is not None:
        given = {k: v for k, v in _clean_responses(tender, responses).items() if v}
        if given != {r.criterion_id: r.text for r in sealed.responses.all()}:
            return None
    held = {(a.original_name, a.sha256) for a in sealed.attachments.all()}
    if any(_file_key(f) not in held for f in files):
        return None
    return sealed


def bid_submit_content(*, actor: User, tender_id: int, organisation: Organisation, price=None, proposal: str = "",
                       responses: dict[int, str] | None = None, files=(), arrived_at=None) -> Bid:
    """What the bid form's submit button does, in one transaction: save the draft, add the files, submit. If the
    submission is refused (an unanswered criterion, say), the draft is still saved and the refusal raised.

    Idempotent: when the organisation's submitted bid already holds exactly this content (a double click, a form
    sent again), that bid comes back with its receipt, with no new version and no event. The tender's lock makes
    a second click wait for the first, so it always sees the first one's bid."""
    from .documents import bid_attachment_add

    arrived_at = arrived_at or timezone.now()
    _close_if_due(tender_id)
    with transaction.atomic():
        tender = _lock_tender(tender_id)
        _require_bidder(actor, organisation)
        _require_open(tender, arrived_at)
        sealed = _sealed_bid_holding(tender, organisation, price=price, proposal=proposal, responses=responses,
                                     files=files)
        if sealed is not None:
            return sealed
        bid = bid_save_draft(actor=actor, tender_id=tender_id, organisation=organisation, price=price,
                             proposal=proposal, responses=responses, arrived_at=arrived_at)
        for file in files:
            bid_attachment_add(actor=actor, bid_id=bid.pk, file=file, arrived_at=arrived_at)
        try:
            with transaction.atomic():
                return bid_submit(actor=actor, bid_id=bid.pk, arrived_at=arrived_at)
        except DomainError as exc:
            refusal = exc  # the draft commits with what was typed; the bidder sees why it was not submitted
    raise refusal


@closes_due_tender_first
def bid_withdraw(*, actor: User, bid_id: int, arrived_at=None) -> Bid:
    bid = Bid.objects.select_related("organisation").filter(pk=bid_id).first()
    if bid is None:
        raise NotFound()
    _require_bidder(actor, bid.organisation)
    tender = _lock_tender(bid.tender_id)
    _require_open(tender, arrived_at)
    bid = Bid.objects.select_for_update().get(pk=bid_id)
    return transition(bid, Bid.Status.WITHDRAWN, actor=actor, verb="bid.withdraw")


# --- Evaluation and award -------------------------------------------------------------------------


@closes_due_tender_first
def tender_start_evaluation(*, actor: User, tender_id: int) -> Tender:
    tender = _lock_tender(tender_id)
    _require_procurement(actor, tender)
    return transition(tender, Tender.Status.EVALUATING, actor=actor, verb="tender.evaluate")


@closes_due_tender_first
def bid_qualify(*, actor: User, bid_id: int, qualified: bool, reason: str = "") -> Bid:
    bid = Bid.objects.filter(pk=bid_id).first()
    if bid is None:
        raise NotFound()
    tender = _lock_tender(bid.tender_id)
    from .evaluation import require_declared_panel_member

    require_declared_panel_member(actor, tender)  # the panel rule: only declared panel members judge bids
    if tender.status != Tender.Status.EVALUATING:
        raise Conflict(_("Bids are qualified during evaluation."))
    bid = Bid.objects.select_for_update().get(pk=bid_id)
    if qualified:
        return transition(bid, Bid.Status.QUALIFIED, actor=actor, verb="bid.qualify")
    if not reason.strip():
        raise ValidationFailed(_("Give the reason for disqualifying the bid."))
    bid.disqualification_reason = reason.strip()
    transition(bid, Bid.Status.DISQUALIFIED, actor=actor, verb="bid.disqualify",
               fields=["disqualification_reason"], note={"reason": bid.disqualification_reason})
    if not tender.bids.filter(status__in=(Bid.Status.OPENED, Bid.Status.QUALIFIED)).exists():
        # Nothing is left to award: the tender ends, with its public reason.
        tender.public_reason = _("Every bid was disqualified.")
        transition(tender, Tender.Status.UNSUCCESSFUL, actor=actor, verb="tender.unsuccessful",
                   fields=["public_reason"])
    return bid


def bid_ranking(tender: Tender) -> list[Bid]:
    """Qualified bids, best first, by the tender's evaluation method (see bids.scoring)."""
    from .evaluation import tender_ranking

    return [bid for bid, _entry in tender_ranking(tender)]


@closes_due_tender_first
def tender_propose_award(*, actor: User, tender_id: int, bid_id: int, justification: str = "") -> Tender:
    """The head approves the top-ranked bid, or another one with a written justification; the standstill starts."""
    tender = _lock_tender(tender_id)
    if not policy.can_approve(actor, tender.office_id):
        raise NotFound()
    if tender.status != Tender.Status.EVALUATING:
        raise Conflict(_("An award is proposed at the end of evaluation."))
    ranking = bid_ranking(tender)
    chosen = next((b for b in ranking if b.pk == bid_id), None)
    if chosen is None:
        raise ValidationFailed(_("Choose a qualified bid."))
    if chosen is not ranking[0] and not justification.strip():
        raise ValidationFailed(_("Choosing a bid that is not ranked first needs a written justification."),
                               code="justification_required")
    now = timezone.now()
    tender.awarded_bid = chosen
    tender.award_justification = justification.strip()
    tender.standstill_ends_at = add_working_days(now, settings.TENDER_STANDSTILL_WORKING_DAYS)
    transition(tender, Tender.Status.STANDSTILL, actor=actor, verb="tender.propose_award",
               fields=["awarded_bid", "award_justification", "standstill_ends_at"],
               note={"bid": chosen.pk, "standstill_ends_at": tender.standstill_ends_at})
    notify_bidders(tender, "bids/award_notice", statuses=[Bid.Status.QUALIFIED, Bid.Status.DISQUALIFIED])
    return tender


@transaction.atomic
def tender_finalise_award(*, tender_id: int) -> Tender:
    """At the end of the standstill with no pending objection, the award becomes final and contracts hear of it."""
    from .objections import has_pending_objection

    tender = _lock_tender(tender_id)
    if tender.status != Tender.Status.STANDSTILL or timezone.now() < tender.standstill_ends_at:
        return tender
    if has_pending_objection(tender):  # the award waits for the office's answer
        return tender
    tender.awarded_at = timezone.now()
    transition(tender, Tender.Status.AWARDED, actor=None, verb="tender.award", fields=["awarded_at"])
    for bid in Bid.objects.select_for_update().filter(tender=tender, status=Bid.Status.QUALIFIED):
        target = Bid.Status.AWARDED if bid.pk == tender.awarded_bid_id else Bid.Status.NOT_AWARDED
        transition(bid, target, actor=None, verb=f"bid.{target}")
    awarded = Bid.objects.select_related("organisation").get(pk=tender.awarded_bid_id)
    # Receivers run inside this transaction: the draft contract exists exactly when the award does.
    tender_awarded.send(sender=Tender, tender=tender, bid=awarded)
    return tender


def tenders_end_standstill_due() -> int:
    due = Tender.objects.filter(status=Tender.Status.STANDSTILL, standstill_ends_at__lte=timezone.now())
    return sum(
        1 for pk in due.values_list("pk", flat=True)
        if tender_finalise_award(tender_id=pk).status == Tender.Status.AWARDED
    )


@closes_due_tender_first
def tender_cancel(*, actor: User, tender_id: int, reason: str) -> Tender:
    tender = _lock_tender(tender_id)
    _require_procurement(actor, tender)
    if not reason.strip():
        raise ValidationFailed(_("Give the public reason for cancelling."))
    tender.public_reason = reason.strip()
    transition(tender, Tender.Status.CANCELLED, actor=actor, verb="tender.cancel", fields=["public_reason"],
               note={"reason": tender.public_reason})
    notify_bidders(tender, "bids/cancelled", reason=tender.public_reason)
    return tender


def tenders_remind_drafts() -> int:
    """24 hours before a deadline, remind organisations that still hold only a draft. Once per tender."""
    soon = timezone.now() + dt.timedelta(hours=24)
    due = Tender.objects.filter(status=Tender.Status.PUBLISHED, reminder_sent_at__isnull=True,
                                submission_deadline__lte=soon, submission_deadline__gt=timezone.now())
    count = 0
    for tender in due:
        with transaction.atomic():
            updated = Tender.objects.filter(pk=tender.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=timezone.now())
            if updated:
                submitted = Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED).values("organisation_id")
                drafts = Bid.objects.filter(tender=tender, status=Bid.Status.DRAFT).exclude(
                    organisation_id__in=submitted)
                members = Membership.objects.filter(organisation_id__in=drafts.values("organisation_id"))
                notify(users=User.objects.filter(pk__in=members.values("user_id")), template="bids/deadline_reminder",
                       context={"tender_id": tender.pk, "tender_title": tender.title,
                                "deadline": timezone.localtime(tender.submission_deadline).strftime("%Y-%m-%d %H:%M")})
                count += 1
    return count
