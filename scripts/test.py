"""`make test`: start embedded services when none are configured, then run pytest."""

import os
import subprocess
import sys

from services import REPO, ensure_services


def main() -> int:
    for name, how in ensure_services(database="prm").items():
        print(f"• {name}: {how}")
    # Keep test tasks away from a development worker that shares the same Redis.
    if os.environ["REDIS_URL"].endswith("/0"):
        os.environ["REDIS_URL"] = os.environ["REDIS_URL"][:-2] + "/15"
    return subprocess.call([sys.executable, "-m", "pytest", *sys.argv[1:]], cwd=REPO)


if __name__ == "__main__":
    sys.exit(main())
