"""The walking skeleton: one real path from a purchase list to a public rating, through HTTP.

Each step goes through the entry point a person or the scheduler uses: the Wagtail admin, the site's
views and the Celery beat tasks. The clock is moved with time-machine; the server clock decides.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from bids.models import Bid, Tender
from bids.tasks import tenders_close_due, tenders_end_standstill
from catalogue.models import OfficePurchaseListsPage, PurchaseListPage
from contracts.models import Contract, Milestone, Payment
from marketplace.models import AuditEvent
from ratings.models import Review

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2 March 2026, 09:00 in Shanghai: an ordinary working week.
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_purchase_list_to_public_rating(client, world):
    w = world
    with time_machine.travel(START, tick=True) as clock:
        # 1. The head of office X publishes a purchase list with one line in the Wagtail admin.
        folder = OfficePurchaseListsPage.objects.get(office=w.office_x)
        _login(client, w.head_x)
        response = client.post(
            reverse("wagtailadmin_pages:add", args=("catalogue", "purchaselistpage", folder.pk)),
            nested_form_data(
                {
                    "title": "2026年度长河街道购买服务清单",
                    "slug": "changhe-2026",
                    "year": 2026,
                    "intro": rich_text("<p>经街道主任审批后发布。</p>"),
                    "lines": inline_formset(
                        [
                            {
                                "item": w.item.pk,
                                "title": "长河街道居家养老上门服务",
                                "quantity": 100,
                                "budget": "120000.00",
                                "planned_month": 3,
                                "notes": "覆盖辖区80岁以上独居老人",
                            }
                        ],
                        min=1,
                    ),
                    "action-publish": "publish",
                }
            ),
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        page = PurchaseListPage.objects.get(slug="changhe-2026")
        assert page.live and page.office == w.office_x
        assert client.get(page.url).status_code == 200

        # 2. Publishing opened a draft tender; the procurement officer completes and publishes it.
        tender = Tender.objects.get(purchase_list=page)
        assert tender.status == Tender.Status.DRAFT
        assert tender.indicators[0]["name"] == "服务覆盖率"
        client.logout()
        _login(client, w.procurement_x)
        response = client.post(
            reverse("bids:office_tender", args=[tender.pk]),
            {
                "title": tender.title,
                "description": "为80岁以上独居老人提供每周两次上门服务。",
                "budget_ceiling": "120000.00",
                "allow_registered": "on",
                "min_grade": "0",
                "filed_budget_threshold": "100000.00",
                "method": "lowest_price",
                "price_weight": 100,
                "min_bids": 1,
                "clarification_deadline": "2026-03-05T17:00",
                "submission_deadline": "2026-03-12T10:00",
                "publish": "1",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        tender.refresh_from_db()
        assert tender.status == Tender.Status.PUBLISHED
        assert client.get(f"/tenders/{tender.pk}/").status_code == 200

        # 3. A verified organisation's member submits a sealed bid and gets a receipt.
        client.logout()
        _login(client, w.member_a)
        response = client.post(
            reverse("bids:bid_edit", args=[tender.pk]),
            {"organisation": w.org_a.pk, "price": "98000.00", "proposal": "配备持证社工6名。", "submit": "1"},
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        bid = Bid.objects.get(tender=tender, organisation=w.org_a)
        receipt = client.get(response.url)
        assert bid.receipt_digest in receipt.content.decode()
        # Sealed: the office's officer sees no price on the public page or the working page.
        client.logout()
        _login(client, w.procurement_x)
        for url in (f"/tenders/{tender.pk}/", reverse("bids:office_tender", args=[tender.pk])):
            assert "98,000.00" not in client.get(url).content.decode()

        # 4. The deadline passes; the beat task closes the tender and opens the bids.
        clock.move_to(dt.datetime(2026, 3, 12, 10, 0, 1, tzinfo=SHANGHAI))
        assert tenders_close_due.apply().get() == 1
        tender.refresh_from_db()
        bid.refresh_from_db()
        assert tender.status == Tender.Status.CLOSED
        assert bid.status == Bid.Status.OPENED and bid.digest_verified is True

        # 5. The office evaluates: the officer seats an evaluator, who declares no conflict and qualifies the bid;
        # the head proposes the award; after the standstill the beat task makes it final.
        client.post(reverse("bids:office_tender_action", args=[tender.pk, "panel"]), {"evaluator": w.evaluator_x.pk})
        client.post(reverse("bids:office_tender_action", args=[tender.pk, "evaluate"]))
        client.logout()
        _login(client, w.evaluator_x)
        client.post(reverse("bids:office_tender_action", args=[tender.pk, "declare"]))
        client.post(reverse("bids:office_tender_action", args=[tender.pk, "qualify"]), {"bid": bid.pk})
        client.logout()
        _login(client, w.head_x)
        response = client.post(reverse("bids:office_tender_action", args=[tender.pk, "award"]), {"bid": bid.pk})
        assert response.status_code == 302
        tender.refresh_from_db()
        assert tender.status == Tender.Status.STANDSTILL
        assert "长河社会工作服务中心" in client.get("/awards/").content.decode()
        clock.move_to(tender.standstill_ends_at + dt.timedelta(minutes=1))
        assert tenders_end_standstill.apply().get() == 1
        tender.refresh_from_db()
        assert tender.status == Tender.Status.AWARDED

        # 6. A draft contract exists; the office sends it, both sides sign, and it becomes active.
        contract = Contract.objects.get(tender=tender)
        assert contract.value == bid.price and contract.provider == w.org_a
        milestones = list(contract.milestones.order_by("sequence"))
        assert sum(m.amount for m in milestones) == contract.value
        client.logout()
        _login(client, w.procurement_x)
        client.post(reverse("contracts:contract_action", args=[contract.pk, "send"]))
        client.post(reverse("contracts:contract_action", args=[contract.pk, "sign"]))
        client.logout()
        _login(client, w.member_a)
        client.post(reverse("contracts:contract_action", args=[contract.pk, "sign"]))
        contract.refresh_from_db()
        assert contract.status == Contract.Status.ACTIVE
        assert contract.provider_signed_ip == "127.0.0.1"

        # 7. For each milestone: the provider submits evidence, the office accepts it, the payment is recorded.
        for milestone in milestones:
            client.logout()
            _login(client, w.member_a)
            client.post(reverse("contracts:contract_action", args=[contract.pk, "evidence"]),
                        {"milestone": milestone.pk, "report": "服务记录、签到表和照片已上传。"})
            client.logout()
            _login(client, w.procurement_x)
            client.post(reverse("contracts:contract_action", args=[contract.pk, "accept"]), {"milestone": milestone.pk})
            payment = Payment.objects.get(milestone=milestone)
            client.post(reverse("contracts:contract_action", args=[contract.pk, "pay_offline"]),
                        {"payment": payment.pk, "reference": f"ZZ2026{milestone.sequence:04d}"})
            milestone.refresh_from_db()
            assert milestone.status == Milestone.Status.PAID
        contract.refresh_from_db()
        assert contract.status == Contract.Status.COMPLETED

        # 8. Both parties review. The first review stays hidden until the second arrives.
        scores_office = {f"score_{c}": "5" for c in ("quality", "timeliness", "compliance", "communication")}
        scores_office["score_satisfaction"] = "4"
        response = client.post(reverse("ratings:review_form", args=[contract.pk]),
                               {**scores_office, "comment": "服务扎实，老人满意。"})
        assert response.status_code == 302
        assert "服务扎实" not in client.get(f"/providers/{w.org_a.pk}/").content.decode()
        client.logout()
        _login(client, w.member_a)
        scores_provider = {f"score_{c}": "4" for c in ("policy_support", "funding", "guidance", "requirements",
                                                        "fair_acceptance")}
        response = client.post(reverse("ratings:review_form", args=[contract.pk]),
                               {**scores_provider, "comment": "付款及时。"})
        assert response.status_code == 302
        assert Review.objects.filter(status=Review.Status.PUBLISHED).count() == 2

    # 9. The public sees the provider's rating, its count and the review.
    client.logout()
    profile = client.get(f"/providers/{w.org_a.pk}/").content.decode()
    w.org_a.refresh_from_db()
    assert w.org_a.rating_count == 1 and w.org_a.contracts_completed == 1
    assert f"{w.org_a.rating_score:.2f}" in profile
    assert "服务扎实，老人满意。" in profile
    assert re.search(r"1\s*条评价|from 1 review", profile)
    english = client.get(f"/en/providers/{w.org_a.pk}/").content.decode()
    assert "from 1 review" in english
    # Every step left its audit trail.
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"tender.publish", "bid.submit", "tender.close", "tender.award", "contract.activate",
            "payment.succeed", "review.publish"} <= verbs
