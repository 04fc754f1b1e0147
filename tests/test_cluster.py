"""The cluster of deploy/ (deploy/cluster.sh: two app servers on PostgreSQL behind HAProxy with cookie
affinity) in a real browser: the proxy's configuration is valid, the page and its WebSocket work
through the proxy, the browser is pinned to one server by the proxy's cookie; an answer is given,
that server is killed, and on reload the browser is re-pinned to the other server and finds its
answer. Needs HAProxy (Debian package; .ci/run installs it), PostgreSQL and Chromium.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from diagnostic.core.profile import Profile
from diagnostic.services import assessments, companies
from diagnostic.storage.database import make_engine
from tests.conftest import PG_URL, empty_pg_database, fresh_engine, local_context
from tests.e2e import ROOT, browser, free_port, wait_idle
from tests.test_browser_faults import checked_level, option, question, stored, wait_until

pytestmark = pytest.mark.browser

if not (shutil.which("haproxy") and shutil.which("chromium") and shutil.which("curl")):
    pytest.skip("HAProxy, curl or Chromium is not installed (.ci/run installs them)", allow_module_level=True)
if not PG_URL:
    pytest.skip("the cluster runs on PostgreSQL: TEST_DATABASE_URL is not set (.ci/run sets it)", allow_module_level=True)

WAIT = 30_000
SCRIPT = ROOT / "deploy" / "cluster.sh"


def test_the_proxy_configuration_is_valid() -> None:
    env = {**os.environ, "AUTODIAG_PROXY_BIND": "127.0.0.1:8080", "AUTODIAG_APP1": "127.0.0.1:8601", "AUTODIAG_APP2": "127.0.0.1:8602"}
    done = subprocess.run(["haproxy", "-c", "-f", str(ROOT / "deploy" / "haproxy.cfg")], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[dict[str, object]]:
    url = empty_pg_database("cluster")
    fresh_engine(url).dispose()
    run = tmp_path_factory.mktemp("cluster")
    ports = [free_port(), free_port()]
    proxy = free_port()
    env = {
        **os.environ, "DATABASE_URL": url, "AUTODIAG_CLUSTER_RUN": str(run), "AUTODIAG_PROXY_PORT": str(proxy),
        "AUTODIAG_APP_PORTS": " ".join(map(str, ports)), "PYTHON": str(ROOT / ".venv" / "bin" / "python"),
    }  # fmt: skip
    started = subprocess.run([str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=180)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield {"url": f"http://127.0.0.1:{proxy}", "db": url, "run": run, "ports": ports}
    finally:
        subprocess.run([str(SCRIPT), "stop"], env=env, capture_output=True, text=True, timeout=60)


def test_a_server_killed_its_browser_is_re_pinned_and_finds_its_answer(cluster) -> None:
    engine = make_engine(str(cluster["db"]))
    ctx = local_context(engine)
    company = companies.save_company(ctx, None, "Atelier en grappe", Profile(headcount_band="1-10"))
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash", respondent="Rémi")
    address = f"{cluster['url']}/diagnostic?c={company.id}&a={assessment.id}"
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
