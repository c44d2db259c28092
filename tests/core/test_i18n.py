"""English and Vietnamese: every user-facing string has a Vietnamese translation."""

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
