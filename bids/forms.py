"""Input validation for tender set-up, bids and awards."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.models import Organisation

from .models import Tender


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TenderForm(forms.ModelForm):
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


class BidForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Bidding organisation"))
    price = forms.DecimalField(label=_("Price (yuan)"), max_digits=14, decimal_places=2, min_value=0.01)
    proposal = forms.CharField(label=_("Proposal"), widget=forms.Textarea(attrs={"rows": 8}), required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class AwardForm(forms.Form):
    bid = forms.IntegerField(widget=forms.HiddenInput)
    justification = forms.CharField(
        label=_("Justification (needed when the chosen bid is not ranked first)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
