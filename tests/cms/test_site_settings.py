"""Site settings and the navigation menu are edited in Wagtail and shown on every page."""

import pytest
from wagtail.models import Site

from cms.models import NavigationLink, NavigationSettings, SiteSettings

pytestmark = pytest.mark.django_db


def test_footer_and_menu_come_from_site_settings(client, site):
    wagtail_site = Site.objects.get(is_default_site=True)
    SiteSettings.objects.update_or_create(site=wagtail_site, defaults={"footer_text": "滨江区民政局主办",
                                                                       "contact_phone": "0571-88888888"})
    menu, _created = NavigationSettings.objects.get_or_create(site=wagtail_site)
    NavigationLink.objects.create(setting=menu, label="办事指南", label_en="Guide", url="/guide/", sort_order=0)
    zh = client.get("/").content.decode()
    assert "滨江区民政局主办" in zh and "0571-88888888" in zh and 'href="/guide/">办事指南' in zh
    assert 'href="/guide/">Guide' in client.get("/en/").content.decode()
