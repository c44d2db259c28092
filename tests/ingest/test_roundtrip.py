"""The round-trip property: canonical lines written in randomly combined real-world
styles come back exactly, and a person is asked only when a person could not tell.

Fixed seeds (CI): 300 reports. `bench/roundtrip.py` runs 10,000 and prints the shares.
"""

import pytest

from tests.roundtrip import check, generate, summarise

SEEDS = range(300)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    directory = tmp_path_factory.mktemp("roundtrip")
    return [check(generate(seed), directory) for seed in SEEDS]


def test_it_gives_back_exactly_the_canonical_lines_of_every_generated_report(outcomes):
    failures = [outcome for outcome in outcomes if not outcome.exact]
    assert not failures, "\n".join(f"seed {o.seed} ({o.style}): {o.problem}" for o in failures[:10])


def test_it_asks_a_person_only_when_a_person_could_not_tell(outcomes):
    unfair = [o for o in outcomes if not o.certain and not o.asked_fairly]
    assert not unfair, "\n".join(f"seed {o.seed} ({o.style}): {o.reasons}" for o in unfair[:10])


def test_the_generated_reports_cover_every_format_language_and_style(outcomes):
    summary = summarise(outcomes)
    assert summary["reports"] == 300 and summary["rows"] > 3_000
    styles = [generate(seed).style for seed in SEEDS]
    assert {s.file_format for s in styles} == {"csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods"}
    assert {s.language for s in styles} == {"en", "de", "fr", "es", "vi", "ja"}
    assert {s.encoding for s in styles} >= {"utf-8", "utf-8-sig", "utf-16", "cp1252", "shift_jis"}
    assert {s.delimiter for s in styles} == {",", ";", "\t", "|"}
    assert {s.number_style for s in styles} >= {"grouped", "spaced", "swiss", "indian", "symbol"}
    assert {s.date_style for s in styles} >= {"native", "serial", "named", "mdy_slash"}
    assert any(s.typed_cells for s in styles) and any(s.cover_sheet for s in styles)
    assert any(s.title_rows for s in styles) and any(s.footer for s in styles)
    assert any(s.abbreviated for s in styles) and any(s.sep_line for s in styles)
    # Some reports must stop for a person (all dates day/month-ambiguous), and did.
    assert 0 < summary["asked"] == summary["asked_fairly"]
