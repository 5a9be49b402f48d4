"""Forms of the foundation: input validation only. Services decide; views show what they say."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Grade, Membership, ServiceCategory, StreetOffice
from .uploads import validate_upload
from .validators import validate_uscc

CERTIFICATE_HELP = _("PDF, JPEG or PNG, up to 20 MB. If the form comes back with an error, choose the file again.")


class UploadField(forms.FileField):
    """A file checked by content (PDF, JPEG, PNG) and size, with the reason in the user's language."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", CERTIFICATE_HELP)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png")

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and value is not initial:
            validate_upload(value)
        return value


def _categories_field(required=False):
    return forms.ModelMultipleChoiceField(
        queryset=ServiceCategory.objects.all(), widget=forms.CheckboxSelectMultiple, required=required,
        label=_("Services offered"),
    )


class OrganisationFields(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    categories = _categories_field()


class RegisteredApplicationForm(OrganisationFields):
    """Registered (登记): holds a USCC and a registration certificate; a platform operator verifies it."""

    uscc = forms.CharField(
        label=_("Unified social credit code"), max_length=40,
        help_text=_("18 characters, as printed on the registration certificate."),
    )
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=60)
    registration_authority = forms.CharField(
        label=_("Registration authority"), max_length=100, help_text=_("For example: 杭州市滨江区民政局"),
    )
    certificate = UploadField(label=_("Registration certificate"))

    field_order = ["name", "uscc", "legal_representative", "registration_authority", "certificate",
                   "contact_phone", "categories", "description"]

    def clean_uscc(self):
        return validate_uscc(self.cleaned_data["uscc"])


class FiledApplicationForm(OrganisationFields):
    """Filed (备案): a community group filed with its street office, whose staff approve it."""

    home_office = forms.ModelChoiceField(
        queryset=StreetOffice.objects.select_related("district").order_by("district__name", "name"),
        label=_("Street office"), help_text=_("The street office your group is filed with."),
    )
    certificate = UploadField(label=_("Supporting document"), required=False)

    field_order = ["name", "home_office", "contact_phone", "categories", "description", "certificate"]


class ProfileForm(forms.Form):
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    categories = _categories_field()
    certificate = UploadField(label=_("Registration certificate"), required=False)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class PublicReasonForm(ReasonForm):
    reason = forms.CharField(
        label=_("Reason (public)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text=_("The reason is published on the organisation's public profile."),
    )


class SuspendForm(ReasonForm):
    until = forms.DateField(
        label=_("Suspended until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional. The suspension ends by itself after this day."),
    )

    def clean_until(self):
        until = self.cleaned_data.get("until")
        if until and until < timezone.localdate():
            raise ValidationError(_("The end date cannot be in the past."), code="past")
        return until


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)
    graded_on = forms.DateField(
        label=_("Grade date"), initial=lambda: timezone.localdate(), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_graded_on(self):
        graded_on = self.cleaned_data["graded_on"]
        if graded_on > timezone.localdate() + dt.timedelta(days=1):
            raise ValidationError(_("The grade date cannot be in the future."), code="future")
        return graded_on

