"""Refresh every Vietnamese catalogue from the code and templates (needs GNU gettext).

Strings of an app with its own `locale/` folder go to that app's catalogue; the rest
(prm/, templates/) to the project catalogue in locale/. Then translate the new entries
and run `scripts/compile_messages.py` (make run/test do it).
"""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IGNORE = [
    ".venv",
    "static",
    "staticfiles",
    "media",
    ".data",
    "tests",
    "bench",
    "scripts",
    "node_modules",
]


def make_messages(root: Path = REPO) -> None:
    args = [
        sys.executable,
        str(root / "manage.py"),
        "makemessages",
        "-l",
        "vi",
        "--no-obsolete",
        "--no-location",
    ]
    for pattern in IGNORE:
        args += ["--ignore", pattern]
    subprocess.run(args, cwd=root, check=True, capture_output=True)


if __name__ == "__main__":
    make_messages(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO)
