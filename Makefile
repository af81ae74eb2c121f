# Every target that runs code depends on `install`, so a fresh clone needs nothing but Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install postgresql browser wrk screenshots test lint serve demo bench clean reliability
CHROMIUM := /usr/bin/chromium

install: $(STAMP) postgresql

# The PostgreSQL server binaries the harness's PostgreSQL tests run a throwaway cluster with
# (tests/pg_cluster.py). Installed from Debian when missing and we are root (CI is); otherwise
# those tests skip and say why.
postgresql:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then \
		:; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends postgresql >/dev/null; \
	else \
		echo "note: PostgreSQL server not installed (apt-get install postgresql);" \
			"its tests will be skipped"; \
	fi

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# tests/browser drive Debian's chromium (Playwright's own browser download is not reachable).
# CI runs as root; elsewhere, without root, the browser tests skip and say why.
browser:
	@if [ -x $(CHROMIUM) ]; then \
		:; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium >/dev/null; \
	else \
		echo "note: chromium not installed (apt-get install chromium); tests/browser will skip"; \
	fi

# wrk drives the load checks of tests/reliability (and the benchmarks); they skip without it.
wrk:
	@if command -v wrk >/dev/null; then \
		:; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else \
		echo "note: wrk not installed (apt-get install wrk); the load checks will skip"; \
	fi

test: install browser wrk
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

# The issue-12 reliability suite at full size (make test runs it reduced): fuzz, bad input, load, chaos.
reliability: install wrk
	MOCKKIT_RELIABILITY=full $(BIN)/pytest -q tests/reliability

# The README's screenshots: the browser tests, saving each page to docs/screenshots/.
screenshots: install browser
	MOCKKIT_SCREENSHOTS=1 $(BIN)/pytest -q tests/browser

serve: install
	$(BIN)/mockkit serve

demo: install
	$(BIN)/python -m mockkit.demo

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build dist *.egg-info .hypothesis
