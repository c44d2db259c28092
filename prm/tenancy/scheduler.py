"""Celery beat scheduler that sends each periodic task once per active vendor schema."""

from tenant_schemas_celery.scheduler import TenantAwareScheduler

from prm.tenancy.models import Vendor


class ActiveVendorScheduler(TenantAwareScheduler):
    """Like TenantAwareScheduler, but suspended vendors get no scheduled work."""

    @classmethod
    def get_queryset(cls):
        return Vendor.objects.filter(is_active=True)
