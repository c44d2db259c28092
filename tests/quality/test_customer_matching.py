"""Customer linking decisions on spellings a CM would recognise (pure functions)."""

import pytest

from reporting.quality.customers import Spelling, decide, key


@pytest.mark.parametrize(
    ("new", "known"),
    [
        ("Công ty TNHH Minh Phát", "Minh Phat Co., Ltd."),
        ("MUELLER MASCHINENBAU GMBH", "Müller Maschinenbau GmbH & Co. KG"),
        ("Transports Dubois SARL", "Dubois Transports SAS"),
        ("Redwood Credit Union", "Redwood Credit Unoin"),
        ("Fuchs Spedition Gesellschaft mit beschränkter Haftung", "Fuchs Spedition AG"),
        ("Harper Intl Logistics", "Harper International Logistics Inc."),
    ],
)
def test_it_links_respellings_of_one_customer_automatically(new, known):
    assert decide(Spelling(new, "VN"), Spelling(known, "VN"))[0] == "auto"


@pytest.mark.parametrize(
    ("new", "known"),
    [
        ("Harbor View Hotels", "Harbor Point Hotels"),
        ("Minh Phát", "Minh Phát Long"),
        ("Rizzo Nord Costruzioni", "Rizzo Nord Logistica"),
    ],
)
def test_it_never_links_a_name_with_another_word_automatically(new, known):
    assert decide(Spelling(new, "IT"), Spelling(known, "IT"))[0] != "auto"


def test_it_does_not_link_the_same_name_in_another_country_automatically():
    decision, _score = decide(
        Spelling("Blue Harbor Logistics", "AU"), Spelling("Blue Harbor Logistics", "US")
    )
    assert decision != "auto"


def test_it_folds_word_order_legal_forms_and_accents_into_one_key():
    assert key("Công ty TNHH Minh Phát") == key("phat minh co ltd")
