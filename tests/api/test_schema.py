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
