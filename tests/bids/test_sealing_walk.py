"""The sealing walk: every role through every GET path of the project, looking for a sealed bid's price and proposal.

A tender carries member A's sealed bid, whose price and proposal are unique markers, and an earlier version of it
(replaced, so never opened) with markers of its own. Every URL pattern of the project is taken from the URL
resolver (as the permission matrix does) and filled with the world's ids: our pages, the Django admin (changelists,
change views and history of every registered model), the Wagtail admin (search, reports, listings), the Atom feed,
PDFs (read with pdftotext) and the audit log. Before the deadline only member A's members may see the markers.
After the deadline (the task closes and opens the tender) the panel member who declared no conflict sees the
opened bid; the one who did not declare still sees nothing, and the replaced version stays sealed for everyone.

A pattern whose parameters cannot be filled fails the walk, unless `SKIPPED` says why it cannot show a bid.
"""

import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib import admin as django_admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver
from django.utils import timezone, translation
from wagtail.models import Page

from bids import services as bid_services
from bids import tasks as bid_tasks
from bids.models import Bid, BidAttachment, Tender
from marketplace import policy
from marketplace import services as marketplace_services
from marketplace.models import AuditEvent, Membership, OfficeStaff
from tests.conftest import give_totp, verified_email
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.test_permission_matrix import DEADLINE, MONDAY, _walk, build_context

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("live_heartbeats")]

PRICE, PROPOSAL = Decimal("87654.32"), "SEALED-MARKER-5c1e9a 我方服务方案"
OLD_PRICE, OLD_PROPOSAL = Decimal("76543.21"), "REPLACED-MARKER-0b7d44 旧版方案"
SEALED_MARKERS = ("87654.32", "87,654.32", "87654", "SEALED-MARKER-5c1e9a", "SEALED-RESPONSE-5c1e9a",
                  "SEALED-FILE-5c1e9a", "SEALED-CONTENT-5c1e9a")
REPLACED_MARKERS = ("76543.21", "76,543.21", "76543", "REPLACED-MARKER-0b7d44", "REPLACED-RESPONSE-0b7d44",
                    "REPLACED-FILE-0b7d44", "REPLACED-CONTENT-0b7d44")
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"

ROLES = ("anonymous", "member_a", "member_b", "procurement_x", "procurement_y", "evaluator_x", "evaluator_2",
         "head_x", "operator", "editor")

# Patterns (by route, as the resolver writes them) that the walk does not fill, and why none can show a bid.
SKIPPED = {
    r"^accounts/": "django-allauth's pages: sign-in, sign-up and tokens of the person's own account; no bid data",
    r"^admin/password_reset/confirm/": "a password-reset token of the person's own account",
    r"^admin/(images|documents)/": "one Wagtail image or document of the CMS; bids are neither, and bid files are "
                                   "private uploads served only by bids' permission-checked views",
    r"^documents/": "Wagtail documents, served under Wagtail's collection privacy; bid files are not documents",
    r"^admin/(users|groups)/": "one Wagtail user account or group; the bid is no user and no user page shows bids",
    r"^admin/(collections|workflows|sites|redirects)/": "one Wagtail collection, workflow, task, site or redirect; "
                                                        "none refers to a bid",
    r"^admin/editing-sessions/": "Wagtail's edit-lock pings (POST, by session id), for pages and snippets only",
    r"^admin/settings/<slug:app_name>/<slug:model_name>/<int:pk>/": "one site-settings object by id; the walk "
                                                                    "opens each settings model's own edit page",
    r"^admin/api/main/\^pages/<int:pk>/action/": "page actions of Wagtail's admin API (POST, CMS pages only)",
    r"^admin/failwhale/$": "Wagtail's deliberate error page (it raises to test error reporting)",
    r"^admin/pages/workflow/": "a page's workflow task state by id; bids are not pages",
    r"^admin/pages/<int:page_id>/revisions/<int:revision_id>/": "one page revision; bids are not pages",
    r"^admin/pages/<int:page_id>/workflow_history/detail/": "one page workflow state; bids are not pages",
    r"^admin/pages/<int:page_to_move_id>/move/<int:destination_id>/": "moving a page under another page",
    r"^admin/images/chooser/": "Wagtail's image chooser by image id",
    r"^django-admin/\(\?P<url>": "the Django admin's catch-all for unknown admin URLs (a redirect or a 404)",
    r"^_util/authenticate_with_password/": "the password form of a private CMS page (bids are not pages)",
}

# Extra requests with a query string: searches and filters that could be used to probe a sealed value. The echo of
# the query is no leak, so only markers that are not part of the query are looked for.
PROBES = (
    "/django-admin/bids/bid/?q=87654", "/django-admin/bids/bid/?q=SEALED-MARKER",
    "/django-admin/bids/bid/?price=87654.32", "/django-admin/bids/bid/?o=5",
    "/django-admin/marketplace/auditevent/?q=87654", "/django-admin/marketplace/auditevent/?q=SEALED-MARKER",
    "/admin/search/?q=87654", "/admin/search/?q=SEALED-MARKER", "/admin/pages/search/?q=SEALED-MARKER",
    "/search/?q=SEALED-MARKER", "/search/?q=87654", "/tenders/?q=SEALED-MARKER", "/en/tenders/feed/",
)


@dataclass
class Walk:
    ctx: Any
    tender: Tender  # comprehensive scoring with one criterion, so bids carry responses and files
    bid: Bid | None  # member A's sealed bid (markers SEALED_*), once submitted
    replaced: Bid | None  # its earlier version, replaced before the deadline (markers REPLACED_*)
    home: Page
    users: dict
    submit: Any = None  # submits the bids (see _build)

    @property
    def sealed_markers(self) -> tuple[str, ...]:
        """The sealed bid's markers, its receipt digest and nonce included (the bidder's alone until opening)."""
        return SEALED_MARKERS + _commitment(self.bid)

    @property
    def replaced_markers(self) -> tuple[str, ...]:
        return REPLACED_MARKERS + _commitment(self.replaced)


def _commitment(bid: Bid | None) -> tuple[str, ...]:
    if bid is None:
        return ()
    bid.refresh_from_db()
    return tuple(v for v in (bid.receipt_digest, getattr(bid, "receipt_nonce", "")) if v)


# Bidder C takes part in the walk's tender only: where its name shows after it bid, and not before, is where a
# bidder's identity leaks. No role of the walk belongs to it.
BIDDER_C = "BIDDER-C-3f9d2a 社区服务社"
BIDDER_C_EMAIL = "bidder-c-3f9d2a@example.cn"
NAME_MARKERS = (BIDDER_C, BIDDER_C_EMAIL)


def _build(world, *, bids: bool = True) -> Walk:
    """The walk's world; with `bids=False` the tender is open but no bid is in yet (call `w.submit()`)."""
    ctx = build_context(world)
    tender = Tender.objects.create(office=world.office_x, category=world.category, service_item=world.item,
                                   title="社区助老综合服务", budget_ceiling=Decimal("120000.00"), allow_filed=False)
    bid_services.criteria_set(actor=world.procurement_x, tender_id=tender.pk, price_weight=70,
                              criteria=[("服务方案", 30)])
    bid_services.tender_update(actor=world.procurement_x, tender=tender, submission_deadline=DEADLINE,
                               clarification_deadline=DEADLINE - dt.timedelta(days=6))
    tender = bid_services.tender_publish(actor=world.procurement_x, tender=tender)
    criterion = tender.criteria.get()
    evaluator_2 = UserFactory(email="evaluator_2@example.cn")
    marketplace_services.office_staff_add(actor=world.operator, office=world.office_x, user=evaluator_2,
                                          role=OfficeStaff.Role.EVALUATOR)
    verified_email(evaluator_2)
    give_totp(evaluator_2)
    for evaluator in (world.evaluator_x, evaluator_2):
        bid_services.panel_add(actor=world.procurement_x, tender_id=tender.pk, evaluator=evaluator)
    # Platform operators are the Django admin's staff; the Wagtail editor is a CMS superuser without it.
    world.operator.is_staff = world.operator.is_superuser = True
    world.operator.save(update_fields=["is_staff", "is_superuser"])
    editor = UserFactory(email="editor@example.cn", is_superuser=True)
    verified_email(editor)

    def submit(user, org, price, proposal, word, suffix, *, with_file=True):
        draft = bid_services.bid_save_draft(actor=user, tender_id=tender.pk, organisation=org, price=price,
                                            proposal=proposal, responses={criterion.pk: f"{word}-RESPONSE-{suffix} 承诺"})
        for copied in draft.attachments.all():  # a new version starts from the files of the one it replaces
            bid_services.bid_attachment_remove(actor=user, bid_id=draft.pk, attachment_id=copied.pk)
        if with_file:
            upload = SimpleUploadedFile(f"{word}-FILE-{suffix}.pdf", PDF + f"{word}-CONTENT-{suffix}".encode(),
                                        content_type="application/pdf")
            bid_services.bid_attachment_add(actor=user, bid_id=draft.pk, file=upload)
        return bid_services.bid_submit(actor=user, bid_id=draft.pk)

    org_c = OrganisationFactory(name=BIDDER_C, categories=[world.category])
    member_c = MembershipFactory(organisation=org_c, user__email=BIDDER_C_EMAIL).user
    users = {role: getattr(world, role) for role in ROLES if hasattr(world, role)}
    users.update(anonymous=None, evaluator_2=evaluator_2, editor=editor)
    w = Walk(ctx=ctx, tender=tender, bid=None, replaced=None, home=Page.objects.get(depth=2), users=users)

    def submit_all():
        submit(world.member_b, world.org_b, Decimal("95000.00"), "方案B", "ORG-B", "000000", with_file=False)
        submit(member_c, org_c, Decimal("99000.00"), "方案C", "ORG-C", "000000", with_file=False)
        replaced = submit(world.member_a, world.org_a, OLD_PRICE, OLD_PROPOSAL, "REPLACED", "0b7d44")
        bid = submit(world.member_a, world.org_a, PRICE, PROPOSAL, "SEALED", "5c1e9a")
        replaced.refresh_from_db()
        assert (replaced.status, bid.status) == (Bid.Status.SUPERSEDED, Bid.Status.SUBMITTED)
        assert bid.responses.get().text.startswith("SEALED-RESPONSE") and bid.attachments.count() == 1
        w.bid, w.replaced = bid, replaced

    w.submit = submit_all
    if bids:
        w.submit()
    return w


# --- Filling the URL patterns -------------------------------------------------------------------------------

PARAM = re.compile(r"(?<!\?P)<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _regex_params(route: str) -> list[tuple[int, int, str, str]]:
    """The named groups of a regex route: (start, end, name, body), nested parentheses included."""
    found = []
    for match in re.finditer(r"\(\?P<(\w+)>", route):
        depth, i = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(route[i], 0) if route[i - 1] != "\\" else 0
            i += 1
        found.append((match.start(), i, match.group(1), route[match.end():i - 1]))
    return found


def params_of(route: str) -> list[str]:
    return [m.group("name") for m in PARAM.finditer(route)] + [name for *_x, name, _b in _regex_params(route)]


def substitute(route: str, values: dict[str, Any]) -> str:
    for start, end, name, _body in reversed(_regex_params(route)):
        route = route[:start] + str(values[name]) + route[end:]
    route = PARAM.sub(lambda m: str(values[m.group("name")]), route)
    return "/" + route.replace("^", "").replace("$", "").replace("\\.", ".")


def _choices(route: str, name: str) -> list[str]:
    """The alternatives of a regex group like (?P<action>send|sign)."""
    body = next(body for *_x, n, body in _regex_params(route) if n == name)
    return body.split("|")


def _admin_model_objects(app_label: str, model_name: str, w: Walk) -> list:
    """Object ids for a Django admin model's change, history and delete views."""
    if (app_label, model_name) in (("bids", "bid"), ("bids", "tender")):
        return list(apps.get_model(app_label, model_name).objects.values_list("pk", flat=True))
    if (app_label, model_name) == ("marketplace", "auditevent"):
        types = ContentType.objects.get_for_models(Bid, Tender).values()
        return list(AuditEvent.objects.filter(content_type__in=types).values_list("pk", flat=True))
    model = apps.get_model(app_label, model_name)
    first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return [first if first is not None else 0]


def _first(app_label: str, model_name: str) -> int:
    """The first object of another app's model, or an id that does not exist when the world has none."""
    pk = apps.get_model(app_label, model_name).objects.order_by("pk").values_list("pk", flat=True).first()
    return pk or 0


def _our_values(name: str, route: str, w: Walk) -> list[dict] | None:
    """Path parameters of the project's own pages, by URL name. POST-only pages answer a GET with 405."""
    own = [b.pk if b is not None else 0 for b in (w.bid, w.replaced)]  # 0 (not found) before the bids are in
    c, bids = w.ctx, [*own, w.ctx.bid_b.pk]
    org, tender, contract = {"pk": c.org_a.pk}, {"pk": w.tender.pk}, {"pk": c.contract.pk}
    files = [{"pk": pk} for pk in BidAttachment.objects.values_list("pk", flat=True)]
    by_name = {
        "marketplace:provider_detail": [org],
        "marketplace:office_detail": [{"pk": c.office_x.pk}],
        "marketplace:organisation_detail": [org],
        "marketplace:organisation_profile": [org],
        "marketplace:organisation_resubmit": [org],
        "marketplace:organisation_certificate": [org],
        "marketplace:member_invite": [org],
        "marketplace:member_role": [{**org, "membership_pk": c.admin_a.pk}],
        "marketplace:member_remove": [{**org, "membership_pk": c.admin_a.pk}],
        "marketplace:invitation_accept": [{"token": c.invitation}],
        "marketplace:operator_verify": [{"pk": c.filed_x.pk}],
        "marketplace:operator_reject": [{"pk": c.filed_x.pk}],
        "marketplace:operator_organisation": [org],
        "marketplace:operator_organisation_action": [org],
        "catalogue:purchase_list_print": [{"page_id": c.purchase_list.pk}],
        "bids:tender_detail": [tender],
        "bids:clarification_ask": [tender],
        "bids:objection_lodge": [tender],
        "bids:bid_edit": [tender],
        "bids:office_tender": [tender],
        "bids:office_tender_action": [tender],
        "bids:bid_receipt": [{"pk": pk} for pk in bids],
        "bids:bid_receipt_pdf": [{"pk": pk} for pk in bids],
        "bids:bid_withdraw": [{"pk": own[0]}],
        "bids:bid_attachment": files,
        "bids:bid_attachment_remove": files,
        "bids:objection_document": [{"pk": _first("bids", "objection")}],
        "bids:tender_document": [tender],
        "bids:award_notice_pdf": [tender],
        "bids:evaluation_report_pdf": [tender],
        "contracts:contract_public": [contract],
        "contracts:contract_work": [contract],
        "contracts:contract_document": [{**contract, "version": 1}],
        "contracts:contract_action": [contract],
        "contracts:contract_plan": [contract],
        "contracts:contract_variation_new": [contract],
        "contracts:evidence_file": [{**contract, "file_id": _first("contracts", "milestoneevidencefile")}],
        "contracts:payment_pay": [{"pk": _first("contracts", "payment")}],
        "contracts:payment_refund": [{"pk": _first("contracts", "payment")}],
        "contracts:payout_onboard": [{"org": c.org_a.pk}],
        "contracts:payout_return": [{"org": c.org_a.pk}],
        # Reviews and ratings of contracts: none exists in this world (404s), and none can hold a bid's content.
        "ratings:review_form": [contract],
        "ratings:review_reply": [{"pk": _first("ratings", "review")}],
        "ratings:review_report": [{"pk": _first("ratings", "review")}],
        "ratings:resident_rate": [contract],
        "ratings:resident_report": [{"pk": _first("ratings", "residentrating")}],
        "ratings:operator_review_hide": [{"pk": _first("ratings", "review")}],
        "ratings:operator_resident_hide": [{"pk": _first("ratings", "residentrating")}],
        "ratings:operator_report_dismiss": [{"pk": _first("ratings", "report")}],
        "ratings:operator_flag_close": [{"pk": _first("ratings", "lowscoreflag")}],
    }
    values = by_name.get(name)
    if values is not None and "action" in params_of(route):  # one POST endpoint per action
        values = [{**v, "action": a} for v in values for a in _choices(route, "action")]
    return values


def _generic_values(route: str, names: list[str], w: Walk) -> list[dict] | None:
    """The Wagtail admin's parameters by name: the home page, and the bid model where a view takes a model."""
    page = w.home.pk
    known = {"page_id": page, "parent_page_id": page, "page_to_move_id": page, "pk": page,
             "app_label": "bids", "app_name": "bids", "content_type_app_name": "bids",
             "model_name": "bid", "content_type_model_name": "bid",
             "revision_id_a": "earliest", "revision_id_b": "latest", "action": "delete"}
    if route.startswith("admin/settings/"):
        return [{"app_name": "cms", "model_name": m._meta.model_name}
                for m in apps.get_app_config("cms").get_models() if "setting" in m._meta.model_name]
    if route.startswith("admin/") and set(names) <= set(known):
        return [{n: known[n] for n in names}]
    return None


def paths_for(route: str, name: str | None, w: Walk) -> list[str] | None:
    names = params_of(route)
    if name == "wagtail_serve":
        return ["/", w.ctx.purchase_list.url, "/catalogue/"]
    if not names:
        return [substitute(route, {})]
    if route.startswith("django-admin/"):
        rest = route.removeprefix("django-admin/")
        if rest.startswith("r/"):  # "view on site" of the sealed bid
            return [f"/django-admin/r/{ContentType.objects.get_for_model(Bid).pk}/{w.bid.pk if w.bid else 0}/"]
        if names == ["app_label"]:
            return [substitute(route, {"app_label": label}) for label in _choices(route, "app_label")]
        app_label, model_name = rest.split("/")[:2]
        return [substitute(route, dict.fromkeys(names, pk)) for pk in _admin_model_objects(app_label, model_name, w)]
    values = _our_values(name or "", route, w)
    if values is None and route.startswith("admin/"):
        values = _generic_values(route, names, w)
    return None if values is None else [substitute(route, v) for v in values]


def walk_paths(w: Walk) -> tuple[list[str], list[str]]:
    """Every path to request, and the routes that could not be filled (a test failure)."""
    # In the default language whatever the last request left active, so that every walk gets the same paths.
    with translation.override(settings.LANGUAGE_CODE):
        return _walk_paths(w)


def _walk_paths(w: Walk) -> tuple[list[str], list[str]]:
    paths, unfilled = [], []
    for route, name, _pattern in _walk(get_resolver().url_patterns):
        if any(re.search(rule, route) for rule in SKIPPED):
            continue
        filled = paths_for(route, name, w)
        if filled is None:
            unfilled.append(f"{route}  ({name})")
        else:
            paths += filled
    return list(dict.fromkeys(paths)) + list(PROBES), unfilled


# --- Reading what a response shows ----------------------------------------------------------------------------


def shown_text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=body, capture_output=True)
        if result.returncode == 0:
            return result.stdout.decode()
        # Not a PDF pdftotext can read (an uploaded file served as it is): look at its bytes.
    return body.decode("utf-8", errors="replace") + " " + response.get("Content-Disposition", "")


def leaks(text: str, path: str, markers) -> list[str]:
    probe = unquote(path.partition("?")[2])
    return [m for m in markers if m not in probe and m in text]


def run_walk(client, w: Walk, roles, paths) -> tuple[dict, list[str]]:
    """Request every path as every role. Returns {(role, path): markers seen} for both marker sets and bidder C's
    name, and errors."""
    seen, errors = {}, []
    markers = w.sealed_markers + w.replaced_markers + NAME_MARKERS
    client.raise_request_exception = False
    for role in roles:
        client.logout()
        if w.users[role] is not None:
            client.force_login(w.users[role])
        for path in paths:
            response = client.get(path)
            if response.status_code >= 500:
                errors.append(f"{role} GET {path}: {response.status_code}")
                continue
            text = shown_text(response)
            found = leaks(text, path, markers)
            if found:
                seen[(role, path)] = found
    return seen, errors


# --- The walk ------------------------------------------------------------------------------------------------


def test_every_pattern_is_filled_or_skipped_with_a_reason(world):
    with time_machine.travel(MONDAY, tick=False):
        w = _build(world)
        paths, unfilled = walk_paths(w)
    assert not unfilled, "URL patterns the sealing walk cannot fill (fill them, or skip them with a reason):\n" + \
        "\n".join(unfilled)
    # The walk reaches the places a price could leak from.
    for expected in ("/django-admin/bids/bid/", f"/django-admin/bids/bid/{w.bid.pk}/change/",
                     f"/django-admin/bids/bid/{w.bid.pk}/history/", "/django-admin/marketplace/auditevent/",
                     f"/django-admin/bids/tender/{w.tender.pk}/change/", "/admin/reports/site-history/",
                     "/admin/", "/tenders/feed/", f"/bids/{w.bid.pk}/receipt.pdf", "/catalogue/print.pdf"):
        assert expected in paths, expected


def test_a_new_pattern_without_a_filler_fails_the_walk(world):
    with time_machine.travel(MONDAY, tick=False):
        w = _build(world)
    assert paths_for("bids/<int:attachment_id>/file/", "bids:bid_file", w) is None
    assert paths_for("django-admin/bids/bid/<path:object_id>/change/", "admin:bids_bid_change", w)


# The walk is long; it runs in chunks of roles so that pytest-xdist can spread it over the cores.
ROLE_CHUNKS = [ROLES[i:i + 2] for i in range(0, len(ROLES), 2)]


def test_the_chunks_cover_every_role():
    assert sorted(role for chunk in ROLE_CHUNKS for role in chunk) == sorted(ROLES)


@pytest.mark.parametrize("roles", ROLE_CHUNKS, ids="+".join)
def test_sealed_before_the_deadline_for_every_role_then_opened_to_the_declared_panel(world, client, roles):
    with time_machine.travel(MONDAY, tick=False) as clock:
        w = _build(world, bids=False)
        # Where bidder C's name shows before it bids (the directory, the organisations admin) is no leak.
        before_bids, errors = run_walk(client, w, roles, walk_paths(w)[0])
        assert not errors, "\n".join(errors)
        w.submit()
        paths, unfilled = walk_paths(w)
        assert not unfilled
        seen, errors = run_walk(client, w, roles, paths)
        assert not errors, "\n".join(errors)
        # No one sees a bid's content, digest or nonce but its bidder, and no one learns that C bid: no page shows
        # C's name or its member's email where it did not before, operators and office staff included.
        leaked = {k: [m for m in v if m not in NAME_MARKERS or m not in before_bids.get(k, [])]
                  for k, v in seen.items()}
        leaked = {k: v for k, v in leaked.items() if v and (k[0] != "member_a" or set(v) & set(NAME_MARKERS))}
        assert not leaked, "Sealed bid content or a bidder shown before the deadline:\n" + "\n".join(
            f"{role:14} {path}: {markers}" for (role, path), markers in leaked.items())
        # The bidder's own members see their bid: on the tender page, the receipt and its PDF.
        if "member_a" in roles:
            mine = {path for (role, path), markers in seen.items() if role == "member_a" and "87,654.32" in markers}
            assert {f"/tenders/{w.tender.pk}/", f"/bids/{w.bid.pk}/receipt/", f"/bids/{w.bid.pk}/receipt.pdf"} <= mine

        # After the deadline the task closes the tender and opens the bids; one evaluator declares, one does not.
        clock.move_to(DEADLINE + dt.timedelta(seconds=1))
        assert bid_tasks.tenders_close_due() == 3  # this tender and the permission matrix world's two
        bid_services.panel_declare(actor=world.evaluator_x, tender_id=w.tender.pk)
        w.bid.refresh_from_db()
        assert w.bid.status == Bid.Status.OPENED and w.bid.digest_verified

        seen, errors = run_walk(client, w, roles, paths)
        assert not errors, "\n".join(errors)
        office_page = f"/dashboard/tenders/{w.tender.pk}/"
        if "evaluator_x" in roles:
            assert "87,654.32" in seen.get(("evaluator_x", office_page), [])  # declared: sees the opened bid
        allowed_after = {"member_a", "member_b", "procurement_x", "head_x", "evaluator_x", "operator"}
        leaked = {k: v for k, v in seen.items()
                  if (k[0] not in allowed_after and set(v) & set(w.sealed_markers))
                  or (k[0] != "member_a" and set(v) & set(w.replaced_markers))}
        assert not leaked, "Shown after the deadline to someone who may not see it:\n" + "\n".join(
            f"{role:14} {path}: {markers}" for (role, path), markers in leaked.items())
        if "operator" in roles:  # operators oversee opened bids in the Django admin
            assert "SEALED-MARKER-5c1e9a" in seen.get(("operator", f"/django-admin/bids/bid/{w.bid.pk}/change/"), [])


# --- The Django admin itself --------------------------------------------------------------------------------


def test_django_admin_knows_no_bid_before_the_deadline_masks_unopened_ones_after_and_changes_nothing(world, client):
    with time_machine.travel(MONDAY, tick=False) as clock:
        w = _build(world)
        client.force_login(world.operator)
        # Before the deadline: no row, no count, no change or history page, no inline row, no audit event of a bid.
        listing = client.get("/django-admin/bids/bid/?_facets=1")
        assert listing.status_code == 200
        assert not {b.tender_id for b in listing.context["cl"].result_list} & {w.tender.pk, w.ctx.tender.pk}
        assert listing.context["cl"].full_result_count == Bid.objects.exclude(
            tender__status__in=Tender.SEALED_STATUSES).count()
        for view in ("change", "history", "delete"):
            response = client.get(f"/django-admin/bids/bid/{w.bid.pk}/{view}/")
            assert response.status_code in (302, 403, 404) and BIDDER_C not in response.content.decode(), view
        tender_page = client.get(f"/django-admin/bids/tender/{w.tender.pk}/change/")
        assert tender_page.status_code == 200
        assert BIDDER_C not in tender_page.content.decode() and world.org_b.name not in tender_page.content.decode()
        bid_type = ContentType.objects.get_for_model(Bid)
        audit = client.get(f"/django-admin/marketplace/auditevent/?content_type__id__exact={bid_type.pk}")
        assert not [e for e in audit.context["cl"].result_list if int(e.object_id) in {w.bid.pk, w.replaced.pk}]
        event = AuditEvent.objects.get(verb="bid.submit", object_id=str(w.bid.pk))
        assert client.get(f"/django-admin/marketplace/auditevent/{event.pk}/change/").status_code == 302
        # Neither the price nor the proposal can be searched, filtered or sorted on.
        for query in ("q=87654.32", "q=SEALED-MARKER", "q=76543.21"):
            response = client.get(f"/django-admin/bids/bid/?{query}")
            assert response.context["cl"].result_count == 0, query
        # The admin would let staff filter on any field of the model through the URL: not on sealed ones.
        for query in ("price=87654.32", "price__lt=90000", "proposal__contains=SEALED", "responses__text__contains=S",
                      "attachments__original_name__contains=S", "submitted_at__gte=2026-03-01",
                      f"receipt_digest={w.bid.receipt_digest}", "receipt_nonce__startswith=a"):
            assert client.get(f"/django-admin/bids/bid/?{query}").status_code == 400, query
        for query in ("after__name__contains=SEALED", "before__status=x"):
            assert client.get(f"/django-admin/marketplace/auditevent/?{query}").status_code == 400, query
        # Read-only: no add, change or delete for bids or tenders.
        assert client.get("/django-admin/bids/bid/add/").status_code == 403
        assert client.post(f"/django-admin/bids/bid/{w.bid.pk}/change/", {"price": "1"}).status_code in (302, 403)
        assert client.post(f"/django-admin/bids/bid/{w.bid.pk}/delete/", {"post": "yes"}).status_code in (302, 403)
        assert client.post(f"/django-admin/bids/tender/{w.ctx.tender.pk}/delete/",
                           {"post": "yes"}).status_code == 403
        w.bid.refresh_from_db()
        assert w.bid.price == PRICE

        # After the deadline the bids are listed; the version that was never opened stays masked, digest and time too.
        clock.move_to(DEADLINE + dt.timedelta(seconds=1))
        bid_tasks.tenders_close_due()
        w.replaced.refresh_from_db()
        page = client.get(f"/django-admin/bids/bid/{w.replaced.pk}/change/").content.decode()
        assert "REPLACED-MARKER" not in page and w.replaced.receipt_digest not in page
        assert timezone.localtime(w.replaced.submitted_at).strftime("%Y-%m-%d %H:%M:%S") not in page
        assert BIDDER_C in client.get(f"/django-admin/bids/tender/{w.tender.pk}/change/").content.decode()


# --- The operator's attacks through the Django admin -----------------------------------------------------------


def _listing(client, path: str) -> tuple[int, list]:
    """What a changelist request tells: its status and the rows it lists, in order."""
    response = client.get(path)
    assert response.status_code < 500, path
    rows = [obj.pk for obj in response.context["cl"].result_list] if response.status_code == 200 else []
    return response.status_code, rows


def _bisection_probes(w: Walk, bid: Bid) -> list[tuple[str, str, str]]:
    """(changelist query, a value below the sealed one, a value above it): lookups on a bid's time, price, digest,
    nonce or id, from the bid admin and through every relation of the other admins that leads to bids."""
    at = timezone.localtime(bid.submitted_at)
    t_low = (at - dt.timedelta(microseconds=1)).isoformat(sep=" ")
    t_high = (at + dt.timedelta(microseconds=1)).isoformat(sep=" ")
    p_low, p_high = str(bid.price - Decimal("0.01")), str(bid.price + Decimal("0.01"))
    probes = []
    for field in ("submitted_at__gte", "submitted_at__lt", "submitted_at__gt", "created_at__gte", "opened_at__gte"):
        probes.append((f"bids/bid/?{field}=", t_low, t_high))
    probes += [("bids/bid/?submitted_at__range=2026-01-01,", t_low, t_high),
               ("bids/bid/?submitted_at__date=", at.date().isoformat(), (at.date() + dt.timedelta(days=1)).isoformat()),
               ("bids/bid/?submitted_at__hour=", str(at.hour), str((at.hour + 1) % 24)),
               ("bids/bid/?price__lt=", p_low, p_high), ("bids/bid/?price__gte=", p_low, p_high),
               ("bids/bid/?receipt_digest__startswith=", bid.receipt_digest[:1], "g"),
               ("bids/bid/?receipt_nonce__gt=", "", "~"),
               ("bids/bid/?id__gt=", str(bid.pk - 1), str(bid.pk)), ("bids/bid/?pk__lt=", str(bid.pk + 1), str(bid.pk)),
               ("bids/bid/?tender__bids__submitted_at__gte=", t_low, t_high),
               ("bids/bid/?organisation__bids__price__lt=", p_low, p_high)]
    for admin_path, prefix in (("bids/tender/", "bids__"), ("marketplace/organisation/", "bids__"),
                               ("marketplace/streetoffice/", "tenders__bids__"),
                               ("marketplace/servicecategory/", "tenders__bids__"),
                               ("marketplace/user/", "memberships__organisation__bids__"),
                               ("marketplace/user/", "panel_seats__tender__bids__")):
        probes += [(f"{admin_path}?{prefix}submitted_at__gte=", t_low, t_high),
                   (f"{admin_path}?{prefix}price__lt=", p_low, p_high),
                   (f"{admin_path}?{prefix}isnull=", "True", "False"),
                   (f"{admin_path}?{prefix}gt=", "0", str(bid.pk)),
                   (f"{admin_path}?{prefix}in=", str(bid.pk), "0")]
    probes += [("bids/tender/?awarded_bid__price__lt=", p_low, p_high), ("bids/tender/?bids=", str(bid.pk), "0"),
               ("marketplace/organisation/?bids__tender=", str(w.tender.pk), "0"),
               (f"marketplace/auditevent/?content_type__id__exact={ContentType.objects.get_for_model(Bid).pk}"
                f"&object_id={bid.pk}&created_at__gte=", t_low, t_high)]
    return probes


def test_no_admin_lookup_tells_a_sealed_time_price_digest_or_bidder(world, client):
    """Bisection: a lookup answered differently for a value just below and just above the sealed one gives the value
    away, one bit per request. Every such lookup, from every admin and along every relation, answers the same."""
    with time_machine.travel(MONDAY, tick=False) as clock:
        w = _build(world)
        client.force_login(world.operator)
        for when, bid in (("before the deadline", w.bid), ("after it, a version never opened", w.replaced)):
            if bid is w.replaced:
                clock.move_to(DEADLINE + dt.timedelta(seconds=1))
                bid_tasks.tenders_close_due()
            bid.refresh_from_db()
            told = []
            for query, low, high in _bisection_probes(w, bid):
                if bid is w.replaced and query.startswith("marketplace/auditevent/"):
                    continue  # after the deadline the audit log shows when each version was sent (not what)
                below = _listing(client, f"/django-admin/{query}{quote(low)}")
                above = _listing(client, f"/django-admin/{query}{quote(high)}")
                if below != above:
                    told.append(f"{query}: {low!r} → {below}, {high!r} → {above}")
            assert not told, f"Admin lookups that tell a sealed value {when}:\n" + "\n".join(told)


def _sortable_changelists() -> dict[str, int]:
    """Every registered admin's changelist URL and its number of columns (and two more, which must be ignored)."""
    return {f"/django-admin/{model._meta.app_label}/{model._meta.model_name}/": len(model_admin.list_display) + 2
            for model, model_admin in django_admin.site._registry.items()}


def test_ordering_by_any_column_never_follows_sealed_data(world, client):
    """`?o=` sorts a changelist by a column whatever `sortable_by` says: ordering by a sealed field would rank the
    bids by price or time. Shuffling the bids' sealed data must change no admin's order, by any column."""
    with time_machine.travel(MONDAY, tick=False) as clock:
        _build(world)
        client.force_login(world.operator)
        for moment in ("before the deadline", "after it"):
            if moment == "after it":
                clock.move_to(DEADLINE + dt.timedelta(seconds=1))
                bid_tasks.tenders_close_due()
            # Distinct sealed times, in the reverse order of the ids, so that sorting by them would show.
            for n, pk in enumerate(Bid.objects.order_by("-pk").values_list("pk", flat=True)):
                moment_n = timezone.now() - dt.timedelta(minutes=n, microseconds=n)
                Bid.objects.filter(pk=pk).update(submitted_at=moment_n, created_at=moment_n)
            requests = [f"{url}?o={sign}{i}" for url, columns in _sortable_changelists().items()
                        for i in range(columns) for sign in ("", "-")]
            orders = {path: _listing(client, path) for path in requests}
            # Give every bid another bid's sealed data (prices, times, digests, proposals), rotating them.
            bids = list(Bid.objects.order_by("pk"))
            fields = ("price", "submitted_at", "created_at", "receipt_digest", "receipt_nonce", "proposal")
            values = [{f: getattr(b, f) for f in fields} for b in bids]
            for bid, sealed in zip(bids, values[1:] + values[:1], strict=True):
                Bid.objects.filter(pk=bid.pk).update(**sealed)
            changed = [p for p in requests if _listing(client, p) != orders[p]]
            assert not changed, f"Orders that follow sealed data {moment}:\n" + "\n".join(changed)
            for bid, sealed in zip(bids, values, strict=True):
                Bid.objects.filter(pk=bid.pk).update(**sealed)


def _admin_form_data(response) -> dict:
    """The data a browser would post back from a Django admin change form, inline formsets included."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value in (None, False):
                continue
            data[form.add_prefix(name)] = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
    return data


def test_no_admin_form_makes_anyone_a_member_of_an_organisation(world, client):
    """An operator who joins the bidding organisation reads its sealed bid. No add or change page of any admin
    offers a membership row, and posting one to the organisation's page anyway adds no one."""
    with time_machine.travel(MONDAY, tick=False):
        w = _build(world)
        client.force_login(world.operator)
        offering = []
        for model in list(django_admin.site._registry):
            base = f"/django-admin/{model._meta.app_label}/{model._meta.model_name}/"
            first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
            for path in [f"{base}add/"] + ([f"{base}{first}/change/"] if first is not None else []):
                response = client.get(path)
                assert response.status_code < 500, path
                for inline in (response.context or {}).get("inline_admin_formsets", []):
                    if inline.formset.model is Membership and (inline.has_add_permission
                                                               or inline.has_change_permission):
                        offering.append(path)
        assert not offering, f"Admin pages that edit memberships: {offering}"
        assert Membership not in django_admin.site._registry
        # The attack itself: the organisation's change form posted with a membership row for the operator.
        url = f"/django-admin/marketplace/organisation/{world.org_a.pk}/change/"
        data = _admin_form_data(client.get(url))
        data.update({"memberships-TOTAL_FORMS": "2", "memberships-0-user": str(world.operator.pk),
                     "memberships-0-role": "admin", "memberships-1-user": str(world.operator.pk),
                     "memberships-1-role": "admin", "memberships-1-organisation": str(world.org_a.pk)})
        response = client.post(url, data)
        assert response.status_code < 500
        assert not Membership.objects.filter(user=world.operator).exists()
        policy.forget(world.operator)
        for path in (f"/bids/{w.bid.pk}/receipt/", f"/bids/{w.bid.pk}/receipt.pdf", f"/tenders/{w.tender.pk}/"):
            assert "87,654.32" not in shown_text(client.get(path)), path
        # Nor can a member be made platform staff through the user form (they would oversee bids they can read).
        url = f"/django-admin/marketplace/user/{world.member_a.pk}/change/"
        data = _admin_form_data(client.get(url))
        for flag in ("is_platform_operator", "is_staff", "is_superuser"):
            response = client.post(url, {**data, flag: "on"})
            assert response.status_code == 200 and response.context["adminform"].form.errors, flag
        world.member_a.refresh_from_db()
        assert not (world.member_a.is_platform_operator or world.member_a.is_staff or world.member_a.is_superuser)
