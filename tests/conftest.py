"""Test fixtures: one test database, the fixed cast built once, real services.

- `cast` (session): tenants acme and globex with their users (tests/cast.py).
- `acme` / `globex`: a test runs inside that tenant's schema, in a transaction rolled
  back afterwards (pytest-django's `db`).
- `client_for(user)`: a test client on the user's host, logged in.
- `celery_worker` (session): a real Celery worker process on the test database and Redis;
  `wait_for_worker_idle()` waits until it has finished what was queued.
- `live_server_url` (session): a real dev server process on the test database, for
  browser journeys; `browser`: headless Chromium driven by Playwright.
- tests/zeal_plugin.py: every test and every test-client request runs under django-zeal's
  N+1 detection.
"""

import copy
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from tests.cast import PASSWORD, Cast, build_cast

REPO = Path(__file__).resolve().parent.parent
LOG_DIR = REPO / ".data" / "test-logs"

pytest_plugins = ("tests.zeal_plugin",)


def pytest_sessionstart(session):
    """Compile the message catalogues (only those changed since): Vietnamese pages are
    tested, and a fresh checkout or worktree run with plain `pytest` has no .mo files."""
    subprocess.run([sys.executable, str(REPO / "scripts" / "compile_messages.py")], check=True)


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb):
    """Create the test database, then the two tenants and the cast.

    Replaces pytest-django's fixture, which only creates the test database when some
    collected test uses `db`: browser and worker tests don't, and would otherwise run
    against the development database.
    """
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases={"default"},
            keepdb=False,
        )
        assert connection.settings_dict["NAME"].startswith("test_")
        cast = build_cast()
        connection.set_schema_to_public()
    _forget_earlier_sessions_tasks()
    yield cast
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        _end_other_sessions(connection.settings_dict["NAME"])
        teardown_databases(db_cfg, verbosity=request.config.option.verbose)


def _forget_earlier_sessions_tasks() -> None:
    """Empty the test Redis database's task queue before this session's worker starts.

    A session that ended left messages there: mail retries waiting for their countdown
    (handed back by the stopping worker), refreshes its last commits queued. They name rows
    of a test database that was dropped since, and ids start again at 1 in the new one: a
    stale mail task would mark this session's notification 42 e-mailed and deliver an old
    message to the mail sink. (scripts/test.py gives the tests their own Redis database.)
    """
    from prm.celery import app

    app.control.purge()


def _end_other_sessions(database: str) -> None:
    """A stopped worker or web server's session can outlive its process for a moment, and
    DROP DATABASE refuses while any session is open: end them first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )


@pytest.fixture
def cast(django_db_setup) -> Cast:
    """The cast, copied for each test: a test that changes an object in memory (a
    partner's status, say) must not leak that change into the next test, whose database
    rows were rolled back."""
    return copy.deepcopy(django_db_setup)


@pytest.fixture
def acme(db, cast):
    """Run the test inside acme's schema (rolled back afterwards)."""
    connection.set_tenant(cast.acme)
    yield cast.acme
    connection.set_schema_to_public()


@pytest.fixture
def globex(db, cast):
    connection.set_tenant(cast.globex)
    yield cast.globex
    connection.set_schema_to_public()


class TenantClient(Client):
    """A test client that always talks to one host and leaves the test's schema alone.

    The tenant middleware switches the shared connection to the request's schema; the
    test code after a request should still run where it ran before.
    """

    def __init__(self, host: str, **kwargs):
        super().__init__(HTTP_HOST=host, **kwargs)
        self.host = host

    def request(self, **request):
        tenant = connection.tenant
        try:
            return super().request(**request)
        finally:
            connection.set_tenant(tenant)


def host_of(tenant) -> str:
    return f"{tenant.schema_name}.localhost" if tenant.schema_name != "public" else "localhost"


@pytest.fixture
def client_for(db, cast):
    """`client_for(user)`: a client logged in as `user` on its own vendor's host.

    `client_for(None)` is anonymous on acme; `host=` sends the requests elsewhere (e.g. a
    globex session replayed against acme).
    """

    def make(user=None, *, tenant=None, host: str | None = None) -> TenantClient:
        tenant = tenant or _tenant_of(cast, user)
        client = TenantClient(host or host_of(tenant))
        if user is not None:
            with schema_context(tenant.schema_name):
                client.force_login(user)
        return client

    return make


def _tenant_of(cast: Cast, user):
    if user is None:
        return cast.acme
    if user.email.endswith(("@globex.example", "@contoso.example")):
        return cast.globex
    return cast.acme


@pytest.fixture(autouse=True)
def mail_task_in_process(request, monkeypatch):
    """In tests without a worker, the mail task runs in the test process through Celery's
    own `apply` at once (the test's transaction never commits; services already queue
    mail from on_commit callbacks, which the tests run), and Django's locmem backend
    fills `mail.outbox`. Worker and browser tests keep the real queue and worker; the
    mail outage test proves the queued path end to end."""
    if request.node.get_closest_marker("worker") or request.node.get_closest_marker("browser"):
        return
    from prm.core.tasks import deliver_email

    def run_now(*args, **kwargs):
        deliver_email.apply(args=args, kwargs=kwargs).get()

    monkeypatch.setattr(deliver_email, "delay_on_commit", run_now)


# --- Real services ------------------------------------------------------------------


def child_database_url() -> str:
    """DATABASE_URL with the test database's name in place of the configured one.

    The rest of the URL is passed through untouched, so a socket directory
    (`postgres://postgres@%2Fpath%2Fto%2Fpgdata/prm`, the embedded server), a TCP host
    with a port, a password and query options all reach child processes as they were.
    """
    from django.conf import settings

    configured = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/prm"
    test_name = connection.settings_dict["NAME"]
    assert test_name.startswith("test_"), "the test database is not set up yet"
    assert settings.DATABASES["default"]["NAME"] == test_name
    parts = urllib.parse.urlsplit(configured)
    return urllib.parse.urlunsplit(parts._replace(path="/" + urllib.parse.quote(test_name)))


def smtp_port() -> int:
    """The test mail server's port (next to the web server's, one per engineer)."""
    return int(os.environ.get("PRM_TEST_PORT", "8765")) + 1000


def service_env(**extra) -> dict[str, str]:
    """Environment for child processes: same code, the test database, the same Redis.

    Mail goes to the `smtp_sink` port over real SMTP; while no sink listens there the
    mail task retries (after 1 s, 2 s, 4 s ... in tests), as it would in production.
    """
    env = dict(os.environ)
    env.pop("EMAIL_BACKEND", None)
    env.update(
        DATABASE_URL=child_database_url(),
        DJANGO_SETTINGS_MODULE="prm.settings",
        PYTHONUNBUFFERED="1",
        AXES_ENABLED="0",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port()}",
        EMAIL_RETRY_BACKOFF="1",
        EMAIL_TIMEOUT="5",
        **extra,
    )
    return env


class SmtpSink:
    """A real SMTP server (aiosmtpd, in a thread) that keeps what it receives; tests start
    and stop it to play a mail server that is down and comes back."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list = []
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted"

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        if self._controller is None:
            self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]

    def wait_for(self, address: str, *, count: int = 1, timeout: float = 60) -> list:
        """The messages to `address` once there are `count` of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.2)
        raise AssertionError(f"fewer than {count} mails to {address} within {timeout}s")


@pytest.fixture(scope="session")
def smtp_sink():
    """The mail server the worker sends to; stopped unless a test starts it."""
    sink = SmtpSink(smtp_port())
    yield sink
    sink.stop()


def _wait_for(check, *, timeout: float, what: str, proc=None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            break
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not start in {timeout}s\n{tail}")


#: The session's worker node (`celery_worker`), once started.
_worker_node: str | None = None


def wait_for_worker_idle(timeout: float = 60) -> None:
    """Wait until the session's worker runs nothing and nothing waits in its queue.

    A commit in a test can queue work the test never waits for: a partner's save queues a
    refresh of its figures, an import queues its quality checks and refresh, and those
    queue more. Call this before dropping a schema, or deleting rows the product does not
    lock against such work (docs/architecture.md, "The worker beside the requests"). Tasks
    waiting for their countdown (mail retried while no mail server listens) are not
    waited for. Without a worker in the session nothing runs, so nothing is waited for.
    """
    if _worker_node is None:
        return
    from prm.celery import app

    inspect = app.control.inspect(destination=[_worker_node], timeout=5, limit=1)
    deadline = time.monotonic() + timeout
    quiet = 0
    with app.connection_for_read() as broker:
        channel = broker.default_channel
        while time.monotonic() < deadline:
            queued = _queued(channel, app.conf.task_default_queue)
            running = inspect.active() or {}
            taken = inspect.reserved() or {}
            if queued or any(running.values()) or any(taken.values()):
                quiet = 0
            else:
                # Three looks in a row: a message the worker has just taken from the queue
                # shows as reserved a moment later.
                quiet += 1
                if quiet == 3:
                    return
            time.sleep(0.1)
    raise AssertionError(f"the worker was still busy after {timeout}s")


def _queued(channel, queue: str) -> int:
    from amqp.exceptions import ChannelError

    try:
        return channel.queue_declare(queue, passive=True).message_count
    except ChannelError:  # Redis keeps no empty list: nothing is queued
        return 0


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real `celery worker` process (prefork, one child) on the test database."""
    global _worker_node
    from prm.celery import app

    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / "celery-worker.log"
    node = f"prm-test-{os.getpid()}@%h"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "prm",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            "-n",
            node,
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=REPO,
        env=service_env(),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    hostname = node.replace("%h", socket.gethostname())
    _wait_for(
        lambda: app.control.ping(destination=[hostname], timeout=0.5),
        timeout=60,
        what="Celery worker",
        proc=proc,
        log=log,
    )
    _worker_node = hostname
    yield proc
    _worker_node = None
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, celery_worker):
    """A real dev server process on the test database; `{host}` is filled per tenant."""
    port = int(os.environ.get("PRM_TEST_PORT", "8765"))
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / "web.log"
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=REPO,
        env=service_env(PRM_PUBLIC_PORT=str(port)),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )

    def up():
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True

    _wait_for(up, timeout=60, what="Web server", proc=proc, log=log)
    yield f"http://{{host}}:{port}"
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium (never a downloaded browser) driven by Playwright."""
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login_in_browser(live_server_url):
    """`login_in_browser(page, email, tenant="acme")` logs in through the real form."""

    def login(page, email: str, *, tenant: str = "acme", password: str = PASSWORD):
        base = live_server_url.format(host=f"{tenant}.localhost")
        page.goto(f"{base}/login/")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        return base

    return login
