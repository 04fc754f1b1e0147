"""Structured logs (diagnostic/logs.py): with AUTODIAG_LOG_FORMAT=json each event is one JSON line that
names its request, session, workspace and user; a real server writes such a line for each page run and
counts it in its metrics (/_autodiag/metrics, diagnostic/metrics.py).
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import urllib.request

import pytest

from diagnostic import logs
from tests.e2e import ROOT, running


@pytest.fixture
def restored():
    log = logging.getLogger("autodiag")
    handlers, level, propagate = list(log.handlers), log.level, log.propagate
    yield
    log.handlers[:], log.propagate = handlers, propagate
    log.setLevel(level)
    logs.clear()


def test_one_json_line_per_event_with_its_context(restored) -> None:
    stream = io.StringIO()
    log = logs.configure("json", stream)
    logs.bind(request_id="a1b2", session_id="s-9", workspace_id=7, user_id=None)
    log.info("page run", extra={"page": "plan", "ms": 12.5})
    logs.bind(user_id=3)
    try:
        raise ValueError("la base ne répond pas")
    except ValueError:
        log.exception("database error")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert {k: first[k] for k in ("level", "logger", "message", "page", "ms")} == {
        "level": "INFO", "logger": "autodiag", "message": "page run", "page": "plan", "ms": 12.5,
    }  # fmt: skip
    assert (first["request_id"], first["session_id"], first["workspace_id"], first["user_id"]) == ("a1b2", "s-9", 7, None)
    assert second["level"] == "ERROR" and second["user_id"] == 3 and "ValueError: la base ne répond pas" in second["exc_info"]
    logs.clear()
    log.warning("hors d'une page")
    assert json.loads(stream.getvalue().splitlines()[-1])["request_id"] is None


def test_text_stays_as_streamlit_writes_it(restored) -> None:
    before = list(logging.getLogger("autodiag").handlers)
    logs.configure("text", io.StringIO())
    assert logging.getLogger("autodiag").handlers == before


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which("chromium"), reason="a server test, with the browser tests")
def test_a_server_writes_a_json_line_for_each_page_run_and_counts_it_in_its_metrics(tmp_path) -> None:
    log_file = tmp_path / "server.log"
    with running(ROOT / "serve.py", f"sqlite:///{tmp_path / 'logs.db'}", log=log_file, env={"AUTODIAG_LOG_FORMAT": "json"}) as server:
        # a page run needs a browser session: the health check writes nothing of ours
        with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=10) as answer:
            assert answer.status == 200
        from tests.e2e import browser, wait_idle

        with browser(1280, 900) as page:
            page.goto(f"{server.url}/accueil", timeout=30_000)
            wait_idle(page, settle=0.3)
            page.locator("[data-testid=stMain] h1").first.wait_for(timeout=30_000)
        # the metrics endpoint (diagnostic/metrics.py): the run is counted, the process measured
        with urllib.request.urlopen(f"{server.url}/_autodiag/metrics", timeout=10) as answer:
            assert answer.status == 200 and answer.headers["content-type"].startswith("text/plain")
            exposition = answer.read().decode()
        runs = [line for line in exposition.splitlines() if line.startswith('autodiag_page_runs_total{page="accueil"}')]
        assert runs and float(runs[0].split()[-1]) >= 1
        assert 'autodiag_page_run_seconds_count{page="accueil"}' in exposition
        assert "process_cpu_seconds_total" in exposition and "process_resident_memory_bytes" in exposition
    runs = []
    for line in log_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("{"):
            event = json.loads(line)
            if event.get("message") == "page run":
                runs.append(event)
    assert runs, log_file.read_text(encoding="utf-8")[-2000:]
    assert runs[-1]["page"] == "accueil" and runs[-1]["workspace_id"] is not None and runs[-1]["user_id"] is not None
    assert len(runs[-1]["request_id"]) == 16 and runs[-1]["session_id"]
