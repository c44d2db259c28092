"""`import_partners --schema S FILE`: all rows checked, errors reported with line numbers."""

import pytest
from django.core.management import CommandError, call_command

from partners.imports import partners_import
from partners.models import Partner, PartnerStatus, PartnerType
from tests.partners.helpers import make_tiers

HEADER = "slug,name,country,type,tier,channel_manager_email,currency\n"


def test_it_creates_and_updates_partners(cast, acme):
    _registered, silver, _gold = make_tiers()
    text = HEADER + (
        "zenith,Zenith Networks,fr,distributor,Silver,carl@acme.example,eur\n"
        "ardent,Ardent Systems Inc,US,reseller,,,USD\n"
    )
    result = partners_import(text=text)
    assert (result.created, result.updated, result.errors) == (1, 1, [])
    zenith = Partner.objects.get(slug="zenith")
    assert (zenith.country, zenith.partner_type, zenith.tier, zenith.currency) == (
        "FR",
        PartnerType.DISTRIBUTOR,
        silver,
        "EUR",
    )
    assert zenith.channel_manager == cast.cm_a and zenith.status == PartnerStatus.ACTIVE
    assert Partner.objects.get(slug="ardent").name == "Ardent Systems Inc"


def test_it_keeps_current_values_where_an_update_leaves_cells_empty(cast, acme):
    result = partners_import(text=HEADER + "bergmann,Bergmann IT,,,,,\n")
    assert (result.updated, result.errors) == (1, [])
    bergmann = Partner.objects.get(slug="bergmann")
    assert bergmann.name == "Bergmann IT"
    assert (bergmann.country, bergmann.currency, bergmann.channel_manager) == (
        "DE",
        "EUR",
        cast.cm_b,
    )


def test_it_reports_every_row_error_and_imports_nothing(cast, acme):
    text = HEADER + (
        "good-one,Good One,US,reseller,,,USD\n"
        "Bad Slug,,USA,wholesaler,Platinum,nobody@acme.example,EURO\n"
        "good-one,Twice,US,,,,\n"
    )
    result = partners_import(text=text)
    lines = {line for line, _message in result.errors}
    assert lines == {3, 4}
    messages = " ".join(message for _line, message in result.errors)
    for expected in (
        "slug",
        "name is empty",
        "country",
        "type",
        "Platinum",
        "nobody@acme.example",
        "currency",
        "twice",
    ):
        assert expected in messages
    assert not Partner.objects.filter(slug="good-one").exists()


def test_it_runs_as_a_management_command(cast, acme, tmp_path, capsys):
    good = tmp_path / "partners.csv"
    good.write_text(HEADER + "cmd-import-test,Cmd Import Test,GB,msp,,,GBP\n", encoding="utf-8")
    call_command("import_partners", "--schema", "acme", str(good))
    assert "1 created" in capsys.readouterr().out
    assert Partner.objects.get(slug="cmd-import-test").currency == "GBP"
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + ",No Slug,GB,,,,\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_partners", "--schema", "acme", str(bad))
    assert "line 2" in capsys.readouterr().err
