"""English and Vietnamese: every user-facing string has a Vietnamese translation."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

REPO = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".data", ".git", "media", "staticfiles", "node_modules", "static", "bench"}


def test_it_has_a_vietnamese_translation_for_every_string(tmp_path):
    """Extract the strings afresh from a copy of the code, then look for gaps.

    Running makemessages on a copy catches strings added to code or templates but never
    added to a catalogue, not only empty entries already in one.
    """
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is needed (make test installs it): apt-get install gettext")
    copy = tmp_path / "repo"
    shutil.copytree(REPO, copy, ignore=lambda d, names: [n for n in names if n in SKIP])
    subprocess.run([sys.executable, "scripts/make_messages.py", str(copy)], cwd=REPO, check=True)
    gaps = {}
    catalogues = list(copy.glob("**/locale/vi/LC_MESSAGES/django.po"))
    assert catalogues, "no Vietnamese catalogue found"
    for po_path in catalogues:
        po = polib.pofile(str(po_path))
        missing = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
        if missing:
            gaps[str(po_path.relative_to(copy))] = missing
    assert not gaps, f"strings without a Vietnamese translation: {gaps}"


def test_it_serves_pages_in_the_language_the_user_picks(cast, acme, client_for):
    client = client_for(None)
    english = client.get("/login/").content.decode()
    assert "Log in" in english
    client.post("/i18n/setlang/", {"language": "vi", "next": "/login/"})
    vietnamese = client.get("/login/").content.decode()
    assert "Đăng nhập" in vietnamese
    assert 'lang="vi"' in vietnamese


# printf-style (%(name)s, %s, %d) and str.format-style ({name}) placeholders.
PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"
    r"|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"
    r"|\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}"
)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def committed_catalogues() -> list[Path]:
    return [
        path
        for path in REPO.glob("**/locale/vi/LC_MESSAGES/django.po")
        if not SKIP.intersection(path.relative_to(REPO).parts)
    ]


def test_it_keeps_the_placeholders_of_every_string_in_its_translation():
    """A translation that drops, adds or renames a placeholder shows literally on the page
    ("Thẻ điểm: %(name)s") or raises while rendering."""
    mismatched = []
    for po_path in committed_catalogues():
        for entry in polib.pofile(str(po_path)):
            if entry.obsolete:
                continue
            if entry.msgid_plural:
                pairs = [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
            else:
                pairs = [(entry.msgid, entry.msgstr)]
            for source, translation in pairs:
                if translation and placeholders(source) != placeholders(translation):
                    mismatched.append((str(po_path.relative_to(REPO)), source, translation))
    assert mismatched == []


def test_it_ships_no_fuzzy_translation():
    """gettext marks a guessed translation fuzzy; it must be checked and the flag removed
    by a person (scripts/translate.py clears it only when it writes the translation)."""
    fuzzy = [
        (str(po_path.relative_to(REPO)), entry.msgid)
        for po_path in committed_catalogues()
        for entry in polib.pofile(str(po_path))
        if "fuzzy" in entry.flags and not entry.obsolete
    ]
    assert fuzzy == []


def test_it_finds_a_placeholder_mismatch():
    assert placeholders("Scorecard") != placeholders("Thẻ điểm: %(name)s")
    assert placeholders("{rows} rows") == placeholders("{rows} hàng")
    assert placeholders("100%% of %(count)d") == placeholders("%(count)d: 100%%")
