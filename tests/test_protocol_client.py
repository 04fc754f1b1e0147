"""The load benchmark's simulated person (benchmarks/protocol.py) really uses the app.

`make bench-load` trusts this client to do on the wire what a browser does. If a Streamlit upgrade
changes the protocol, these checks fail here rather than the benchmark measuring nothing: a
respondent's answer and a manager's answer (a fragment's rerun on the Diagnostic page) must reach
the database with the option clicked.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from benchmarks.protocol import Person
from diagnostic.core.profile import Profile
from diagnostic.services import answers, assessments, companies, participation, workspaces
from diagnostic.services.context import Context
from diagnostic.storage.database import make_engine, migrate
from diagnostic.storage.models import RespondentAnswer
from diagnostic.storage.uow import SqlUnitOfWork
from tests.e2e import ROOT, Server

pytestmark = pytest.mark.browser  # a real app server, like the browser tests


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("protocol")
    db_url = f"sqlite:///{folder / 'protocol.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    uow = SqlUnitOfWork(engine)
    ctx = Context(uow, workspaces.local_actor(uow), "fr")
    company = companies.save_company(ctx, None, "Protocole", Profile(headcount_band="50-249", sector="16.23Z"))
    assessment = assessments.start_assessment(ctx, company.id, "rse-performance-globale")
    opened = participation.open_participation(ctx, assessment.id, k=3, comment_k=3)
    staff = next(g.group.id for g in opened.groups if g.group.key == "staff")
    token = participation.create_link(ctx, assessment.id, staff).token
    server = Server(ROOT / "serve.py", db_url, log=Path(folder) / "server.log")
    server.start()
    try:
        yield server, ctx, company.id, assessment.id, token, engine
    finally:
        server.stop()
        engine.dispose()


async def _answer_twice(url: str) -> tuple[list[str], list[float], list[str], list[int]]:
    person = Person(url, timeout=30)
    try:
        await person.open()
        radio = person.radios()[0]
        times = [await person.answer(radio, 2), await person.answer(radio, 3)]
        return radio.options, times, [r.fragment_id for r in person.radios()], person.finished
    finally:
        await person.close()


def test_a_respondent_answer_reaches_the_database(app) -> None:
    server, _, _, _, token, engine = app
    options, times, _, finished = asyncio.run(_answer_twice(f"{server.url}/?repondre={token}"))
    assert options[:5] == ["0 · Inexistant", "1 · Initié / informel", "2 · Formalisé", "3 · Déployé & mesuré",
                           "4 · Amélioré & exemplaire"]  # fmt: skip
    assert all(ms > 0 for ms in times)
    assert finished[-2:] == [0, 0]  # the respondent's page reruns whole
    with engine.connect() as connection:
        saved = connection.execute(select(RespondentAnswer.value)).scalars().all()
    assert saved == [3]  # one respondent, the last option clicked


def test_a_manager_answer_reruns_its_fragment_and_is_saved(app) -> None:
    server, ctx, company_id, assessment_id, _, _ = app
    _, _, fragments, finished = asyncio.run(_answer_twice(f"{server.url}/diagnostic?c={company_id}&a={assessment_id}"))
    assert all(fragments), "the Diagnostic page draws its questions in a fragment"
    assert finished[-2:] == [3, 3]  # each answer reran that fragment only
    saved = answers.load_answers(ctx, assessment_id)
    assert [a.value for a in saved.values()] == [3]
