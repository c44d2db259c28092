"""The admin base classes every app's ModelAdmin uses.

One admin site serves both the public schema (platform operator) and each vendor schema
(vendor admins). A model is only offered where its table exists: models of shared-only
apps (vendors, domains) on the public site, models of tenant apps (partners, deals...)
on vendor sites. Without this, the operator's admin would list tenant models and fail.
"""

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django_tenants.utils import get_public_schema_name


def _labels(app_paths) -> set[str]:
    by_name = {config.name: config.label for config in apps.get_app_configs()}
    return {by_name.get(path, path.rsplit(".", 1)[-1]) for path in app_paths}


def model_lives_here(model) -> bool:
    """True when the current schema has a table for `model`."""
    on_public = connection.schema_name == get_public_schema_name()
    paths = settings.SHARED_APPS if on_public else settings.TENANT_APPS
    return model._meta.app_label in _labels(paths)


class SchemaAwareModelAdmin(admin.ModelAdmin):
    """A ModelAdmin that hides itself in schemas where its model has no table."""

    def has_module_permission(self, request):
        return model_lives_here(self.model) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return model_lives_here(self.model) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return model_lives_here(self.model) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return model_lives_here(self.model) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return model_lives_here(self.model) and super().has_delete_permission(request, obj)


class ReadOnlyAdmin(SchemaAwareModelAdmin):
    """Viewable, never added, edited or deleted here: records kept as evidence (who did
    what, when), and rows that change only through their services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
