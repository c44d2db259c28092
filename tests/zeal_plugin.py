"""django-zeal over the whole test suite: app code that loads related rows one by one (an
N+1) fails the test with the model, field and line that did it.

- zeal's model patches are applied once, when pytest starts (zeal is not in
  INSTALLED_APPS: production never loads it). Outside a zeal context they do nothing.
- Every test runs inside `zeal_context()` (an autouse fixture, zeal's documented pytest
  set-up) and every test-client request in a context of its own (zeal's middleware, put
  first). `ZEAL_RAISE` is on; `PRM_ZEAL=warn` turns failures into warnings and lists every
  N+1 of the run at the end, to see them all at once instead of stopping at the first.
- One unit of work is one call from the test into app code (a service, a selector, a
  request, a command): a query repeated along the same call path within a unit is an
  N+1, not one repeated across units. A test that registers two deals runs
  `deal_submit`'s `.get()` twice, and that is not an N+1; a service that runs a `.get()`
  per row of its input is. Queries issued by test code itself (a test reading
  `n.recipient` for a few rows) are not checked: they are not served to anyone. See
  `_install_unit_notify`.

Not covered: requests served by the dev server process (`live_server_url`, the browser
journeys) and tasks run by the Celery worker process (`celery_worker`): separate processes
started with the plain settings. The same pages and tasks run in-process elsewhere in the
suite. Threads a test starts (the race tests) begin with an empty context: not covered.

A genuine false positive goes in ALLOWLIST below, with the reason; an N+1 in the app is
fixed in the app (select_related/prefetch_related in its selectors).
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

import pytest

#: zeal's allowlist entries ({"model": "app.Model", "field": "name"}), each with its reason.
ALLOWLIST: list[dict[str, str]] = [
    # Django's session and auth middleware load the session row themselves; a logout or a
    # password change loads the new session again in the same request. Never our loop.
    {"model": "sessions.Session", "field": "get()"},
]

#: N+1s left unchecked at one place only: (app file, function issuing the queries,
#: "app.Model.field") -> why. Real ones are reported to their code's owners and the entry
#: goes with the fix.
EXEMPT: dict[tuple[str, str, str], str] = {
    ("deals/services.py", "deal_approve", "deals.Deal.get()"): (
        "bulk approval runs the one-deal approval per ticked deal on purpose (each locks"
        " the deal and its rivals and re-checks them); at most one queue page of deals"
    ),
    ("channels/views.py", "reassign", "accounts.User.get()"): (
        "false positive: the form's two manager fields each read their user with one"
        " .get() (Django cleans fields in a loop); two queries whatever the data"
    ),
}

#: App loops that call a service once per chosen row on purpose, each call its own
#: transaction: (app file, function with the loop) -> why. Queries under the loop are not
#: counted as its N+1; the service is checked on its own by the tests that call it once.
LOOPS: dict[tuple[str, str], str] = {
    ("reporting/admin.py", "delete_queryset"): (
        "the admin's delete selected withdraws each upload through upload_withdraw in a"
        " transaction of its own, so one being imported is refused and the others go"
    ),
}

#: Demo seeders call the real services once per demo row (each call its own unit, checked
#: like any other); their own lookups run once per `seed_demo` on a developer machine and
#: are not checked.
ORCHESTRATORS = ("demo.py", "seed_demo.py")

REPO = Path(__file__).resolve().parent.parent
_APP_ROOT = f"{REPO}{os.sep}"
_NOT_APP = (f"{REPO / 'tests'}{os.sep}", f"{REPO / '.venv'}{os.sep}")

_override = None
_current_test = ""
_found: dict[str, set[str]] = defaultdict(set)  # warn mode: N+1 message -> test ids


def _is_app(filename: str) -> bool:
    return (
        filename.startswith(_APP_ROOT)
        and not filename.startswith(_NOT_APP)
        and not filename.endswith(ORCHESTRATORS)
    )


def _app_path() -> list:
    """The app frames of the current stack, innermost first; the last one is the unit of
    work (the call the test, or a demo seeder, made into the app). Empty when no app code
    is running: the query comes from the test itself."""
    frame, path = sys._getframe(2), []
    while frame is not None:
        filename = frame.f_code.co_filename
        if _is_app(filename):
            path.append(frame)
        elif path and filename.startswith(_APP_ROOT) and not filename.startswith(_NOT_APP[1]):
            break  # back in the test or a seeder: the unit is complete
        frame = frame.f_back
    return path


def _caller() -> tuple[str, int, str]:
    """zeal's get_caller (the first frame outside site-packages and zeal), skipping this
    file too: the line zeal reports is the app's, not this plugin's."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if "site-packages" not in filename and filename != __file__:
            return filename, frame.f_lineno, frame.f_code.co_name
        frame = frame.f_back
    return "<unknown>", 0, "<unknown>"


def _stack() -> list[tuple[str, int, str]]:
    """zeal's get_stack (for PRM_ZEAL_STACKS=1), without this file's frames."""
    frame, stack = sys._getframe(1), []
    while frame is not None:
        filename = frame.f_code.co_filename
        if "site-packages" not in filename and filename != __file__:
            stack.append((filename, frame.f_lineno, frame.f_code.co_name))
        frame = frame.f_back
    return stack


def _install_unit_notify() -> None:
    """Count queries per unit of work and per call path instead of per context and line.

    zeal counts repeated queries by (model, field, source line) over the whole context
    and skips instances loaded singly (`.get()`, `.first()`) anywhere in it. Over a whole
    test, that makes two calls of one service look like a loop, and a deal the test once
    fetched with `.get()` is never checked again; and a selector reached twice in one
    request by two routes (the view's look-up, then the service's locked re-read) looks
    like a loop too. Here both are per unit of work, and the key is the whole app call
    path: a loop repeats the same path, a fixed double read does not.

    The unit's frame object is kept in the context, so `is` cannot match a new call that
    happens to reuse a freed frame's address.
    """
    import zeal.listeners
    from django.conf import settings
    from zeal.listeners import _nplusone_context, n_plus_one_listener

    zeal.listeners.get_caller = _caller
    zeal.listeners.get_stack = _stack
    ignore = n_plus_one_listener.ignore

    def _enter_unit(context, path) -> None:
        if getattr(context, "_prm_unit", None) is not path[-1]:
            context.calls.clear()
            context.ignored.clear()
            context._prm_unit = path[-1]

    def _unit_notify(model, field, instance_key):
        context = _nplusone_context.get()
        if not context.enabled:
            return
        path = _app_path()
        if not path:
            return
        _enter_unit(context, path)
        code = path[0].f_code
        where = code.co_filename.removeprefix(_APP_ROOT), code.co_name
        if (*where, f"{model._meta.label}.{field}") in EXEMPT:
            return
        if any(
            (frame.f_code.co_filename.removeprefix(_APP_ROOT), frame.f_code.co_name) in LOOPS
            for frame in path
        ):
            return
        key = (model, field, *((frame.f_code, frame.f_lineno) for frame in path))
        calls = context.calls[key]
        calls.append(_stack() if getattr(settings, "ZEAL_SHOW_ALL_CALLERS", False) else None)
        threshold = getattr(settings, "ZEAL_NPLUSONE_THRESHOLD", 2)
        if (
            len(calls) >= threshold
            and instance_key not in context.ignored
            and (model, field) not in context._allowlisted_keys
        ):
            message = f"N+1 detected on {model._meta.app_label}.{model.__name__}.{field}"
            n_plus_one_listener._alert(model, field, message, calls)

    def _unit_ignore(instance_key):
        context = _nplusone_context.get()
        if context.enabled:
            path = _app_path()
            if path:
                _enter_unit(context, path)
        ignore(instance_key)

    n_plus_one_listener.notify = _unit_notify
    n_plus_one_listener.ignore = _unit_ignore


def pytest_configure(config: pytest.Config) -> None:
    global _override
    from django.apps import apps
    from django.conf import settings
    from django.test.utils import override_settings

    if not apps.ready:  # pytest-django sets Django up before the conftests load
        raise pytest.UsageError("tests.zeal_plugin needs Django set up first")
    import zeal.patch
    from zeal.constants import initialize_app_registry
    from zeal.signals import nplusone_detected

    if "zeal" not in settings.INSTALLED_APPS and not getattr(zeal.patch, "_prm_patched", False):
        initialize_app_registry()
        zeal.patch.patch()
        _install_unit_notify()
        # tests/security/test_crawler.py patches on its own unless this flag is set.
        zeal.patch._prm_patched = True
    warn = os.environ.get("PRM_ZEAL", "raise") == "warn"
    if warn:
        nplusone_detected.connect(_record, weak=False)
    _override = override_settings(
        ZEAL_RAISE=not warn,
        ZEAL_SHOW_ALL_CALLERS=os.environ.get("PRM_ZEAL_STACKS") == "1",  # every call's stack
        ZEAL_ALLOWLIST=ALLOWLIST,
        MIDDLEWARE=["zeal.middleware.zeal_middleware", *settings.MIDDLEWARE],
    )
    _override.enable()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _override
    if _override is not None:
        _override.disable()
        _override = None


def _record(sender, exception, **kwargs) -> None:
    filename, line, function = _caller()
    _found[f"{exception} at {filename.removeprefix(_APP_ROOT)}:{line} in {function}"].add(
        _current_test
    )


def pytest_terminal_summary(terminalreporter) -> None:
    if not _found:
        return
    terminalreporter.section(f"N+1 queries found by django-zeal ({len(_found)})")
    for message, tests in sorted(_found.items()):
        terminalreporter.write_line(f"{message}  [{len(tests)} tests, e.g. {min(tests)}]")


@pytest.fixture(autouse=True)
def _zeal_context(request):
    """The test, its fixtures and the app code they call run under N+1 detection."""
    global _current_test
    from zeal import zeal_context

    _current_test = request.node.nodeid
    with zeal_context():
        yield
