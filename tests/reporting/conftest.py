"""Fixtures of the report tests: a private media folder, the sample partners, catalogue."""

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django_tenants.utils import schema_context

from deals.models import Product
from partners.models import Partner
from reporting.models import Upload
from tests.ingest.support import SAMPLES

SAMPLE_PARTNERS = {
    "northwind": ("Northwind Traders", "US", "USD"),
    "mueller": ("Müller IT GmbH", "DE", "EUR"),
    "saigon": ("Saigon Distribution", "VN", "VND"),
    "lonestar": ("Lone Star Networks", "US", "USD"),
}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploaded files go to a folder of this test, not the developer's media/.

    TenantFileSystemStorage caches its root and (django-tenants 4.0.1) fails to drop the
    cache when MEDIA_ROOT changes: its `_clear_cached_properties` passes the settings
    object instead of the setting's name. So the cache is dropped here, before and after.
    """
    from django.core.files.storage import storages

    settings.MEDIA_ROOT = tmp_path / "media"
    storages["default"].__dict__.pop("relative_media_root", None)
    yield settings.MEDIA_ROOT
    storages["default"].__dict__.pop("relative_media_root", None)


@pytest.fixture
def sample_partners(acme, cast):
    """The four sample partners, the catalogue and their SKU aliases, as the commands load
    them (inside the test's rolled-back transaction)."""
    partners = {
        slug: Partner.objects.create(
            name=name,
            slug=slug,
            country=country,
            currency=currency,
            channel_manager=cast.cm_a,
        )
        for slug, (name, country, currency) in SAMPLE_PARTNERS.items()
    }
    call_command("import_products", "--schema", "acme", str(SAMPLES / "products.csv"))
    call_command("import_sku_aliases", "--schema", "acme", str(SAMPLES / "sku_aliases.csv"))
    return partners


@pytest.fixture
def committed(django_db_blocker, cast):
    """Products and uploads committed for a worker or a second connection to see, deleted
    with their stored files afterwards (tests append their SKUs and upload ids)."""
    created = {"skus": [], "uploads": []}
    with django_db_blocker.unblock():
        yield created
        with schema_context("acme"):
            for upload in Upload.objects.filter(pk__in=created["uploads"]):
                default_storage.delete(upload.file.name)
                upload.delete()
            Product.objects.filter(vendor_sku__in=created["skus"]).delete()
