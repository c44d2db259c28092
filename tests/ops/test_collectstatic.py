"""collectstatic with the production settings (the Dockerfile's build step).

The manifest storage rewrites every reference inside CSS and JS files, source maps
included: a vendored file that names a file we do not ship fails the whole build.
"""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_it_collects_static_files_with_the_production_settings(tmp_path):
    env = dict(
        os.environ,
        PRM_ENV="production",
        SECURE_SSL_REDIRECT="false",
        SECRET_KEY="collectstatic-test-" + "k" * 50,
        ALLOWED_HOSTS=".localhost",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "static" / "staticfiles.json").is_file()
    assert list((tmp_path / "static" / "vendor" / "chartjs").glob("chart-4.6.1.umd.min.*.js"))
