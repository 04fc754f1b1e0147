"""The cluster of deploy/ (deploy/cluster.sh: two app servers on PostgreSQL behind HAProxy with cookie
affinity), its faults, in a real browser:

- the proxy's configuration is valid; the page and its WebSocket work through the proxy, and each
  browser is pinned to one server by the proxy's cookie;
- two people on the two servers answer the same question: the second is told, and shown the first's
  answer (their screens are made stale on purpose: Streamlit's protocol spoken by benchmarks/protocol.py,
  which sends no automatic refresh);
- PostgreSQL goes away under both servers while two people answer (the servers reach it through a
  relay the test cuts: the real server keeps serving the other tests): each is told in French that
  the answer is not saved, and when it comes back both pages recover without a restart, with nothing
  saved before lost;
- the server a browser is pinned to is killed: on reload it is re-pinned to the other one and finds
  its answer.

Needs HAProxy (Debian package; .ci/run installs it), PostgreSQL and Chromium.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from benchmarks.protocol import Person
from diagnostic.core.profile import Profile
from diagnostic.services import assessments, companies
from diagnostic.storage.database import make_engine
from tests.conftest import PG_URL, empty_pg_database, fresh_engine, local_context
from tests.e2e import ROOT, browser, free_port, wait_idle
from tests.test_browser_faults import (
    Relay,
    browser_contexts,
    checked_level,
    option,
    question,
    question_id,
    stored,
    wait_until,
)

pytestmark = pytest.mark.browser

if not (shutil.which("haproxy") and shutil.which("chromium") and shutil.which("curl")):
    pytest.skip("HAProxy, curl or Chromium is not installed (.ci/run installs them)", allow_module_level=True)
if not PG_URL:
    pytest.skip("the cluster runs on PostgreSQL: TEST_DATABASE_URL is not set (.ci/run sets it)", allow_module_level=True)

WAIT = 30_000
OUTAGE = "La base de données ne répond pas. Vos réponses déjà enregistrées sont conservées"
SCRIPT = ROOT / "deploy" / "cluster.sh"


def test_the_proxy_configuration_is_valid() -> None:
    env = {**os.environ, "AUTODIAG_PROXY_BIND": "127.0.0.1:8080", "AUTODIAG_APP1": "127.0.0.1:8601", "AUTODIAG_APP2": "127.0.0.1:8602"}
    done = subprocess.run(["haproxy", "-c", "-f", str(ROOT / "deploy" / "haproxy.cfg")], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(os.geteuid() != 0 or not Path("/etc/postgresql").is_dir(), reason="needs root and Debian's PostgreSQL")
def test_without_a_database_url_the_cluster_uses_its_own_database_on_the_running_server() -> None:
    """`make cluster` with no DATABASE_URL, PostgreSQL already running (it says so on stdout): the
    script's URL is that one line, and it opens."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([str(SCRIPT), "database-url"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "postgresql+psycopg://autodiag:autodiag@127.0.0.1:5432/autodiag_cluster\n"
    engine = make_engine(done.stdout.strip())
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT current_database()").scalar_one() == "autodiag_cluster"
    engine.dispose()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[dict[str, object]]:
    url = empty_pg_database("cluster")
    fresh_engine(url).dispose()
    direct = make_url(url)
    relay = Relay((direct.host or "127.0.0.1", direct.port or 5432))  # "PostgreSQL" as the servers see it
    through_relay = direct.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    run = tmp_path_factory.mktemp("cluster")
    ports = [free_port(), free_port()]
    proxy = free_port()
    env = {
        **os.environ, "DATABASE_URL": through_relay, "AUTODIAG_CLUSTER_RUN": str(run), "AUTODIAG_PROXY_PORT": str(proxy),
        "AUTODIAG_APP_PORTS": " ".join(map(str, ports)), "PYTHON": str(ROOT / ".venv" / "bin" / "python"),
        "AUTODIAG_POLL_SECONDS": "1",
    }  # fmt: skip
    started = subprocess.run([str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=180)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield {"url": f"http://127.0.0.1:{proxy}", "db": url, "run": run, "ports": ports, "relay": relay}
    finally:
        subprocess.run([str(SCRIPT), "stop"], env=env, capture_output=True, text=True, timeout=60)
        relay.close()


def _flash(cluster: dict[str, object], company_name: str, respondent: str) -> tuple[Any, Any, Any, str]:
    """(engine, context, assessment, the address of its Diagnostic page through the proxy) of a new
    company's flash assessment in the cluster's database."""
    engine = make_engine(str(cluster["db"]))
    ctx = local_context(engine)
    company = companies.save_company(ctx, None, company_name, Profile(headcount_band="1-10"))
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash", respondent=respondent)
    return engine, ctx, assessment, f"{cluster['url']}/diagnostic?c={company.id}&a={assessment.id}"


def _pinned(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "AUTODIAG_SERVER")


def test_two_people_on_two_servers_answering_one_question_never_overwrite_each_other(cluster) -> None:
    engine, ctx, assessment, address = _flash(cluster, "Atelier à deux", "Anne")

    async def both() -> tuple[str, str, list[str], str]:
        anne, bruno = Person(address), Person(address)
        try:
            await anne.open()
            await bruno.open()  # the proxy's round robin: the other server
            await anne.answer(anne.radios()[0], 2)
            await bruno.answer(bruno.radios()[0], 3)  # his screen still shows the question unanswered
            return anne.server, bruno.server, bruno.alerts(), bruno.checked(bruno.radios()[0])
        finally:
            await anne.close()
            await bruno.close()

    anne_server, bruno_server, told, shown = asyncio.run(both())
    assert {anne_server, bruno_server} == {"app1", "app2"}
    assert any("a modifié cette réponse pendant que vous la lisiez" in text for text in told), told
    assert stored(ctx, assessment.id) == 2, "Bruno's stale answer did not overwrite Anne's"
    assert shown.startswith("2 "), "Bruno is shown Anne's answer"
    engine.dispose()


def test_postgresql_going_away_under_both_servers_is_said_then_recovered(cluster) -> None:
    engine, ctx, assessment, address = _flash(cluster, "Atelier sans base", "Chloé")
    relay = cluster["relay"]
    second = question_id(ctx, assessment.id, 1)
    with browser_contexts(2) as (chloe, david):
        for page in (chloe, david):
            page.goto(address, timeout=WAIT)
            wait_idle(page, settle=0.5)
            question(page, 1).wait_for(timeout=WAIT)
        assert {_pinned(chloe), _pinned(david)} == {"app1", "app2"}
        option(chloe, 0, 3).click()
        wait_until(lambda: stored(ctx, assessment.id) == 3, "Chloé's answer saved before the outage")
        wait_idle(chloe)
        # the other server's page follows within its poll (1 s here), before the database goes
        wait_until(lambda: checked_level(david, 0) == 3, "Chloé's answer on David's screen")
        wait_idle(david)

        relay.stop()  # PostgreSQL goes away under both servers
        try:
            for page, level in ((chloe, 2), (david, 1)):
                option(page, 1, level).click()
                page.get_by_text("Réponse NON enregistrée : la base de données ne répond pas").wait_for(timeout=WAIT)
                page.get_by_text(OUTAGE).wait_for(timeout=WAIT)
            assert stored(ctx, assessment.id, second) is None
        finally:
            relay.start()  # it comes back: no server is restarted
        for page in (chloe, david):
            page.get_by_text(OUTAGE).wait_for(state="hidden", timeout=WAIT)  # the page redrew itself
            question(page, 1).wait_for(timeout=WAIT)
            wait_idle(page)
            assert checked_level(page, 1) is None, "an answer not saved is not shown as saved"
        # the clicks refused during the outage are not saved later, unasked, by the requests that follow
        assert stored(ctx, assessment.id, second) is None
        option(chloe, 1, 2).click()
        wait_until(lambda: stored(ctx, assessment.id, second) == 2, "Chloé's answer saved once PostgreSQL is back")
        # the other server follows: the answer given before the outage and the one given after
        wait_until(lambda: checked_level(david, 0) == 3 and checked_level(david, 1) == 2, "David's screen up to date")
        assert stored(ctx, assessment.id) == 3, "the answer saved before the outage is kept"
    engine.dispose()


def test_a_server_killed_its_browser_is_re_pinned_and_finds_its_answer(cluster) -> None:
    engine, ctx, assessment, address = _flash(cluster, "Atelier en grappe", "Rémi")
    with browser(1280, 1000) as page:
        page.goto(address, timeout=WAIT)
        wait_idle(page, settle=0.5)
        question(page, 0).wait_for(timeout=WAIT)  # drawn through the proxy: its WebSocket works
        assert page.request.get(f"{cluster['url']}/_autodiag/metrics").status == 404  # internal only
        pinned = next(c["value"] for c in page.context.cookies() if c["name"] == "AUTODIAG_SERVER")
        assert pinned in {"app1", "app2"}

        wait_idle(page, settle=0.5)
        option(page, 0, 3).click()
        try:
            wait_until(lambda: stored(ctx, assessment.id, "gov.demarche-rse") == 3, "the answer saved", timeout=10)
        except AssertionError:  # a click lost while the loaded machine drew the page: a person clicks again
            option(page, 0, 3).click()
            wait_until(lambda: stored(ctx, assessment.id, "gov.demarche-rse") == 3, "the answer saved in PostgreSQL")

        # the pinned server dies: its pid file is the cluster script's
        port = cluster["ports"][0 if pinned == "app1" else 1]
        pid = int(Path(str(cluster["run"]), f"app-{port}.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        page.reload(timeout=WAIT)
        wait_idle(page, settle=0.5)
        question(page, 0).wait_for(timeout=WAIT)
        now = next(c["value"] for c in page.context.cookies() if c["name"] == "AUTODIAG_SERVER")
        assert now != pinned, "the proxy sent the browser to the server still alive"
        wait_until(lambda: checked_level(page, 0) == 3, "the answer given before the failure, shown again")
    engine.dispose()
