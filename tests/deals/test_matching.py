"""Conflict matching as a channel manager would check it: tables of real-looking pairs.

Pure Python - no database, no Django settings - so these run with ``-p no:django`` too.
"""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from deals.matching import (
    LIKELY_THRESHOLD,
    REPORT_THRESHOLD,
    Registration,
    domain_key,
    name_keys,
    name_query_keys,
    name_similarity,
    normalise_company_name,
    normalise_domain,
    rank_conflicts,
    score_conflict,
)

MONDAY = date(2025, 3, 3)
SWITCHES = frozenset({"SW-24", "SW-48"})


def registration(name, *, domain="", country="US", products=SWITCHES, days_later=0):
    return Registration(
        company_name=name,
        domain=domain,
        country=country,
        products=frozenset(products),
        registered_on=MONDAY + timedelta(days=days_later),
    )


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Blue Harbor Logistics Inc.", "blue harbor logistics"),
        ("BLUE HARBOR LOGISTICS, INCORPORATED", "blue harbor logistics"),
        ("Blue Harbor Logistics LLC", "blue harbor logistics"),
        ("Công ty TNHH Minh Phát", "minh phat"),
        ("Minh Phat Co., Ltd.", "minh phat"),
        ("CÔNG TY CỔ PHẦN ĐÔNG Á", "dong a"),
        ("CTCP Đông Á", "dong a"),
        ("Cty TNHH MTV Hoàng Long", "hoang long"),
        ("Công ty TNHH Một Thành Viên Hoàng Long", "hoang long"),
        ("Công ty TNHH Thành Đạt", "thanh dat"),
        ("Công ty Cổ phần Công nghệ Minh Phát", "cong nghe minh phat"),
        ("Hoang Long Joint Stock Company", "hoang long"),
        ("Hoàng Long JSC", "hoang long"),
        ("Müller Maschinenbau GmbH", "muller maschinenbau"),
        ("Müller Maschinenbau GmbH & Co. KG", "muller maschinenbau"),
        ("Siemens AG", "siemens"),
        ("Société Générale S.A.", "societe generale"),
        ("Bricolage SARL", "bricolage"),
        ("Ejemplo S.L.", "ejemplo"),
        ("Esempio S.p.A.", "esempio"),
        ("Esempio Srl", "esempio"),
        ("Voorbeeld B.V.", "voorbeeld"),
        ("Acme Pty Ltd", "acme"),
        ("Acme Holdings PLC", "acme holdings"),
        ("The Smith & Sons Company", "smith sons"),
        ("Smith and Sons Ltd", "smith sons"),
        ("トヨタ自動車株式会社", "トヨタ自動車"),
        ("株式会社トヨタ自動車", "トヨタ自動車"),
        ("㈱ソニー", "ソニー"),
        ("Sakura K.K.", "sakura"),
        ("  Lots   of\tspace  Inc ", "lots of space"),
        # A name that *is* a legal form is not stripped to nothing.
        ("AG", "ag"),
        ("", ""),
    ],
)
def test_it_normalises_company_names_across_languages(raw, normalised):
    assert normalise_company_name(raw) == normalised


def test_it_keeps_japanese_sound_marks_that_change_the_word():
    # Dakuten are not accents: ガス (gas) is not カス (dregs).
    assert normalise_company_name("ガス株式会社") != normalise_company_name("カス株式会社")


SAME_COMPANY_SPELLINGS = [
    ("Blue Harbor Logistics Inc.", "blue harbour logistics"),
    ("Blue Harbor", "Blue Harbour Logistics Inc."),
    ("Công ty TNHH Minh Phát", "Minh Phat Co., Ltd."),
    ("Công ty TNHH Thương mại Minh Phát", "Minh Phat Co., Ltd."),
    ("Müller Maschinenbau GmbH", "Mueller Maschinenbau"),
    ("Müller GmbH", "Mueller AG"),
    ("Harbour Ltd", "Harbor Inc"),
    ("MinhPhat", "Minh Phát"),
    ("Siemens AG", "SIEMENS"),
    ("Harbor Logistics", "Blue Harbor Logistics"),
    ("Thành Đạt Co., Ltd.", "Công ty TNHH Thành Đạt"),
    ("Becker Handel KG", "Becker Hadel"),
    ("Fischer Technik Augsburg KG", "Fischer Echnik Augsburg"),
    ("Asahi Silver Point Group Ltd", "Asahi SilverPoint Group"),
    ("Cty TNHH MTV Thương mại Hạnh Long", "ThuongMai Hanh Long"),
    ("トヨタ自動車株式会社", "株式会社トヨタ自動車"),
]


@pytest.mark.parametrize(("left", "right"), SAME_COMPANY_SPELLINGS)
def test_it_scores_spellings_of_one_company_as_the_same_name(left, right):
    assert name_similarity(left, right) >= 85
    assert name_similarity(right, left) == name_similarity(left, right)


@pytest.mark.parametrize(("left", "right"), SAME_COMPANY_SPELLINGS)
def test_it_finds_spellings_of_one_company_through_the_index_keys(left, right):
    # Candidate retrieval fetches only rows sharing a key with the query: a pair the scorer
    # would match but the index would never fetch is a missed conflict. Both directions,
    # since either spelling may be the one registered first.
    assert set(name_query_keys(left)) & set(name_keys(right))
    assert set(name_query_keys(right)) & set(name_keys(left))


def test_it_does_not_look_up_a_long_name_by_one_common_word():
    # "blue" alone would fetch every Blue-something in the tenant: slow and no evidence.
    keys = name_query_keys("Blue Harbor Logistics")
    assert "blue" not in keys
    assert "blue+hrbr" in keys


def test_it_does_not_pair_generic_words_of_a_name_with_enough_distinctive_ones():
    # "Xây dựng" (construction) paired with "Sơn" would match every builder called Sơn.
    keys = name_query_keys("Công ty TNHH Xây dựng Vĩnh Trí Sơn")
    assert "son+xay" not in keys and "dung+son" not in keys
    assert {"son+tri", "son+vinh", "tri+vinh"} <= set(keys)


def test_it_leaves_generic_words_out_of_the_index_keys():
    keys = name_keys("Blue Harbor Logistics Solutions")
    assert "logistics" not in keys
    assert "solutions" not in keys
    assert {"blue", "harbor"} <= set(keys)


def test_it_still_indexes_a_name_made_only_of_generic_words():
    assert "global" in name_keys("Global Solutions Ltd")


# --------------------------------------------------------------------------------------------
# Domains
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "domain"),
    [
        ("blue-harbor.com", "blue-harbor.com"),
        ("https://www.Blue-Harbor.com:8443/contact?x=1#top", "blue-harbor.com"),
        ("http://blue-harbor.com", "blue-harbor.com"),
        ("www2.blue-harbor.com/", "blue-harbor.com"),
        ("ana.nguyen@Blue-Harbor.com", "blue-harbor.com"),
        ("mailto:ana@sales.blue-harbor.com", "blue-harbor.com"),
        ("shop.blue-harbor.co.uk", "blue-harbor.co.uk"),
        ("https://minhphat.com.vn/lien-he", "minhphat.com.vn"),
        # From the public suffix list, private section included: hosted shops and sites.
        ("https://blue-harbor.myshopify.com/products", "blue-harbor.myshopify.com"),
        ("docs.redwood.github.io", "redwood.github.io"),
        ("www.kobe-trading.co.jp", "kobe-trading.co.jp"),
        ("sales.example.com.au", "example.com.au"),
        ("intranet.corp", "intranet.corp"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("ana@gmail.com", "gmail.com"),
        ("not a domain", ""),
        ("localhost", ""),
        ("", ""),
    ],
)
def test_it_normalises_urls_emails_and_bare_domains(raw, domain):
    assert normalise_domain(raw) == domain


@pytest.mark.parametrize(
    "free_mail", ["ana@gmail.com", "bob@outlook.com", "c@yahoo.com", "d@hotmail.com", "e@gmx.de"]
)
def test_it_does_not_count_free_mail_domains_as_evidence(free_mail):
    assert domain_key(free_mail) == ""


# --------------------------------------------------------------------------------------------
# Scoring: the table a CM would recognise
# --------------------------------------------------------------------------------------------

CONFLICT_CASES = [
    pytest.param(
        registration("Blue Harbor Logistics Inc.", domain="blue-harbor.com"),
        registration("blue harbour logistics", days_later=12),
        {"name_similar", "product_overlap", "registered_apart"},
        ["name 98% similar", "2 of 2 products overlap", "registered 12 days apart"],
        id="same company spelled differently",
    ),
    pytest.param(
        registration("Công ty TNHH Minh Phát", country="VN"),
        registration("Minh Phat Co., Ltd.", country="VN", days_later=3),
        {"name_similar", "product_overlap", "registered_apart"},
        ["name 100% similar", "registered 3 days apart"],
        id="vietnamese legal form and accents",
    ),
    pytest.param(
        registration("Müller Maschinenbau GmbH", country="DE"),
        registration("Mueller Maschinenbau", country="DE"),
        {"name_similar", "product_overlap", "registered_apart"},
        ["name 100% similar", "registered on the same day"],
        id="german umlaut written out",
    ),
    pytest.param(
        registration("Blue Harbor Logistics", domain="https://www.blue-harbor.com/contact"),
        registration("BH Freight Services", domain="ana@blue-harbor.com", days_later=1),
        {"same_domain", "name_different", "product_overlap", "registered_apart"},
        ["same domain blue-harbor.com", "registered 1 day apart"],
        id="same domain different names",
    ),
    pytest.param(
        registration("Blue Harbor Logistics", domain="blue-harbor.com"),
        registration("Blue Harbor Logistics GmbH", domain="blue-harbor.de", country="DE"),
        {"related_domains", "name_similar", "other_country"},
        ["related domains blue-harbor.com and blue-harbor.de"],
        id="same group other country domain",
    ),
]


@pytest.mark.parametrize(("new", "existing", "codes", "texts"), CONFLICT_CASES)
def test_it_flags_the_same_customer_as_a_likely_conflict(new, existing, codes, texts):
    conflict = score_conflict(new, existing)

    assert conflict is not None
    assert conflict.score >= LIKELY_THRESHOLD
    assert conflict.is_likely
    assert codes <= set(conflict.reason_codes)
    for text in texts:
        assert text in conflict.explain()


def test_it_down_weights_the_same_name_in_another_country_and_says_why():
    us = registration("Blue Harbor Logistics Inc.", country="US")
    same_country = score_conflict(us, registration("Blue Harbor Logistics", country="US"))
    other_country = score_conflict(us, registration("Blue Harbor Logistics Pty Ltd", country="AU"))

    assert other_country is not None, "the CM should still see it, as a weak candidate"
    assert REPORT_THRESHOLD <= other_country.score < LIKELY_THRESHOLD
    assert other_country.score < same_country.score
    assert (
        "different countries (US, AU): possibly another company with the same name"
        in other_country.explain()
    )


def test_it_lowers_the_score_when_no_product_overlaps():
    new = registration("Blue Harbor Logistics", products={"SW-24"})
    overlapping = score_conflict(new, registration("Blue Harbor Logistics", products={"SW-24"}))
    disjoint = score_conflict(new, registration("Blue Harbor Logistics", products={"AP-7"}))

    assert disjoint is not None, "same customer: the CM should know another partner is there"
    assert disjoint.score < overlapping.score
    assert not disjoint.is_likely
    assert "no products in common" in disjoint.explain()
    assert disjoint.shared_products == 0


def test_it_counts_partial_product_overlap_against_the_new_registration():
    new = registration("Blue Harbor", products={"SW-24", "SW-48", "AP-7"})
    conflict = score_conflict(new, registration("Blue Harbor", products={"SW-24", "SW-48"}))
    full = score_conflict(new, registration("Blue Harbor", products=new.products))

    assert "2 of 3 products overlap" in conflict.explain()
    assert conflict.shared_products == 2
    assert conflict.score < full.score


def test_it_lowers_the_score_for_registrations_far_apart_in_time():
    new = registration("Blue Harbor Logistics")
    close = score_conflict(new, registration("Blue Harbor Logistics", days_later=-10))
    far = score_conflict(new, registration("Blue Harbor Logistics", days_later=-300))

    assert far.score < close.score
    assert "registered 300 days apart" in far.explain()
    assert far.days_apart == 300


@pytest.mark.parametrize(
    ("new", "existing"),
    [
        pytest.param(
            registration("Blue Harbor Logistics", domain="ana@gmail.com"),
            registration("Red Mountain Mining", domain="bob@gmail.com"),
            id="different companies sharing gmail",
        ),
        pytest.param(
            registration("Blue Harbor Logistics"),
            registration("Red Mountain Mining"),
            id="nothing in common",
        ),
        pytest.param(
            registration("Blue Harbor Logistics", domain="blue-harbor.com"),
            registration("Blue Ocean Foods", domain="blue-ocean.com"),
            id="one shared word",
        ),
        pytest.param(
            registration("Minh Phát Co., Ltd.", country="VN"),
            registration("Minh Long JSC", country="VN"),
            id="common vietnamese syllable",
        ),
        pytest.param(
            registration("Minh Phát Co., Ltd.", country="VN"),
            registration("Công ty TNHH Minh Phát Long", country="VN"),
            id="a third syllable makes another vietnamese company",
        ),
        pytest.param(
            registration("Blue Harbor Logistics"),
            registration("Blue Harbor Freight"),
            id="same first words different business",
        ),
        pytest.param(
            registration("Blue Harbor Logistics Inc."),
            registration("Blue Harbor Hotels"),
            id="same core name different descriptors",
        ),
        pytest.param(
            registration("Công ty TNHH Thương mại Minh Phát", country="VN"),
            registration("Công ty TNHH Xây dựng Minh Phát", country="VN"),
            id="vietnamese trading and construction companies of the same name",
        ),
    ],
)
def test_it_reports_no_conflict_without_evidence(new, existing):
    assert score_conflict(new, existing) is None


def test_it_never_names_a_free_mail_domain_as_a_reason():
    conflict = score_conflict(
        registration("Blue Harbor Logistics", domain="ana@gmail.com"),
        registration("Blue Harbor Logistics", domain="https://gmail.com"),
    )

    assert conflict is not None  # the name alone still matches
    assert not conflict.same_domain
    assert not any("gmail" in text for text in conflict.explain())


def test_it_matches_a_direct_account_on_identity_alone():
    account = Registration(company_name="Blue Harbor Logistics Ltd", domain="blue-harbor.com")
    conflict = score_conflict(registration("blue harbour logistics inc"), account)

    assert conflict.is_likely
    assert set(conflict.reason_codes) == {"name_similar"}


def test_it_discounts_names_with_differing_domains():
    new = registration("Blue Harbor Logistics", domain="blue-harbor.com")
    no_domain = score_conflict(new, registration("Blue Harbor Logistics"))
    other_domain = score_conflict(new, registration("Blue Harbor Logistics", domain="bhl.io"))

    assert other_domain.score < no_domain.score
    assert "different domains blue-harbor.com and bhl.io" in other_domain.explain()


def test_it_does_not_match_two_shops_on_one_hosting_domain():
    blue = registration("Blue Harbor Outfitters", domain="https://blue-harbor.myshopify.com")
    redwood = registration("Redwood Candles", domain="redwood.myshopify.com", days_later=2)

    conflict = score_conflict(blue, redwood)

    assert conflict is None or not conflict.same_domain
    assert conflict is None or conflict.score < REPORT_THRESHOLD
    same_shop = score_conflict(
        blue, registration("BH Outfitters", domain="blue-harbor.myshopify.com")
    )
    assert same_shop.same_domain


def test_it_keeps_scores_between_0_and_100():
    perfect = registration("Blue Harbor", domain="blue-harbor.com")
    conflict = score_conflict(perfect, replace(perfect))

    assert conflict.score == 100


def test_it_ranks_candidates_highest_score_first():
    new = registration("Blue Harbor Logistics", domain="blue-harbor.com")
    candidates = [
        ("far", registration("Blue Harbor Logistics", days_later=-300)),
        ("unrelated", registration("Red Mountain Mining")),
        ("same", registration("Blue Harbor Logistics", domain="blue-harbor.com")),
    ]

    ranked = rank_conflicts(new, candidates)

    assert [ref for ref, _ in ranked] == ["same", "far"]


def test_it_renders_reasons_through_the_callers_translation_function():
    conflict = score_conflict(
        registration("Blue Harbor", domain="blue-harbor.com"),
        registration("Blue Harbor", domain="blue-harbor.com", days_later=2),
    )
    catalogue = {
        "same domain %(domain)s": "cùng tên miền %(domain)s",
        "name %(similarity)d%% similar": "tên giống %(similarity)d%%",
        "registered %(days)d days apart": "đăng ký cách nhau %(days)d ngày",
    }

    texts = [
        reason.render(lambda message: catalogue.get(message, message))
        for reason in conflict.reasons
    ]

    assert "cùng tên miền blue-harbor.com" in texts
    assert "tên giống 100%" in texts
    assert "đăng ký cách nhau 2 ngày" in texts


def test_it_uses_the_singular_wording_for_one():
    conflict = score_conflict(
        registration("Blue Harbor", products={"SW-24"}),
        registration("Blue Harbor", products={"SW-24"}, days_later=1),
    )

    assert "1 of 1 product overlaps" in conflict.explain()
    assert "registered 1 day apart" in conflict.explain()


@pytest.mark.parametrize(
    ("registered", "typed"),
    [
        ("Prime Street Solutions Ltd", "Prme Street Solutions"),
        ("Công ty TNHH Công nghệ Toàn Nguyên", "Cong Nghe Toan Guyen"),
        ("Richter Bau Zimmermann GmbH & Co. KG", "Richter Bau Zimmerann"),
    ],
)
def test_it_finds_a_name_with_a_typo_in_one_of_three_words(registered, typed):
    assert set(name_query_keys(typed)) & set(name_keys(registered))
