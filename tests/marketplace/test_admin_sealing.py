"""The Django admin's sealing rule as a system check: every registered admin passes it, and it catches an admin that
would filter, search, sort or show a sealed field, or reach bids in one lookup without the rule."""

from django.contrib import admin
from django.contrib.admin import AdminSite

from bids.models import Bid
from marketplace.admin_sealing import check_sealed_admins, touches_sealed
from marketplace.models import Organisation, StreetOffice, User


def test_every_registered_admin_follows_the_sealing_rule():
    assert check_sealed_admins() == []


def test_the_check_catches_admins_that_would_reach_sealed_data():
    site = AdminSite(name="probe")

    class CarelessBidAdmin(admin.ModelAdmin):
        list_display = ("receipt_digest", "status")
        list_filter = ("price", "status")
        search_fields = ("proposal",)

    site.register(Bid, CarelessBidAdmin)
    site.register(Organisation)  # one lookup (`?bids=`) from bids, without the rule
    found = {(e.id, e.msg.split(" ")[0]) for e in check_sealed_admins(site=site)}
    messages = " ".join(e.msg for e in check_sealed_admins(site=site))
    assert {e for e, _label in found} == {"marketplace.E201", "marketplace.E202", "marketplace.E203"}
    for sealed in ("'price'", "'proposal'", "'submitted_at'", "'receipt_digest'"):  # Meta ordering is submitted_at
        assert sealed in messages, sealed


def test_paths_that_reach_sealed_data():
    reach = [(Bid, "price__lt"), (Bid, "submitted_at__date"), (Bid, "pk"), (Bid, "tender__bids__price"),
             (Organisation, "bids"), (Organisation, "bids__isnull"), (StreetOffice, "tenders__bids__submitted_at"),
             (User, "panel_seats__tender__bids__price__lt")]
    clear = [(Bid, "status"), (Bid, "tender__status"), (Bid, "organisation__name"), (StreetOffice, "tenders__title")]
    assert all(touches_sealed(m, p) for m, p in reach)
    assert not any(touches_sealed(m, p) for m, p in clear)
