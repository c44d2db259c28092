"""docker-compose.yml is a production stack a person can start: read the files as
docker compose would and check the pieces that were missing."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_it_puts_a_tls_proxy_in_front_of_the_web_service():
    services = compose()["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("caddy")
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    assert "ports" not in services["web"]  # reached only through the proxy
    mounted = [volume.split(":")[0] for volume in proxy["volumes"]]
    assert "./deploy/Caddyfile" in mounted
    caddyfile = (REPO / "deploy" / "Caddyfile").read_text()
    assert "*.{$PRM_BASE_DOMAIN}" in caddyfile
    assert "reverse_proxy web:8000" in caddyfile
    assert "on_demand" in caddyfile and "ask http://web:8000/health/tls/" in caddyfile


def test_it_reads_settings_from_an_env_file_with_an_example():
    services = compose()["services"]
    for name in ("migrate", "web", "worker", "beat"):
        assert services[name]["env_file"] == ".env", name
    example = (REPO / ".env.example").read_text()
    for key in ("SECRET_KEY", "POSTGRES_PASSWORD", "PRM_BASE_DOMAIN", "EMAIL_URL", "ACME_EMAIL"):
        assert re.search(rf"^{key}=", example, re.M), key


def test_it_checks_the_health_of_web_and_worker():
    services = compose()["services"]
    web_check = " ".join(services["web"]["healthcheck"]["test"])
    assert "/health/" in web_check and "PRM_BASE_DOMAIN" in web_check
    worker_check = services["worker"]["healthcheck"]["test"]
    assert "health_worker" in worker_check
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_it_migrates_with_the_documented_steps():
    command = " ".join(compose()["services"]["migrate"]["command"])
    steps = re.findall(r"manage\.py (\S+)", command)
    assert steps == ["migrate_schemas", "migrate_tenants", "migrate_template"]
    assert "--tenant" not in command
    assert "migrate_tenants" in (REPO / "docs" / "operations.md").read_text()


def test_it_installs_a_postgresql_client_as_new_as_the_server():
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "postgresql-client" in dockerfile
    # Debian bookworm ships client 15: the server must not be newer than pg_dump.
    assert "slim-bookworm" in dockerfile
    assert compose()["services"]["postgres"]["image"] == "postgres:15"


def test_it_answers_the_health_check_over_plain_http_in_production():
    """With SECURE_SSL_REDIRECT on, /health/ over HTTP inside the network is not sent
    to HTTPS (the container health check has no TLS), every other page is."""
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        PRM_ENV="production",
        SECRET_KEY="x" * 20 + "-a-long-random-production-secret-key-0123456789",
        PRM_BASE_DOMAIN="prm.example.com",
    )
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.middleware.security import SecurityMiddleware\n"
        "from django.test import RequestFactory\n"
        "from django.http import HttpResponse\n"
        "m = SecurityMiddleware(lambda r: HttpResponse('ok'))\n"
        "f = RequestFactory(HTTP_HOST='prm.example.com')\n"
        "print(settings.SECURE_SSL_REDIRECT, m(f.get('/health/')).status_code,"
        " m(f.get('/login/')).status_code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**env, "DJANGO_SETTINGS_MODULE": "prm.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "200", "301"]
