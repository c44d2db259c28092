"""Fixtures of the channel-data-quality tests: those of the report tests (private media,
the four sample partners with catalogue and aliases, committed rows)."""

from tests.reporting.conftest import (  # noqa: F401
    committed,
    live_catalogue,
    private_media,
    sample_partners,
)
