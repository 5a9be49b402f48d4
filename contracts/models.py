"""Contracts from awards, their milestones, and the payments for accepted milestones."""


from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bids.models import Tender
from marketplace.models import Organisation, StreetOffice, money_field
from marketplace.uploads import private_storage


class Contract(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # created from the award; the office proposes the milestone plan
        PENDING_SIGNATURE = "pending_signature", _("Awaiting signatures")  # both parties must accept
        ACTIVE = "active", _("Active")  # signed; milestones under way
        COMPLETED = "completed", _("Completed")  # every milestone paid (final)
        TERMINATED = "terminated", _("Terminated")  # ended early with a reason (final)

    TRANSITIONS = {
        Status.DRAFT: {Status.PENDING_SIGNATURE},
        Status.PENDING_SIGNATURE: {Status.ACTIVE, Status.DRAFT},
        Status.ACTIVE: {Status.COMPLETED, Status.TERMINATED},
        Status.COMPLETED: set(),
        Status.TERMINATED: set(),
    }

    tender = models.OneToOneField(Tender, on_delete=models.PROTECT, related_name="contract", verbose_name=_("tender"))
    office = models.ForeignKey(StreetOffice, on_delete=models.PROTECT, related_name="contracts",
                               verbose_name=_("street office (party A)"))
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="contracts",
                                 verbose_name=_("provider (party B)"))
    title = models.CharField(_("title"), max_length=150)
    value = money_field(_("contract value"))
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    indicators = models.JSONField(_("performance indicators"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    office_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+")
    office_signed_at = models.DateTimeField(null=True, blank=True)
    office_signed_ip = models.GenericIPAddressField(null=True, blank=True)
    provider_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="+")
    provider_signed_at = models.DateTimeField(null=True, blank=True)
    provider_signed_ip = models.GenericIPAddressField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class Milestone(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")  # waiting for the provider's evidence
        SUBMITTED = "submitted", _("Evidence submitted")  # waiting for the office's acceptance
        ACCEPTED = "accepted", _("Accepted")  # accepted in full or in part; a payment is due
        REJECTED = "rejected", _("Rejected")  # passing state: goes straight back to scheduled
        PAID = "paid", _("Paid")  # the payment succeeded (final)

    TRANSITIONS = {
        Status.SCHEDULED: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.ACCEPTED, Status.REJECTED},
        Status.REJECTED: {Status.SCHEDULED},
        Status.ACCEPTED: {Status.PAID},
        Status.PAID: set(),
    }

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    sequence = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("deliverable"), max_length=150)
    due_on = models.DateField(_("due date"))
    amount = money_field(_("amount"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    evidence_report = models.TextField(_("evidence report"), blank=True)
    submitted_at = models.DateTimeField(_("evidence submitted at"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    rejection_count = models.PositiveSmallIntegerField(default=0)
    decided_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_amount = money_field(_("accepted amount"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    # When the overdue reminders went out, so each is sent once (the acceptance one again after a resubmission).
    submission_reminded_at = models.DateTimeField(null=True, blank=True)
    acceptance_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["contract", "sequence"]
        constraints = [models.UniqueConstraint(fields=["contract", "sequence"], name="unique_milestone_sequence")]

    def __str__(self):
        return f"{self.contract} · {self.sequence}. {self.title}"

    # Milestones a variation may not change: the provider has delivered them or they are settled.
    LOCKED_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.PAID)

    def submission_overdue(self, today) -> bool:
        """Evidence is late: the due date has passed and the milestone still waits for it."""
        return self.status == self.Status.SCHEDULED and self.due_on < today

    def acceptance_overdue(self, cutoff) -> bool:
        """The office's decision is late: evidence waits since a local date before `cutoff`
        (see contracts.selectors.acceptance_cutoff)."""
        return (self.status == self.Status.SUBMITTED and self.submitted_at is not None
                and timezone.localdate(self.submitted_at) < cutoff)


class MilestoneEvidenceFile(models.Model):
    """A file the provider hands in with a milestone's evidence (attendance list, photos, report). Private:
    served only to the two parties and operators through a permission-checked view."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="evidence_files")
    file = models.FileField(_("file"), storage=private_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["milestone", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")  # created at acceptance; the office has not paid yet
        PROCESSING = "processing", _("Processing")  # sent to Stripe; waiting for its answer
        SUCCEEDED = "succeeded", _("Paid")
        FAILED = "failed", _("Failed")  # declined; may be retried
        REFUNDED = "refunded", _("Refunded")

    TRANSITIONS = {
        Status.PENDING: {Status.PROCESSING, Status.SUCCEEDED},
        Status.PROCESSING: {Status.SUCCEEDED, Status.FAILED},
        Status.FAILED: {Status.PROCESSING, Status.SUCCEEDED},
        Status.SUCCEEDED: {Status.REFUNDED},
        Status.REFUNDED: set(),
    }

    class Method(models.TextChoices):
        STRIPE = "stripe", _("Online (Stripe)")
        OFFLINE = "offline", _("Paid outside the platform")

    milestone = models.OneToOneField(Milestone, on_delete=models.PROTECT, related_name="payment")
    amount = money_field(_("amount"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # Stripe (online) payments: one PaymentIntent per attempt; a declined attempt may be retried with a new one.
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=0)
    payment_intent_id = models.CharField(_("Stripe PaymentIntent"), max_length=100, blank=True, db_index=True)
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    failure_message = models.TextField(_("failure message"), blank=True)
    transfer_id = models.CharField(_("Stripe transfer"), max_length=100, blank=True)
    transferred_at = models.DateTimeField(_("transferred at"), null=True, blank=True)
    refund_id = models.CharField(_("Stripe refund"), max_length=100, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    refunded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    refund_reason = models.TextField(_("reason for the refund"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self):
        return f"{self.milestone} · ¥{self.amount}"

    @property
    def amount_fen(self) -> int:
        return int((self.amount * 100).to_integral_value())


class StripeEvent(models.Model):
    """A Stripe webhook event, stored by its id so a redelivered duplicate is a no-op.

    `processed_at` stays empty while the event waits (its payment row was busy or not yet visible);
    the reconciliation task applies it later."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["received_at"]

    def __str__(self):
        return f"{self.event_id} {self.type}"


class PayoutAccount(models.Model):
    """A provider's Stripe Connect (Express) account, to which its payments are transferred."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="payout_account")
    stripe_account_id = models.CharField(_("Stripe account"), max_length=100, unique=True)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    onboarded_at = models.DateTimeField(_("onboarded at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")

    def __str__(self):
        return f"{self.organisation} · {self.stripe_account_id}"

    @property
    def ready(self) -> bool:
        return self.payouts_enabled and self.details_submitted




class ContractDocument(models.Model):
    """A generated contract PDF. Each signature or variation makes a new version; the SHA-256 is shown."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="documents")
    version = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), storage=private_storage, upload_to="contracts/%Y/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    generated_at = models.DateTimeField(_("generated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contract document")
        verbose_name_plural = _("contract documents")
        ordering = ["contract", "-version"]
        constraints = [models.UniqueConstraint(fields=["contract", "version"], name="one_document_per_version")]

    def __str__(self):
        return f"{self.contract} v{self.version}"


class ContractVariation(models.Model):
    """A variation (合同变更) of the value, the term or the milestone plan. One party proposes, the other accepts
    or rejects; an accepted variation is applied and the contract PDF is issued again as a new version."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")  # waiting for the other party
        ACCEPTED = "accepted", _("Accepted")  # applied to the contract (final)
        REJECTED = "rejected", _("Rejected")  # the other party declined, with a reason (final)
        WITHDRAWN = "withdrawn", _("Withdrawn")  # the proposing party took it back (final)

    TRANSITIONS = {
        Status.PROPOSED: {Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN},
        Status.ACCEPTED: set(),
        Status.REJECTED: set(),
        Status.WITHDRAWN: set(),
    }

    class Side(models.TextChoices):
        OFFICE = "office", _("Street office (party A)")
        PROVIDER = "provider", _("Provider (party B)")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="variations")
    number = models.PositiveSmallIntegerField(_("number"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    proposed_side = models.CharField(_("proposed by"), max_length=10, choices=Side.choices)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    reason = models.TextField(_("reason for the variation"))
    # The contract as it was, and as the variation would make it: value (string), term (ISO dates) and the
    # complete milestone plan [{"id": existing milestone or null, "title", "due_on", "amount"}].
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_ip = models.GenericIPAddressField(null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("contract variation")
        verbose_name_plural = _("contract variations")
        ordering = ["contract", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="unique_variation_number"),
            models.UniqueConstraint(fields=["contract"], condition=models.Q(status="proposed"),
                                    name="one_open_variation_per_contract"),
        ]

    def __str__(self):
        return f"{self.contract} · {self.number}"
