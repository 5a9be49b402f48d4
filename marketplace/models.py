"""The foundation: users, street offices, organisations and their roles, the service taxonomy, the audit log."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .uploads import private_storage


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    """CNY amounts, in yuan with fen as decimals. Converted to integer fen only at the Stripe boundary."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


class BilingualNameMixin:
    """Models with `name` (Chinese) and `name_en`: `label` gives the one for the active language."""

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("en") and getattr(self, "name_en", ""):
            return self.name_en
        return self.name


class UserManagerByEmail(UserManager):
    """Users sign in with their email; the username is derived from it."""

    def _create_user(self, username, email, password, **extra_fields):
        username = username or email
        return super()._create_user(username, email, password, **extra_fields)

    def create_user(self, username=None, email=None, password=None, **extra_fields):
        return super().create_user(username or email, email, password, **extra_fields)

    def create_superuser(self, username=None, email=None, password=None, **extra_fields):
        return super().create_superuser(username or email, email, password, **extra_fields)


class User(AbstractUser):
    """A person. Roles come from memberships (organisations), staff posts (offices) and the operator flag."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    is_platform_operator = models.BooleanField(
        _("platform operator"),
        default=False,
        help_text=_("Civil-affairs staff who verify, grade, suspend and remove organisations."),
    )

    objects = UserManagerByEmail()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.email or self.username

    def save(self, *args, **kwargs):
        # Sign-up (allauth) asks for the email only and leaves the unique `username` empty: derive it here, whoever
        # creates the user, so that any number of people can sign up.
        if not self.username:
            self.username = self._free_username()
        super().save(*args, **kwargs)

    def _free_username(self) -> str:
        email = self.email or ""
        if (email and len(email) <= self._meta.get_field("username").max_length
                and not User.objects.filter(username=email).exclude(pk=self.pk).exists()):
            return email
        return f"user-{uuid.uuid4().hex}"


class District(BilingualNameMixin, models.Model):
    """A city district (区). Street offices belong to one."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Reputation(models.Model):
    """Reputation fields written only by `marketplace.services.reputation_set`, read by lists as one indexed query.

    `rating_score` is the Bayesian average over published reviews; `rating_count` is always shown beside it.
    """

    rating_score = models.DecimalField(_("rating"), max_digits=4, decimal_places=3, null=True, blank=True)
    rating_count = models.PositiveIntegerField(_("number of reviews"), default=0)
    rating_breakdown = models.JSONField(_("rating by criterion"), default=dict, blank=True)
    # The sum of every criterion score of every published review (the raw material of the Bayesian score);
    # `ratings` keeps it so that publishing one review updates only the subjects it concerns.
    rating_total = models.PositiveIntegerField(_("sum of review scores"), default=0)
    # Objective indicators computed from contracts, milestones, payments and objections (see ratings.indicators).
    indicators = models.JSONField(_("objective indicators"), default=dict, blank=True)

    class Meta:
        abstract = True


class StreetOffice(BilingualNameMixin, Reputation):
    """A street office (街道办事处): buys services, runs tenders, signs contracts, is rated by providers."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="offices", verbose_name=_("district"))
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    filed_budget_threshold = money_field(
        _("budget threshold for filed organisations"),
        default=Decimal("100000.00"),
        help_text=_("Filed organisations may bid only on this office's tenders up to this budget."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("street office")
        verbose_name_plural = _("street offices")
        ordering = ["district__name", "name"]
        indexes = [models.Index(fields=["-rating_score", "name"], name="office_rating_idx")]

    def __str__(self):
        return self.name


class OfficeStaff(models.Model):
    """A person's post in a street office. One person may hold several roles in one office."""

    class Role(models.TextChoices):
        PROCUREMENT = "procurement", _("Procurement officer")  # edits lists and tenders
        EVALUATOR = "evaluator", _("Evaluator")  # scores bids on a panel
        HEAD = "head", _("Head of office")  # approves lists and awards

    office = models.ForeignKey(StreetOffice, on_delete=models.CASCADE, related_name="staff", verbose_name=_("office"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="office_posts", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("office staff")
        verbose_name_plural = _("office staff")
        constraints = [models.UniqueConstraint(fields=["office", "user", "role"], name="unique_office_post")]

    def __str__(self):
        return f"{self.user} · {self.office} · {self.get_role_display()}"


class ServiceCategory(BilingualNameMixin, models.Model):
    """The service taxonomy (服务类别). The catalogue publishes a page for each; organisations say which they serve.

    It lives here, below the catalogue, so that eligibility and the provider directory can use it
    without importing the Wagtail catalogue.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class Grade(models.TextChoices):
    """Evaluation grades (评估等级), highest first. The value is the rank, so grades compare as integers."""

    NONE = "0", _("No grade")
    A1 = "1", "1A"
    A2 = "2", "2A"
    A3 = "3", "3A"
    A4 = "4", "4A"
    A5 = "5", "5A"


class Track(models.TextChoices):
    REGISTERED = "registered", _("Registered")  # 登记: holds a USCC, may bid anywhere it is eligible
    FILED = "filed", _("Filed")  # 备案: filed with one street office, small tenders of that office only


class Organisation(BilingualNameMixin, Reputation):
    """A social organisation (社会组织) that bids and delivers services."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")  # applied, waiting for an operator or its office
        VERIFIED = "verified", _("Verified")  # may bid where eligible
        REJECTED = "rejected", _("Rejected")  # application refused, with a reason
        SUSPENDED = "suspended", _("Suspended")  # may not bid until reinstated
        REMOVED = "removed", _("Removed")  # exited; the reason is public

    TRANSITIONS = {
        Status.PENDING: {Status.VERIFIED, Status.REJECTED},
        Status.VERIFIED: {Status.SUSPENDED, Status.REMOVED},
        Status.SUSPENDED: {Status.VERIFIED, Status.REMOVED},
        Status.REJECTED: {Status.PENDING},  # resubmitted by the organisation after fixing what was wrong
        Status.REMOVED: set(),
    }

    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    track = models.CharField(_("track"), max_length=12, choices=Track.choices)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, null=True, blank=True
    )
    filing_number = models.CharField(_("filing number"), max_length=40, unique=True, null=True, blank=True)
    home_office = models.ForeignKey(
        StreetOffice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="filed_organisations",
        verbose_name=_("street office"),
        help_text=_("For a filed organisation, the office it is filed with."),
    )
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)
    registration_authority = models.CharField(_("registration authority"), max_length=100, blank=True)
    certificate = models.FileField(
        _("registration certificate"), storage=private_storage, max_length=200, blank=True,
        help_text=_("PDF, JPEG or PNG. Seen only by the organisation, platform operators and its street office."),
    )
    description = models.TextField(_("description"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    categories = models.ManyToManyField(
        ServiceCategory, blank=True, related_name="organisations", verbose_name=_("services offered")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    status_reason = models.TextField(_("reason"), blank=True)
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, default=Grade.NONE)
    grade_date = models.DateField(_("grade date"), null=True, blank=True)
    contracts_completed = models.PositiveIntegerField(_("completed contracts"), default=0)
    contracts_terminated = models.PositiveIntegerField(_("terminated contracts"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("social organisation")
        verbose_name_plural = _("social organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(track="registered") | models.Q(uscc__isnull=False),
                name="registered_has_uscc",
            ),
            models.CheckConstraint(
                condition=~models.Q(track="filed") | models.Q(home_office__isnull=False),
                name="filed_has_office",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-rating_score"], name="org_status_rating_idx"),
            models.Index(fields=["status", "-contracts_completed"], name="org_status_completed_idx"),
            models.Index(fields=["status", "created_at"], name="org_status_created_idx"),
            # Name order of the public directory. The rating order has a PostgreSQL-only partial index with
            # NULLS LAST (migration 0003), which Django's Index cannot express portably.
            models.Index(fields=["name", "id"], condition=models.Q(status="verified"), name="org_verified_name_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def grade_rank(self) -> int:
        return int(self.grade or 0)

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED


class Membership(models.Model):
    """A person's membership of an organisation."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")  # invites members, edits the organisation
        MEMBER = "member", _("Member")  # prepares and submits bids, evidence, reviews

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="unique_membership")]

    def __str__(self):
        return f"{self.user} · {self.organisation}"


class WorkingDayOverride(models.Model):
    """A day that the holiday calendar gets wrong or does not know yet (a future year's holidays and 调休)."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'✓' if self.is_working_day else '✗'}"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One state change, written by the service that made it. Append-only: never updated, never deleted."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("actor")
    )
    actor_repr = models.CharField(_("actor"), max_length=200, blank=True)
    verb = models.CharField(_("action"), max_length=60, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("object type"))
    object_id = models.CharField(_("object id"), max_length=40)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_repr} {self.verb} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")


class OutboxMessage(models.Model):
    """A task to run, written in the same transaction as the change that calls for it (marketplace.outbox).

    The relay sends it to the broker after commit and again from a beat task until a worker has run it to the end
    (`done_at`), so a broker outage or a lost message delays the task and never loses it. The worker claims the row
    before running, so a message sent twice runs once.
    """

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True, encoder=DjangoJSONEncoder)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    eta = models.DateTimeField(_("run at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next relay attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    publishes = models.PositiveIntegerField(_("times sent"), default=0)
    attempts = models.PositiveIntegerField(_("failed sends"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=200, blank=True)
    progress = models.JSONField(_("progress"), default=list, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(done_at__isnull=True),
                         name="outbox_due_idx"),
            models.Index(fields=["done_at"], name="outbox_done_idx"),
        ]

    def __str__(self):
        return f"{self.task} #{self.pk}"


class Heartbeat(models.Model):
    """The last time a background process showed it is alive: `beat` (its scheduler loop) and `worker` (a task it
    ran). /healthz fails when one is older than its threshold."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
