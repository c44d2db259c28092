# The two commands of the README: `make run` and `make test`. Everything else is a step.
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install system-deps lint messages

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[embedded,test]'
	touch $@

install: $(VENV)/.installed
	$(PY) scripts/compile_messages.py

## Install, start PostgreSQL/Redis (embedded unless DATABASE_URL/REDIS_URL are set),
## migrate, seed the demo and run web + worker + beat on http://acme.localhost:8000
run: install
	$(PY) scripts/dev.py

## Install (plus Chromium and gettext for browser and translation tests) and run the suite
test: install system-deps
	$(PY) scripts/test.py

system-deps:
	@if ! command -v chromium >/dev/null || ! command -v msgfmt >/dev/null || ! command -v openssl >/dev/null; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium gettext openssl >/dev/null; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

## Refresh the catalogues after changing user-facing strings (needs gettext)
messages: install
	$(PY) scripts/make_messages.py
