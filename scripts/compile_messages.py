"""Compile every .po catalogue to .mo with polib, so no gettext tools are needed to run."""

from pathlib import Path

import polib

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    for po_path in REPO.glob("**/locale/*/LC_MESSAGES/*.po"):
        if ".venv" in po_path.parts:
            continue
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


if __name__ == "__main__":
    main()
