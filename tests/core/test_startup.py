"""The WSGI application settles before its first request: every view imported, and what
is loaded moved out of the garbage collector's full walks (prm/core/startup.py)."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = textwrap.dedent(
    """
    import gc, json, sys
    import prm.wsgi
    print(json.dumps({
        "frozen": gc.get_freeze_count(),
        "views": [m for m in ("reporting.views", "deals.views", "partners.views")
                  if m in sys.modules],
        "tracked": len(gc.get_objects()),
    }))
    """
)


def test_the_wsgi_application_imports_its_views_and_freezes_what_it_loaded():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    # Views are imported at startup, not by the first request of a user.
    assert probe["views"] == ["reporting.views", "deals.views", "partners.views"]
    # The loaded application (~140,000 objects) is frozen: a full collection now walks
    # only the few objects made since.
    assert probe["frozen"] > 50_000
    assert probe["tracked"] < probe["frozen"] / 10
