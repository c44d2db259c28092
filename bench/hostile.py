"""Benchmark of the hostile-file corpus: outcome, peak RSS and wall time per file.

    .venv/bin/python bench/hostile.py > bench/results/hostile.json
    .venv/bin/python bench/hostile.py --only zip-bomb-ratio csv-2.3m-rows-exactly-at-limit

Runs the corpus of tests/reporting/hostile.py exactly as tests/reporting/
test_hostile_uploads.py does: each file, generated in a temporary folder, is ingested by
the worker's parsing path (`check_upload`, `propose_mapping`, every `normalise` chunk
serialised for COPY) in its own child process under RLIMIT_AS and a wall-time limit, one
file at a time so the figures are not shared with another child. Prints one JSON document.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.reporting.hostile import CASES, MEMORY_LIMIT, build, run_isolated  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="case ids to run (default: all)")
    options = parser.parse_args()
    cases = [case for case in CASES if not options.only or case.id in options.only]
    runs = []
    with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
        for case in cases:
            path = build(case, Path(folder))
            result = run_isolated(path, case.filename, case.max_bytes, time_limit=case.seconds)
            expected = (case.outcome, case.code) == (result.outcome, result.code)
            runs.append(
                {
                    "file": case.id,
                    "upload_name": case.filename,
                    "bytes": path.stat().st_size,
                    "outcome": result.outcome,
                    "code": result.code,
                    "as_expected": expected and all(w in result.message for w in case.says),
                    "message": result.message,
                    "lines": result.lines,
                    "peak_rss_mb": result.peak_mb,
                    "seconds": result.seconds,
                    "exit": result.exit,
                }
            )
            print(f"{case.id}: {result.outcome} {result.peak_mb} MB {result.seconds}s",
                  file=sys.stderr)  # fmt: skip
    print(
        json.dumps(
            {
                "runs": runs,
                "memory_limit_mb": MEMORY_LIMIT >> 20,
                "worst_peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
                "worst_seconds": max(run["seconds"] for run in runs),
                "all_as_expected": all(run["as_expected"] for run in runs),
                "load_average_1m": round(os.getloadavg()[0], 2),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "git": subprocess.run(
                    ["git", "rev-parse", "--short", "HEAD"],
                    cwd=REPO,
                    capture_output=True,
                    text=True,
                ).stdout.strip(),
                "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
