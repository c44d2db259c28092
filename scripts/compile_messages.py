"""Compile every .po catalogue to .mo: with GNU msgfmt where it is installed (it checks
placeholders and leaves fuzzy entries out), else with polib so running needs no gettext."""

import shutil
import subprocess
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    msgfmt = shutil.which("msgfmt")
    for po_path in REPO.glob("**/locale/*/LC_MESSAGES/*.po"):
        if ".venv" in po_path.parts:
            continue
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        if msgfmt:
            subprocess.run([msgfmt, "--check-format", "-o", str(mo_path), str(po_path)], check=True)
        else:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


if __name__ == "__main__":
    main()
