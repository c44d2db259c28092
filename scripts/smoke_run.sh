#!/usr/bin/env bash
# Start `make run` (embedded PostgreSQL and Redis), wait for acme's login page, log in as
# the demo channel manager, check the landing page, stop everything.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${SMOKE_PORT:-8123}"
HOST="acme.localhost"
LOG=.data/smoke-run.log
mkdir -p .data
JAR=$(mktemp)
PORT=$PORT setsid make run >"$LOG" 2>&1 &
RUN_PID=$!
cleanup() {
  kill -TERM -- -"$RUN_PID" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 -- -"$RUN_PID" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- -"$RUN_PID" 2>/dev/null || true
  rm -f "$JAR"
}
trap cleanup EXIT
curl_acme() { curl -sS --resolve "$HOST:$PORT:127.0.0.1" -b "$JAR" -c "$JAR" "$@"; }

for _ in $(seq 1 300); do
  if curl_acme -o /dev/null -w '%{http_code}' "http://$HOST:$PORT/login/" 2>/dev/null | grep -q 200; then
    break
  fi
  if ! kill -0 "$RUN_PID" 2>/dev/null; then echo "make run exited early"; tail -50 "$LOG"; exit 1; fi
  sleep 2
done
curl_acme -o /dev/null "http://$HOST:$PORT/login/"
TOKEN=$(awk '$6 == "prm_csrftoken" {print $7}' "$JAR")
STATUS=$(curl_acme -o /dev/null -w '%{http_code} %{redirect_url}' \
  -H "Referer: http://$HOST:$PORT/login/" \
  --data-urlencode "csrfmiddlewaretoken=$TOKEN" \
  --data-urlencode "username=cm1@acme.example" \
  --data-urlencode "password=prm-demo-2026" \
  "http://$HOST:$PORT/login/")
echo "login answered: $STATUS"
case "$STATUS" in "302 "*) ;; *) echo "login failed"; tail -50 "$LOG"; exit 1;; esac
BODY=$(curl_acme -L "http://$HOST:$PORT/")
echo "$BODY" | grep -q "Northwind" || { echo "CM home page does not list the CM's partners"; exit 1; }
echo "smoke test of make run: passed"
