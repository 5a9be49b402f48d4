"""Every state change of the two-way evaluation: windows, double-blind reviews, replies, residents, reports, flags.

Rules decided here (issue 7):
- A side submits its review once. Submitting is final: a second submission (or any change) by either member of
  that side is refused with 409, before and after publication. There is no editable draft on the server; the
  form keeps what was typed until the scores validate.
- A submitted review is visible to its author only, until both sides have submitted (both publish at once) or
  the window closes (the beat task `review_windows_close_due` publishes whatever was submitted). Nothing
  submitted: nothing is published, and the window simply ends.
- The reviewed party may post one public reply to a published review; it cannot be changed afterwards.
- Residents: a signed-in user with a verified email, who is not one of the contract's two parties, rates a
  completed contract once (1–5 and a comment). Resident ratings never enter the parties' aggregate.
- Operators may hide the text of a review or resident rating with a public note; the scores stay.
"""

import datetime as dt

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract
from marketplace import policy
from marketplace.audit import audit_record
from marketplace.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.models import Membership, OfficeStaff, User
from marketplace.notifications import notify
from marketplace.statemachine import transition

from . import aggregation
from .models import CRITERIA, Direction, LowScoreFlag, Report, ResidentRating, Review, ReviewWindow

TEXT_MAX = 2000


# --- Who is on each side -------------------------------------------------------------------------------------


def office_side_users(contract: Contract):
    """The office's procurement officers and head: the people who review the provider and reply for the office."""
    ids = OfficeStaff.objects.filter(office_id=contract.office_id, role__in=[OfficeStaff.Role.PROCUREMENT,
                                                                             OfficeStaff.Role.HEAD])
    return list(User.objects.filter(pk__in=ids.values("user_id"), is_active=True).distinct())


def provider_side_users(contract: Contract):
    ids = Membership.objects.filter(organisation_id=contract.provider_id).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def side_users(contract: Contract, direction: str):
    """The people who write the review of `direction`."""
    if direction == Direction.OFFICE_TO_PROVIDER:
        return office_side_users(contract)
    return provider_side_users(contract)


def direction_for(actor: User, contract: Contract) -> str:
    """Which review this person writes for this contract; 'not found' if they are not a party."""
    if policy.can_run_procurement(actor, contract.office_id):
        return Direction.OFFICE_TO_PROVIDER
    if policy.is_member(actor, contract.provider_id):
        return Direction.PROVIDER_TO_OFFICE
    raise NotFound()


def _reviewed_party(actor: User, review: Review) -> bool:
    contract = review.window.contract
    if review.direction == Direction.OFFICE_TO_PROVIDER:
        return policy.is_member(actor, contract.provider_id)
    return policy.can_run_procurement(actor, contract.office_id)


# --- The window ----------------------------------------------------------------------------------------------


def _window_context(window: ReviewWindow) -> dict:
    contract = window.contract
    return {"contract": contract.title, "contract_id": contract.pk,
            "closes": timezone.localtime(window.closes_at).strftime("%Y-%m-%d %H:%M"),
            "path": f"/dashboard/contracts/{contract.pk}/review/"}


@transaction.atomic
def review_window_open(*, contract: Contract) -> ReviewWindow:
    """A completed or terminated contract opens its window; both parties are told."""
    now = timezone.now()
    window, created = ReviewWindow.objects.get_or_create(
        contract=contract,
        defaults={"opens_at": now, "closes_at": now + dt.timedelta(days=settings.REVIEW_WINDOW_DAYS)},
    )
    if created:
        audit_record(actor=None, verb="review_window.open", obj=window, after={"closes_at": window.closes_at})
        notify(users=office_side_users(contract) + provider_side_users(contract), template="review_open",
               context=_window_context(window))
    return window


def review_reminders_due() -> int:
    """Beat: REVIEW_REMINDER_DAYS before a window closes, remind the sides that have not submitted. Once."""
    now = timezone.now()
    due = ReviewWindow.objects.filter(published_at__isnull=True, reminded_at__isnull=True, closes_at__gt=now,
                                      closes_at__lte=now + dt.timedelta(days=settings.REVIEW_REMINDER_DAYS))
    sent = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            window = ReviewWindow.objects.select_for_update().select_related("contract").get(pk=pk)
            if window.reminded_at is not None or window.published_at is not None:
                continue
            done = set(window.reviews.exclude(status=Review.Status.DRAFT).values_list("direction", flat=True))
            users = [u for d in Direction.values if d not in done for u in side_users(window.contract, d)]
            window.reminded_at = now
            window.save(update_fields=["reminded_at"])
            notify(users=users, template="review_reminder", context=_window_context(window))
            sent += 1
    return sent


# --- Reviews -------------------------------------------------------------------------------------------------


def clean_scores(direction: str, scores: dict) -> dict:
    cleaned = {}
    for code, label in CRITERIA[direction]:
        try:
            value = int(scores.get(code))
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            raise ValidationFailed(_("Give “%(criterion)s” a score from 1 to 5.") % {"criterion": label})
        cleaned[code] = value
    return cleaned


def _clean_text(text: str, *, label: str, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationFailed(_("Write the %(field)s.") % {"field": label})
    if len(text) > TEXT_MAX:
        raise ValidationFailed(_("The %(field)s is too long: at most %(max)d characters.")
                               % {"field": label, "max": TEXT_MAX})
    return text


@transaction.atomic
def review_submit(*, actor: User, contract_id: int, scores: dict, comment: str = "", private_note: str = "") -> Review:
    """Submit this side's review. It stays hidden until the other side submits or the window closes."""
    window = ReviewWindow.objects.select_for_update().select_related("contract").filter(contract_id=contract_id).first()
    contract = window.contract if window else Contract.objects.filter(pk=contract_id).first()
    if contract is None:
        raise NotFound()
    direction = direction_for(actor, contract)
    if window is None:
        raise Conflict(_("Reviews open when the contract is completed or terminated."))
    review = Review.objects.filter(window=window, direction=direction).first()
    if review is not None and review.status != Review.Status.DRAFT:
        raise Conflict(_("Your side has already reviewed this contract. A submitted review cannot be changed."))
    if window.published_at is not None or timezone.now() >= window.closes_at:
        raise Conflict(_("The review window for this contract has closed."))
    review = review or Review(window=window, direction=direction, author=actor)
    review.scores = clean_scores(direction, scores)
    review.comment = _clean_text(comment, label=_("comment"))
    review.private_note = _clean_text(private_note, label=_("private note"))
    review.submitted_at = timezone.now()
    review.save()
    transition(review, Review.Status.SUBMITTED, actor=actor, verb="review.submit",
               fields=["scores", "comment", "private_note", "submitted_at"])
    if window.reviews.filter(status=Review.Status.SUBMITTED).count() == len(Direction):
        _publish(window)
    return review


def _publish(window: ReviewWindow) -> list[Review]:
    now = timezone.now()
    window.published_at = now
    window.save(update_fields=["published_at"])
    published = []
    for review in window.reviews.filter(status=Review.Status.SUBMITTED).select_related("window__contract"):
        review.published_at = now
        transition(review, Review.Status.PUBLISHED, actor=None, verb="review.publish", fields=["published_at"])
        published.append(review)
    if published:
        aggregation.reviews_published(published)
    return published


@transaction.atomic
def review_window_close(*, window_id: int) -> ReviewWindow:
    """At the end of the window, whatever was submitted is published."""
    window = ReviewWindow.objects.select_for_update().select_related("contract").get(pk=window_id)
    if window.published_at is None and timezone.now() >= window.closes_at:
        _publish(window)
    return window


def review_windows_close_due() -> int:
    due = ReviewWindow.objects.filter(published_at__isnull=True, closes_at__lte=timezone.now())
    return sum(1 for pk in due.values_list("pk", flat=True) if review_window_close(window_id=pk).published_at)


@transaction.atomic
def review_reply(*, actor: User, review_id: int, text: str) -> Review:
    """The reviewed party's one public reply to a published review."""
    review = (Review.objects.select_for_update().select_related("window__contract")
              .filter(pk=review_id, status=Review.Status.PUBLISHED).first())
    if review is None or not _reviewed_party(actor, review):
        raise NotFound()
    if review.replied_at is not None:
        raise Conflict(_("This review already has its reply. A reply cannot be changed."))
    review.reply = _clean_text(text, label=_("reply"), required=True)
    review.reply_author = actor
    review.replied_at = timezone.now()
    review.save(update_fields=["reply", "reply_author", "replied_at"])
    audit_record(actor=actor, verb="review.reply", obj=review, after={"reply": review.reply})
    return review


# --- Residents -----------------------------------------------------------------------------------------------


def _is_party(actor: User, contract: Contract) -> bool:
    return policy.has_office_role(actor, contract.office_id) or policy.is_member(actor, contract.provider_id)


def resident_can_rate(actor: User, contract: Contract) -> str | None:
    """None when `actor` may rate this contract as a resident, else the reason why not (shown on the page)."""
    if not actor.is_authenticated:
        return _("Sign in to rate this service.")
    if contract.status != Contract.Status.COMPLETED:
        return _("Residents can rate a service once its contract is completed.")
    if _is_party(actor, contract):
        return _("The contract's parties review each other; they cannot also rate as residents.")
    if not EmailAddress.objects.filter(user=actor, verified=True).exists():
        return _("Confirm your email address before rating a service.")
    if ResidentRating.objects.filter(contract=contract, author=actor).exists():
        return _("You have already rated this service.")
    return None


@transaction.atomic
def resident_rating_submit(*, actor: User, contract_id: int, score, comment: str = "") -> ResidentRating:
    contract = Contract.objects.filter(pk=contract_id).first()
    if contract is None or contract.status not in (Contract.Status.ACTIVE, Contract.Status.COMPLETED,
                                                   Contract.Status.TERMINATED):
        raise NotFound()
    if contract.status != Contract.Status.COMPLETED:
        raise Conflict(_("Residents can rate a service once its contract is completed."))
    if _is_party(actor, contract):
        raise PermissionDenied(_("The contract's parties review each other; they cannot also rate as residents."))
    if not EmailAddress.objects.filter(user=actor, verified=True).exists():
        raise PermissionDenied(_("Confirm your email address before rating a service."))
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationFailed(_("Give the service a score from 1 to 5."))
    text = _clean_text(comment, label=_("comment"))
    try:
        with transaction.atomic():
            rating = ResidentRating.objects.create(contract=contract, author=actor, score=value, comment=text)
    except IntegrityError:
        raise Conflict(_("You have already rated this service.")) from None
    audit_record(actor=actor, verb="resident_rating.submit", obj=rating, after={"score": value})
    return rating


# --- Reports, hiding, flags ----------------------------------------------------------------------------------


@transaction.atomic
def report_create(*, actor: User, reason: str, review_id: int | None = None,
                  resident_rating_id: int | None = None) -> Report:
    """Anyone signed in may report a published review or a resident rating to the operators, once each."""
    if review_id is not None:
        target = Review.objects.filter(pk=review_id, status=Review.Status.PUBLISHED).first()
        lookup = {"review": target}
    else:
        target = ResidentRating.objects.filter(pk=resident_rating_id).first()
        lookup = {"resident_rating": target}
    if target is None:
        raise NotFound()
    reason = _clean_text(reason, label=_("reason"), required=True)
    if Report.objects.filter(reporter=actor, **lookup).exists():
        raise Conflict(_("You have already reported this."))
    report = Report.objects.create(reporter=actor, reason=reason, **lookup)
    audit_record(actor=actor, verb="report.create", obj=report, after={"reason": reason})
    return report


def _require_operator(actor: User) -> None:
    if not policy.is_operator(actor):
        raise PermissionDenied()


@transaction.atomic
def text_hide(*, actor: User, note: str, review_id: int | None = None,
              resident_rating_id: int | None = None) -> Review | ResidentRating:
    """An operator hides abusive text behind a public note. The score stays; open reports of it are closed."""
    _require_operator(actor)
    if review_id is not None:
        target = Review.objects.select_for_update().filter(pk=review_id, status=Review.Status.PUBLISHED).first()
        reports = Report.objects.filter(review=target, status=Report.Status.OPEN)
    else:
        target = ResidentRating.objects.select_for_update().filter(pk=resident_rating_id).first()
        reports = Report.objects.filter(resident_rating=target, status=Report.Status.OPEN)
    if target is None:
        raise NotFound()
    note = _clean_text(note, label=_("public note"), required=True)[:300]
    if target.hidden_at is not None:
        raise Conflict(_("This text is already hidden."))
    target.hidden_at = timezone.now()
    target.hidden_note = note
    target.save(update_fields=["hidden_at", "hidden_note"])
    audit_record(actor=actor, verb=f"{target._meta.model_name}.hide", obj=target, after={"note": note})
    for report in reports:
        report.resolved_at = target.hidden_at
        transition(report, Report.Status.HIDDEN, actor=actor, verb="report.hide", fields=["resolved_at"])
    return target


@transaction.atomic
def report_dismiss(*, actor: User, report_id: int) -> Report:
    _require_operator(actor)
    report = Report.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise NotFound()
    report.resolved_at = timezone.now()
    transition(report, Report.Status.DISMISSED, actor=actor, verb="report.dismiss", fields=["resolved_at"])
    return report


@transaction.atomic
def flag_close(*, actor: User, flag_id: int, note: str) -> LowScoreFlag:
    """An operator has looked at a low-score flag. Whatever they decide (talk, grade, suspend) is done elsewhere."""
    _require_operator(actor)
    flag = LowScoreFlag.objects.select_for_update().filter(pk=flag_id).first()
    if flag is None:
        raise NotFound()
    flag.note = _clean_text(note, label=_("note"), required=True)
    flag.closed_at = timezone.now()
    transition(flag, LowScoreFlag.Status.CLOSED, actor=actor, verb="low_score_flag.close",
               fields=["note", "closed_at"])
    return flag
