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
            self.fields[f"score_{code}"] = forms.TypedChoiceField(label=label, choices=SCORE_CHOICES, coerce=int)

    def scores(self) -> dict:
        return {code: self.cleaned_data[f"score_{code}"] for code, _label in self.criteria}
