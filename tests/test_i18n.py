"""Chinese first, English complete: the catalogues have no gap and pages speak the language of their URL."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LOCALES = Path(settings.BASE_DIR) / "locale"


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_catalogue_is_complete(language):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext is installed by `make test`"
    po = LOCALES / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run([msgfmt, "--statistics", "-c", "-o", "/dev/null", str(po)],
                            capture_output=True, text=True, check=True)
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@pytest.mark.django_db
def test_home_is_chinese_at_root_and_english_under_en(client, site):
    zh = client.get("/").content.decode()
    en = client.get("/en/").content.decode()
    assert 'lang="zh-Hans"' in zh and "社区服务采购平台" in zh and "采购项目" in zh
    assert 'lang="en"' in en and "Community Services Procurement Platform" in en and "Tenders" in en
    assert "采购项目" not in en


@pytest.mark.django_db
def test_language_switcher_keeps_the_page(client, site):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/tenders/"})
    assert response.status_code == 302 and response.url == "/en/tenders/"


@pytest.mark.django_db
def test_wagtail_admin_speaks_chinese(client, world):
    client.force_login(world.head_x)
    page = client.get("/admin/").content.decode()
    assert "控制面板" in page and "搜索" in page
