"""News pages are found by a two-character query inside longer Chinese text, like the catalogue."""

import datetime as dt

import pytest

from cms.models import NewsIndexPage, NewsPage

pytestmark = pytest.mark.django_db


def test_news_found_by_a_word_inside_longer_text(client, site):
    index = NewsIndexPage.objects.get()
    news = NewsPage(title="长河街道召开社区养老服务推进会", slug="meeting", date=dt.date(2026, 3, 1),
                    summary="会议部署了今年的助餐点建设任务。")
    index.add_child(instance=news)
    news.save_revision().publish()
    page = client.get("/search/", {"q": "助餐"}).content.decode()
    assert "长河街道召开社区养老服务推进会" in page
    assert "长河街道召开社区养老服务推进会" not in client.get("/search/", {"q": "矫正"}).content.decode()
