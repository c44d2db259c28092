"""Reads of channel data quality, each starting from the acting user's scope."""

from __future__ import annotations


def overdue_reports(user, *, limit: int = 20):
    return [], 0


def customers_to_review(user, *, limit: int = 20):
    return [], 0
