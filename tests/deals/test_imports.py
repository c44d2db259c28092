"""import_products and import_direct_accounts: all rows or none, with line numbers."""

import pytest
from django.core.management import CommandError, call_command

from deals.models import DealConflict, DirectAccount, Product


def test_it_imports_and_updates_the_catalogue(acme, tmp_path):
    csv_file = tmp_path / "products.csv"
    csv_file.write_text(
        "vendor_sku,name,list_price,currency\n"
        "AN-SW-24P,Switch 24,1290.00,usd\n"
        "AN-AP-7,AP 7,729,USD\n"
    )
    call_command("import_products", "--schema", "acme", str(csv_file))
    csv_file.write_text(
        "vendor_sku,name,list_price,currency\nAN-SW-24P,Switch 24-port PoE,1300,USD\n"
    )
    call_command("import_products", "--schema", "acme", str(csv_file))

    switch = Product.objects.get(vendor_sku="AN-SW-24P")
    assert (switch.name, str(switch.list_price), switch.currency) == (
        "Switch 24-port PoE",
        "1300.00",
        "USD",
    )
    assert Product.objects.count() == 2


def test_it_imports_nothing_when_a_row_is_wrong(acme, tmp_path, capsys):
    csv_file = tmp_path / "products.csv"
    csv_file.write_text(
        "vendor_sku,name,list_price,currency\nAN-OK,Fine,10,USD\nAN-BAD,Broken,ten,USD\n"
    )

    with pytest.raises(CommandError):
        call_command("import_products", "--schema", "acme", str(csv_file))

    assert "line 3: list_price 'ten' is not a number" in capsys.readouterr().err
    assert not Product.objects.exists()


def test_it_imports_direct_accounts_that_then_conflict(cast, acme, tmp_path, register):
    csv_file = tmp_path / "accounts.csv"
    csv_file.write_text("name,domain,country\nBlue Harbor Logistics,blue-harbor.com,us\n")
    call_command("import_direct_accounts", "--schema", "acme", str(csv_file))

    deal = register(cast.rep_a1, "Blue Harbour Logistics Inc", domain="buyer@blue-harbor.com")

    account = DirectAccount.objects.get()
    assert account.customer_country == "US"
    assert DealConflict.objects.get(deal=deal).direct_account == account
