"""Panels that contracts adds to marketplace pages: contract history, and the parties' dashboard list."""

from marketplace import panels
from marketplace.models import Membership

from . import selectors
from .models import PayoutAccount
from .stripe_client import stripe_enabled


@panels.register("provider_profile", order=20)
def provider_contracts(request, organisation):
    return "contracts/panel_history.html", {
        "contracts": selectors.contracts_of_provider(organisation_id=organisation.pk).order_by("-created_at")[:20]
    }


@panels.register("dashboard", order=20)
def my_contracts(request, _obj):
    contracts = selectors.contracts_of_user(user=request.user)[:20]
    return "contracts/panel_dashboard.html", {"contracts": contracts}


@panels.register("dashboard", order=25)
def payout_accounts(request, _obj):
    """The provider's admins set up the Stripe account their payments are transferred to (online payment only)."""
    if not stripe_enabled() or not request.user.is_authenticated:
        return None
    organisations = [m.organisation for m in Membership.objects.filter(user=request.user, role=Membership.Role.ADMIN)
                     .select_related("organisation")]
    if not organisations:
        return None
    accounts = {a.organisation_id: a for a in PayoutAccount.objects.filter(organisation__in=organisations)}
    return "contracts/_payout_panel.html", {"rows": [(o, accounts.get(o.pk)) for o in organisations]}
