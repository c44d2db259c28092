"""Children started by tests (worker, dev server) reach the test database whatever the URL."""

import urllib.parse

import pytest
from django.db import connection

from tests.conftest import child_database_url


@pytest.mark.parametrize(
    "configured",
    [
        "postgres://postgres@127.0.0.1:5432/prm",
        "postgres://postgres@%2Fhome%2Fme%2Fclone%2F.data%2Fpostgres/prm",
        "postgres://prm:s%40cret@db.internal:6543/prm?sslmode=require",
    ],
)
def test_it_keeps_the_url_and_names_the_test_database(db, monkeypatch, configured):
    monkeypatch.setenv("DATABASE_URL", configured)

    url = child_database_url()

    want, got = urllib.parse.urlsplit(configured), urllib.parse.urlsplit(url)
    assert (got.scheme, got.netloc, got.query) == (want.scheme, want.netloc, want.query)
    assert urllib.parse.unquote(got.path) == "/" + connection.settings_dict["NAME"]
    assert got.path.startswith("/test_")
