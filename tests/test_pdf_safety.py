"""Safe PDFs and feeds: hostile titles fetch nothing, break nothing, and still show.

A local HTTP server (on this helper's port range) records every request it gets; a PDF whose titles try to
leave their CSS string (form feed, quote, backslash, </style>) and name url(http://…) must render with the
server untouched, and pdftotext must show the title. The PDF URL fetcher reads static and public media files
from disk and refuses everything else. The public Atom feed stays well-formed XML with such a title.
"""

import datetime as dt
import http.server
import re
import socket
import subprocess
import threading
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from PIL import Image

from bids import services as bid_services
from bids.models import Bid, Tender
from catalogue.models import CatalogueIndexPage, OfficePurchaseListsPage, PurchaseLine, PurchaseListPage
from contracts import services as contract_services
from contracts.models import ContractDocument
from contracts.tasks import contract_generate_document
from marketplace import pdf, safe_text

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)
DEADLINE = dt.datetime(2026, 3, 12, 10, 0, tzinfo=SH)
ROOT = Path(__file__).resolve().parent.parent


# --- A server that only listens ----------------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    def _record(self):
        self.server.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"* { color: red }")

    do_GET = do_POST = do_HEAD = _record

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def listener():
    """An HTTP server on 127.0.0.1, on a free port of 18500–18599; `.hits` lists the paths requested."""
    for port in range(18500, 18600):
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Recorder)
            break
        except OSError:
            continue
    else:
        pytest.fail("no free port in 18500–18599")
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _assert_listener_works(listener):
    """The server really answers (so 'no hits' means 'nothing was fetched', not 'nothing could be')."""
    before = len(listener.hits)
    with socket.create_connection(("127.0.0.1", listener.server_port), timeout=5) as s:
        s.sendall(b"GET /probe HTTP/1.0\r\n\r\n")
        s.recv(100)
    assert listener.hits[before:] == ["/probe"]
    del listener.hits[before:]


def hostile_title(port: int, tag: str) -> str:
    """Under 150 characters: each part tries another way out of a CSS string or the <style> element."""
    at = f"http://127.0.0.1:{port}"
    return f"{tag}\x0c;}}}}body{{background:url({at}/{tag}-ff)}}\"\\'</style>url({at}/{tag}-x) \x0b\x1b END"


def _text(data: bytes, tmp_path: Path, name: str) -> str:
    assert data.startswith(b"%PDF-")
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _shows_title(text: str, port: int, tag: str, listener) -> None:
    """Nothing was fetched; pdftotext shows the title, control characters as spaces, every part as plain text."""
    assert listener.hits == [], f"the {tag} PDF fetched {listener.hits}"
    flat = re.sub(r"\s+", "", text)  # table cells wrap long words: compare without whitespace
    for part in (f"{tag};}}}}body{{background:url(http://127.0.0.1:{port}/{tag}-ff)}}", "\"\\'</style>url(",
                 f"url(http://127.0.0.1:{port}/{tag}-x)END"):
        assert part in flat, (part, flat[:600])


def _response_bytes(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- Every PDF of the platform with hostile titles -------------------------------------------------------------


@pytest.mark.django_db
def test_hostile_titles_fetch_nothing_and_still_show_in_every_pdf(world, client, listener, tmp_path, caplog):
    _assert_listener_works(listener)
    port = listener.server_port
    with time_machine.travel(MONDAY, tick=True):
        # A tender and a bid receipt (the bidding organisation's member downloads it).
        tender = Tender.objects.create(office=world.office_x, category=world.category, service_item=world.item,
                                       title="居家养老上门服务", budget_ceiling=Decimal("120000.00"), allow_filed=False)
        bid_services.tender_update(actor=world.procurement_x, tender=tender,
                                   clarification_deadline=dt.datetime(2026, 3, 5, 17, 0, tzinfo=SH),
                                   submission_deadline=DEADLINE)
        tender = bid_services.tender_publish(actor=world.procurement_x, tender=tender)
        draft = bid_services.bid_save_draft(actor=world.member_a, tender_id=tender.pk, organisation=world.org_a,
                                            price=Decimal("90000.00"), proposal="方案")
        bid = bid_services.bid_submit(actor=world.member_a, bid_id=draft.pk)
        # Titles as they may already be stored (input checks are not what this test relies on).
        Tender.objects.filter(pk=tender.pk).update(title=hostile_title(port, "TENDER"))
        client.force_login(world.member_a)
        receipt = _response_bytes(client.get(f"/bids/{bid.pk}/receipt.pdf"))
        _shows_title(_text(receipt, tmp_path, "receipt.pdf"), port, "TENDER", listener)

        # A contract: its PDF is generated by the task on activation.
        other = Tender.objects.create(office=world.office_x, category=world.category, service_item=world.item,
                                      title=hostile_title(port, "CONTRACT"), budget_ceiling=Decimal("120000.00"),
                                      status=Tender.Status.AWARDED, indicators=world.item.indicator_snapshot())
        won = Bid.objects.create(tender=other, organisation=world.org_a, created_by=world.member_a,
                                 price=Decimal("98000.00"), status=Bid.Status.AWARDED)
        contract = contract_services.contract_create_from_award(tender=other, bid=won)
        contract_services.contract_send_for_signature(actor=world.procurement_x, contract_id=contract.pk)
        contract_services.contract_sign(actor=world.head_x, contract_id=contract.pk, ip="10.1.1.1")
        contract_services.contract_sign(actor=world.member_a, contract_id=contract.pk, ip="10.1.1.2")
        contract.refresh_from_db()
        assert contract.title == hostile_title(port, "CONTRACT")
        contract_generate_document.apply(args=[contract.pk]).get()
        document = ContractDocument.objects.get(contract=contract)
        _shows_title(_text(document.file.open("rb").read(), tmp_path, "contract.pdf"), port, "CONTRACT", listener)

    # A published purchase list and the catalogue, printed by anyone.
    client.logout()
    folder = OfficePurchaseListsPage.objects.get(office=world.office_x)
    page = PurchaseListPage(title=hostile_title(port, "LIST"), slug="hostile", year=2026, office=world.office_x)
    page.lines = [PurchaseLine(item=world.item, title=hostile_title(port, "LINE"), quantity=1,
                               budget=Decimal("12000.00"), planned_month=3)]
    folder.add_child(instance=page)
    page.save_revision().publish()
    listed = _text(_response_bytes(client.get(f"/catalogue/lists/{page.pk}/print.pdf")), tmp_path, "list.pdf")
    _shows_title(listed, port, "LIST", listener)
    _shows_title(listed, port, "LINE", listener)
    CatalogueIndexPage.objects.update(title=hostile_title(port, "CAT"))
    catalogue = _text(_response_bytes(client.get("/catalogue/print.pdf")), tmp_path, "catalogue.pdf")
    _shows_title(catalogue, port, "CAT", listener)

    assert listener.hits == [], f"a PDF fetched {listener.hits}"
    # Control characters reach no font: none is drawn as a missing glyph.
    assert not [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()]


def test_a_form_feed_cannot_end_the_css_string():
    """The running title as CSS: one string token whatever the title (the cause of the fetch above)."""
    import tinycss2

    for title in (hostile_title(18500, "T"), "a\nb\rc\x0cd\"e\\f'g</style>h&i", "\ud800", "\x00"):
        literal = safe_text.css_string(title)
        assert "<" not in literal and "\x0c" not in literal and "\n" not in literal
        tokens = [t for t in tinycss2.parse_component_value_list(literal) if t.type != "whitespace"]
        assert [t.type for t in tokens] == ["string"], (title, tokens)
        assert tokens[0].value == safe_text.one_line(title)


# --- The fetcher ----------------------------------------------------------------------------------------------


@pytest.fixture
def media_png(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "media" / "images").mkdir(parents=True)
    Image.new("RGB", (40, 40), (200, 30, 30)).save(tmp_path / "media" / "images" / "logo.png")
    (tmp_path / "outside.txt").write_text("outside media")
    return tmp_path / "media" / "images" / "logo.png"


def test_the_fetcher_reads_static_media_and_data_from_disk_and_refuses_the_rest(media_png, listener):
    base = "http://testserver/"
    site_css = (ROOT / "static" / "css" / "site.css").read_bytes()
    assert pdf.local_resource("http://testserver/static/css/site.css", base_url=base) == (site_css, "text/css")
    assert pdf.local_resource("http://testserver/media/images/logo.png", base_url=base) == (
        media_png.read_bytes(), "image/png")
    assert pdf.local_resource("data:text/plain;base64,aGk=", base_url=base) == (b"hi", "text/plain")
    at = f"http://127.0.0.1:{listener.server_port}"
    for url in (
        f"{at}/static/css/site.css",  # another origin, even with a static path
        f"{at}/media/images/logo.png",
        "https://example.com/static/css/site.css",
        "http://testserver/static/../config/settings/base.py",
        "http://testserver/static/%2e%2e/%2e%2e/config/settings/base.py",
        "http://testserver/media/../outside.txt",
        "http://testserver/media/%2E%2E/outside.txt",
        "http://testserver/media/images/%00logo.png",
        "http://testserver/media/images/missing.png",
        "http://testserver/dashboard/",
        "http://testserver/django-admin/",
        f"file://{ROOT}/static/css/site.css",
        "file:///etc/passwd",
        f"ftp://127.0.0.1:{listener.server_port}/x",
        "gopher://127.0.0.1/",
    ):
        with pytest.raises(pdf.RefusedURL):
            pdf.local_resource(url, base_url=base)
    assert listener.hits == []


def test_a_pdf_embeds_media_from_disk_and_nothing_from_outside(media_png, listener, tmp_path):
    _assert_listener_works(listener)
    at = f"http://127.0.0.1:{listener.server_port}"
    html = f"""<!doctype html><html><head><meta charset="utf-8">
      <link rel="stylesheet" href="{at}/link.css"><link rel="stylesheet" href="/static/css/site.css">
      <style>@import url("{at}/import.css"); @font-face {{ font-family: X; src: url({at}/font.woff) }}
        body {{ background: url({at}/background.png); font-family: X, sans-serif }}</style></head>
      <body><p>居家养老 PDF</p><img src="/media/images/logo.png" alt="logo"><img src="{at}/img.png" alt="x">
      <img src="file:///etc/passwd" alt="x"><iframe src="{at}/frame"></iframe><object data="{at}/object"></object>
      <svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="{at}/svg.png" width="10"
      height="10"/></svg></body></html>"""
    data = pdf.html_to_pdf(html, base_url="http://testserver/")
    path = tmp_path / "embed.pdf"
    path.write_bytes(data)
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line for line in images.splitlines()[2:] if line.strip()]
    assert len(rows) == 1 and " 40 " in rows[0], images  # the 40×40 media PNG, and nothing else
    assert listener.hits == [], f"the PDF fetched {listener.hits}"


def test_no_module_but_marketplace_pdf_calls_weasyprint():
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    assert "marketplace/pdf.py" in files
    calls = re.compile(r"^\s*(from|import)\s+weasyprint|\.write_pdf\(|\b(HTML|CSS)\(\s*(string|url|filename)=",
                       flags=re.MULTILINE)
    offenders = [rel for rel in files if rel != "marketplace/pdf.py" and not rel.startswith(("tests/", "bench/"))
                 and (ROOT / rel).exists() and calls.search((ROOT / rel).read_text(encoding="utf-8"))]
    assert offenders == [], "render PDFs with marketplace.pdf.render_pdf / html_to_pdf (its URL fetcher)"
    assert calls.search((ROOT / "marketplace" / "pdf.py").read_text(encoding="utf-8"))


# --- The Atom feed --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_feed_stays_well_formed_xml_with_hostile_titles(world, client):
    with time_machine.travel(MONDAY, tick=True):
        tender = Tender.objects.create(office=world.office_x, category=world.category, service_item=world.item,
                                       title="助餐服务", budget_ceiling=Decimal("80000.00"), allow_filed=False)
        bid_services.tender_update(actor=world.procurement_x, tender=tender,
                                   clarification_deadline=dt.datetime(2026, 3, 5, 17, 0, tzinfo=SH),
                                   submission_deadline=DEADLINE)
        tender = bid_services.tender_publish(actor=world.procurement_x, tender=tender)
    title = "FEED\x0c\x01\x08\x1b\x7f & <b>]]></title><script>x</script> \ufffe\uffff END"
    Tender.objects.filter(pk=tender.pk).update(title=title)
    world.office_x.__class__.objects.filter(pk=world.office_x.pk).update(name="长河\x0b街道\x1f办事处")
    for path in ("/tenders/feed/", "/en/tenders/feed/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("application/atom+xml")
        root = ET.fromstring(response.content)  # noqa: S314 - our own feed; well-formed XML, or this raises
        ns = {"a": "http://www.w3.org/2005/Atom"}
        titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
        shown = next(t for t in titles if t.startswith("FEED"))
        assert shown == safe_text.xml_text(title)
        assert "& <b>]]></title><script>x</script>" in shown and shown.endswith("\ufffd\ufffd END")
        summary = next(e.findtext("a:summary", namespaces=ns) for e in root.findall("a:entry", ns)
                       if e.findtext("a:title", namespaces=ns).startswith("FEED"))
        assert "长河 街道 办事处" in summary or "Changhe" in summary


def test_xml_text_keeps_what_xml_allows_and_replaces_the_rest():
    allowed = "tab\there\nline\r 中文 \u00e9 \U0001f600 \ue000 \ufffd"
    assert safe_text.xml_text(allowed) == allowed
    assert safe_text.xml_text("a\x00b\x0cc\x1fd\ufffee\uffff") == "a b c d\ufffde\ufffd"
