# make run   -> create .venv, install, start the app (SQLite under data/ by default)
# make test  -> every test: lint, unit, property-based, AppTest pages, real browser
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench schema clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m streamlit run serve.py

lint: $(STAMP)
	$(PY) -m ruff check .

test: $(STAMP) lint
	$(PY) -m pytest -q

# Each step of the bench is bounded in benchmarks/__main__.py; this is the outer bound of the whole.
BENCH_SECONDS ?= 1500
bench: $(STAMP)
	@timeout --kill-after=30 $(BENCH_SECONDS) $(PY) -m benchmarks; status=$$?; \
	if [ $$status -eq 124 ] || [ $$status -eq 137 ]; then \
		echo "make bench: stopped after $(BENCH_SECONDS) s (outer bound; each step has its own)" >&2; fi; \
	exit $$status

schema: $(STAMP)
	$(PY) -m diagnostic schema > questionnaires/schema.json

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
