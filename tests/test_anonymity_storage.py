"""What the database keeps of anonymous respondents, read in the tables themselves (SQLite and
PostgreSQL, through the `ctx` fixture): nothing leads from a token to an answer, no time finer than
the day, no audit line, no order to match.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import MetaData, func, inspect, select, text

from diagnostic.core.profile import Profile
from diagnostic.services import assessments, companies, participation, respondents
from diagnostic.services.context import Actor, Context
from diagnostic.storage.models import AuditEvent

FULL = "rse-performance-globale"
Q1, Q2 = "gov.communication-rse", "qual.reclamations"
RESPONDENT_TABLES = ("respondents", "respondent_answers")


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def dump(ctx: Context) -> dict[str, list[str]]:
    """Every row of every table of the database (reflected: the tables as they are)."""
    metadata = MetaData()
    metadata.reflect(ctx.uow.engine)
    with ctx.uow.engine.connect() as connection:
        return {
            t.name: sorted(repr(tuple(row)) for row in connection.execute(select(t))) for t in metadata.sorted_tables
        }


def rows(ctx: Context, query: str) -> list[tuple]:
    with ctx.uow.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(query))]


def audit_count(ctx: Context) -> int:
    with ctx.uow.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(AuditEvent))


@dataclass
class Collected:
    assessment_id: int
    staff_id: int
    direction_id: int
    group_token: str
    named_token: str
    keys: list[str]  # the staff members' own keys, in the order they came
    respondent_ids: list[str]  # the same order


@pytest.fixture
def collected(ctx) -> Collected:
    """Six staff members through one group link (four send, two stop half-way), one named director;
    then the collection closes."""
    company = companies.save_company(ctx, None, "Menuiserie Vidal", Profile())
    assessment_id = assessments.start_assessment(ctx, company.id, FULL).id
    groups = {
        g.group.key: g.group.id for g in participation.open_participation(ctx, assessment_id, k=3, comment_k=3).groups
    }
    group_token = participation.create_link(ctx, assessment_id, groups["staff"]).token
    named_token = participation.create_link(ctx, assessment_id, groups["direction"], name="Claire Dupont").token
    visitor = Context(ctx.uow.fresh(), Actor(user_id=None))
    audit_before = audit_count(ctx)
    keys, ids = [], []
    for level in (0, 1, 2, 3, 4, 2):
        entered = respondents.enter(visitor, group_token)
        keys.append(entered.key)
        ids.append(entered.respondent_id)
        respondents.answer(visitor, entered.key, Q1, level)
        respondents.comment(visitor, entered.key, Q2, f"remarque {level}")
    for key in keys[:4]:
        respondents.complete(visitor, key)
    respondents.enter(visitor, named_token)
    respondents.answer(visitor, named_token, Q1, 3)
    respondents.complete(visitor, named_token)
    assert audit_count(ctx) == audit_before  # no respondent's action is in the audit log
    participation.set_closed(ctx, assessment_id, True)
    return Collected(assessment_id, groups["staff"], groups["direction"], group_token, named_token, keys, ids)


def test_no_table_links_a_token_to_an_anonymous_answer(ctx, collected) -> None:
    c = collected
    found = rows(
        ctx, f"SELECT id, group_id, link_id, secret_hash, completed_on FROM respondents WHERE group_id = {c.staff_id}"
    )
    assert len(found) == 6
    assert {(link_id, secret) for _, _, link_id, secret, _ in found} == {(None, None)}
    assert sum(completed is not None for *_, completed in found) == 4
    # the named person is the one kept with a link (named answers are named)
    ((link_id, secret),) = rows(ctx, f"SELECT link_id, secret_hash FROM respondents WHERE group_id = {c.direction_id}")
    assert link_id is not None and secret is None
    everything = repr(dump(ctx))
    for key in c.keys:
        assert key not in everything and sha(key) not in everything
    for token in (c.group_token, c.named_token):
        assert token not in everything and everything.count(sha(token)) == 1  # respondent_links.token_hash only
    # the answers themselves are there, each under a random id only
    assert sorted(rows(ctx, f"SELECT r.id FROM respondents r JOIN respondent_answers a ON a.respondent_id = r.id "
                            f"WHERE r.group_id = {c.staff_id} AND a.question_id = '{Q1}'")) == sorted((i,) for i in c.respondent_ids)  # fmt: skip


def test_no_time_finer_than_the_day_is_kept_of_a_respondent(ctx, collected) -> None:
    c = collected
    columns = inspect(ctx.uow.engine)
    for table in RESPONDENT_TABLES:
        kinds = {col["name"]: str(col["type"]).upper() for col in columns.get_columns(table)}
        assert not [name for name, kind in kinds.items() if "TIME" in kind], (table, kinds)
    assert {col["name"] for col in columns.get_columns("respondent_answers")} == {
        "respondent_id",
        "question_id",
        "value",
        "comment",
    }
    assert {col["name"] for col in columns.get_columns("respondents")} == {
        "id", "group_id", "link_id", "secret_hash", "started_on", "completed_on",
    }  # fmt: skip
    for started, completed in rows(ctx, "SELECT started_on, completed_on FROM respondents"):
        for day in (started, completed):
            assert day is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(day)), day  # as stored: a day
    # the group link keeps how many used it, never when
    ((uses, last_used_on),) = rows(
        ctx, f"SELECT uses, last_used_on FROM respondent_links WHERE group_id = {c.staff_id}"
    )
    assert (uses, last_used_on) == (6, None)
    ((named_uses, named_day),) = rows(
        ctx, f"SELECT uses, last_used_on FROM respondent_links WHERE group_id = {c.direction_id}"
    )
    assert named_uses == 0 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(named_day))
    found = participation.participation(ctx, c.assessment_id)
    assert found is not None
    assert all(
        type(link.last_used_on) is date for g in found.groups for link in g.links if link.last_used_on is not None
    )


def test_respondent_ids_are_random(ctx, collected) -> None:
    ids = collected.respondent_ids
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and len(set(ids)) == len(ids)
    numbers = [int(i, 16) for i in ids]
    assert {b - a for a, b in zip(numbers, numbers[1:], strict=False)} != {1}  # not a counter
    # more respondents: their order of arrival is not the order of their ids (a chance of 1 in 12!)
    company = companies.save_company(ctx, None, "Scierie Marty", Profile())
    assessment_id = assessments.start_assessment(ctx, company.id, FULL).id
    staff = participation.open_participation(ctx, assessment_id).groups[2].group.id
    token = participation.create_link(ctx, assessment_id, staff).token
    visitor = Context(ctx.uow.fresh(), Actor(user_id=None))
    arrivals = ids + [respondents.enter(visitor, token).respondent_id for _ in range(6)]
    assert sorted(arrivals) != arrivals


def test_respondents_write_only_their_own_rows(ctx) -> None:
    company = companies.save_company(ctx, None, "Imprimerie Roux", Profile())
    assessment_id = assessments.start_assessment(ctx, company.id, FULL).id
    groups = participation.open_participation(ctx, assessment_id).groups
    token = participation.create_link(ctx, assessment_id, groups[2].group.id).token
    named = participation.create_link(ctx, assessment_id, groups[0].group.id, name="Paul").token
    before = dump(ctx)
    visitor = Context(ctx.uow.fresh(), Actor(user_id=None))
    for key in (respondents.enter(visitor, token).key, respondents.enter(visitor, named).key):
        respondents.answer(visitor, key, Q1, 2)
        respondents.comment(visitor, key, Q1, "vu")
        respondents.view(visitor, key)
        respondents.complete(visitor, key)
    after = dump(ctx)
    changed = {table for table in after if after[table] != before.get(table)}
    assert changed == {"respondents", "respondent_answers", "respondent_links"}
    assert after["audit_events"] == before["audit_events"]


def test_deleting_the_assessment_erases_its_respondents(ctx, collected) -> None:
    assert assessments.delete_assessment(ctx, collected.assessment_id) is not None
    for table in ("campaigns", "respondent_groups", "respondent_links", "consensus_notes", *RESPONDENT_TABLES):
        assert rows(ctx, f"SELECT count(*) FROM {table}") == [(0,)], table
