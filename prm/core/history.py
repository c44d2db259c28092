"""Starting rows for django-simple-history on tables that already hold data.

Without a first history row, the first change after the upgrade would have nothing to be
compared with and would not show. Migrations that add history to a model run
`seed_history` so every existing row gets one ("+", no author, at the migration's time).
"""

from django.utils import timezone


def seed_history(apps, app_label: str, model_name: str) -> None:
    model = apps.get_model(app_label, model_name)
    historical = apps.get_model(app_label, f"Historical{model_name}")
    tracked = {field.attname for field in historical._meta.concrete_fields}
    now = timezone.now()
    rows = []
    for obj in model.objects.all().iterator(chunk_size=2000):
        values = {
            field.attname: getattr(obj, field.attname)
            for field in model._meta.concrete_fields
            if field.attname in tracked
        }
        rows.append(historical(**values, history_date=now, history_type="+"))
    historical.objects.bulk_create(rows, batch_size=2000)
