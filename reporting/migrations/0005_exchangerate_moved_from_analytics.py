# Exchange rates belong to reporting (imports convert amounts with them): the model moves
# here from analytics. Only Django's idea of it moves; the table keeps its name and rows.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0004_salesline_checked_per_upload'),
        ('analytics', '0005_vendor_wide_rollups'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(
            name='ExchangeRate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('currency', models.CharField(max_length=3, validators=[django.core.validators.RegexValidator('^[A-Z]{3}$', 'Enter a three-letter ISO 4217 code, e.g. EUR.')], verbose_name='currency')),
                ('quote_currency', models.CharField(editable=False, max_length=3, validators=[django.core.validators.RegexValidator('^[A-Z]{3}$', 'Enter a three-letter ISO 4217 code, e.g. EUR.')], verbose_name='in currency')),
                ('rate', models.DecimalField(decimal_places=10, help_text='Value of one unit of the currency in the reporting currency.', max_digits=20, validators=[django.core.validators.MinValueValidator(0)], verbose_name='rate')),
                ('valid_from', models.DateField(verbose_name='valid from')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='updated by')),
            ],
            options={
                'verbose_name': 'exchange rate',
                'verbose_name_plural': 'exchange rates',
                'db_table': 'analytics_exchangerate',
                'ordering': ['currency', '-valid_from'],
                'constraints': [models.UniqueConstraint(fields=('currency', 'quote_currency', 'valid_from'), name='exchangerate_unique_day'), models.CheckConstraint(condition=models.Q(('rate__gt', 0)), name='exchangerate_positive')],
            },
        ),], database_operations=[]),
    ]
