from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text as sql_text

from diagnostic.core.answers import parse_answers
from diagnostic.core.loading import LoadedQuestionnaire, parse_questionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.roles import Permission, Scope
from diagnostic.core.scoring import Result, score
from diagnostic.questionnaire_files import find_questionnaire, load_questionnaire
from diagnostic.services import access, workspaces
from diagnostic.services.context import Context
from diagnostic.storage.database import get_engine, make_engine, migrate
from diagnostic.storage.models import Base
from diagnostic.storage.uow import SqlUnitOfWork

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

LEVELS = [
    {"id": "decouverte", "label": {"fr": "Découverte", "en": "Discovering"}, "min_overall": 0},
    {"id": "engage", "label": {"fr": "Engagé", "en": "Committed"}, "min_overall": 25},
    {"id": "structure", "label": {"fr": "Structuré", "en": "Structured"}, "min_overall": 45, "min_dimension": 30},
    {"id": "maitrise", "label": {"fr": "Maîtrisé", "en": "Managed"}, "min_overall": 65, "min_dimension": 45},
    {"id": "exemplaire", "label": {"fr": "Exemplaire", "en": "Exemplary"}, "min_overall": 85, "min_dimension": 65},
]


def text(label: str) -> dict[str, str]:
    return {"fr": f"{label} (fr)", "en": f"{label} (en)"}


def maturity(qid: str, **extra: Any) -> dict[str, Any]:
    return {"id": qid, "type": "maturity", "text": text(qid), **extra}


def build(dimensions: list[dict[str, Any]], **results: Any) -> LoadedQuestionnaire:
    """A questionnaire from dimension dicts (title filled in), checked like a file."""
    data = {
        "schema_version": 1,
        "id": "test",
        "version": "1",
        "title": text("Test"),
        "dimensions": [{"title": text(d["id"]), **d} for d in dimensions],
        "results": {"levels": LEVELS, **results},
    }
    return parse_questionnaire(yaml.safe_dump(data, allow_unicode=True), "<test>")


def run(questionnaire: LoadedQuestionnaire, answers: dict[str, Any], profile: Profile | None = None) -> Result:
    return score(questionnaire, profile or Profile(), parse_answers(questionnaire, answers))


@pytest.fixture(scope="session")
def mini() -> LoadedQuestionnaire:
    return load_questionnaire(FIXTURES / "mini.yaml")


@pytest.fixture(scope="session")
def full() -> LoadedQuestionnaire:
    """The shipped full diagnostic."""
    return find_questionnaire("rse-performance-globale")


@pytest.fixture(scope="session")
def flash() -> LoadedQuestionnaire:
    """The shipped flash diagnostic."""
    return find_questionnaire("rse-flash")


# --- databases: SQLite always, PostgreSQL when TEST_DATABASE_URL names one (.ci/run does) ---------

def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist (`make test` runs a worker per core) each worker has a PostgreSQL database of
    its own, <name>_gw0, <name>_gw1…, made here when missing (the role needs CREATEDB: .ci/run grants
    it): the tests drop and create every table, so two workers cannot share one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if connection.execute(sql_text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar() is None:
                connection.execute(sql_text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


PG_URL = _worker_database(os.environ.get("TEST_DATABASE_URL"))


def empty_pg_database(suffix: str) -> str:
    """A new, empty PostgreSQL database beside the worker's (`<name>_<suffix>`, dropped first if left):
    for tests that replace a whole database (a restore) or run servers of their own (the cluster)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    assert PG_URL
    base = make_url(PG_URL)
    name = f"{base.database}_{suffix}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sql_text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(sql_text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def fresh_engine(url: str):
    engine = make_engine(url)
    if not url.startswith("sqlite"):
        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(sql_text("DROP TABLE IF EXISTS alembic_version"))
    migrate(engine)
    return engine


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def module_engine(request, tmp_path_factory):
    """One migrated database per test module and engine, shared by the module's tests (each makes
    its own company in it): migrating a database per test would cost more than the tests."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('module') / 'module.db'}"
    elif not PG_URL:
        pytest.skip("PostgreSQL tests skipped: TEST_DATABASE_URL is not set (.ci/run sets it)")
    else:
        url = PG_URL
    engine = fresh_engine(url)
    yield engine
    engine.dispose()


def outcome(call: Callable[[], Any]) -> tuple[Any, ...]:
    """What a call gives: its value, or the exception's type, code and message with numbers masked
    (to compare a refusal with the refusal of an id that does not exist)."""
    try:
        value = call()
    except Exception as exc:  # noqa: BLE001 (what is compared is any outcome)
        return ("raised", type(exc).__name__, getattr(exc, "code", None), re.sub(r"\d+", "#", str(exc)))
    return ("returned", value)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    if not PG_URL:
        pytest.skip("PostgreSQL tests skipped: TEST_DATABASE_URL is not set (.ci/run sets it)")
    return PG_URL


def local_context(engine, lang: str = "fr") -> Context:
    """What the app hands its pages in local mode: the implicit owner, on this database."""
    uow = SqlUnitOfWork(engine)
    return Context(uow, workspaces.local_actor(uow), lang)


@pytest.fixture
def ctx(db_url) -> Context:
    """The local owner's context on a fresh database (SQLite, and PostgreSQL when configured)."""
    engine = fresh_engine(db_url)
    yield local_context(engine)
    engine.dispose()


@pytest.fixture
def db(tmp_path, monkeypatch) -> Context:
    """The database the app under AppTest uses (DATABASE_URL), as the local owner's context."""
    url = f"sqlite:///{tmp_path / 'pages.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return local_context(get_engine(url))


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo_export(request, tmp_path_factory) -> tuple[Context, bytes]:
    """A fresh database holding the demo company, and the JSON export of its current assessment."""
    from diagnostic.exports.assessment_json import to_json
    from diagnostic.services import demo, reports

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    elif not PG_URL:
        pytest.skip("PostgreSQL tests skipped: TEST_DATABASE_URL is not set (.ci/run sets it)")
    else:
        url = PG_URL
    engine = fresh_engine(url)
    context = local_context(engine)
    _, assessment = demo.create_demo(context)
    yield context, to_json(reports.export_document(context, assessment.id))
    engine.dispose()


def scope_of(ctx: Context, permission: Permission) -> Scope:
    """The actor's scope, read in a unit of work of its own (a repository used outside `with uow`
    would open a transaction nobody ends)."""
    with ctx.uow:
        return access.scope(ctx, permission)


@pytest.fixture
def no_transaction_left_open(request):
    """No connection stays checked out after the test (storage tests use it on every test)."""
    ctx = request.getfixturevalue("ctx") if "ctx" in request.fixturenames else None  # set up first, so torn down after
    yield
    if ctx is not None:
        assert ctx.uow.engine.pool.checkedout() == 0, "a connection was left checked out (a transaction never ended)"


# --- one page's main(ctx) alone, with AppTest.from_function ------------------------------------------


def page_script(page: str, ctx: object, others: tuple[str, ...] = ()) -> None:  # its source runs alone
    """The script AppTest.from_function runs: the page `app_pages/<page>.py` given `ctx` (a copy per run,
    as app.py builds one), with the pages it links to (`others`) in a hidden navigation."""
    import dataclasses
    import importlib

    import streamlit as st

    module = importlib.import_module(f"app_pages.{page}")
    run_ctx = dataclasses.replace(ctx)  # type: ignore[type-var]
    here = st.Page(lambda: module.main(run_ctx), title=page, url_path=f"unit-{page}", default=True)
    linked = [st.Page(f"app_pages/{name}.py", url_path=name) for name in others if name != page]
    st.navigation([here, *linked], position="hidden").run()


@pytest.fixture(scope="module")
def page_files_beside_the_script():
    """AppTest writes a function's script into its temporary folder: `app_pages` there points at the
    real one, for the module's tests; the modules imported through it are forgotten afterwards (they
    would import their siblings from a folder that is gone)."""
    import sys

    from streamlit.testing.v1 import app_test as streamlit_app_test

    link = Path(streamlit_app_test.TMP_DIR.name, "app_pages")
    made = not link.exists()
    if made:
        link.symlink_to(ROOT / "app_pages", target_is_directory=True)
    yield
    if made:
        link.unlink()
        for name in [m for m in sys.modules if m == "app_pages" or m.startswith("app_pages.")]:
            if str(getattr(sys.modules[name], "__file__", "") or "").startswith(str(link.parent)):
                del sys.modules[name]


# --- what an AppTest run drew -------------------------------------------------------------------------

SAID = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")


def said(at: Any) -> str:
    """Every text an AppTest run drew (titles, headings, markdown, captions, alerts), one per line."""
    return "\n".join(str(e.value) for kind in SAID for e in getattr(at, kind))


def drawn(at: Any) -> Any:
    """The run, after checking it ended without an exception or the "unexpected error" words."""
    from diagnostic.i18n import t

    assert not at.exception, [e.value for e in at.exception]
    assert t("error.unexpected", "fr") not in said(at)
    return at


def row_counts(engine: Any) -> dict[str, int]:
    """The number of rows of every table (the models' tables, which the migrations build exactly:
    tests/test_migrations_match_models.py), in one query: "nothing changed" checks run it often."""
    names = sorted(Base.metadata.tables)
    query = " UNION ALL ".join(f"SELECT '{name}', count(*) FROM \"{name}\"" for name in names)
    with engine.connect() as connection:
        return {name: count for name, count in connection.execute(sql_text(query))}
