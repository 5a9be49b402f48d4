"""Organisation applications, private certificates, the verification queue and the operators' actions,
through HTTP."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from marketplace import services
from marketplace.models import AuditEvent, Organisation, Track
from marketplace.tasks import organisations_reinstate_due
from tests.factories import OrganisationFactory, UserFactory, make_uscc

pytestmark = pytest.mark.django_db
S = Organisation.Status

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


APPLY_EN = "/en/dashboard/organisations/apply/registered/"


def upload(name="certificate.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def registered_data(**overrides):
    data = {"name": "长青社会工作服务中心", "uscc": make_uscc(), "legal_representative": "王五",
            "registration_authority": "杭州市滨江区民政局", "contact_phone": "0571-88888888",
            "description": "专注居家养老。", "certificate": upload()}
    data.update(overrides)
    return data


@pytest.fixture
def applicant(client, site):
    user = UserFactory(email="applicant@example.cn")
    client.force_login(user)
    return user


def test_registered_application_stores_the_certificate_privately(client, applicant, world):
    response = client.post(reverse("marketplace:apply_registered"),
                           registered_data(categories=[world.category.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organisation.objects.get(name="长青社会工作服务中心")
    assert org.status == S.PENDING and org.track == Track.REGISTERED
    assert org.certificate.storage is not None
    assert storages["private"].exists(org.certificate.name)
    assert not org.certificate.name.endswith("certificate.pdf")  # stored under a random name
    assert str(settings.MEDIA_ROOT) not in storages["private"].path(org.certificate.name)
    # The organisation's page shows what the verifier still needs and its own history, in words.
    html = client.get(response.url).content.decode()
    assert "待认证" in html and "提交申请" in html and "organisation.apply" not in html
    english = client.get("/en" + response.url).content.decode()
    assert "Application submitted" in english


@pytest.mark.parametrize(("uscc", "message"), [
    ("91330108MA2B3C4D5", "18"),  # one character short
    ("91330108MA2B3C4D5I", "not allowed"),  # I is not a USCC character
    ("913301087458123459", "check character"),
])
def test_malformed_uscc_is_refused_and_the_rest_is_kept(client, applicant, world, uscc, message):
    response = client.post(APPLY_EN, registered_data(uscc=uscc))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    for kept in ("长青社会工作服务中心", "王五", "杭州市滨江区民政局", "0571-88888888", "专注居家养老。", uscc):
        assert kept in html
    assert not Organisation.objects.filter(name="长青社会工作服务中心").exists()


def test_duplicate_uscc_is_refused_with_a_clear_message_and_the_rest_is_kept(client, applicant, world):
    code = world.org_a.uscc
    response = client.post(reverse("marketplace:apply_registered"), registered_data(uscc=code.lower()))
    html = response.content.decode()
    assert response.status_code == 400
    assert "平台上已有使用该统一社会信用代码的社会组织" in html
    assert "王五" in html and "专注居家养老。" in html


@pytest.mark.parametrize(("name", "content", "message"), [
    ("certificate.pdf", PNG, "PNG"),  # a PNG called .pdf
    ("certificate.pdf", b"just some text, not a PDF at all", "PDF, JPEG"),  # text called .pdf
    ("certificate.png", JPEG, "JPEG"),
    ("certificate.exe", b"MZ\x90\x00", "PDF, JPEG"),
])
def test_disguised_files_are_refused(client, applicant, world, name, content, message):
    response = client.post(APPLY_EN,
                           registered_data(certificate=upload(name, content)))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Organisation.objects.filter(name="长青社会工作服务中心").exists()


def test_oversize_file_is_refused(client, applicant, world):
    big = PDF + b"0" * (settings.UPLOAD_MAX_BYTES + 1 - len(PDF))
    response = client.post(APPLY_EN,
                           registered_data(certificate=upload(content=big)))
    assert response.status_code == 400
    assert "the limit is 20 MB" in response.content.decode()
    assert not Organisation.objects.filter(name="长青社会工作服务中心").exists()


def test_accepted_kinds_by_content():
    from marketplace.uploads import validate_upload

    assert validate_upload(upload("a.pdf", PDF)).code == "pdf"
    assert validate_upload(upload("a.PNG", PNG)).code == "png"
    assert validate_upload(upload("a.jpeg", JPEG)).code == "jpeg"
    assert validate_upload(upload("a.jpg", JPEG)).code == "jpeg"


def test_certificate_is_served_only_through_the_policy(client, world):
    org = services.organisation_apply_registered(
        actor=world.member_a, name="证书测试", uscc=make_uscc(), legal_representative="张三",
        registration_authority="民政局", certificate=upload(),
    )
    url = reverse("marketplace:organisation_certificate", args=[org.pk])
    for user, expected in [(world.member_a, 200), (world.operator, 200), (world.member_b, 404),
                           (world.procurement_x, 404), (None, 404)]:
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == expected, user
        if expected == 200:
            assert b"".join(response.streaming_content) == PDF
            assert response["Content-Disposition"].startswith("attachment")
    # No public media URL exists for it.
    client.logout()
    assert client.get(f"{settings.MEDIA_URL}{org.certificate.name}").status_code == 404
    # A forged id is 'not found', never someone else's file.
    client.force_login(world.member_a)
    assert client.get(reverse("marketplace:organisation_certificate", args=[world.org_b.pk])).status_code == 404


def test_filed_application_goes_to_its_office_queue(client, world):
    applicant = UserFactory(email="group@example.cn")
    client.force_login(applicant)
    response = client.post(reverse("marketplace:apply_filed"), {
        "name": "银龄志愿服务队", "home_office": world.office_x.pk, "contact_phone": "13800000000",
        "categories": [world.category.pk]})
    assert response.status_code == 302
    org = Organisation.objects.get(name="银龄志愿服务队")
    assert org.track == Track.FILED and org.home_office == world.office_x and not org.certificate
    queue = reverse("marketplace:operator_queue")
    client.force_login(world.procurement_y)
    assert "银龄志愿服务队" not in client.get(queue).content.decode()
    assert client.post(reverse("marketplace:operator_verify", args=[org.pk])).status_code == 404
    client.force_login(world.evaluator_x)
    assert client.get(queue).status_code == 403
    client.force_login(world.procurement_x)
    assert "银龄志愿服务队" in client.get(queue).content.decode()
    response = client.post(reverse("marketplace:operator_verify", args=[org.pk]))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == S.VERIFIED and org.filing_number.startswith("BA-")


def test_operator_queue_lists_pending_registered_oldest_first(client, world):
    older = OrganisationFactory(name="较早申请", status=S.PENDING)
    newer = OrganisationFactory(name="较晚申请", status=S.PENDING)
    Organisation.objects.filter(pk=older.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    OrganisationFactory(name="已认证机构")
    client.force_login(world.operator)
    html = client.get(reverse("marketplace:operator_queue")).content.decode()
    assert html.index("较早申请") < html.index("较晚申请")
    assert "已认证机构" not in html
    # Reject needs a reason; without one the queue comes back with the error, and nothing changes.
    url = reverse("marketplace:operator_reject", args=[newer.pk])
    response = client.post(url, {f"reject-{newer.pk}-reason": ""})
    assert response.status_code == 400
    newer.refresh_from_db()
    assert newer.status == S.PENDING
    response = client.post(url, {f"reject-{newer.pk}-reason": "证书模糊，请重新上传"})
    assert response.status_code == 302
    newer.refresh_from_db()
    assert newer.status == S.REJECTED and newer.status_reason == "证书模糊，请重新上传"
    # Verifying twice is a conflict, shown on the queue page.
    client.post(reverse("marketplace:operator_verify", args=[older.pk]))
    response = client.post(reverse("marketplace:operator_verify", args=[older.pk]))
    assert response.status_code == 409


def test_queue_query_count_is_pinned(client, world, django_assert_max_num_queries):
    for n in range(15):
        OrganisationFactory(name=f"待审{n}", status=S.PENDING, categories=[world.category])
    client.force_login(world.operator)
    client.get("/")  # warm the per-site caches (navigation, settings) as every later request finds them
    with django_assert_max_num_queries(14):
        response = client.get(reverse("marketplace:operator_queue"))
    assert response.status_code == 200 and "待审14" in response.content.decode()


def test_operator_suspends_reinstates_grades_and_removes(client, world):
    org = world.org_b
    page = reverse("marketplace:operator_organisation", args=[org.pk])
    client.force_login(world.member_b)
    assert client.get(page).status_code == 403
    client.force_login(world.operator)
    assert client.get(page).status_code == 200

    def act(action, data=None):
        return client.post(reverse("marketplace:operator_organisation_action", args=[org.pk, action]), data or {})

    # A suspension without a reason is refused, keeping the date typed.
    until = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = act("suspend", {"suspend-reason": "", "suspend-until": until})
    assert response.status_code == 400 and until in response.content.decode()
    assert act("suspend", {"suspend-reason": "财务报告逾期", "suspend-until": until}).status_code == 302
    org.refresh_from_db()
    assert org.status == S.SUSPENDED and org.suspended_until.isoformat() == until
    assert act("reinstate").status_code == 302
    org.refresh_from_db()
    assert org.status == S.VERIFIED
    assert act("reinstate").status_code == 409
    assert act("grade", {"grade-grade": "4", "grade-graded_on": "2026-06-01"}).status_code == 302
    org.refresh_from_db()
    assert org.get_grade_display() == "4A" and org.grade_date == dt.date(2026, 6, 1)
    assert act("remove", {"remove-reason": "连续两年评价不合格"}).status_code == 302
    org.refresh_from_db()
    assert org.status == S.REMOVED and org.status_reason == "连续两年评价不合格"
    # The organisation sees its own history, in words.
    client.force_login(world.member_b)
    html = client.get(reverse("marketplace:organisation_detail", args=[org.pk])).content.decode()
    for words in ("已暂停", "已恢复", "评估等级", "连续两年评价不合格"):
        assert words in html


def test_beat_task_reinstates_when_the_suspension_has_run_out(world):
    today = timezone.localdate()
    services.organisation_suspend(actor=world.operator, organisation=world.org_a, reason="整改",
                                  until=today - dt.timedelta(days=1))
    services.organisation_suspend(actor=world.operator, organisation=world.org_b, reason="整改",
                                  until=today)
    assert organisations_reinstate_due.apply().get() == 1
    world.org_a.refresh_from_db()
    world.org_b.refresh_from_db()
    assert world.org_a.status == S.VERIFIED and world.org_b.status == S.SUSPENDED
    event = AuditEvent.objects.filter(verb="organisation.reinstate").get()
    assert event.actor is None and event.actor_repr == "system"


def test_profile_edit_replaces_the_certificate(client, world):
    client.force_login(world.member_a)
    url = reverse("marketplace:organisation_profile", args=[world.org_a.pk])
    response = client.post(url, {"contact_phone": "0571-1", "description": "新简介", "categories": [world.category.pk],
                                 "certificate": upload("scan.png", PNG, "image/png")})
    assert response.status_code == 302
    world.org_a.refresh_from_db()
    assert world.org_a.certificate.name.endswith(".png") and world.org_a.description == "新简介"
    response = client.post(url, {"contact_phone": "0571-2", "description": "再改",
                                 "certificate": upload("scan.pdf", io.BytesIO(PNG).read())})
    assert response.status_code == 400 and "再改" in response.content.decode()
    client.force_login(world.member_b)
    assert client.post(url, {"contact_phone": "x"}).status_code == 404


def test_a_rejected_application_is_corrected_and_resubmitted(client, world):
    org = services.organisation_apply_registered(
        actor=world.member_a, name="待补正机构", uscc=make_uscc(), legal_representative="张三",
        registration_authority="民政局")
    services.organisation_reject(actor=world.operator, organisation=org, reason="缺少登记证书")
    client.force_login(world.member_a)
    page = client.get(reverse("marketplace:organisation_detail", args=[org.pk])).content.decode()
    assert "缺少登记证书" in page and "重新提交申请" in page
    client.post(reverse("marketplace:organisation_profile", args=[org.pk]),
                {"contact_phone": "0571-3", "categories": [world.category.pk], "certificate": upload()})
    response = client.post(reverse("marketplace:organisation_resubmit", args=[org.pk]))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == S.PENDING and org.status_reason == "" and org.certificate
    assert client.post(reverse("marketplace:organisation_resubmit", args=[org.pk])).status_code == 409
    client.force_login(world.operator)
    assert "待补正机构" in client.get(reverse("marketplace:operator_queue")).content.decode()
    client.force_login(world.member_b)
    assert client.post(reverse("marketplace:organisation_resubmit", args=[org.pk])).status_code == 404
