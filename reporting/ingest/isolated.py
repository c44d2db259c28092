"""`check_upload()` in a child process, under an address-space and a wall-time limit.

The parsers (calamine in Rust, polars, the XML scans) run on bytes a partner chose. A
crafted workbook can make calamine ask for more memory than the machine has, and an
allocation failure there aborts the whole process: no Python exception to catch. So the
checks and the layout detection never run in the process that asked for them: a fresh
interpreter (`python -m reporting.ingest.isolated`) does them under `RLIMIT_AS`, and
the caller waits at most `time_limit` seconds. Whatever happens to the child (killed,
aborted, out of memory, too slow), the caller gets an `UploadRefused` with a message the
partner can act on, and only that one upload fails.

A fresh interpreter rather than `fork()`: polars keeps a thread pool, and forking a
process with running threads can deadlock the child. Starting one (the interpreter and
its imports, ~0.2 s of CPU) costs time once per upload; a worker therefore keeps one
started in advance (`start_spare`, `replace_spare`): a child that has done its imports
and waits for its one request, with no limits yet and no partner's bytes read. Taking it
changes nothing of the confinement: it is still one fresh process per check, which sets
its own limits on reading the request, before it opens the file, and ends after it.

The normaliser later opens the same file in the worker without these limits: by then
this child has read the same sheet within the limit, so it is known to fit.
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

from .errors import UploadRefused
from .guard import UploadCheck, check_upload
from .model import FileInfo

# Importing polars and calamine maps ~1.1 GB of virtual memory (reserved arenas and
# thread stacks, not used); the largest sheet the extent guard lets through (25M cells)
# needs ~0.9 GB more. 2.5 GiB fits both and is far below what a bomb asks for.
MEMORY_LIMIT = int(2.5 * (1 << 30))
TIME_LIMIT = 120.0  # seconds; a 50 MB workbook is detected in well under 30 s here
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def check_upload_isolated(
    path: str | Path,
    filename: str,
    max_bytes: int,
    *,
    encoding_override: str | None = None,
    saved_date_order: str | None = None,
    default_currency: str | None = None,
    digest: bool = True,
    memory_limit: int = MEMORY_LIMIT,
    time_limit: float = TIME_LIMIT,
) -> UploadCheck:
    """`check_upload()` run in a confined child; raises `UploadRefused` as it does, and
    also when the child runs out of memory ("too_much_memory") or time ("too_slow")."""
    request = {
        "path": str(Path(path).resolve()),
        "filename": filename,
        "max_bytes": max_bytes,
        "encoding_override": encoding_override,
        "saved_date_order": saved_date_order,
        "default_currency": default_currency,
        "digest": digest,
        "memory_limit": memory_limit,
    }
    child = _take_child()
    # The check's own working folder, made for this request (a spare killed while it
    # waits leaves none behind) and removed once the child has ended.
    with tempfile.TemporaryDirectory(prefix="prm-detect-") as folder:
        request["folder"] = folder
        try:
            stdout, _stderr = child.process.communicate(
                json.dumps(request).encode(), timeout=time_limit
            )
        except subprocess.TimeoutExpired as error:
            raise UploadRefused("too_slow", seconds=int(time_limit)) from error
        finally:
            _end(child)  # killed if still running (too slow, or this caller interrupted)
    lines = stdout.decode("utf-8", errors="replace").strip().splitlines()
    answer = _answer(lines[-1]) if child.process.returncode == 0 and lines else None
    if answer is None:
        # Killed or aborted (an allocation refused by RLIMIT_AS aborts Rust code), or a
        # MemoryError the child reported by its exit status.
        raise UploadRefused("too_much_memory")
    if "refused" in answer:
        raise UploadRefused(answer["refused"]["code"], **answer["refused"]["params"])
    check = answer["check"]
    return UploadCheck(
        sha256=check["sha256"],
        size=check["size"],
        extension=check["extension"],
        info=FileInfo.from_dict(check["info"]),
    )


@dataclass
class _Child:
    """A started checking process: the interpreter has done its imports and waits for
    its one request on stdin (it prints READY when it got there)."""

    process: subprocess.Popen
    owner: int  # the process that started it (a forked worker must not use its parent's)


READY = "ready"
_spare: _Child | None = None
_keep_spare = False
_spare_lock = threading.Lock()


def _start_child() -> _Child:
    # Only what an interpreter needs: the child reads a partner's bytes with native
    # parsers, so it gets no database URL, secret key or other credentials.
    environment = {
        name: os.environ[name]
        for name in ("PATH", "LANG", "LC_ALL", "TMPDIR")
        if name in os.environ
    }
    environment["PYTHONPATH"] = str(_PACKAGE_ROOT)
    environment["POLARS_MAX_THREADS"] = os.environ.get("POLARS_MAX_THREADS", "2")
    process = subprocess.Popen(
        [sys.executable, "-m", "reporting.ingest.isolated"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tempfile.gettempdir(),  # each request names the folder the child works in
        env=environment,
    )
    return _Child(process=process, owner=os.getpid())


def _take_child() -> _Child:
    """The spare if this process has a live one, else a child started now."""
    global _spare
    with _spare_lock:
        child, _spare = _spare, None
    if child is not None and child.owner == os.getpid():
        if child.process.poll() is None:
            return child
        _end(child)
    return _start_child()


def _end(child: _Child) -> None:
    if child.owner != os.getpid():
        return  # its starter's to end
    if child.process.poll() is None:
        child.process.kill()
    for pipe in (child.process.stdin, child.process.stdout, child.process.stderr):
        if pipe is not None:
            pipe.close()
    child.process.wait()


def start_spare(*, wait: bool = False) -> None:
    """Keep a checking process started in advance from now on (a worker calls this
    when it starts, `replace_spare` after each import), so a check does not wait for
    an interpreter to start. `wait`: return once it has done its imports."""
    global _keep_spare, _spare
    with _spare_lock:
        _keep_spare = True
        if _spare is not None and (
            _spare.owner != os.getpid() or _spare.process.poll() is not None
        ):
            _end(_spare)
            _spare = None
        if _spare is None:
            _spare = _start_child()
        spare = _spare
    if wait and spare.process.stdout is not None:
        spare.process.stdout.readline()  # READY; its answer comes only after a request


def replace_spare() -> None:
    """Start the next spare if this process keeps one (`start_spare`) and has none.

    Called when an import has ended, not when the spare is taken: starting an
    interpreter while the import runs would take CPU from it."""
    if _keep_spare:
        start_spare()


def spare_pid() -> int | None:
    """The process id of this process's spare, if it has one (for tests and probes)."""
    spare = _spare
    return spare.process.pid if spare is not None and spare.owner == os.getpid() else None


@atexit.register
def stop_spare() -> None:
    """End this process's spare and keep none from now on (also when it exits)."""
    global _keep_spare, _spare
    with _spare_lock:
        _keep_spare = False
        if _spare is not None:
            _end(_spare)
            _spare = None


def _answer(line: str) -> dict | None:
    try:
        answer = json.loads(line)
    except ValueError:
        return None
    return (
        answer if isinstance(answer, dict) and ("check" in answer or "refused" in answer) else None
    )


def _ran_out_of_memory(error: BaseException) -> bool:
    """True when a refusal was caused by the address-space limit, not by the file's bytes.

    Parsers report a refused allocation their own way: a MemoryError, or zlib's
    Z_MEM_ERROR, which the zip guards read as damage: "Error -4 while decompressing data",
    followed by "insufficient memory" only where zlib gives a message. Under the limit
    both mean the file needs more memory than any sales report, which is what the
    partner should read.
    """
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        text = str(cause).lower()
        if isinstance(cause, MemoryError) or "insufficient memory" in text:
            return True
        if isinstance(cause, zlib.error) and text.startswith("error -4 "):  # Z_MEM_ERROR
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _child() -> int:
    sys.stdout.write(READY + "\n")
    sys.stdout.flush()
    data = sys.stdin.buffer.read()
    if not data:
        return 0  # a spare whose worker ended without using it
    request = json.loads(data)
    limit = int(request["memory_limit"])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core dump of a partner's data
    os.chdir(request["folder"])  # a file name used as a path could only land there
    return _check(request)


def _check(request: dict) -> int:
    try:
        check = check_upload(
            request["path"],
            request["filename"],
            int(request["max_bytes"]),
            encoding_override=request["encoding_override"],
            saved_date_order=request["saved_date_order"],
            default_currency=request["default_currency"],
            digest=request.get("digest", True),
        )
    except UploadRefused as error:
        if _ran_out_of_memory(error):
            return 3
        answer = {"refused": {"code": error.code, "params": error.params}}
    except MemoryError:
        return 3
    else:
        answer = {
            "check": {
                "sha256": check.sha256,
                "size": check.size,
                "extension": check.extension,
                "info": check.info.to_dict(),
            }
        }
    sys.stdout.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(_child())
