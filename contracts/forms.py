"""Input validation for contract pages: the term and milestone plan (a formset), and variations."""

from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TermForm(forms.Form):
    starts_on = forms.DateField(label=_("Term starts"), widget=DATE)
    ends_on = forms.DateField(label=_("Term ends"), widget=DATE)


class MilestoneRowForm(forms.Form):
    """One row of the plan. `id` names the existing milestone it keeps (variations); empty for a new one."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Deliverable"), max_length=150)
    due_on = forms.DateField(label=_("Due date"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))


class BaseMilestoneFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        """The plan as typed, in order, without deleted or blank rows."""
        return [
            {"id": f.cleaned_data.get("id"), "title": f.cleaned_data["title"], "due_on": f.cleaned_data["due_on"],
             "amount": f.cleaned_data["amount"]}
            for f in self.forms
            if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


MilestoneFormSet = formset_factory(MilestoneRowForm, formset=BaseMilestoneFormSet, extra=0, can_delete=True,
                                   max_num=50, absolute_max=50)


def plan_formset(data=None, *, milestones=(), prefix="plan", add_row=False):
    """The plan formset, bound to what was typed or filled with the current milestones. `add_row` gives one
    more empty row while keeping everything typed (the page works without JavaScript)."""
    if data is not None:
        if add_row:
            data = data.copy()
            key = f"{prefix}-TOTAL_FORMS"
            if (data.get(key) or "0").isdigit() and len(data.get(key) or "0") < 4:  # else the formset says it is bad
                data[key] = str(int(data.get(key) or 0) + 1)
        return MilestoneFormSet(data, prefix=prefix)
    initial = [{"id": m.pk, "title": m.title, "due_on": m.due_on, "amount": m.amount} for m in milestones]
    return MilestoneFormSet(initial=initial, prefix=prefix)


class VariationForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the variation"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)
    value = forms.DecimalField(label=_("Contract value (yuan)"), max_digits=14, decimal_places=2,
                               min_value=Decimal("0.01"))
    starts_on = forms.DateField(label=_("Term starts"), widget=DATE)
    ends_on = forms.DateField(label=_("Term ends"), widget=DATE)
