"""The REST API, version 1, on every vendor host under /api/v1/.

Assembled here, above the apps: each app keeps its resources in `<app>/api.py` and this
module only mounts them. Every operation needs an API key (prm/api/auth.py) and counts
against the key's request limit; the schema and the docs page are public (they describe
the API, not anyone's data). See docs/api.md.
"""

from ninja import NinjaAPI

from deals.api import products_router
from deals.api import router as deals_router
from partners.api import router as partners_router
from prm.api import errors, idempotency
from prm.api.auth import api_key_auth
from prm.api.throttling import PerKeyThrottle
from prm.webhooks.api import router as webhooks_router
from reporting.api import sales_router, uploads_router

api = NinjaAPI(
    title="PRM API",
    version="1",
    description="Partners, deal registrations, sales reports and webhooks of one vendor.",
    auth=api_key_auth,
    throttle=[PerKeyThrottle()],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs/",
)
errors.install(api)
ROUTERS = {
    "/partners/": partners_router,
    "/deals/": deals_router,
    "/products/": products_router,
    "/uploads/": uploads_router,
    "/sales-lines/": sales_router,
    "/webhooks/": webhooks_router,
}
idempotency.document_header(*ROUTERS.values())
for prefix, router in ROUTERS.items():
    api.add_router(prefix, router)
