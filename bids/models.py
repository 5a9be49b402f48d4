"""Tenders and sealed bids. Only services in bids.services change a status."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import PurchaseListPage, ServiceItemPage
from marketplace.models import Grade, Organisation, ServiceCategory, StreetOffice, money_field
from marketplace.uploads import private_storage


class Tender(models.Model):
    """A purchase project (采购项目) opened from one purchase-list line."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # created from a published purchase list; the office completes it
        PUBLISHED = "published", _("Open for bids")  # the notice is public; bids are accepted until the deadline
        CLOSED = "closed", _("Closed")  # the deadline passed; bids are sealed until opened
        EVALUATING = "evaluating", _("Under evaluation")  # bids opened; the panel qualifies and scores
        STANDSTILL = "standstill", _("Award notice")  # proposed winner public; objections may be lodged
        AWARDED = "awarded", _("Awarded")  # standstill over with no pending objection (final)
        UNSUCCESSFUL = "unsuccessful", _("Unsuccessful")  # too few bids or none qualified (final)
        CANCELLED = "cancelled", _("Cancelled")  # cancelled with a public reason (final)

    TRANSITIONS = {
        Status.DRAFT: {Status.PUBLISHED, Status.CANCELLED},
        Status.PUBLISHED: {Status.CLOSED, Status.UNSUCCESSFUL, Status.CANCELLED},
        Status.CLOSED: {Status.EVALUATING, Status.CANCELLED},
        Status.EVALUATING: {Status.STANDSTILL, Status.UNSUCCESSFUL, Status.CANCELLED},  # unsuccessful: all disqualified
        Status.STANDSTILL: {Status.AWARDED, Status.EVALUATING, Status.CANCELLED},
        Status.AWARDED: set(),
        Status.UNSUCCESSFUL: set(),
        Status.CANCELLED: set(),
    }
    PUBLIC_STATUSES = (
        Status.PUBLISHED, Status.CLOSED, Status.EVALUATING, Status.STANDSTILL, Status.AWARDED,
        Status.UNSUCCESSFUL, Status.CANCELLED,
    )
    FINAL_STATUSES = (Status.AWARDED, Status.UNSUCCESSFUL, Status.CANCELLED)
    # Before the deadline no one but each bidder knows of its bid: not its content, not who bid, not how many.
    SEALED_STATUSES = (Status.DRAFT, Status.PUBLISHED)

    class Method(models.TextChoices):
        LOWEST_PRICE = "lowest_price", _("Lowest price")  # 最低评标价法
        COMPREHENSIVE = "comprehensive", _("Comprehensive scoring")  # 综合评分法

    office = models.ForeignKey(StreetOffice, on_delete=models.PROTECT, related_name="tenders", verbose_name=_("office"))
    purchase_list = models.ForeignKey(
        PurchaseListPage, on_delete=models.SET_NULL, null=True, blank=True, related_name="tenders",
        verbose_name=_("purchase list"),
    )
    line_key = models.UUIDField(_("purchase-list line"), unique=True, null=True, blank=True, editable=False)
    service_item = models.ForeignKey(
        ServiceItemPage, on_delete=models.SET_NULL, null=True, blank=True, related_name="tenders",
        verbose_name=_("service item"),
    )
    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="tenders",
        verbose_name=_("service category"),
    )
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    budget_ceiling = money_field(_("budget ceiling"), validators=[MinValueValidator(Decimal("0.01"))])
    indicators = models.JSONField(_("performance indicators"), default=list, blank=True)
    allow_registered = models.BooleanField(_("open to registered organisations"), default=True)
    allow_filed = models.BooleanField(_("open to filed organisations"), default=True)
    min_grade = models.CharField(_("minimum grade"), max_length=1, choices=Grade.choices, default=Grade.NONE)
    filed_budget_threshold = money_field(_("budget threshold for filed organisations"), default=Decimal("100000.00"))
    method = models.CharField(_("evaluation method"), max_length=20, choices=Method.choices,
                              default=Method.LOWEST_PRICE)
    price_weight = models.PositiveSmallIntegerField(_("price weight"), default=100)
    min_bids = models.PositiveSmallIntegerField(_("minimum number of bids"), default=1,
                                                validators=[MinValueValidator(1)])
    planned_month = models.PositiveSmallIntegerField(_("planned tender month"), null=True, blank=True)
    clarification_deadline = models.DateTimeField(_("clarification deadline"), null=True, blank=True)
    submission_deadline = models.DateTimeField(_("submission deadline"), null=True, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    awarded_bid = models.ForeignKey(
        "Bid", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("winning bid")
    )
    award_justification = models.TextField(_("justification for the award"), blank=True)
    standstill_ends_at = models.DateTimeField(_("standstill ends"), null=True, blank=True, db_index=True)
    awarded_at = models.DateTimeField(_("awarded at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    public_reason = models.TextField(_("public reason"), blank=True)
    # The tender document (招标文件): replaceable only while draft; after publication changes are clarifications.
    document = models.FileField(_("tender document"), storage=private_storage, max_length=200, blank=True)
    document_name = models.CharField(_("document file name"), max_length=200, blank=True)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64, blank=True)
    document_size = models.PositiveBigIntegerField(_("document size (bytes)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "submission_deadline"], name="tender_status_deadline_idx")]

    def __str__(self):
        return self.title

    @property
    def allowed_tracks(self) -> frozenset[str]:
        return frozenset(t for t, ok in (("registered", self.allow_registered), ("filed", self.allow_filed)) if ok)

    def deadline_passed(self, now=None) -> bool:
        return self.submission_deadline is not None and (now or timezone.now()) >= self.submission_deadline

    @property
    def closes_at(self):
        """When the tender is closed: the deadline plus a short grace (`TENDER_CLOSE_GRACE_SECONDS`), so bids
        that reached the server before the deadline but still wait for a worker or a lock are not shut out.
        Bids that arrived after the deadline are refused however early they are processed."""
        if self.submission_deadline is None:
            return None
        return self.submission_deadline + dt.timedelta(seconds=settings.TENDER_CLOSE_GRACE_SECONDS)

    def close_due(self, now=None) -> bool:
        """A published tender is closed (by the task, the sweep or any page or write) once this is true."""
        return self.submission_deadline is not None and (now or timezone.now()) >= self.closes_at

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def bids_are_sealed(self) -> bool:
        return self.status in self.SEALED_STATUSES


class Bid(models.Model):
    """A sealed bid (投标). Before the deadline only the bidding organisation's members may see its content."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # being prepared; not yet a bid
        SUBMITTED = "submitted", _("Submitted")  # sealed, with a receipt
        SUPERSEDED = "superseded", _("Replaced")  # a newer version was submitted before the deadline
        WITHDRAWN = "withdrawn", _("Withdrawn")  # withdrawn by the bidder before the deadline
        OPENED = "opened", _("Opened")  # opened at the deadline; digest checked
        QUALIFIED = "qualified", _("Qualified")  # passed the panel's qualification check
        DISQUALIFIED = "disqualified", _("Disqualified")  # failed it, with a reason
        AWARDED = "awarded", _("Awarded")  # the winning bid
        NOT_AWARDED = "not_awarded", _("Not awarded")

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.SUBMITTED: {Status.SUPERSEDED, Status.WITHDRAWN, Status.OPENED},
        Status.OPENED: {Status.QUALIFIED, Status.DISQUALIFIED},
        Status.QUALIFIED: {Status.AWARDED, Status.NOT_AWARDED},
        Status.AWARDED: set(),  # set when the tender is awarded, which is final
        Status.NOT_AWARDED: set(),
        Status.SUPERSEDED: set(),
        Status.WITHDRAWN: set(),
        Status.DISQUALIFIED: set(),
    }
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="bids", verbose_name=_("tender"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="bids", verbose_name=_("organisation")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.DRAFT)
    price = money_field(_("price"), null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))])
    proposal = models.TextField(_("proposal"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    receipt_digest = models.CharField(_("receipt digest (SHA-256)"), max_length=64, blank=True)
    # A secret random value committed in the digest, so the digest cannot be checked against a guessed price.
    # Given to the bidder on the receipt, revealed with the opening record; empty on bids sealed before it existed
    # (their digest keeps its old canonical form). Never shown in the admin or the audit log before opening.
    receipt_nonce = models.CharField(_("receipt nonce"), max_length=64, blank=True, editable=False)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    digest_verified = models.BooleanField(_("digest matches"), null=True)
    disqualification_reason = models.TextField(_("reason for disqualification"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["submitted_at", "id"]
        constraints = [
            # A replacement is prepared as a new draft while the earlier version stays sealed.
            models.UniqueConstraint(
                fields=["tender", "organisation"], condition=models.Q(status="draft"), name="one_draft_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["tender", "organisation"],
                condition=models.Q(status__in=["submitted", "opened", "qualified", "disqualified", "awarded",
                                               "not_awarded"]),
                name="one_sealed_bid_per_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.tender} (v{self.version})"


class Criterion(models.Model):
    """A technical criterion of comprehensive scoring, with its weight (points out of 100)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("tender"))
    name = models.CharField(_("criterion"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("weight"), validators=[MinValueValidator(1)])
    # A required criterion needs a written response before a bid can be submitted.
    response_required = models.BooleanField(_("response required"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("technical criterion")
        verbose_name_plural = _("technical criteria")
        ordering = ["tender", "order", "id"]

    def __str__(self):
        return f"{self.name} ({self.weight})"


class BidResponse(models.Model):
    """The bidder's written response to one technical criterion. Sealed with its bid."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="responses", verbose_name=_("bid"))
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="responses",
                                  verbose_name=_("technical criterion"))
    text = models.TextField(_("response"))

    class Meta:
        verbose_name = _("response to a criterion")
        verbose_name_plural = _("responses to criteria")
        ordering = ["bid", "criterion__order", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["bid", "criterion"], name="one_response_per_criterion")]

    def __str__(self):
        return f"{self.bid} · {self.criterion.name}"


class BidAttachment(models.Model):
    """A file of a bid, stored privately. Its SHA-256 is part of the receipt and is checked again at opening.

    A replacement version copies the rows of the version it replaces; they share the stored file."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("bid"))
    file = models.FileField(_("file"), storage=private_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    verified = models.BooleanField(_("file matches at opening"), null=True)

    class Meta:
        verbose_name = _("bid attachment")
        verbose_name_plural = _("bid attachments")
        ordering = ["bid", "id"]

    def __str__(self):
        return self.original_name


class PanelMember(models.Model):
    """An evaluator on a tender's panel. Sees no bid until they declare no conflict of interest."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="panel", verbose_name=_("tender"))
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats",
                                  verbose_name=_("evaluator"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(_("declared no conflict at"), null=True, blank=True)

    class Meta:
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        constraints = [models.UniqueConstraint(fields=["tender", "evaluator"], name="one_seat_per_evaluator")]

    def __str__(self):
        return f"{self.evaluator} · {self.tender}"


class Score(models.Model):
    """One evaluator's points for one qualified bid on one criterion, with a comment."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores", verbose_name=_("bid"))
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["bid", "criterion", "evaluator"], name="one_score_per_cell")]

    def __str__(self):
        return f"{self.bid} · {self.criterion} · {self.points}"


class Clarification(models.Model):
    """A bidder's question (答疑) and the office's public answer. The asker is never shown publicly."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="clarifications",
                               verbose_name=_("tender"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("asked by"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")
        ordering = ["asked_at", "id"]

    def __str__(self):
        return self.question[:60]


class Objection(models.Model):
    """A bidder's objection (质疑) to the award notice, lodged during the standstill, answered by the office."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting answer")  # lodged; holds the award until answered
        UPHELD = "upheld", _("Upheld")  # the tender goes back to evaluation, or is cancelled
        REJECTED = "rejected", _("Rejected")  # answered with a reason; the award stands

    TRANSITIONS = {
        Status.SUBMITTED: {Status.UPHELD, Status.REJECTED},
        Status.UPHELD: set(),
        Status.REJECTED: set(),
    }

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="objections", verbose_name=_("tender"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("objecting bidder"))
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grounds = models.TextField(_("grounds"))
    document = models.FileField(_("supporting document"), storage=private_storage, max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    lodged_at = models.DateTimeField(_("lodged at"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["lodged_at", "id"]

    def __str__(self):
        return f"{self.organisation} · {self.tender}"
