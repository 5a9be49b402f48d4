"""The Django admin for operators: reference data is editable, the audit log is read-only."""

import pytest

from marketplace.models import AuditEvent, WorkingDayOverride
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_operator_admin_pages_and_read_only_audit(client, world):
    admin = UserFactory(email="root@example.cn", is_staff=True, is_superuser=True)
    from tests.conftest import give_totp

    give_totp(admin)
    client.force_login(admin)
    for url in ("/django-admin/marketplace/organisation/", "/django-admin/marketplace/streetoffice/",
                "/django-admin/marketplace/workingdayoverride/add/", "/django-admin/marketplace/auditevent/"):
        assert client.get(url).status_code == 200, url
    response = client.post("/django-admin/marketplace/workingdayoverride/add/",
                           {"date": "2027-02-08", "is_working_day": "", "note": "春节"})
    assert response.status_code == 302 and WorkingDayOverride.objects.filter(note="春节").exists()
    event = AuditEvent.objects.first()
    assert client.get(f"/django-admin/marketplace/auditevent/{event.pk}/delete/").status_code == 403
    assert client.get("/django-admin/marketplace/auditevent/add/").status_code == 403
