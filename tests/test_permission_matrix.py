"""The permission matrix: every URL pattern of the project, for every role, with its expected status.

`ROWS` has one entry per URL pattern name (and, for the one-POST-per-action patterns, one per action).
`test_every_url_pattern_has_a_row` walks the project's URL resolver and fails when a pattern exists
without its row (or a row without its pattern), so a new URL cannot be added without deciding who may
open it. Parts that are not ours to decide are skipped explicitly, with the reason, in `SKIPPED_PREFIXES`.

The requests use real ids from the `world` fixture plus a tender, bids, a contract and a purchase list
made through the services. POST rows send data that the permitted roles get refused *for a domain
reason* (a missing reason, a finished state), so the matrix changes nothing while proving that the
permission check let them through: 400/409 mean "allowed, but not like this"; 403/404 mean "not yours".
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from bids import services as bid_services
from bids.models import Tender
from catalogue.models import OfficePurchaseListsPage, PurchaseLine, PurchaseListPage
from contracts import services as contract_services
from marketplace import services as marketplace_services
from marketplace.models import Membership
from tests.factories import OrganisationFactory

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)
DEADLINE = dt.datetime(2026, 3, 12, 10, 0, tzinfo=SH)

ROLES = ("anonymous", "member_a", "member_b", "procurement_x", "procurement_y", "evaluator_x", "head_x", "operator")
STAFF_X = ("procurement_x", "evaluator_x", "head_x")

# Route prefixes (as written in config/urls.py) that this matrix does not cover, and why.
SKIPPED_PREFIXES = {
    "admin/": "the Wagtail admin checks its own page and collection permissions (tests/catalogue cover the "
              "offices' purchase lists there)",
    "django-admin/": "the Django admin admits only is_staff users, none of the roles here",
    "accounts/": "django-allauth's own pages; tests/marketplace/test_accounts.py covers sign-up, sign-in, reset "
                 "and the two-factor rule",
    "documents/": "Wagtail documents, served under Wagtail's collection privacy; no private documents exist",
}
SKIPPED_NAMES = {
    "wagtail_serve": "Wagtail's catch-all page route: every public page of the CMS tree, not one URL",
}


def expect(default: int, **overrides: int) -> dict[str, int]:
    unknown = set(overrides) - set(ROLES)
    assert not unknown, unknown
    return {role: overrides.get(role, default) for role in ROLES}


PUBLIC = expect(200)
# The contract's parties: the provider's member, the office's procurement officer and head; operators oversee.
CONTRACT_SIDES = ("member_a", "procurement_x", "head_x", "operator")
SIGNED_IN = expect(200, anonymous=302)


def only(status: int, roles, *, others: int, anonymous: int = 302) -> dict[str, int]:
    return {role: (anonymous if role == "anonymous" else status if role in roles else others) for role in ROLES}


@dataclass
class Row:
    url: Any  # ctx -> path
    expected: dict[str, int]
    method: str = "get"
    data: Any = field(default_factory=dict)  # dict, or ctx -> dict


def fmt(name, *args):
    return lambda c: name.format(*[a(c) if callable(a) else a for a in args])


def pk(attr):
    return lambda c: getattr(c, attr).pk


ROWS: dict[str, Row | dict[str, Row]] = {
    # --- Site-wide -----------------------------------------------------------------------------------
    "healthz": Row("/healthz", PUBLIC),
    "set_language": Row("/i18n/setlang/", expect(302), method="post", data={"language": "zh-hans", "next": "/"}),
    "wagtailcore_login": Row("/_util/login/", expect(302)),  # leads to allauth's sign-in (one way in)
    "wagtailcore_authenticate_with_password": Row(fmt("/_util/authenticate_with_password/999999/{}/",
                                                      lambda c: c.purchase_list.pk), expect(404)),
    # --- Marketplace: public directory ---------------------------------------------------------------
    "marketplace:provider_list": Row("/providers/", PUBLIC),
    "marketplace:provider_detail": Row(fmt("/providers/{}/", pk("org_a")), PUBLIC),
    "marketplace:office_list": Row("/offices/", PUBLIC),
    "marketplace:office_detail": Row(fmt("/offices/{}/", pk("office_x")), PUBLIC),
    # --- Marketplace: signed-in work -----------------------------------------------------------------
    "marketplace:dashboard": Row("/dashboard/", SIGNED_IN),
    "marketplace:apply_start": Row("/dashboard/organisations/apply/", SIGNED_IN),
    "marketplace:apply_registered": Row("/dashboard/organisations/apply/registered/", SIGNED_IN),
    "marketplace:apply_filed": Row("/dashboard/organisations/apply/filed/", SIGNED_IN),
    "marketplace:organisation_detail": Row(fmt("/dashboard/organisations/{}/", pk("org_a")),
                                           only(200, ("member_a", "operator"), others=404)),
    "marketplace:organisation_profile": Row(
        fmt("/dashboard/organisations/{}/profile/", pk("org_a")), only(400, ("member_a",), others=404),
        method="post", data=lambda c: {"certificate": SimpleUploadedFile("x.pdf", b"plain text")}),
    # org A is verified, so its admin's resubmission is a conflict; the operator may look but not act for it.
    "marketplace:organisation_resubmit": Row(fmt("/dashboard/organisations/{}/resubmit/", pk("org_a")),
                                             only(409, ("member_a",), others=404), method="post"),
    "marketplace:organisation_certificate": Row(fmt("/dashboard/organisations/{}/certificate/", pk("org_a")),
                                                only(200, ("member_a", "operator"), others=404, anonymous=404)),
    "marketplace:member_invite": Row(fmt("/dashboard/organisations/{}/members/invite/", pk("org_a")),
                                     only(400, ("member_a",), others=404), method="post", data={"email": "bad"}),
    "marketplace:member_role": Row(
        fmt("/dashboard/organisations/{}/members/{}/role/", pk("org_a"), pk("admin_a")),
        {**only(400, ("member_a",), others=404), "operator": 403}, method="post", data={"role": "owner"}),
    "marketplace:member_remove": Row(  # the only admin cannot leave: 409 for her, 403 for the operator
        fmt("/dashboard/organisations/{}/members/{}/remove/", pk("org_a"), pk("admin_a")),
        {**only(409, ("member_a",), others=404), "operator": 403}, method="post"),
    "marketplace:invitation_accept": Row(fmt("/dashboard/invitations/{}/", lambda c: c.invitation), SIGNED_IN),
    "marketplace:operator_queue": Row("/dashboard/operator/queue/",
                                      only(200, ("operator", "procurement_x", "head_x", "procurement_y"), others=403)),
    # A filed organisation of office X that is already verified: its verifiers get 409, everyone else 404.
    "marketplace:operator_verify": Row(fmt("/dashboard/operator/queue/{}/verify/", pk("filed_x")),
                                       only(409, ("operator", "procurement_x", "head_x"), others=404), method="post"),
    "marketplace:operator_reject": Row(fmt("/dashboard/operator/queue/{}/reject/", pk("filed_x")),
                                       only(400, ("operator", "procurement_x", "head_x"), others=404), method="post"),
    "marketplace:operator_organisation": Row(fmt("/dashboard/operator/organisations/{}/", pk("org_a")),
                                             only(200, ("operator",), others=403)),
    "marketplace:operator_organisation_action": {
        action: Row(fmt("/dashboard/operator/organisations/{}/" + action + "/", pk("org_a")),
                    only(status, ("operator",), others=403), method="post")
        for action, status in {"suspend": 400, "reinstate": 409, "remove": 400, "grade": 400}.items()
    },
    # --- Catalogue -----------------------------------------------------------------------------------
    "catalogue:search": Row("/search/?q=养老", PUBLIC),
    "catalogue:catalogue_print": Row("/catalogue/print.pdf", PUBLIC),
    "catalogue:purchase_list_print": Row(fmt("/catalogue/lists/{}/print.pdf", pk("purchase_list")), PUBLIC),
    # --- Tenders and bids ----------------------------------------------------------------------------
    "bids:tender_list": Row("/tenders/", PUBLIC),
    "bids:tender_feed": Row("/tenders/feed/", PUBLIC),
    "bids:tender_detail": Row(fmt("/tenders/{}/", pk("tender")), PUBLIC),
    "bids:award_list": Row("/awards/", PUBLIC),
    # Members may ask (an empty question is refused with a message on the tender page); staff have no organisation.
    "bids:clarification_ask": Row(fmt("/tenders/{}/questions/", pk("tender")),
                                  only(302, ("member_a", "member_b"), others=404), method="post"),
    # member_a's bid is still sealed (not opened), so it is no bidder that may object yet: 403.
    "bids:objection_lodge": Row(fmt("/tenders/{}/objections/", pk("tender")),
                                only(403, ("member_a",), others=404), method="post",
                                data=lambda c: {"organisation": c.org_a.pk}),
    "bids:bid_edit": Row(fmt("/tenders/{}/bid/", pk("tender")), SIGNED_IN),
    "bids:tender_document": Row(fmt("/tenders/{}/document.pdf", pk("tender")), PUBLIC),
    # No objection exists in this world (tests/bids/test_objections.py covers who may open a real one's document).
    "bids:objection_document": Row("/objections/999999/document/", only(404, (), others=404)),
    # No award is proposed yet: the notice is 'not found' for everyone (tests/bids/test_reports.py covers after).
    "bids:award_notice_pdf": Row(fmt("/tenders/{}/award.pdf", pk("tender")), expect(404)),
    # Sealed: org B's file is its members' only (after opening: tests/bids/test_documents.py).
    "bids:bid_attachment": Row(fmt("/bids/files/{}/", pk("attachment_b")), only(200, ("member_b",), others=404)),
    "bids:bid_attachment_remove": Row(fmt("/bids/files/{}/remove/", pk("attachment_b")),
                                      only(409, ("member_b",), others=404), method="post"),
    "bids:bid_receipt": Row(fmt("/bids/{}/receipt/", pk("bid_b")), only(200, ("member_b",), others=404)),
    "bids:bid_receipt_pdf": Row(fmt("/bids/{}/receipt.pdf", pk("bid_b")), only(200, ("member_b",), others=404)),
    "bids:bid_withdraw": Row(fmt("/bids/{}/withdraw/", pk("withdrawn_bid_a")),
                             only(409, ("member_a",), others=404), method="post"),
    "bids:office_tender_list": Row("/dashboard/tenders/", SIGNED_IN),
    "bids:office_tender": Row(fmt("/dashboard/tenders/{}/", pk("tender")), only(200, STAFF_X, others=404)),
    # Not evaluated yet: nobody's (tests/bids/test_reports.py covers the office and the declared panel after).
    "bids:evaluation_report_pdf": Row(fmt("/dashboard/tenders/{}/evaluation-report.pdf", pk("tender")),
                                      only(404, (), others=404)),
    "bids:office_tender_action": {
        action: Row(fmt("/dashboard/tenders/{}/" + action + "/", pk("tender")), only(status, STAFF_X, others=404)
                    if isinstance(status, int) else {**only(0, STAFF_X, others=404), **status}, method="post")
        for action, status in {
            # Before the deadline nothing can be evaluated, scored or awarded: 409 for whoever may try.
            # Procurement actions are 'not found' for an evaluator; declaring is for panel members only.
            "evaluate": {"procurement_x": 409, "head_x": 409, "evaluator_x": 404},
            "qualify": 404,  # no bid id given
            "disqualify": 404,
            "award": {"procurement_x": 404, "head_x": 409, "evaluator_x": 404},
            "cancel": {"procurement_x": 400, "head_x": 400, "evaluator_x": 404},
            "panel": 404,  # no evaluator given
            "declare": {"procurement_x": 404, "head_x": 404, "evaluator_x": 404},
            "score": 404,
            "answer": 404,  # no clarification given
            "uphold": 404,  # no objection given
            "reject_objection": 404,
        }.items()
    },
    # --- Contracts and reviews -----------------------------------------------------------------------
    "contracts:contract_public": Row(fmt("/contracts/{}/", pk("contract")), PUBLIC),
    "contracts:contract_list": Row("/dashboard/contracts/", SIGNED_IN),
    "contracts:contract_work": Row(fmt("/dashboard/contracts/{}/", pk("contract")),
                                   only(200, CONTRACT_SIDES, others=404)),
    "contracts:contract_document": Row(fmt("/dashboard/contracts/{}/documents/1.pdf", pk("contract")),
                                       expect(404, anonymous=302)),  # no document generated in this world
    # The plan is the office's, and only while a draft: the active contract's plan is refused with a message (302).
    "contracts:contract_plan": Row(fmt("/dashboard/contracts/{}/plan/", pk("contract")),
                                   only(302, ("procurement_x", "head_x"), others=404), method="post"),
    "contracts:contract_variation_new": Row(fmt("/dashboard/contracts/{}/variations/new/", pk("contract")),
                                            only(200, ("member_a", "procurement_x", "head_x"), others=404)),
    # Org A's evidence file for the contract's last milestone: the parties and operators, never anyone else.
    "contracts:evidence_file": Row(fmt("/dashboard/contracts/{}/evidence/{}/", pk("contract"), pk("evidence_file")),
                                   only(200, CONTRACT_SIDES, others=404)),
    "contracts:contract_action": {
        action: Row(fmt("/dashboard/contracts/{}/" + action + "/", pk("contract")),
                    {**only(0, CONTRACT_SIDES, others=404), **status}, method="post")
        for action, status in {
            # The contract is active: sending and signing are over (the 409 comes back as a message on the
            # contract page, 302); sending is the office's; operators may only terminate. No milestone or payment
            # id is given, so those actions are 404 for everyone. Terminating is the head's or an operator's (403
            # for the other parties); without a reason it is refused with a message (302).
            "send": {"member_a": 404, "procurement_x": 302, "head_x": 302, "operator": 404},
            "recall": {"member_a": 404, "procurement_x": 302, "head_x": 302, "operator": 404},
            "sign": {"member_a": 302, "procurement_x": 302, "head_x": 302, "operator": 404},
            "evidence": {"member_a": 404, "procurement_x": 404, "head_x": 404, "operator": 404},
            "accept": {"member_a": 404, "procurement_x": 404, "head_x": 404, "operator": 404},
            "reject": {"member_a": 404, "procurement_x": 404, "head_x": 404, "operator": 404},
            "pay_offline": {"member_a": 404, "procurement_x": 404, "head_x": 404, "operator": 404},
            "terminate": {"member_a": 403, "procurement_x": 403, "head_x": 302, "operator": 302},
            # No variation id is given: 404 for every side (tests/contracts/test_variations.py covers the sides).
            **{action: dict.fromkeys(CONTRACT_SIDES, 404)
               for action in ("variation_accept", "variation_reject", "variation_withdraw")},
        }.items()
    },
    # Payments. Stripe is off in this world: the office's online payment is refused with a message (302), the
    # provider's admin is told there is no payout account to set up (302). Refunds are the operators' (this one
    # is refused with a message: no reason given). The webhook answers 400 to anything unsigned.
    "contracts:payment_pay": Row(fmt("/dashboard/payments/{}/pay/", pk("payment")),
                                 only(302, ("procurement_x", "head_x"), others=404), method="post",
                                 data={"payment_method": "pm_card_visa"}),
    "contracts:payment_refund": Row(fmt("/dashboard/payments/{}/refund/", pk("payment")),
                                    only(302, ("operator",), others=403), method="post"),
    "contracts:payout_onboard": Row(fmt("/dashboard/payouts/{}/onboard/", pk("org_a")),
                                    only(302, ("member_a",), others=404), method="post"),
    "contracts:payout_return": Row(fmt("/dashboard/payouts/{}/return/", pk("org_a")),
                                   only(302, ("member_a",), others=404)),
    "contracts:stripe_webhook": Row("/stripe/webhook/", expect(400), method="post"),
    "ratings:review_form": Row(fmt("/dashboard/contracts/{}/review/", pk("contract")),
                               only(200, ("member_a", "procurement_x", "head_x"), others=404)),
    # No review is published and no resident rating exists in this world: replies and reports find nothing (404)
    # once signed in (tests/ratings cover who may reply and report). The contract is active, so a resident's page
    # opens and explains that only completed services are rated. Hiding, dismissing and flags are operators'.
    "ratings:review_reply": Row("/dashboard/reviews/999999/reply/", expect(404, anonymous=302), method="post"),
    "ratings:review_report": Row("/reviews/999999/report/", expect(404, anonymous=302), method="post"),
    "ratings:resident_rate": Row(fmt("/contracts/{}/resident-rating/", pk("contract")), SIGNED_IN),
    "ratings:resident_report": Row("/resident-ratings/999999/report/", expect(404, anonymous=302), method="post"),
    "ratings:operator_queue": Row("/dashboard/operator/ratings/", only(200, ("operator",), others=403)),
    "ratings:operator_review_hide": Row("/dashboard/operator/ratings/reviews/999999/hide/",
                                        only(404, ("operator",), others=403), method="post"),
    "ratings:operator_resident_hide": Row("/dashboard/operator/ratings/resident-ratings/999999/hide/",
                                          only(404, ("operator",), others=403), method="post"),
    "ratings:operator_report_dismiss": Row("/dashboard/operator/ratings/reports/999999/dismiss/",
                                           only(404, ("operator",), others=403), method="post"),
    "ratings:operator_flag_close": Row("/dashboard/operator/ratings/flags/999999/close/",
                                       only(404, ("operator",), others=403), method="post"),
}


# --- Walking the resolver ------------------------------------------------------------------------------


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield route.lstrip("^"), name, pattern


def project_patterns() -> dict[str, URLPattern]:
    """Every URL pattern outside the skipped areas, by name. An unnamed one cannot have a row: it fails."""
    found, unnamed = {}, []
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(tuple(SKIPPED_PREFIXES)) or name in SKIPPED_NAMES:
            continue
        if not name:
            unnamed.append(route)
            continue
        found[name] = pattern
    assert not unnamed, f"URL patterns without a name cannot get a matrix row: {unnamed}"
    return found


def _actions(pattern: URLPattern) -> set[str] | None:
    match = re.search(r"\(\?P<action>([^)]*)\)", str(pattern.pattern))
    return set(match.group(1).split("|")) if match else None


def matrix_gaps(patterns: dict[str, URLPattern], rows: dict) -> list[str]:
    problems = [f"URL pattern without a row in the permission matrix: {n}" for n in sorted(set(patterns) - set(rows))]
    problems += [f"Matrix row without a URL pattern: {n}" for n in sorted(set(rows) - set(patterns))]
    for name, pattern in patterns.items():
        actions = _actions(pattern)
        if actions is None or name not in rows:
            continue
        if not isinstance(rows[name], dict):
            problems.append(f"{name} takes an action: give one row per action")
        elif set(rows[name]) != actions:
            problems.append(f"{name}: actions {sorted(actions)} but rows for {sorted(rows[name])}")
    return problems


def test_every_url_pattern_has_a_row():
    problems = matrix_gaps(project_patterns(), ROWS)
    assert not problems, "\n".join(problems)


def test_a_pattern_without_its_row_is_caught():
    patterns = project_patterns()
    rows = {k: v for k, v in ROWS.items() if k != "marketplace:operator_queue"}
    assert matrix_gaps(patterns, rows) == [
        "URL pattern without a row in the permission matrix: marketplace:operator_queue"]
    rows = {**ROWS, "bids:office_tender_action": {k: v for k, v in ROWS["bids:office_tender_action"].items()
                                                  if k != "cancel"}}
    assert len(matrix_gaps(patterns, rows)) == 1


# --- The world the requests run against ------------------------------------------------------------------


@dataclass
class Context:
    world: Any
    org_a: Any
    office_x: Any
    admin_a: Membership
    filed_x: Any
    invitation: str
    tender: Tender
    bid_b: Any
    withdrawn_bid_a: Any
    contract: Any
    purchase_list: PurchaseListPage
    evidence_file: Any = None
    attachment_b: Any = None
    payment: Any = None


def build_context(world) -> Context:
    w = world
    pdf = SimpleUploadedFile("certificate.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
    marketplace_services.organisation_update_profile(
        actor=w.member_a, organisation=w.org_a, description="持证社工12名。", contact_phone="0571-1",
        categories=[w.category], certificate=pdf)
    filed_x = OrganisationFactory(filed=True, home_office=w.office_x, name="长河银龄志愿队")
    invitation = marketplace_services.membership_invite(actor=w.member_a, organisation=w.org_a,
                                                        email="invitee@example.cn")
    # A published tender of office X with org B's sealed bid and a bid org A withdrew.
    tender = Tender.objects.create(office=w.office_x, category=w.category, service_item=w.item, title="居家养老上门服务",
                                   budget_ceiling=Decimal("120000.00"), allow_filed=False)
    bid_services.tender_update(actor=w.procurement_x, tender=tender,
                               clarification_deadline=dt.datetime(2026, 3, 5, 17, 0, tzinfo=SH),
                               submission_deadline=DEADLINE)
    bid_services.tender_document_attach(actor=w.procurement_x, tender_id=tender.pk,
                                        document=SimpleUploadedFile("招标文件.pdf", b"%PDF-1.7\n%%EOF\n"))
    tender = bid_services.tender_publish(actor=w.procurement_x, tender=tender)
    draft_b = bid_services.bid_save_draft(actor=w.member_b, tender_id=tender.pk, organisation=w.org_b,
                                          price=Decimal("95000.00"), proposal="方案B")
    attachment_b = bid_services.bid_attachment_add(actor=w.member_b, bid_id=draft_b.pk,
                                                   file=SimpleUploadedFile("方案B.pdf", b"%PDF-1.7\n%%EOF\n"))
    bid_b = bid_services.bid_submit(actor=w.member_b, bid_id=draft_b.pk)
    draft_a = bid_services.bid_save_draft(actor=w.member_a, tender_id=tender.pk, organisation=w.org_a,
                                          price=Decimal("90000.00"), proposal="方案A")
    bid_a = bid_services.bid_submit(actor=w.member_a, bid_id=draft_a.pk)
    withdrawn = bid_services.bid_withdraw(actor=w.member_a, bid_id=bid_a.pk)
    # An active contract between office X and org A, from a second tender's bid.
    other = Tender.objects.create(office=w.office_x, category=w.category, service_item=w.item, title="助餐服务",
                                  budget_ceiling=Decimal("80000.00"), allow_filed=False)
    bid_services.tender_update(actor=w.procurement_x, tender=other,
                               clarification_deadline=dt.datetime(2026, 3, 5, 17, 0, tzinfo=SH),
                               submission_deadline=DEADLINE)
    other = bid_services.tender_publish(actor=w.procurement_x, tender=other)
    draft = bid_services.bid_save_draft(actor=w.member_a, tender_id=other.pk, organisation=w.org_a,
                                        price=Decimal("70000.00"), proposal="助餐方案")
    contract = contract_services.contract_create_from_award(tender=other, bid=draft)
    contract_services.contract_send_for_signature(actor=w.procurement_x, contract_id=contract.pk)
    contract_services.contract_sign(actor=w.procurement_x, contract_id=contract.pk, ip="127.0.0.1")
    contract = contract_services.contract_sign(actor=w.member_a, contract_id=contract.pk, ip="127.0.0.1")
    last = contract.milestones.order_by("-sequence").first()
    contract_services.milestone_submit_evidence(
        actor=w.member_a, milestone_id=last.pk, report="签到表",
        files=[SimpleUploadedFile("sign-in.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")])
    evidence_file = last.evidence_files.get()
    # The first milestone is accepted: its payment is pending. Stripe is off here, so paying online is refused.
    first = contract.milestones.order_by("sequence").first()
    contract_services.milestone_submit_evidence(actor=w.member_a, milestone_id=first.pk, report="服务记录")
    contract_services.milestone_accept(actor=w.procurement_x, milestone_id=first.pk)
    # A published purchase list of office X.
    folder = OfficePurchaseListsPage.objects.get(office=w.office_x)
    purchase_list = PurchaseListPage(title="2026年度长河街道购买服务清单", slug="changhe-2026", year=2026,
                                     office=w.office_x)
    purchase_list.lines = [PurchaseLine(item=w.item, title="居家养老上门服务", quantity=10,
                                        budget=Decimal("12000.00"), planned_month=3)]
    folder.add_child(instance=purchase_list)
    purchase_list.save_revision().publish()
    return Context(world=w, org_a=w.org_a, office_x=w.office_x,
                   admin_a=Membership.objects.get(organisation=w.org_a, user=w.member_a), filed_x=filed_x,
                   invitation=invitation, tender=tender, bid_b=bid_b, withdrawn_bid_a=withdrawn, contract=contract,
                   purchase_list=purchase_list, evidence_file=evidence_file, attachment_b=attachment_b, payment=first.payment)


def _rows():
    for name, row in ROWS.items():
        if isinstance(row, dict):
            for action, sub in row.items():
                yield f"{name}[{action}]", sub
        else:
            yield name, row


# One test per role, so that pytest-xdist can spread the matrix over the cores.
@pytest.mark.django_db
@pytest.mark.usefixtures("live_heartbeats")
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, role):
    with time_machine.travel(MONDAY, tick=True):
        ctx = build_context(world)
        mismatches = []
        if role != "anonymous":
            client.force_login(getattr(world, role))
        for label, row in _rows():
            url = row.url(ctx) if callable(row.url) else row.url
            data = row.data(ctx) if callable(row.data) else row.data
            response = getattr(client, row.method)(url, data)
            if response.status_code != row.expected[role]:
                mismatches.append(f"{label:50} {role:14} {row.method.upper():4} {url}: "
                                  f"got {response.status_code}, expected {row.expected[role]}")
    assert not mismatches, "\n" + "\n".join(mismatches)
