"""Input validation for tender set-up, bids and awards."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from marketplace.forms import UploadField
from marketplace.models import Organisation
from marketplace.uploads import validate_upload

from .models import Tender


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TenderForm(forms.ModelForm):
    tender_document = UploadField(
        label=_("Tender document (PDF)"), required=False,
        help_text=_("PDF, up to 20 MB. It can be replaced until the tender is published; after that, changes are "
                    "published as answers to clarifications."),
    )

    class Meta:
        model = Tender
        fields = [
            "title", "description", "budget_ceiling", "allow_registered", "allow_filed", "min_grade",
            "filed_budget_threshold", "method", "price_weight", "min_bids", "clarification_deadline",
            "submission_deadline",
        ]
        widgets = {
            "clarification_deadline": DateTimeLocalInput(),
            "submission_deadline": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    field_order = ["title", "description", "tender_document"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tender_document"].widget.attrs["accept"] = ".pdf,application/pdf"


class CriterionForm(forms.Form):
    """One technical criterion of comprehensive scoring (综合评分法)."""

    name = forms.CharField(label=_("Criterion"), max_length=100, required=False)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100, required=False)
    response_required = forms.BooleanField(label=_("Response required"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("weight"):
            self.add_error("weight", _("Give the criterion's weight."))
        if data.get("weight") and not data.get("name"):
            self.add_error("name", _("Give the criterion a name."))
        return data


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, max_num=20, validate_max=True)


def criteria_of(formset) -> list[tuple[str, int, bool]]:
    """The filled rows of a valid criteria formset, in order."""
    return [(f.cleaned_data["name"], f.cleaned_data["weight"], f.cleaned_data.get("response_required", False))
            for f in formset.forms if f.cleaned_data.get("name")]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files at once, each checked by content and size like every upload of the platform."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = []
        for file in files:
            file = super().clean(file, initial)
            try:
                validate_upload(file)
            except ValidationError as exc:
                raise ValidationError(f"{file.name}: {exc.messages[0]}", code=exc.code) from exc
            cleaned.append(file)
        return cleaned


RESPONSE_PREFIX = "response_"


class BidForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Bidding organisation"))
    price = forms.DecimalField(label=_("Price (yuan)"), max_digits=14, decimal_places=2, min_value=0.01)
    proposal = forms.CharField(label=_("Proposal"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    attachments = AttachmentsField(
        label=_("Add files"), required=False,
        help_text=_("PDF, JPEG or PNG, up to 20 MB each; several at once. They are sealed with the bid and their "
                    "SHA-256 is on the receipt. If the form comes back with an error, choose the files again."),
    )

    def __init__(self, *args, organisations, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()
        self.fields["attachments"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
        # One response per technical criterion; the service refuses to submit while a required one is empty.
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"{RESPONSE_PREFIX}{criterion.pk}"] = forms.CharField(
                label=_("Response to “%(criterion)s” (%(weight)d points)") % {"criterion": criterion.name,
                                                                               "weight": criterion.weight},
                widget=forms.Textarea(attrs={"rows": 4}), required=False,
                help_text=_("Required before the bid can be submitted.") if criterion.response_required else "",
            )
        self.order_fields(["organisation", "price", "proposal",
                           *[f"{RESPONSE_PREFIX}{c.pk}" for c in self.criteria], "attachments"])

    def responses(self) -> dict[int, str] | None:
        if not self.criteria:
            return None
        return {c.pk: self.cleaned_data.get(f"{RESPONSE_PREFIX}{c.pk}", "") for c in self.criteria}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class AwardForm(forms.Form):
    bid = forms.IntegerField(widget=forms.HiddenInput)
    justification = forms.CharField(
        label=_("Justification (needed when the chosen bid is not ranked first)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
