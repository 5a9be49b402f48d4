"""The review form: a 1–5 score per criterion of the reviewer's direction, a comment and a private note."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CRITERIA

SCORE_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(5, 0, -1)]


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    private_note = forms.CharField(label=_("Private note to the platform operators"),
                                   widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, direction, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = CRITERIA[direction]
        for code, label in self.criteria:
            message = _("Give “%(criterion)s” a score from 1 to 5.") % {"criterion": label}
            self.fields[f"score_{code}"] = forms.TypedChoiceField(
                label=label, choices=SCORE_CHOICES, coerce=int,
                error_messages={"required": message, "invalid_choice": message})

    def scores(self) -> dict:
        return {code: self.cleaned_data[f"score_{code}"] for code, _label in self.criteria}


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Your public reply"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("Why should the operators look at this?"),
                             widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ResidentRatingForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Your score"), choices=SCORE_CHOICES, coerce=int, error_messages={
        "required": _("Give the service a score from 1 to 5."),
        "invalid_choice": _("Give the service a score from 1 to 5.")})
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                              max_length=2000)


class HideForm(forms.Form):
    note = forms.CharField(label=_("Public note"), max_length=300,
                           help_text=_("Shown in place of the hidden text. The score stays."))


class FlagCloseForm(forms.Form):
    note = forms.CharField(label=_("What was decided"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
