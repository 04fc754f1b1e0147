"""Scoping at the storage level (SQLite and PostgreSQL): a row outside the scope is a missing row.

Two workspaces, A and B, two companies each, with an assessment, answers and an action each. For
every repository method that takes a Scope: what lies outside the scope is not found, not listed,
not changed, not deleted, exactly as an id that does not exist (None, [], {}, Gone, False), and
nothing of it changes in the database.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from diagnostic.core.errors import Conflict, Gone
from diagnostic.core.profile import Profile
from diagnostic.core.roles import Scope
from diagnostic.questionnaire_files import load_questionnaire
from diagnostic.storage import repositories
from diagnostic.storage.records import AnswerEdit
from diagnostic.storage.uow import SqlUnitOfWork
from tests.conftest import FIXTURES, fresh_engine

MINI = load_questionnaire(FIXTURES / "mini.yaml")
TABLES = (
    "workspaces", "companies", "questionnaire_snapshots", "assessments", "answers", "actions", "memberships",
    "campaigns", "respondent_groups", "respondent_links", "respondents", "respondent_answers", "consensus_notes",
)  # fmt: skip
FAR = datetime(2100, 1, 1, tzinfo=UTC)
KEYS = ("a1", "a2", "b1", "b2")


@dataclass(frozen=True)
class Target:
    key: str
    company: int
    assessment: int
    action: int
    name: str
    group: int  # its assessment's named group (a sent respondent, a link) …
    anonymous_group: int  # … and anonymous group (a respondent in progress, with a key)
    link: int
    fresh: int  # another assessment, not opened to groups


MISSING = Target("missing", 10**6, 10**6, 10**6, "Personne", 10**6, 10**6, 10**6, 10**6)


@dataclass
class World:
    engine: Engine
    a: int  # workspace ids
    b: int
    targets: dict[str, Target]

    def workspace_of(self, key: str) -> int:
        return self.a if key.startswith("a") else self.b


def build(engine: Engine) -> World:
    uow = SqlUnitOfWork(engine)
    with uow:
        a = uow.workspaces.add("A", "consultancy").id
        b = uow.workspaces.add("B", "consultancy").id
        uow.snapshots.save(MINI, MINI.text)
        both = Scope(workspaces=frozenset({a, b}))
        targets = {}
        for key in KEYS:
            name = {"a1": "Alpha", "a2": "Atelier A", "b1": "Bravo", "b2": "Bureau B"}[key]
            company = uow.companies.add(a if key.startswith("a") else b, name, Profile(headcount_band="11-19"), f"notes {key}")
            assessment = uow.assessments.add(both, company.id, MINI, label=key, targets={"rh": 50.0})
            uow.answers.replace(both, assessment.id, {"rh.formation": (2, "vu"), "env.energie": (None, "à voir")}, "Zoé")
            action = uow.actions.add(both, assessment.id, f"action {key}", owner=key)
            p = uow.participation
            p.open(both, assessment.id, [("direction", "", False), ("staff", "", True)], 5, 8)
            named, anonymous = p.groups(both, assessment.id)
            link = p.add_link(both, named.id, f"hash-{key}", "Zoé", "test", FAR, None)
            person = p.add_respondent(f"named-{key}", named.id, link.id, None)
            p.put_respondent_answer(person.id, "rh.formation", 3, "vu")
            p.complete_respondent(person.id, date(2026, 11, 30))
            p.add_respondent(f"anonymous-{key}", anonymous.id, None, f"secret-{key}")
            p.put_note(both, assessment.id, "rh.formation", 3, "", "Zoé")
            fresh = uow.assessments.add(both, company.id, MINI, label=f"{key} bis")
            targets[key] = Target(key, company.id, assessment.id, action.id, name, named.id, anonymous.id, link.id, fresh.id)
    return World(engine, a, b, targets)


@pytest.fixture
def world(db_url) -> World:
    engine = fresh_engine(db_url)
    yield build(engine)
    engine.dispose()


def rows(connection: Any) -> dict[str, list[tuple]]:
    """Every row of every table, as stored (a Connection or the unit of work's Session)."""
    return {t: [tuple(r) for r in connection.execute(text(f"SELECT * FROM {t} ORDER BY 1"))] for t in TABLES}


def database(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return rows(connection)


# --- every method that takes a scope, called on a target ------------------------------------------

Probe = Callable[[SqlUnitOfWork, Scope, Target, list], Any]


def _edit(calls: list) -> Callable[[Any], AnswerEdit]:
    def edit(old: Any) -> AnswerEdit:
        calls.append(old)  # what the callback saw: it must never see a row out of scope
        return AnswerEdit(4, "changé")

    return edit


PROBES: dict[str, Probe] = {
    "companies.get": lambda u, s, t, c: u.companies.get(s, t.company),
    "companies.find_by_name": lambda u, s, t, c: u.companies.find_by_name(s, t.name),
    "companies.update": lambda u, s, t, c: u.companies.update(s, t.company, "Changée", Profile(), "changé"),
    "companies.delete": lambda u, s, t, c: u.companies.delete(s, t.company),
    "assessments.get": lambda u, s, t, c: u.assessments.get(s, t.assessment),
    "assessments.with_company": lambda u, s, t, c: u.assessments.with_company(s, t.assessment),
    "assessments.list": lambda u, s, t, c: u.assessments.list(s, t.company),
    "assessments.add": lambda u, s, t, c: u.assessments.add(s, t.company, MINI, label="intrus"),
    "assessments.update": lambda u, s, t, c: u.assessments.update(s, t.assessment, label="changé", status="completed"),
    "assessments.delete": lambda u, s, t, c: u.assessments.delete(s, t.assessment),
    "assessments.stamp": lambda u, s, t, c: u.assessments.stamp(s, t.assessment),
    "answers.load": lambda u, s, t, c: u.answers.load(s, t.assessment),
    "answers.edit": lambda u, s, t, c: u.answers.edit(s, t.assessment, "rh.formation", _edit(c), answered_by="intrus"),
    "answers.edit(new row)": lambda u, s, t, c: u.answers.edit(s, t.assessment, "rh.duerp", _edit(c), answered_by="intrus"),
    "answers.replace": lambda u, s, t, c: u.answers.replace(s, t.assessment, {"rh.formation": (0, "")}, "intrus"),
    "actions.list": lambda u, s, t, c: u.actions.list(s, t.assessment),
    "actions.add": lambda u, s, t, c: u.actions.add(s, t.assessment, "intruse"),
    "actions.update": lambda u, s, t, c: u.actions.update(s, t.action, owner="intrus"),
    "actions.update(expected)": lambda u, s, t, c: u.actions.update(s, t.action, expected={"owner": t.key}, status="done"),
    "actions.delete": lambda u, s, t, c: u.actions.delete(s, t.action),
    "actions.delete(expected)": lambda u, s, t, c: u.actions.delete(s, t.action, expected={"owner": "autre"}),
    "participation.campaign": lambda u, s, t, c: u.participation.campaign(s, t.assessment),
    "participation.open": lambda u, s, t, c: u.participation.open(s, t.fresh, [("staff", "", True)], 5, 8),
    "participation.update_campaign": lambda u, s, t, c: u.participation.update_campaign(s, t.assessment, share_results=True),
    "participation.groups": lambda u, s, t, c: u.participation.groups(s, t.assessment),
    "participation.update_group": lambda u, s, t, c: u.participation.update_group(s, t.group, label="intrus"),
    "participation.add_link": lambda u, s, t, c: u.participation.add_link(s, t.anonymous_group, f"intrus-{t.key}", "", "intrus", FAR, 3),
    "participation.links": lambda u, s, t, c: u.participation.links(s, t.assessment),
    "participation.change_link": lambda u, s, t, c: u.participation.change_link(s, t.link, revoke=True),
    "participation.respondents": lambda u, s, t, c: u.participation.respondents(s, t.assessment),
    "participation.responses": lambda u, s, t, c: u.participation.responses(s, t.assessment),
    "participation.named_answers": lambda u, s, t, c: u.participation.named_answers(s, t.assessment),
    "participation.forget_secrets": lambda u, s, t, c: u.participation.forget_secrets(s, t.assessment),
    "participation.notes": lambda u, s, t, c: u.participation.notes(s, t.assessment),
    "participation.put_note": lambda u, s, t, c: u.participation.put_note(s, t.assessment, "rh.formation", 1, "intrus", "intrus"),
}
NOT_FOUND = [("value", None), ("value", []), ("value", {}), ("value", False), ("raised", "Gone")]


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return ("value", call())
    except (Gone, Conflict) as exc:
        return ("raised", type(exc).__name__)


class Rollback(Exception):
    pass


def missing_outcomes(world: World, scope: Scope) -> dict[str, tuple[str, Any]]:
    """What every probe gives for ids that do not exist (committed: nothing may change either)."""
    before = database(world.engine)
    found = {}
    for name, probe in PROBES.items():
        uow, calls = SqlUnitOfWork(world.engine), []
        with uow:
            found[name] = outcome(lambda u=uow, p=probe, c=calls: p(u, scope, MISSING, c))
        assert found[name] in NOT_FOUND, name
        assert calls == [], name
    assert database(world.engine) == before
    return found


def assert_out_of_reach(world: World, scope: Scope, keys: list[str]) -> None:
    missing = missing_outcomes(world, scope)
    before = database(world.engine)
    for key in keys:
        for name, probe in PROBES.items():
            uow, calls = SqlUnitOfWork(world.engine), []
            with uow:  # committed: whatever it did would stay
                got = outcome(lambda u=uow, p=probe, c=calls, t=world.targets[key]: p(u, scope, t, c))
            assert got == missing[name], (key, name, got)
            assert calls == [], (key, name)  # the compare-and-set never saw the row
            assert database(world.engine) == before, (key, name)  # not one value changed
    listed = {c.id for c in SqlUnitOfWork(world.engine).run(lambda u: u.companies.list(scope))}
    assert not listed & {world.targets[k].company for k in keys}


def assert_in_reach(world: World, scope: Scope, keys: list[str]) -> None:
    """The same calls do reach these (each rolled back): the probes above are not vacuous."""
    missing = missing_outcomes(world, scope)
    before = database(world.engine)
    for key in keys:
        for name, probe in PROBES.items():
            uow, calls = SqlUnitOfWork(world.engine), []
            with pytest.raises(Rollback), uow:
                got = outcome(lambda u=uow, p=probe, c=calls, t=world.targets[key]: p(u, scope, t, c))
                changed = rows(uow.companies.s) != before
                raise Rollback
            assert got != missing[name] or changed, (key, name, got)
            assert calls or not name.startswith("answers.edit"), (key, name)
            assert database(world.engine) == before, (key, name)
    listed = {c.id for c in SqlUnitOfWork(world.engine).run(lambda u: u.companies.list(scope))}
    assert {world.targets[k].company for k in keys} <= listed


def listed(world: World, scope: Scope) -> list[str]:
    ids = {t.company: k for k, t in world.targets.items()}
    return [ids[c.id] for c in SqlUnitOfWork(world.engine).run(lambda u: u.companies.list(scope))]


# --- the tests ------------------------------------------------------------------------------------


def test_every_method_taking_a_scope_is_probed() -> None:
    uow_names = {
        repositories.CompanyRepository: "companies", repositories.AssessmentRepository: "assessments",
        repositories.AnswerRepository: "answers", repositories.ActionRepository: "actions",
        repositories.ParticipationRepository: "participation",
    }  # fmt: skip
    scoped = set()
    for name, cls in inspect.getmembers(repositories, inspect.isclass):
        if not issubclass(cls, repositories._Repository):
            continue
        for method, function in inspect.getmembers(cls, inspect.isfunction):
            if not method.startswith("_") and "scope" in inspect.signature(function).parameters:
                assert cls in uow_names, f"{name}.{method} takes a scope: add its repository here"
                scoped.add(f"{uow_names[cls]}.{method}")
    probed = {name.split("(")[0] for name in PROBES} | {"companies.list"}  # list: in every test below
    assert scoped == probed


def test_another_workspace_is_out_of_reach(world) -> None:
    scope = Scope(workspaces=frozenset({world.a}))
    assert listed(world, scope) == ["a1", "a2"]
    assert_out_of_reach(world, scope, ["b1", "b2"])
    assert_in_reach(world, scope, ["a1", "a2"])
    assert_out_of_reach(world, Scope(workspaces=frozenset({world.b})), ["a1", "a2"])


def test_a_company_scope_reaches_that_company_only(world) -> None:
    scope = Scope(companies=frozenset({world.targets["b1"].company}))
    assert listed(world, scope) == ["b1"]
    assert_out_of_reach(world, scope, ["a1", "a2", "b2"])
    assert_in_reach(world, scope, ["b1"])


def test_a_workspace_and_a_company_of_another_reach_both_and_nothing_else(world) -> None:
    scope = Scope(workspaces=frozenset({world.a}), companies=frozenset({world.targets["b2"].company}))
    assert listed(world, scope) == ["a1", "a2", "b2"]
    assert_out_of_reach(world, scope, ["b1"])
    assert_in_reach(world, scope, ["a1", "b2"])


def test_the_empty_scope_reaches_nothing(world) -> None:
    assert Scope().empty
    assert listed(world, Scope()) == []
    assert_out_of_reach(world, Scope(), list(KEYS))
    unknown = Scope(workspaces=frozenset({world.b + 100}), companies=frozenset({MISSING.company}))
    assert listed(world, unknown) == []
    assert_out_of_reach(world, unknown, ["a1", "b1"])


def test_a_name_taken_in_another_workspace_is_not_found_there(world) -> None:
    uow = SqlUnitOfWork(world.engine)
    with uow:
        twin = uow.companies.add(world.b, "ALPHA", Profile(), "")
    with uow:
        assert [c.id for c in uow.companies.find_by_name(Scope(workspaces=frozenset({world.a})), "alpha")] == [
            world.targets["a1"].company
        ]
        assert [c.id for c in uow.companies.find_by_name(Scope(workspaces=frozenset({world.b})), " Alpha ")] == [twin.id]
        both = Scope(workspaces=frozenset({world.a, world.b}))
        assert [c.id for c in uow.companies.find_by_name(both, "alpha")] == [world.targets["a1"].company, twin.id]


def test_listing_is_exactly_the_companies_in_scope(tmp_path) -> None:
    engine = fresh_engine(f"sqlite:///{tmp_path / 'property.db'}")
    uow = SqlUnitOfWork(engine)
    with uow:
        spaces = [uow.workspaces.add(f"W{i}", "consultancy").id for i in range(3)]
        made = [
            uow.companies.add(spaces[i % 3], name, Profile(), "")
            for i, name in enumerate(["b", "A", "c", "a", "Étoile", "d", "B", "e"])
        ]
    workspace_of = {c.id: c.workspace_id for c in made}
    unknown = max(workspace_of) + 1

    @settings(max_examples=25, deadline=None)
    @given(
        workspaces=st.frozensets(st.sampled_from([*spaces, max(spaces) + 1])),
        companies=st.frozensets(st.sampled_from([*workspace_of, unknown])),
    )
    def check(workspaces: frozenset[int], companies: frozenset[int]) -> None:
        scope = Scope(workspaces=workspaces, companies=companies)
        with uow:
            found = uow.companies.list(scope)
        assert {c.id for c in found} == {c for c, w in workspace_of.items() if w in workspaces or c in companies}
        assert len(found) == len({c.id for c in found})
        assert [(c.name.lower(), c.id) for c in found] == sorted((c.name.lower(), c.id) for c in found)
        assert all(scope.reaches(c.workspace_id, c.id) for c in found)

    check()
    engine.dispose()
