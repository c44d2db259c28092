"""Fixtures of the report tests: a private media folder, the sample partners, catalogue."""

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django_tenants.utils import schema_context

from deals.models import Product
from partners.models import Partner
from reporting.models import ColumnMapping, Upload
from tests.ingest.support import SAMPLES

SAMPLE_PARTNERS = {
    "northwind": ("Northwind Traders", "US", "USD"),
    "mueller": ("Müller IT GmbH", "DE", "EUR"),
    "saigon": ("Saigon Distribution", "VN", "VND"),
    "lonestar": ("Lone Star Networks", "US", "USD"),
}


@pytest.fixture(autouse=True)
def private_media(request, settings, tmp_path):
    """Uploaded files go to a folder of this test, not the developer's media/.

    TenantFileSystemStorage caches its root and (django-tenants 4.0.1) fails to drop the
    cache when MEDIA_ROOT changes: its `_clear_cached_properties` passes the settings
    object instead of the setting's name. So the cache is dropped here, before and after.

    Browser tests keep the real MEDIA_ROOT: the live server, a process of its own, stores
    their uploads there, and `live_catalogue` deletes them from there afterwards.
    """
    from django.core.files.storage import storages

    if request.node.get_closest_marker("browser"):
        yield settings.MEDIA_ROOT
        return
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


@pytest.fixture
def live_catalogue(cast, django_db_blocker):
    """For browser tests, whose reports the live server imports from committed data:
    `live_catalogue(skus, uploads="journey-")` adds the products a report sells (those not
    in Acme's catalogue yet) and returns the SKUs. Afterwards it deletes the uploads whose
    file name starts with `uploads`, with their stored files, the column mappings
    confirmed meanwhile and the products it added, so the next run starts the same."""
    added: list[str] = []
    prefixes: list[str] = []
    with django_db_blocker.unblock(), schema_context("acme"):
        mappings_before = set(ColumnMapping.objects.values_list("pk", flat=True))

    def add(skus, *, uploads: str) -> tuple[str, ...]:
        skus = tuple(skus)
        with django_db_blocker.unblock(), schema_context("acme"):
            known = set(
                Product.objects.filter(vendor_sku__in=skus).values_list("vendor_sku", flat=True)
            )
            new = [sku for sku in skus if sku not in known]
            Product.objects.bulk_create(
                Product(vendor_sku=sku, name=sku, list_price=1) for sku in new
            )
        added.extend(new)
        prefixes.append(uploads)
        return skus

    yield add
    with django_db_blocker.unblock(), schema_context("acme"):
        for prefix in prefixes:
            for upload in Upload.objects.filter(original_name__startswith=prefix):
                default_storage.delete(upload.file.name)
                upload.delete()
        ColumnMapping.objects.exclude(pk__in=mappings_before).delete()
        Product.objects.filter(vendor_sku__in=added).delete()
