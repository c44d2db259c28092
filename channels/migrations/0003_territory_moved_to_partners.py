# Territory now belongs to partners (see partners 0004): channels forgets the model and
# points its announcements at the new owner. Nothing changes in the database.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("channels", "0002_announcements_and_territory_managers"),
        ("partners", "0004_territory_moved_from_channels"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="announcement",
                    name="territories",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="partners.territory",
                        verbose_name="territories",
                    ),
                ),
                migrations.DeleteModel(name="Territory"),
            ],
            database_operations=[],
        ),
    ]
