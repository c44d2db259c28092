"""The OpenAPI schema validates, names every resource, and the docs page needs no CDN."""

import re

from openapi_spec_validator import validate


def test_it_serves_a_valid_openapi_schema(cast, acme, client_for):
    response = client_for(None).get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    paths = set(schema["paths"])
    for path in (
        "/api/v1/partners/",
        "/api/v1/deals/",
        "/api/v1/deals/{deal_id}/approve/",
        "/api/v1/deals/{deal_id}/reject/",
        "/api/v1/deals/{deal_id}/request-info/",
        "/api/v1/uploads/",
        "/api/v1/uploads/{upload_id}/",
        "/api/v1/sales-lines/",
        "/api/v1/products/",
        "/api/v1/webhooks/",
    ):
        assert path in paths, path
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"]["scheme"] == "bearer"


def test_it_serves_the_docs_page_from_our_own_static_files(cast, acme, client_for):
    response = client_for(None).get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, "the page loads its script and styles"
    assert all(source.startswith("/") for source in sources), sources
    assert "<script>" not in html.replace('<script type="application/json"', ""), "no inline JS"


def _posts(schema) -> dict[str, dict]:
    return {
        path: operations["post"]
        for path, operations in schema["paths"].items()
        if "post" in operations
    }


def test_every_post_documents_the_idempotency_key_it_honours(cast, acme, client_for):
    schema = client_for(None).get("/api/v1/openapi.json").json()
    posts = _posts(schema)
    assert len(posts) >= 10, sorted(posts)
    undocumented = []
    for path, operation in posts.items():
        headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        header = headers.get("Idempotency-Key")
        if header is None:
            undocumented.append(path)
            continue
        assert header["required"] is False, path
        assert header["schema"] == {"type": "string", "maxLength": 255}, path
        assert "Idempotent-Replayed" in header["description"]
    assert not undocumented, f"POSTs without Idempotency-Key in the schema: {undocumented}"
    others = [
        (method, path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method != "post"
        and any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    ]
    assert not others, f"documented where the key is not read: {others}"


def test_each_documented_post_replays_its_first_answer_for_the_same_key(cast, acme, client_for):
    """What the schema promises, tried on every POST the matrix has a successful body for
    (deal decisions and submissions have their own idempotency tests in test_deals_api)."""
    from django.urls import reverse

    from tests.api.authz import EXPECTATIONS
    from tests.api.support import key_for
    from tests.authz import Expect

    schema = client_for(None).get("/api/v1/openapi.json").json()
    documented = set(_posts(schema))
    tried = set()
    for name, value in EXPECTATIONS.items():
        for expect in value if isinstance(value, tuple) else (value,):
            assert isinstance(expect, Expect)
            if not name.startswith("api:") or expect.method != "post":
                continue
            role = next((r for r, status in expect.answers.items() if 200 <= status < 300), None)
            if role is None:
                continue
            path = reverse(name, urlconf="prm.urls", kwargs=expect.kwargs(cast))
            api = client_for(None)
            api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key_for(cast.users()[role])}"
            data = expect.data(cast)
            extra = {"content_type": expect.content_type} if expect.content_type else {}
            key = f"schema-test-{name}"

            first = api.post(path, data=data, HTTP_IDEMPOTENCY_KEY=key, **extra)
            for value in data.values():
                if hasattr(value, "seek"):
                    value.seek(0)  # the same file again
            again = api.post(path, data=data, HTTP_IDEMPOTENCY_KEY=key, **extra)
            assert 200 <= first.status_code < 300, (path, first.content)
            assert again.status_code == first.status_code, path
            assert again.json() == first.json(), path
            assert again["Idempotent-Replayed"] == "true", path
            assert "Idempotent-Replayed" not in first, path
            template = next(t for t in documented if _matches(t, path))
            tried.add(template)
    assert {"/api/v1/partners/", "/api/v1/deals/", "/api/v1/webhooks/"} <= tried, tried
    assert "/api/v1/webhooks/{endpoint_id}/rotate-secret/" in tried


def _matches(template: str, path: str) -> bool:
    pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
    return re.match(pattern, path) is not None
