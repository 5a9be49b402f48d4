"""The review form of a contract's party."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from contracts.selectors import contract_get_for_party
from marketplace.errors import DomainError

from . import services
from .forms import ReviewForm


@login_required
def review_form(request, pk: int):
    contract = contract_get_for_party(user=request.user, pk=pk)
    direction = services.direction_for(request.user, contract)
    form = ReviewForm(request.POST or None, direction=direction)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.review_submit(actor=request.user, contract_id=contract.pk, scores=form.scores(),
                                   comment=form.cleaned_data["comment"], private_note=form.cleaned_data["private_note"])
            messages.success(request, _("Thank you. Your review is sealed until the other side has reviewed too, "
                                        "or until the review window closes."))
            return redirect("contracts:contract_work", pk=contract.pk)
        except DomainError as exc:
            error = exc
    status = error.status if error else (400 if form.errors else 200)
    return render(request, "ratings/review_form.html", {"contract": contract, "form": form, "error": error},
                  status=status)
