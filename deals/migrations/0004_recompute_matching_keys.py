"""Recompute the stored matching keys with the current deals.matching rules.

The keys are derived data (see deals.matching, "Candidate retrieval"): when the rules that
make them change, rows saved under the old rules would no longer meet new registrations on
a shared key. This runs the current rules over every deal and direct account, in batches.
Run it again (a new migration calling ``recompute``) whenever name_keys changes.
"""

from django.db import migrations

BATCH = 2000


def recompute(apps, schema_editor):
    from deals import matching

    for model_name in ("Deal", "DirectAccount"):
        model = apps.get_model("deals", model_name)
        rows = model.objects.order_by("pk").only("pk", "customer_name", "customer_domain")
        batch = []
        for row in rows.iterator(chunk_size=BATCH):
            row.customer_domain_key = matching.domain_key(row.customer_domain)
            row.customer_name_keys = matching.name_keys(row.customer_name)
            row.customer_name_forms = sorted(matching.company_name_variants(row.customer_name))
            batch.append(row)
            if len(batch) == BATCH:
                model.objects.bulk_update(
                    batch, ["customer_domain_key", "customer_name_keys", "customer_name_forms"]
                )
                batch = []
        if batch:
            model.objects.bulk_update(
                batch, ["customer_domain_key", "customer_name_keys", "customer_name_forms"]
            )


class Migration(migrations.Migration):
    dependencies = [("deals", "0003_candidate_indexes")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
