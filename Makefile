# make run   -> create .venv, install, start the app (SQLite under data/ by default)
# make test  -> every test: lint, unit, property-based, AppTest pages, real browser
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# axe-core, the accessibility engine of tests/test_accessibility.py, pinned (version and checksum),
# from the npm registry. Without npm the test is skipped and says so (.ci/run installs npm).
AXE_VERSION := 4.14.1
AXE_SHA256 := 29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c
AXE := $(VENV)/axe-core/axe-$(AXE_VERSION).min.js

.PHONY: run test lint audit bench bench-load schema clean cluster cluster-stop

$(STAMP): requirements.txt requirements-dev.txt | $(AXE)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

$(AXE):
	@if command -v npm >/dev/null; then \
		rm -rf $(VENV)/axe-core && mkdir -p $(VENV)/axe-core && cd $(VENV)/axe-core && \
		npm pack --silent --no-fund --no-audit axe-core@$(AXE_VERSION) >/dev/null && \
		tar -xzf axe-core-$(AXE_VERSION).tgz --strip-components=1 package/axe.min.js package/LICENSE && \
		echo "$(AXE_SHA256)  axe.min.js" | sha256sum --check --quiet && \
		mv axe.min.js $(notdir $(AXE)) && rm axe-core-$(AXE_VERSION).tgz; \
	else echo "npm not found: tests/test_accessibility.py will be skipped" >&2; fi

run: $(STAMP)
	$(PY) -m streamlit run serve.py

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

test: $(STAMP) lint
	$(PY) -m pytest -q -n auto --dist loadfile  # a worker per core (pytest-xdist), a test file's tests on one worker, in order

# Known vulnerabilities of every package installed in the venv (the pinned requirements and what they
# pull in), from PyPI's advisory data; --strict: a package that could not be checked fails the audit.
# Needs the network to reach that service: not part of `make test` (see docs/decisions.md, 134).
audit: $(STAMP)
	$(PY) -m pip_audit --strict --vulnerability-service pypi --progress-spinner off

# Each step of the bench is bounded in benchmarks/__main__.py; this is the outer bound of the whole.
BENCH_SECONDS ?= 2700
bench: $(STAMP)
	@timeout --kill-after=30 $(BENCH_SECONDS) $(PY) -m benchmarks; status=$$?; \
	if [ $$status -eq 124 ] || [ $$status -eq 137 ]; then \
		echo "make bench: stopped after $(BENCH_SECONDS) s (outer bound; each step has its own)" >&2; fi; \
	exit $$status

schema: $(STAMP)
	$(PY) -m diagnostic schema > questionnaires/schema.json

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

# PostgreSQL + 2 app servers + HAProxy with cookie affinity, all on 127.0.0.1 (deploy/cluster.sh: its
# settings; docs in deploy/README.md). `make cluster-stop` stops the servers and the proxy.
cluster: $(STAMP)
	deploy/cluster.sh start

cluster-stop:
	deploy/cluster.sh stop

# Many users at once (benchmarks/load.py): Chromium users answering on 1 server with SQLite, 1 with
# PostgreSQL, 2 behind HAProxy, at 10/25/50/100 users; figures in benchmarks/results/load-<date>.json.
bench-load: $(STAMP)
	timeout --kill-after=30 3600 $(PY) -m benchmarks.load
