"""Uploaded files of the API tests go to a folder of the test, not the developer's media/."""

from tests.reporting.conftest import private_media  # noqa: F401 - autouse fixture, reused
