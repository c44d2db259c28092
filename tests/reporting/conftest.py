"""Fixtures of the report tests: a private media folder, the sample partners, catalogue."""

import time

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django_tenants.utils import schema_context

from deals.models import Product
from partners.models import Partner
from reporting.models import ColumnMapping, Upload, UploadStatus
from reporting.quality.models import (
    Customer,
    CustomerName,
    PartnerPeriodQuality,
    UploadQuality,
)
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


def quality_mark() -> tuple[int, int, set[int]]:
    """Where acme's customer registry and stored quality scores stand now, for
    `quality_restore` to remove what the after-import step of committed uploads adds.

    Deleting the uploads does not remove it: the registry belongs to the tenant, not to an
    upload. A spelling left behind changes how the next test's spellings are decided: a
    leftover "Harbor View Hotels" sends "Harbor View Hotels 1a2b3c4d" to review, and a
    spelling in review has no customer, so its lines count as unlinked."""
    with schema_context("acme"):
        last_name = CustomerName.objects.order_by("-pk").values_list("pk", flat=True).first()
        last_customer = Customer.objects.order_by("-pk").values_list("pk", flat=True).first()
        scores = set(PartnerPeriodQuality.objects.values_list("pk", flat=True))
    return last_name or 0, last_customer or 0, scores


def quality_restore(mark: tuple[int, int, set[int]]) -> None:
    last_name, last_customer, scores = mark
    with schema_context("acme"):
        CustomerName.objects.filter(pk__gt=last_name).delete()
        Customer.objects.filter(pk__gt=last_customer).delete()
        PartnerPeriodQuality.objects.exclude(pk__in=scores).delete()


@pytest.fixture
def committed(request, django_db_blocker, cast):
    """Products and uploads committed for a worker or a second connection to see, deleted
    with their stored files afterwards (tests append their SKUs and upload ids), and what
    the worker's quality step added for them (`quality_mark`)."""
    created = {"skus": [], "uploads": []}
    with django_db_blocker.unblock():
        mark = quality_mark()
        yield created
        if "celery_worker" in request.fixturenames:
            _quality_step_finished(created["uploads"])
        with schema_context("acme"):
            for upload in Upload.objects.filter(pk__in=created["uploads"]):
                default_storage.delete(upload.file.name)
                upload.delete()
            Product.objects.filter(vendor_sku__in=created["skus"]).delete()
        quality_restore(mark)


def _quality_step_finished(upload_ids: list[int], timeout: float = 60) -> None:
    """Wait for the worker's quality step of each imported upload (queued once the import
    commits, so it can still be running when a test that waited for "done" ends): linking
    after the clean-up would leave its spellings behind."""
    deadline = time.monotonic() + timeout
    with schema_context("acme"):
        done = set(
            Upload.objects.filter(pk__in=upload_ids, status=UploadStatus.DONE).values_list(
                "pk", flat=True
            )
        )
        while done - set(
            UploadQuality.objects.filter(upload_id__in=done).values_list("upload_id", flat=True)
        ):
            if time.monotonic() > deadline:
                raise AssertionError(f"the worker never measured uploads {sorted(done)}")
            time.sleep(0.05)


@pytest.fixture
def live_catalogue(cast, django_db_blocker):
    """For browser tests, whose reports the live server imports from committed data:
    `live_catalogue(skus, uploads="journey-")` adds the products a report sells (those not
    in Acme's catalogue yet) and returns the SKUs. Afterwards it deletes the uploads whose
    file name starts with `uploads`, with their stored files, the column mappings
    confirmed meanwhile, the products it added and what the quality step of the imports
    added (`quality_mark`), so the next run starts the same."""
    added: list[str] = []
    prefixes: list[str] = []
    with django_db_blocker.unblock():
        quality = quality_mark()
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
    with django_db_blocker.unblock():
        quality_restore(quality)
