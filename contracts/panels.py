"""Panels that contracts adds to marketplace pages: contract history, and the parties' dashboard list."""

from marketplace import panels

from . import selectors


@panels.register("provider_profile", order=20)
def provider_contracts(request, organisation):
    return "contracts/panel_history.html", {
        "contracts": selectors.contracts_of_provider(organisation_id=organisation.pk).order_by("-created_at")[:20]
    }


@panels.register("dashboard", order=20)
def my_contracts(request, _obj):
    contracts = selectors.contracts_of_user(user=request.user)[:20]
    return "contracts/panel_dashboard.html", {"contracts": contracts}
