# Territory is partner master data: the model moves here from channels. Only Django's
# idea of the model moves; the table (channels_territory) and its rows stay as they are.

import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0003_historicalpartner"),
        ("channels", "0002_announcements_and_territory_managers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Territory",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "name",
                            models.CharField(max_length=100, unique=True, verbose_name="name"),
                        ),
                        (
                            "countries",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=2),
                                blank=True,
                                default=list,
                                help_text="Two-letter ISO country codes, e.g. US, DE, VN.",
                                size=None,
                                verbose_name="countries",
                            ),
                        ),
                        (
                            "channel_manager",
                            models.ForeignKey(
                                blank=True,
                                help_text=(
                                    "Receives new applications and partners from these "
                                    "countries."
                                ),
                                limit_choices_to={"role": "channel_manager"},
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="territories",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="channel manager",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "territory",
                        "verbose_name_plural": "territories",
                        "db_table": "channels_territory",
                        "ordering": ["name"],
                    },
                ),
                migrations.AlterField(
                    model_name="partner",
                    name="territory",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="partners",
                        to="partners.territory",
                        verbose_name="territory",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalpartner",
                    name="territory",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="partners.territory",
                        verbose_name="territory",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
