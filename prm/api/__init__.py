"""The REST API's shared parts: key authentication, pagination, idempotency, throttling.

Apps define their resources as `ninja.Router`s in `<app>/api.py`, built from these
helpers and calling the app's own selectors and services; `prm/api_v1.py` assembles them
under `/api/v1/`. This package imports no app.
"""
