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
        ("timeliness", _("Timeliness")),  # 按时履约
        ("compliance", _("Compliance and financial management")),  # 规范管理
        ("communication", _("Communication")),  # 沟通配合
        ("satisfaction", _("Residents' satisfaction")),  # 群众满意度
    ],
    Direction.PROVIDER_TO_OFFICE: [
        ("policy_support", _("Policy support")),  # 政策支持
        ("funding", _("Funding and material guarantee")),  # 财力物力保障
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
