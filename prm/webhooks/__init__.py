"""Signed webhooks (Standard Webhooks): endpoints, `emit()` for apps, delivery with retries.

Apps call `prm.webhooks.emit(event, payload)` from their services, inside the transaction
of the change; see `services.py`.
"""


def emit(event: str, payload) -> None:
    """`payload`: a dict, or a function that makes it (called only if someone listens)."""
    from prm.webhooks.services import emit as _emit

    _emit(event, payload)
