"""Two-way reviews of a contract's parties, and the window in which they are written."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract


class Direction(models.TextChoices):
    OFFICE_TO_PROVIDER = "office_to_provider", _("The office reviews the provider")
    PROVIDER_TO_OFFICE = "provider_to_office", _("The provider reviews the office")


# The criteria of each direction, in the order they are shown. Scores are 1–5.
CRITERIA = {
    Direction.OFFICE_TO_PROVIDER: [
        ("quality", _("Service quality")),  # 服务质量
        ("timeliness", _("On-time performance")),  # 按时履约
        ("compliance", _("Compliant management")),  # 规范管理 (compliance and financial management)
        ("communication", _("Communication and cooperation")),  # 沟通配合
        ("satisfaction", _("Public satisfaction")),  # 群众满意度 (residents' satisfaction)
    ],
    Direction.PROVIDER_TO_OFFICE: [
        ("policy_support", _("Policy support")),  # 政策支持
        ("funding", _("Funding and material guarantee")),  # 财力物力保障 (paying on time included)
        ("guidance", _("Capacity-building guidance")),  # 能力建设指导
        ("requirements", _("Clear requirements")),  # 需求明确
        ("fair_acceptance", _("Fair acceptance")),  # 验收公正
    ],
}


class ReviewWindow(models.Model):
    """Opens when a contract completes or is terminated; reviews publish together or when it closes."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="review_window")
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"), db_index=True)
    published_at = models.DateTimeField(_("reviews published"), null=True, blank=True)
    # The reminder "the window closes in 3 days" goes out once, to the sides that have not submitted.
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("review window")
        verbose_name_plural = _("review windows")

    def __str__(self):
        return f"{self.contract} ({self.opens_at:%Y-%m-%d} – {self.closes_at:%Y-%m-%d})"


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # being written; only the author sees it
        SUBMITTED = "submitted", _("Submitted")  # hidden from everyone but its author until published
        PUBLISHED = "published", _("Published")  # public and final

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.PUBLISHED},
        Status.PUBLISHED: set(),
    }

    window = models.ForeignKey(ReviewWindow, on_delete=models.CASCADE, related_name="reviews")
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scores = models.JSONField(_("scores"), default=dict)
    comment = models.TextField(_("comment"), blank=True)
    private_note = models.TextField(_("private note to the platform operators"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The reviewed party's one public reply, shown with the published review.
    reply = models.TextField(_("reply"), blank=True)
    reply_author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    replied_at = models.DateTimeField(null=True, blank=True)
    # Operators may hide abusive text; the scores stay, and the public note says why.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_note = models.CharField(_("public note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [models.UniqueConstraint(fields=["window", "direction"], name="one_review_per_side")]

    def __str__(self):
        return f"{self.window.contract} · {self.get_direction_display()}"

    @property
    def overall(self):
        values = [v for v in self.scores.values() if isinstance(v, int)]
        return sum(values) / len(values) if values else None


class ResidentRating(models.Model):
    """A resident's (居民评议) score of a completed contract's service. Shown apart; never in the parties' aggregate."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="resident_ratings")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_note = models.CharField(_("public note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("resident rating")
        verbose_name_plural = _("resident ratings")
        constraints = [
            models.UniqueConstraint(fields=["contract", "author"], name="one_resident_rating_per_contract"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="resident_score_1_to_5"),
        ]

    def __str__(self):
        return f"{self.contract} · {self.score}"


class Report(models.Model):
    """Someone reports a published review or a resident rating to the operators."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HIDDEN = "hidden", _("Text hidden")
        DISMISSED = "dismissed", _("Dismissed")

    TRANSITIONS = {
        Status.OPEN: {Status.HIDDEN, Status.DISMISSED},
        Status.HIDDEN: set(),
        Status.DISMISSED: set(),
    }

    review = models.ForeignKey(Review, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    resident_rating = models.ForeignKey(ResidentRating, on_delete=models.CASCADE, null=True, blank=True,
                                        related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(review__isnull=False, resident_rating__isnull=True)
                           | models.Q(review__isnull=True, resident_rating__isnull=False)),
                name="report_has_one_target",
            ),
            models.UniqueConstraint(fields=["review", "reporter"], name="one_report_per_review"),
            models.UniqueConstraint(fields=["resident_rating", "reporter"], name="one_report_per_resident_rating"),
        ]

    def __str__(self):
        return f"{self.reporter} · {self.get_status_display()}"

    @property
    def target(self):
        return self.review or self.resident_rating


class LowScoreFlag(models.Model):
    """An organisation whose score stays below RATING_FLAG_THRESHOLD over at least RATING_FLAG_MIN_REVIEWS reviews.

    Operators look at it and close it; nothing is suspended automatically.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    TRANSITIONS = {Status.OPEN: {Status.CLOSED}, Status.CLOSED: set()}

    organisation = models.ForeignKey("marketplace.Organisation", on_delete=models.CASCADE,
                                     related_name="low_score_flags")
    score = models.DecimalField(_("rating"), max_digits=4, decimal_places=3)
    count = models.PositiveIntegerField(_("number of reviews"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("low-score flag")
        verbose_name_plural = _("low-score flags")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["organisation"], condition=models.Q(status="open"),
                                               name="one_open_flag_per_organisation")]

    def __str__(self):
        return f"{self.organisation} · {self.score}"
