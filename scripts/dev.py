"""`make run`: database, migrations, demo data, then web + worker + beat together.

Prints the addresses and logins, and stops everything on Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from services import REPO, ensure_services

PORT = os.environ.get("PORT", "8000")


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, check=True)


def main() -> int:
    started = ensure_services()
    for name, how in started.items():
        print(f"• {name}: {how}")
    os.environ.setdefault("PRM_PUBLIC_PORT", PORT)
    manage("migrate_schemas", "--shared", "--verbosity", "0")
    manage("migrate_schemas", "--tenant", "--verbosity", "0")
    manage("migrate_template")  # new vendors are copies of it (docs/operations.md)
    manage("seed_demo")
    python = sys.executable
    processes = {
        "web": subprocess.Popen(
            [python, "manage.py", "runserver", f"0.0.0.0:{PORT}", "--noreload"], cwd=REPO
        ),
        "worker": subprocess.Popen(
            [python, "-m", "celery", "-A", "prm", "worker", "--loglevel=INFO", "--concurrency=2"],
            cwd=REPO,
        ),
        "beat": subprocess.Popen(
            [python, "-m", "celery", "-A", "prm", "beat", "--loglevel=INFO"], cwd=REPO
        ),
    }
    from demo_banner import banner

    print(banner(PORT), flush=True)

    def stop(*_):
        for proc in processes.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in processes.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        while all(proc.poll() is None for proc in processes.values()):
            time.sleep(1)
        failed = [name for name, proc in processes.items() if proc.poll() is not None]
        print(f"Stopped because {', '.join(failed)} exited.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
