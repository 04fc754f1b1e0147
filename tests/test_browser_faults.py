"""Faults and two people at once, in a real browser (Debian's Chromium driven by Playwright).

What the screen shows as saved must be in the database: a locked or stopped database, a server
killed right after a click, two people answering the same assessment.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from diagnostic.core.profile import Profile
from diagnostic.services import answers, assessments, companies, questionnaires
from diagnostic.services.context import Context
from diagnostic.storage.database import make_engine, migrate
from tests.conftest import local_context
from tests.e2e import CHROMIUM, CHROMIUM_FLAGS, ROOT, Server, running, wait_idle

pytestmark = pytest.mark.browser

if not shutil.which("chromium"):
    pytest.skip("Chromium is not installed (.ci/run installs it)", allow_module_level=True)

WAIT = 30_000  # ms: every wait of this file is bounded
FIRST = "gov.demarche-rse"  # the first question of the flash diagnostic (a maturity scale)


@contextmanager
def browser_contexts(count: int, width: int = 1280) -> Iterator[list]:
    """`count` pages in separate browser contexts: as many people, each with their own session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            pages = []
            for _ in range(count):
                page = instance.new_context(viewport={"width": width, "height": 1400}).new_page()
                page.set_default_timeout(WAIT)
                pages.append(page)
            yield pages
        finally:
            instance.close()


def app_server(tmp_path, db_url: str, **env: str):
    """The app (serve.py) on this machine, with the app's test knobs in `env`."""
    return running(ROOT / "serve.py", db_url, log=tmp_path / "server.log", env=env)


def prepared(db_url: str) -> tuple[Context, int, int]:
    """The local owner's context on a migrated database, with a company and a flash assessment."""
    engine = make_engine(db_url)
    migrate(engine)
    ctx = local_context(engine)
    profile = Profile(headcount_band="20-49", sector="16.23Z", sites=1)
    company = companies.save_company(ctx, None, "Atelier Test", profile)
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash", respondent="Claire")
    return ctx, company.id, assessment.id


def question_id(ctx: Context, assessment_id: int, index: int) -> str:
    """The id of the `index`-th question of the assessment's first dimension."""
    assessment = assessments.get_assessment(ctx, assessment_id)
    return questionnaires.questionnaire_of(ctx.uow, assessment).dimensions[0].questions[index].id


def open_diagnostic(page, server: Server, company_id: int, assessment_id: int) -> None:
    page.goto(f"{server.url}/diagnostic?c={company_id}&a={assessment_id}", timeout=WAIT)
    wait_idle(page, settle=0.5)
    question(page, 0).wait_for(timeout=WAIT)


def question(page, index: int):
    return page.locator(".st-key-questions [data-testid=stRadio]").nth(index)


def option(page, index: int, level: int):
    """The label of one level (the radio's first label is the question itself)."""
    return question(page, index).locator("label").nth(level + 1)


def checked_level(page, index: int) -> int | None:
    """The checked level of the question's radio (None: nothing checked)."""
    radios = question(page, index).locator("input[type=radio]")
    for level in range(radios.count()):
        if radios.nth(level).is_checked():
            return level
    return None


def wait_until(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout:.0f} s for {what}")


def stored(ctx: Context, assessment_id: int, question_id: str = FIRST):
    row = answers.load_answers(ctx, assessment_id).get(question_id)
    return row.value if row else None


def test_two_people_on_one_assessment_never_overwrite_each_other_silently(tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'two.db'}"
    ctx, company_id, assessment_id = prepared(db_url)
    # no automatic refresh here, so that Bruno's screen is surely stale when he clicks
    with app_server(tmp_path, db_url, AUTODIAG_POLL_SECONDS="3600") as server, browser_contexts(2) as (anne, bruno):
        open_diagnostic(anne, server, company_id, assessment_id)
        open_diagnostic(bruno, server, company_id, assessment_id)

        option(anne, 0, 2).click()
        wait_until(lambda: stored(ctx, assessment_id) == 2, "Anne's answer in the database")
        wait_idle(anne)

        option(bruno, 0, 3).click()
        bruno.get_by_text("a modifié cette réponse pendant que vous la lisiez").wait_for(timeout=WAIT)
        wait_idle(bruno)
        assert stored(ctx, assessment_id) == 2, "Bruno's stale click did not overwrite Anne's answer"
        assert checked_level(bruno, 0) == 2, "Bruno is shown Anne's answer"

        # now that he sees it, Bruno can replace it deliberately
        option(bruno, 0, 3).click()
        wait_until(lambda: stored(ctx, assessment_id) == 3, "Bruno's deliberate answer")

    # with the automatic refresh, Anne's screen follows Bruno's answers without a reload
    with app_server(tmp_path, db_url, AUTODIAG_POLL_SECONDS="1") as server, browser_contexts(2) as (anne, bruno):
        open_diagnostic(anne, server, company_id, assessment_id)
        open_diagnostic(bruno, server, company_id, assessment_id)
        assert checked_level(anne, 0) == 3
        option(bruno, 1, 4).click()
        wait_until(lambda: stored(ctx, assessment_id, question_id(ctx, assessment_id, 1)) == 4, "Bruno's second answer")
        wait_until(lambda: checked_level(anne, 1) == 4, "Anne's screen showing Bruno's new answer", timeout=20)
    ctx.uow.engine.dispose()


def test_a_locked_database_is_said_and_the_answer_not_shown_as_saved(tmp_path) -> None:
    path = tmp_path / "locked.db"
    db_url = f"sqlite:///{path}"
    ctx, company_id, assessment_id = prepared(db_url)
    env = {"AUTODIAG_SQLITE_BUSY_MS": "300", "AUTODIAG_WRITE_DEADLINE": "1"}
    with app_server(tmp_path, db_url, **env) as server, browser_contexts(1) as (page,):
        open_diagnostic(page, server, company_id, assessment_id)
        release = threading.Event()
        locked = threading.Event()

        def hold_lock() -> None:  # another writer, such as a long import, holds the database
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            locked.set()
            release.wait(30)
            other.execute("ROLLBACK")
            other.close()

        holder = threading.Thread(target=hold_lock)
        holder.start()
        assert locked.wait(5)
        try:
            option(page, 0, 2).click()
            page.get_by_text("Réponse NON enregistrée : la base de données est occupée").wait_for(timeout=WAIT)
            wait_idle(page)
            assert checked_level(page, 0) is None, "the radio went back to the stored (empty) answer"
        finally:
            release.set()
            holder.join(10)
        assert stored(ctx, assessment_id) is None
        option(page, 0, 2).click()  # the lock is gone: the same click now saves
        wait_until(lambda: stored(ctx, assessment_id) == 2, "the answer saved once the lock is gone")
        wait_idle(page)
        assert checked_level(page, 0) == 2
        assert page.get_by_text("Réponse NON enregistrée").count() == 0
    ctx.uow.engine.dispose()


def test_a_server_killed_right_after_a_click_comes_back_showing_what_is_stored(tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'killed.db'}"
    ctx, company_id, assessment_id = prepared(db_url)
    with app_server(tmp_path, db_url) as server, browser_contexts(1) as (page,):
        open_diagnostic(page, server, company_id, assessment_id)
        for attempt, level in enumerate((1, 3, 0)):
            option(page, attempt, level).click()
            time.sleep(0.005 * attempt)  # within a few milliseconds of the click
            os.kill(server.process.pid, signal.SIGKILL)  # type: ignore[union-attr]
            server.process.wait(10)  # type: ignore[union-attr]
            server.process = None
            server.start()
            # the page reconnects by itself; it must then show exactly what the database holds
            page.get_by_text("questions répondues").first.wait_for(timeout=WAIT)
            wait_idle(page, settle=1.0)
            qid = question_id(ctx, assessment_id, attempt)
            wait_until(
                lambda qid=qid, attempt=attempt: checked_level(page, attempt) == stored(ctx, assessment_id, qid),
                f"the screen to agree with the database after restart {attempt + 1}",
            )
        page.reload()
        wait_idle(page, settle=0.5)
        question(page, 2).wait_for(timeout=WAIT)  # the page draws its questions one after another
        for index in range(3):
            qid = question_id(ctx, assessment_id, index)
            wait_until(
                lambda qid=qid, index=index: checked_level(page, index) == stored(ctx, assessment_id, qid),
                f"question {index + 1} after the reload to show what is stored",
            )
    ctx.uow.engine.dispose()


def test_user_text_is_shown_as_text_and_assessments_of_one_day_are_told_apart(tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'text.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    ctx = local_context(engine)
    name = "**Gras** :red[rouge] $x^2$ ![pixel](http://127.0.0.1:9/p.png) <b>b</b> _i_"
    company = companies.save_company(ctx, None, name, Profile(headcount_band="1-10"))
    older = assessments.start_assessment(ctx, company.id, "rse-flash")
    newer = assessments.start_assessment(ctx, company.id, "rse-flash")
    with app_server(tmp_path, db_url) as server, browser_contexts(1) as (page,):
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        open_diagnostic(page, server, company.id, newer.id)
        main = page.get_by_test_id("stMain")
        assert name in main.inner_text(), "the name reads exactly as typed"
        assert main.locator("img, strong b, .katex, [data-testid=stMarkdownColoredText]").count() == 0
        assert not any("p.png" in url for url in requested), "no image from a name was fetched"

        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_test_id("stSelectbox").nth(1).click()
        labels = [o.inner_text() for o in page.get_by_role("option").all()]
        assert len(labels) == 2 and len(set(labels)) == 2, labels
        page.keyboard.press("Escape")

        # a dimension chosen in the newer assessment keeps the newer assessment
        main.get_by_test_id("stButtonGroup").first.locator("button").nth(1).click()
        wait_idle(page, settle=0.5)
        assert f"a={newer.id}" in page.url
        option(page, 0, 2).click()
        wait_until(lambda: len(answers.load_answers(ctx, newer.id)) == 1, "the answer saved in the newer assessment")
        assert answers.load_answers(ctx, older.id) == {}
    engine.dispose()


class Relay:
    """A TCP relay in front of PostgreSQL, to stop and start 'the database' under the app."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(16)
        self.open = True
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            upstream = socket.create_connection(self.target, timeout=5)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.close()
            except OSError:
                pass

    def stop(self) -> None:
        self.open = False
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.sockets.clear()

    def start(self) -> None:
        self.open = True

    def close(self) -> None:
        self.stop()
        self.listener.close()


@pytest.mark.postgres
def test_a_stopped_postgresql_is_said_and_the_answer_not_shown_as_saved(tmp_path) -> None:
    from sqlalchemy.engine import make_url

    from tests.conftest import PG_URL, fresh_engine

    if not PG_URL:
        pytest.skip("PostgreSQL tests skipped: TEST_DATABASE_URL is not set (.ci/run sets it)")
    url = make_url(PG_URL)
    fresh_engine(PG_URL).dispose()
    proxy = Relay((url.host or "127.0.0.1", url.port or 5432))
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    ctx, company_id, assessment_id = prepared(PG_URL)
    try:
        with app_server(tmp_path, through_proxy) as server, browser_contexts(1) as (page,):
            open_diagnostic(page, server, company_id, assessment_id)
            proxy.stop()  # the database goes away
            option(page, 0, 2).click()
            page.get_by_text("Réponse NON enregistrée : la base de données ne répond pas").wait_for(timeout=WAIT)
            wait_idle(page)
            assert checked_level(page, 0) is None
            assert stored(ctx, assessment_id) is None
            proxy.start()  # it comes back: the page redraws by itself and the next click is saved
            question(page, 0).wait_for(timeout=WAIT)
            option(page, 0, 2).click()
            wait_until(lambda: stored(ctx, assessment_id) == 2, "the answer saved once the database is back")
            wait_idle(page)
            assert checked_level(page, 0) == 2
    finally:
        proxy.close()
        ctx.uow.engine.dispose()
