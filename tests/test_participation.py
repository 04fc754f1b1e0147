"""The participative diagnostic, the owner's side (diagnostic/services/participation.py), on SQLite
and PostgreSQL: opening to groups, thresholds, links, progress, closing, rights, and the consensus.

One database per module and per engine (migrated once); every test opens its own company and
assessment in it, so that the tests stay independent and fast.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import MetaData, select

from diagnostic import i18n
from diagnostic.core.answers import Answer
from diagnostic.core.profile import Profile
from diagnostic.core.roles import NotAllowed, NotFound, Role
from diagnostic.core.scoring import score
from diagnostic.services import answers, assessments, companies, participation, respondents, workspaces
from diagnostic.services.context import Actor, Context
from diagnostic.services.participation import ParticipationRefused
from diagnostic.services.respondents import RespondentRefused
from diagnostic.storage.models import Respondent, RespondentLink
from diagnostic.storage.records import CompanyRecord, GroupRecord
from tests.conftest import local_context, outcome

FULL = "rse-performance-globale"
MISSING = 999_999  # an id never given
ISSUER = "https://id.example.org"
# maturity questions (0..4) asked of every group but the stakeholders, staff included
Q1, Q2, Q3, Q4 = "gov.communication-rse", "qual.reclamations", "qual.maitrise-processus", "qual.non-conformites"
DIRECTION_ONLY = "gov.engagement-direction"  # maturity, not asked of the staff
_unique = itertools.count(1)


# --- one database per module and engine ---------------------------------------------------------


@pytest.fixture(scope="module")
def engine(module_engine):
    return module_engine


@pytest.fixture
def owner(engine) -> Context:
    """The local owner (local mode), on the module's database."""
    return local_context(engine)


@dataclass
class Opened:
    ctx: Context  # the owner's
    company: CompanyRecord
    assessment_id: int
    groups: dict[str, GroupRecord]  # by key

    def group_id(self, key: str) -> int:
        return self.groups[key].id


def new_assessment(ctx: Context) -> tuple[CompanyRecord, int]:
    company = companies.save_company(ctx, None, f"Atelier {next(_unique)}", Profile(), workspace_id=ctx.workspace_id)
    return company, assessments.start_assessment(ctx, company.id, FULL, label="2026").id


def opened(ctx: Context, **thresholds: int) -> Opened:
    """A new company and assessment, opened to the respondent groups."""
    company, assessment_id = new_assessment(ctx)
    found = participation.open_participation(ctx, assessment_id, **thresholds)
    return Opened(ctx, company, assessment_id, {g.group.key: g.group for g in found.groups})


def respondent_context(ctx: Context) -> Context:
    """Someone who holds a link and nothing else: no account, no grant."""
    return Context(ctx.uow.fresh(), Actor(user_id=None))


def signed_in(uow: Any, subject: str) -> Context:
    email = f"{subject}@example.org"
    return Context(uow, workspaces.signed_in_actor(uow, ISSUER, subject, email, subject.title()))


def member(owner: Context, role: Role) -> Context:
    """A new person invited into the owner's workspace with that role, who accepted."""
    ((workspace, _),) = workspaces.my_workspaces(owner)
    subject = f"{role.value}{next(_unique)}"
    issued = workspaces.invite(owner, workspace.id, role, email=f"{subject}@example.org")
    ctx = signed_in(owner.uow.fresh(), subject)
    workspaces.accept_invitation(ctx, issued.token, f"{subject}@example.org", email_verified=True)
    return ctx


def other_workspace(owner: Context) -> Context:
    """The owner of another workspace, made by the command line's operator."""
    uow = owner.uow.fresh()
    workspace, issued = workspaces.create_workspace(workspaces.operator_context(uow), f"Cabinet {next(_unique)}")
    ctx = signed_in(uow, f"autre{next(_unique)}")
    workspaces.accept_invitation(ctx, issued.token, "", email_verified=True)
    ctx.workspace_id = workspace.id
    return ctx


def database_dump(ctx: Context) -> dict[str, list[str]]:
    """Every row of every table of the database (read from the database itself, not the models)."""
    metadata = MetaData()
    metadata.reflect(ctx.uow.engine)
    with ctx.uow.engine.connect() as connection:
        return {
            t.name: sorted(repr(tuple(row)) for row in connection.execute(select(t))) for t in metadata.sorted_tables
        }



def refused(call: Callable[[], Any], code: str) -> ParticipationRefused:
    with pytest.raises(ParticipationRefused) as caught:
        call()
    assert caught.value.code == code
    return caught.value


def progress(o: Opened, key: str) -> participation.GroupProgress:
    found = participation.participation(o.ctx, o.assessment_id)
    assert found is not None
    return found.group(o.group_id(key))


def link_row(ctx: Context, link_id: int) -> Any:
    with ctx.uow.engine.connect() as connection:
        return connection.execute(select(RespondentLink).where(RespondentLink.id == link_id)).one()


# --- opening ------------------------------------------------------------------------------------


def test_opening_makes_the_five_groups_with_their_default_anonymity(owner) -> None:
    _, assessment_id = new_assessment(owner)
    assert participation.participation(owner, assessment_id) is None  # not opened yet
    found = participation.open_participation(owner, assessment_id)
    assert [(g.group.key, g.group.label, g.group.anonymous, g.group.position) for g in found.groups] == [
        ("direction", "", False, 0),
        ("managers", "", True, 1),
        ("staff", "", True, 2),
        ("consultant", "", False, 3),
        ("stakeholders", "", True, 4),
    ]
    assert (found.campaign.k, found.campaign.comment_k, found.campaign.share_results) == (5, 8, False)
    assert not found.launched and not found.closed
    assert all((g.invited, g.started, g.completed, g.links, g.people) == (0, 0, 0, [], []) for g in found.groups)
    # opening again changes nothing (and does not take other thresholds)
    again = participation.open_participation(owner, assessment_id, k=3, comment_k=3)
    assert again == found


@pytest.mark.parametrize(
    ("k", "comment_k", "code", "params"),
    [
        (2, 8, "participation.k_range", {"low": 3, "high": 10}),
        (11, 20, "participation.k_range", {"low": 3, "high": 10}),
        (0, 8, "participation.k_range", {"low": 3, "high": 10}),
        (5, 4, "participation.comment_k_range", {"low": 5, "high": 20}),
        (5, 21, "participation.comment_k_range", {"low": 5, "high": 20}),
        (10, 9, "participation.comment_k_range", {"low": 10, "high": 20}),
    ],
)
def test_thresholds_out_of_range_are_refused_and_nothing_is_opened(owner, k, comment_k, code, params) -> None:
    _, assessment_id = new_assessment(owner)
    error = refused(lambda: participation.open_participation(owner, assessment_id, k=k, comment_k=comment_k), code)
    assert error.params == params
    assert participation.participation(owner, assessment_id) is None


def test_the_threshold_messages_read_in_french() -> None:
    assert i18n.error_text(ParticipationRefused(code="participation.k_range", params={"low": 3, "high": 10}), "fr") == (
        "Le seuil d’anonymat doit être compris entre 3 et 10 répondants."
    )


@pytest.mark.parametrize(("k", "comment_k"), [(3, 3), (10, 10), (10, 20), (3, 20)])
def test_the_bounds_of_the_thresholds_are_accepted(owner, k, comment_k) -> None:
    _, assessment_id = new_assessment(owner)
    found = participation.open_participation(owner, assessment_id, k=k, comment_k=comment_k)
    assert (found.campaign.k, found.campaign.comment_k) == (k, comment_k)


def test_settings_change_before_the_first_link_only_share_results_anytime(owner) -> None:
    o = opened(owner)
    saved = participation.update_settings(owner, o.assessment_id, k=4)
    assert (saved.k, saved.comment_k) == (4, 8)
    saved = participation.update_settings(owner, o.assessment_id, comment_k=4)
    assert (saved.k, saved.comment_k) == (4, 4)
    refused(lambda: participation.update_settings(owner, o.assessment_id, k=6), "participation.comment_k_range")
    refused(lambda: participation.update_settings(owner, o.assessment_id, k=12, comment_k=12), "participation.k_range")
    assert participation.update_settings(owner, o.assessment_id, k=6, comment_k=9).k == 6

    # refused links do not launch the campaign: the thresholds stay free
    refused(
        lambda: participation.create_link(owner, o.assessment_id, o.group_id("direction")), "participation.name_needed"
    )
    assert participation.participation(owner, o.assessment_id).campaign.launched_on is None  # type: ignore[union-attr]
    assert participation.update_settings(owner, o.assessment_id, k=5, comment_k=8).k == 5

    participation.create_link(owner, o.assessment_id, o.group_id("staff"))
    campaign = participation.participation(owner, o.assessment_id).campaign  # type: ignore[union-attr]
    assert campaign.launched_on == datetime.now(UTC).date() and type(campaign.launched_on) is date
    refused(lambda: participation.update_settings(owner, o.assessment_id, k=4), "participation.k_fixed")
    refused(lambda: participation.update_settings(owner, o.assessment_id, comment_k=9), "participation.k_fixed")
    refused(
        lambda: participation.update_settings(owner, o.assessment_id, k=4, share_results=True), "participation.k_fixed"
    )
    assert participation.participation(owner, o.assessment_id).campaign.share_results is False  # type: ignore[union-attr]
    # the same values are no change; sharing the results changes at any time, closed or not
    assert participation.update_settings(owner, o.assessment_id, k=5, comment_k=8).k == 5
    assert participation.update_settings(owner, o.assessment_id, share_results=True).share_results is True
    participation.set_closed(owner, o.assessment_id, True)
    assert participation.update_settings(owner, o.assessment_id, share_results=False).share_results is False


def test_settings_of_an_assessment_not_opened_are_refused(owner) -> None:
    _, assessment_id = new_assessment(owner)
    refused(lambda: participation.update_settings(owner, assessment_id, share_results=True), "participation.not_open")
    refused(lambda: participation.create_link(owner, assessment_id, 1), "participation.not_open")
    refused(lambda: participation.set_closed(owner, assessment_id, True), "participation.not_open")
    assert participation.participation(owner, assessment_id) is None


# --- groups -------------------------------------------------------------------------------------


def test_a_group_is_renamed_and_gets_its_default_name_back(owner) -> None:
    o = opened(owner)
    staff = o.group_id("staff")
    assert participation.update_group(owner, o.assessment_id, staff, label="  Équipe   de   production ").label == (
        "Équipe de production"
    )
    assert progress(o, "staff").group.label == "Équipe de production"
    assert participation.update_group(owner, o.assessment_id, staff, label="").label == ""
    assert progress(o, "staff").group.label == ""
    assert participation.update_group(owner, o.assessment_id, staff, label="x" * 100).label == "x" * 100
    for bad in ("x" * 101, "Équipe\u200bbis", "Équipe\x00", "Équipe\x07"):
        error = refused(
            lambda bad=bad: participation.update_group(owner, o.assessment_id, staff, label=bad),
            "participation.bad_label",
        )
        assert error.params == {"max": 100}
    assert progress(o, "staff").group.label == "x" * 100
    assert i18n.t("group.staff", "fr") == "Collaborateurs"  # what the page shows for ""


def test_anonymity_of_a_group_changes_until_its_first_link(owner) -> None:
    o = opened(owner)
    direction, staff = o.group_id("direction"), o.group_id("staff")
    assert participation.update_group(owner, o.assessment_id, direction, anonymous=True).anonymous is True
    assert participation.update_group(owner, o.assessment_id, direction, anonymous=False).anonymous is False
    participation.create_link(owner, o.assessment_id, staff)
    refused(
        lambda: participation.update_group(owner, o.assessment_id, staff, anonymous=False), "participation.mode_fixed"
    )
    refused(
        lambda: participation.update_group(owner, o.assessment_id, staff, label="Ateliers", anonymous=False),
        "participation.mode_fixed",
    )
    assert progress(o, "staff").group.anonymous is True and progress(o, "staff").group.label == ""
    # the same mode is no change; the label still changes; another group is still free
    assert (
        participation.update_group(owner, o.assessment_id, staff, anonymous=True, label="Ateliers").label == "Ateliers"
    )
    assert participation.update_group(owner, o.assessment_id, direction, anonymous=True).anonymous is True
    # a revoked link still fixes the mode (its respondents answered in that mode)
    issued = participation.create_link(owner, o.assessment_id, direction)
    participation.revoke_link(owner, o.assessment_id, issued.link.id)
    refused(
        lambda: participation.update_group(owner, o.assessment_id, direction, anonymous=False),
        "participation.mode_fixed",
    )


# --- links --------------------------------------------------------------------------------------


def test_a_link_token_is_32_random_bytes_and_only_its_hash_is_stored(owner) -> None:
    o = opened(owner)
    group_link = participation.create_link(owner, o.assessment_id, o.group_id("staff"))
    named = participation.create_link(owner, o.assessment_id, o.group_id("direction"), name="Claire Dupont")
    for issued in (group_link, named):
        assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", issued.token), issued.token
        assert issued.url == f"http://localhost:8501/?repondre={issued.token}"
        row = link_row(owner, issued.link.id)
        assert row.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert group_link.token != named.token
    # the respondent's own key: only its hash too, until the answers are sent
    key = respondents.enter(respondent_context(owner), group_link.token).key
    dump = repr(database_dump(owner))
    for secret in (group_link.token, named.token, key):
        assert secret not in dump
    assert hashlib.sha256(key.encode()).hexdigest() in dump
    assert dump.count(hashlib.sha256(group_link.token.encode()).hexdigest()) == 1


def test_names_and_uses_of_links_follow_the_group_mode(owner) -> None:
    o = opened(owner)
    staff, direction = o.group_id("staff"), o.group_id("direction")
    refused(
        lambda: participation.create_link(owner, o.assessment_id, staff, name="Jean"),
        "participation.no_name_when_anonymous",
    )
    for name in ("", "   ", "x" * 201, "Claire\u202eDupont", "Claire\tDupont\x00"):
        refused(
            lambda name=name: participation.create_link(owner, o.assessment_id, direction, name=name),
            "participation.name_needed",
        )
    refused(
        lambda: participation.create_link(owner, o.assessment_id, direction, name="Claire", max_uses=1),
        "participation.named_single_use",
    )
    for uses in (0, -1, 10_001):
        error = refused(
            lambda uses=uses: participation.create_link(owner, o.assessment_id, staff, max_uses=uses),
            "participation.max_uses_range",
        )
        assert error.params == {"max": 10_000}
    for days in (0, -3, 366):
        error = refused(
            lambda days=days: participation.create_link(owner, o.assessment_id, staff, expires_days=days),
            "participation.expiry_range",
        )
        assert error.params == {"max": 365}
    assert participation.participation(owner, o.assessment_id).launched is False  # type: ignore[union-attr]
    assert progress(o, "staff").links == [] and progress(o, "direction").links == []

    named = participation.create_link(owner, o.assessment_id, direction, name="  Claire   Dupont ")
    link = named.link
    assert (link.name, link.max_uses, link.uses, link.created_by) == ("Claire Dupont", None, 0, "local")
    assert participation.create_link(owner, o.assessment_id, direction, name="x" * 200).link.name == "x" * 200
    limited = participation.create_link(owner, o.assessment_id, staff, max_uses=10_000)
    assert (limited.link.name, limited.link.max_uses) == ("", 10_000)
    now = datetime.now(UTC)
    for days in (1, 30, 365):
        link = participation.create_link(owner, o.assessment_id, staff, expires_days=days, max_uses=1).link
        assert abs(link.expires_at - (now + timedelta(days=days))) < timedelta(minutes=1)
        assert link.created_on == now.date() and link.state(now) == "active"
    default = participation.create_link(owner, o.assessment_id, staff).link
    assert abs(default.expires_at - (now + timedelta(days=30))) < timedelta(minutes=1)
    assert len(progress(o, "staff").links) == 5 and len(progress(o, "direction").links) == 2


def test_a_revoked_link_is_refused_as_an_unknown_one(owner) -> None:
    o = opened(owner)
    visitor = respondent_context(owner)
    group_link = participation.create_link(owner, o.assessment_id, o.group_id("staff"))
    named = participation.create_link(owner, o.assessment_id, o.group_id("direction"), name="Claire")
    respondents.enter(visitor, named.token)
    respondents.answer(visitor, named.token, Q1, 2)
    for issued in (group_link, named):
        revoked = participation.revoke_link(owner, o.assessment_id, issued.link.id)
        assert revoked.revoked_at is not None and revoked.state(datetime.now(UTC)) == "revoked"
    unknown = outcome(lambda: respondents.enter(visitor, "A" * 43))
    assert unknown[:3] == ("raised", "RespondentRefused", "respond.invalid")
    for token in (group_link.token, named.token):
        assert outcome(lambda token=token: respondents.enter(visitor, token)) == unknown
        assert outcome(lambda token=token: respondents.view(visitor, token)) == unknown
    assert outcome(lambda: respondents.answer(visitor, named.token, Q1, 3)) == unknown
    # what was answered stays
    (person,) = progress(o, "direction").people
    assert (person.state, person.answered) == ("started", 1)


def test_a_renewed_link_has_a_new_token_and_keeps_the_answers(owner) -> None:
    o = opened(owner)
    visitor = respondent_context(owner)
    named = participation.create_link(owner, o.assessment_id, o.group_id("direction"), name="Claire")
    first = respondents.enter(visitor, named.token)
    respondents.answer(visitor, named.token, Q1, 3)
    respondents.comment(visitor, named.token, Q1, "Vu en réunion")
    renewed = participation.renew_link(owner, o.assessment_id, named.link.id, expires_days=10)
    assert renewed.token != named.token and re.fullmatch(r"[A-Za-z0-9_-]{43,}", renewed.token)
    assert renewed.link.id == named.link.id and renewed.link.name == "Claire"
    assert abs(renewed.link.expires_at - (datetime.now(UTC) + timedelta(days=10))) < timedelta(minutes=1)
    with pytest.raises(RespondentRefused) as caught:
        respondents.enter(visitor, named.token)
    assert caught.value.code == "respond.invalid"
    again = respondents.enter(visitor, renewed.token)
    assert again.respondent_id == first.respondent_id and again.key == renewed.token
    assert (again.answers, again.comments) == ({Q1: 3}, {Q1: "Vu en réunion"})
    assert link_row(owner, named.link.id).token_hash == hashlib.sha256(renewed.token.encode()).hexdigest()
    # a revoked named link renewed works again (a new address for the same person)
    participation.revoke_link(owner, o.assessment_id, named.link.id)
    third = participation.renew_link(owner, o.assessment_id, named.link.id)
    assert third.link.revoked_at is None
    assert respondents.enter(visitor, third.token).respondent_id == first.respondent_id


def test_renewing_is_for_named_links_of_an_open_collection(owner) -> None:
    o = opened(owner)
    group_link = participation.create_link(owner, o.assessment_id, o.group_id("staff"))
    named = participation.create_link(owner, o.assessment_id, o.group_id("direction"), name="Claire")
    refused(
        lambda: participation.renew_link(owner, o.assessment_id, group_link.link.id), "participation.renew_named_only"
    )
    for days in (0, 366):
        refused(
            lambda days=days: participation.renew_link(owner, o.assessment_id, named.link.id, days),
            "participation.expiry_range",
        )
    participation.set_closed(owner, o.assessment_id, True)
    refused(lambda: participation.renew_link(owner, o.assessment_id, named.link.id), "participation.closed")
    assert link_row(owner, named.link.id).token_hash == hashlib.sha256(named.token.encode()).hexdigest()


def test_closing_forgets_anonymous_keys_and_stops_answers_reopening_lets_new_ones_in(owner) -> None:
    o = opened(owner)
    visitor = respondent_context(owner)
    group_link = participation.create_link(owner, o.assessment_id, o.group_id("staff"))
    named = participation.create_link(owner, o.assessment_id, o.group_id("direction"), name="Claire")
    in_progress = respondents.enter(visitor, group_link.token)
    respondents.answer(visitor, in_progress.key, Q1, 1)
    respondents.enter(visitor, named.token)
    respondents.answer(visitor, named.token, Q1, 4)

    campaign = participation.set_closed(owner, o.assessment_id, True)
    assert campaign.closed_on == datetime.now(UTC).date()
    with owner.uow.engine.connect() as connection:
        secrets = connection.execute(
            select(Respondent.secret_hash).where(Respondent.group_id == o.group_id("staff"))
        ).scalars()
        assert list(secrets) == [None]

    def code(call: Callable[[], Any]) -> str:
        with pytest.raises(RespondentRefused) as caught:
            call()
        return caught.value.code

    assert code(lambda: respondents.enter(visitor, group_link.token)) == "respond.closed"
    assert code(lambda: respondents.enter(visitor, named.token)) == "respond.closed"
    assert code(lambda: respondents.answer(visitor, named.token, Q1, 2)) == "respond.closed"
    assert code(lambda: respondents.complete(visitor, named.token)) == "respond.closed"
    # the anonymous key is gone for good: nothing leads to those answers any more
    assert code(lambda: respondents.answer(visitor, in_progress.key, Q1, 2)) == "respond.invalid"
    refused(lambda: participation.create_link(owner, o.assessment_id, o.group_id("staff")), "participation.closed")
    assert participation.participation(owner, o.assessment_id).closed  # type: ignore[union-attr]

    assert participation.set_closed(owner, o.assessment_id, False).closed_on is None
    assert code(lambda: respondents.view(visitor, in_progress.key)) == "respond.invalid"
    newcomer = respondents.enter(visitor, group_link.token)
    assert newcomer.respondent_id != in_progress.respondent_id and newcomer.answers == {}
    assert respondents.view(visitor, named.token).answers == {Q1: 4}
    assert respondents.answer(visitor, named.token, Q1, 2) == 2
    staff = progress(o, "staff")
    assert (staff.invited, staff.started, staff.completed) == (2, 2, 0)


# --- progress -----------------------------------------------------------------------------------


def test_progress_counts_each_group_and_follows_named_people(owner) -> None:
    o = opened(owner)
    visitor = respondent_context(owner)
    direction = o.group_id("direction")
    alice = participation.create_link(owner, o.assessment_id, direction, name="Alice")
    bruno = participation.create_link(owner, o.assessment_id, direction, name="Bruno")
    chloe = participation.create_link(owner, o.assessment_id, direction, name="Chloé")
    respondents.enter(visitor, bruno.token)
    respondents.answer(visitor, bruno.token, Q1, 2)
    respondents.answer(visitor, bruno.token, Q2, "dont_know")
    respondents.comment(visitor, bruno.token, Q3, "un commentaire seul ne compte pas")
    respondents.enter(visitor, chloe.token)
    for question, level in ((Q1, 1), (Q2, 2), (Q3, 3)):
        respondents.answer(visitor, chloe.token, question, level)
    respondents.complete(visitor, chloe.token)

    staff_link = participation.create_link(owner, o.assessment_id, o.group_id("staff"))
    other_link = participation.create_link(owner, o.assessment_id, o.group_id("staff"))
    keys = [respondents.enter(visitor, staff_link.token).key for _ in range(3)]
    keys.append(respondents.enter(visitor, other_link.token).key)
    respondents.answer(visitor, keys[0], Q1, 4)
    respondents.complete(visitor, keys[0])
    respondents.complete(visitor, keys[1])  # nothing answered: sent all the same

    found = participation.participation(owner, o.assessment_id)
    assert found is not None and found.launched and not found.closed
    counts = {g.group.key: (g.invited, g.started, g.completed) for g in found.groups}
    assert counts == {
        "direction": (3, 1, 1),  # three people invited, Bruno started, Chloé sent
        "managers": (0, 0, 0),
        "staff": (4, 2, 2),  # four openings of its two links, two sent
        "consultant": (0, 0, 0),
        "stakeholders": (0, 0, 0),
    }
    today = datetime.now(UTC).date()
    people = found.group(direction).people
    assert [(p.link.name, p.state, p.answered, p.link.last_used_on) for p in people] == [
        ("Alice", "invited", 0, None),
        ("Bruno", "started", 2, today),
        ("Chloé", "completed", 3, today),
    ]
    assert all(type(p.link.last_used_on) is date for p in people[1:])  # a day, never a time
    assert [link.id for link in found.group(direction).links] == [alice.link.id, bruno.link.id, chloe.link.id]
    staff = found.group(o.group_id("staff"))
    assert staff.people == [] and [(link.uses, link.last_used_on) for link in staff.links] == [(3, None), (1, None)]


# --- rights -------------------------------------------------------------------------------------


def test_a_viewer_sees_the_participation_and_changes_nothing(owner) -> None:
    o = opened(owner)
    issued = participation.create_link(owner, o.assessment_id, o.group_id("direction"), name="Claire")
    viewer = member(owner, Role.VIEWER)
    a, staff, direction, link = o.assessment_id, o.group_id("staff"), o.group_id("direction"), issued.link.id
    seen = participation.participation(viewer, a)
    assert seen is not None and seen.groups == participation.participation(owner, a).groups  # type: ignore[union-attr]
    assert participation.crossed_views(viewer, a) is not None
    _, second = new_assessment(owner)  # not opened
    before = database_dump(owner)
    for call in (
        lambda: participation.create_link(viewer, a, staff),
        lambda: participation.create_link(viewer, a, direction, name="Denis"),
        lambda: participation.update_settings(viewer, a, share_results=True),
        lambda: participation.update_group(viewer, a, staff, label="Ateliers"),
        lambda: participation.revoke_link(viewer, a, link),
        lambda: participation.renew_link(viewer, a, link),
        lambda: participation.set_closed(viewer, a, True),
        lambda: participation.settle(viewer, a, Q1, None),
        lambda: participation.accept_proposals(viewer, a),
    ):
        with pytest.raises(NotAllowed):
            call()
    with pytest.raises(NotAllowed):
        participation.open_participation(viewer, second)
    assert database_dump(owner) == before


def test_another_workspace_is_out_of_reach_exactly_as_ids_that_do_not_exist(owner) -> None:
    mine = opened(owner)
    bob = other_workspace(owner)
    theirs = opened(bob)
    their_link = participation.create_link(bob, theirs.assessment_id, theirs.group_id("direction"), name="Paul").link.id
    participation.create_link(bob, theirs.assessment_id, theirs.group_id("staff"))
    # another assessment of my own workspace: its groups and links are not this assessment's
    sibling = opened(owner)
    sibling_link = participation.create_link(owner, sibling.assessment_id, sibling.group_id("staff")).link.id

    def calls(assessment: int, group: int, link: int, own: int) -> list[Callable[[], Any]]:
        return [
            lambda: participation.participation(owner, assessment),
            lambda: participation.open_participation(owner, assessment),
            lambda: participation.update_settings(owner, assessment, share_results=True),
            lambda: participation.update_group(owner, assessment, group, label="x"),
            lambda: participation.update_group(owner, own, group, label="x"),
            lambda: participation.update_group(owner, own, group, anonymous=False),
            lambda: participation.create_link(owner, assessment, group),
            lambda: participation.create_link(owner, own, group),
            lambda: participation.create_link(owner, own, group, name="Paul"),
            lambda: participation.revoke_link(owner, assessment, link),
            lambda: participation.revoke_link(owner, own, link),
            lambda: participation.renew_link(owner, own, link),
            lambda: participation.set_closed(owner, assessment, True),
            lambda: participation.crossed_views(owner, assessment),
            lambda: participation.consensus(owner, assessment),
            lambda: participation.settle(owner, assessment, Q1, 2, "parce que"),
            lambda: participation.accept_proposals(owner, assessment),
            lambda: participation.named_answers(owner, assessment),
        ]

    before = database_dump(owner)
    foreign = [
        outcome(c) for c in calls(theirs.assessment_id, theirs.group_id("direction"), their_link, mine.assessment_id)
    ]
    missing = [outcome(c) for c in calls(MISSING, MISSING, MISSING, mine.assessment_id)]
    assert foreign == missing
    assert database_dump(owner) == before
    assert {o[1] for o in foreign if o[0] == "raised"} == {"NotFound", "ParticipationRefused"}
    returned = [o[1] for o in foreign if o[0] == "returned"]
    assert returned == [None] * 3  # participation, crossed views, consensus
    # the same within my workspace: a sibling assessment's group and link
    assert outcome(lambda: participation.revoke_link(owner, mine.assessment_id, sibling_link)) == outcome(
        lambda: participation.revoke_link(owner, mine.assessment_id, MISSING)
    )
    with pytest.raises(NotFound):
        participation.create_link(owner, mine.assessment_id, sibling.group_id("staff"))
    # and Bob's own link still works
    assert respondents.enter(
        respondent_context(owner), participation.renew_link(bob, theirs.assessment_id, their_link).token
    )


# --- crossed views and consensus ----------------------------------------------------------------

# five staff members (anonymous, k = 5) and two named people of the direction
STAFF = [
    {Q1: 1, Q2: 0, Q3: 4, Q4: 0},
    {Q1: 1, Q2: 0, Q3: 4, Q4: 0},
    {Q1: 2, Q2: 0, Q3: 4, Q4: 0},
    {Q1: 2, Q2: 1, Q3: 4, Q4: 0},
    {Q1: 2, Q2: 1, Q3: 4},  # the fifth answers Q4 not: only four staff answers to it
]
DIRECTION = {
    "Claire": {Q1: 3, Q2: 1, Q3: 2, Q4: 4, DIRECTION_ONLY: 2},
    "Denis": {Q1: 4, Q2: 2, Q3: 2, Q4: 4, DIRECTION_ONLY: 3},
}
STAFF_COMMENT = "Les réclamations traînent au service expédition"


@dataclass
class Consultation(Opened):
    fifth: str = ""  # the key of the fifth staff member, who has answered and not sent yet


@pytest.fixture
def consultation(owner) -> Consultation:
    """The direction has answered and four staff members: the fifth is still to come."""
    first = opened(owner)
    o = Consultation(first.ctx, first.company, first.assessment_id, first.groups)
    visitor = respondent_context(owner)
    for name, given in DIRECTION.items():
        token = participation.create_link(owner, o.assessment_id, o.group_id("direction"), name=name).token
        respondents.enter(visitor, token)
        for question, level in given.items():
            respondents.answer(visitor, token, question, level)
        respondents.complete(visitor, token)
    token = participation.create_link(owner, o.assessment_id, o.group_id("staff")).token
    for given in STAFF[:4]:
        key = respondents.enter(visitor, token).key
        for question, level in given.items():
            respondents.answer(visitor, key, question, level)
        respondents.comment(visitor, key, Q2, STAFF_COMMENT)
        respondents.complete(visitor, key)
    fifth = respondents.enter(visitor, token).key
    for question, level in STAFF[4].items():
        respondents.answer(visitor, fifth, question, level)
    o.fifth = fifth
    return o


def test_the_staff_shows_from_five_responses_and_the_consensus_is_agreed(owner, consultation) -> None:
    o, a = consultation, consultation.assessment_id
    staff_id, direction_id = o.group_id("staff"), o.group_id("direction")

    views = participation.crossed_views(owner, a)
    assert views is not None
    staff = views.consolidation.group(staff_id)
    assert (staff.shown, staff.respondents, staff.questions, staff.comments) == (False, 4, {}, {})
    # four staff answers hidden: the proposals are the direction's alone (means rounded half up)
    assert views.consolidation.prefill == {Q1: 4, Q2: 2, Q3: 2, Q4: 4, DIRECTION_ONLY: 3}
    assert STAFF_COMMENT not in repr(views.consolidation)

    respondents.complete(respondent_context(owner), o.fifth)
    views = participation.crossed_views(owner, a)
    assert views is not None
    staff, direction = views.consolidation.group(staff_id), views.consolidation.group(direction_id)
    assert (staff.shown, staff.respondents, direction.shown, direction.respondents) == (True, 5, True, 2)
    assert staff.questions[Q1].mean == pytest.approx(1.6) and staff.questions[Q2].mean == pytest.approx(0.4)
    assert Q4 not in staff.questions  # four answers to it only: below k
    assert not staff.comments_shown and STAFF_COMMENT not in repr(views.consolidation)  # comments from comment_k = 8
    # each shown group weighs the same: Q1 (1.6 + 3.5) / 2 = 2.55 → 3; Q2 (0.4 + 1.5) / 2 = 0.95 → 1;
    # Q3 (4 + 2) / 2 = 3; Q4 and DIRECTION_ONLY: the direction alone, 4 and 2.5 → 3
    assert views.consolidation.prefill == {Q1: 3, Q2: 1, Q3: 3, Q4: 4, DIRECTION_ONLY: 3}

    found = participation.consensus(owner, a)
    assert found is not None and found.official == {} and found.notes == {}
    # the proposed value needs no reason
    assert participation.settle(owner, a, Q1, 3).value == 3  # type: ignore[union-attr]
    # another one does
    refused(lambda: participation.settle(owner, a, Q2, 3), "consensus.reason_needed")
    refused(lambda: participation.settle(owner, a, Q2, 3, "   "), "consensus.reason_needed")
    refused(lambda: participation.settle(owner, a, Q2, 3, "x" * 10_001), "consensus.reason_too_long")
    refused(lambda: participation.settle(owner, a, "nope.question", 3, "x"), "consensus.unknown_question")
    with pytest.raises(ValueError):
        participation.settle(owner, a, Q2, 7, "hors échelle")
    assert Q2 not in answers.load_answers(owner, a)
    saved = participation.settle(owner, a, Q2, 3, "  Le plan qualité de 2025 est en place  ")
    assert saved is not None and saved.value == 3

    official = answers.load_answers(owner, a)
    assert {q: r.value for q, r in official.items()} == {Q1: 3, Q2: 3}
    found = participation.consensus(owner, a)
    assert found is not None and found.settled(Q1) and found.settled(Q2) and not found.settled(Q3)
    notes = {q: (n.proposed, n.reason, n.decided_by) for q, n in found.notes.items()}
    assert notes == {Q1: (3, "", "local"), Q2: (1, "Le plan qualité de 2025 est en place", "local")}

    # the rest of the proposals: Q3, Q4 and DIRECTION_ONLY (Q1 and Q2 are agreed already)
    assert participation.accept_proposals(owner, a) == 3
    assert participation.accept_proposals(owner, a) == 0
    agreed = {Q1: 3, Q2: 3, Q3: 3, Q4: 4, DIRECTION_ONLY: 3}
    assert {q: r.value for q, r in answers.load_answers(owner, a).items()} == agreed
    found = participation.consensus(owner, a)
    assert found is not None and found.notes[Q3].proposed == 3 and found.notes[Q3].reason == ""

    # the score is the score of those answers, as if they had been given directly
    evaluation = assessments.evaluate(owner, a)
    assert evaluation is not None
    assert evaluation.answers == {q: Answer(v) for q, v in agreed.items()}
    assert evaluation.result == score(evaluation.questionnaire, evaluation.company.profile, evaluation.answers)
    company, direct = new_assessment(owner)
    for question, value in agreed.items():
        answers.record_answer(owner, evaluation.questionnaire, direct, question, value)
    by_hand = assessments.evaluate(owner, direct)
    assert by_hand is not None and by_hand.result == evaluation.result


def test_a_settled_answer_can_be_agreed_again_and_cleared(owner, consultation) -> None:
    a = consultation.assessment_id
    participation.settle(owner, a, Q4, 2, "Des écarts relevés à l’audit")
    participation.settle(owner, a, Q4, 4)  # back to the proposal: no reason needed
    found = participation.consensus(owner, a)
    assert found is not None and (found.notes[Q4].proposed, found.notes[Q4].reason) == (4, "")
    assert answers.load_answers(owner, a)[Q4].value == 4
    # no answer where the groups proposed one is another answer: it needs a reason
    refused(lambda: participation.settle(owner, a, Q4, None), "consensus.reason_needed")
    assert participation.settle(owner, a, Q4, None, "Question sans objet cette année") is None
    assert Q4 not in answers.load_answers(owner, a)
    found = participation.consensus(owner, a)
    assert found is not None
    assert (found.notes[Q4].proposed, found.notes[Q4].reason) == (4, "Question sans objet cette année")
    # a question nobody answered: no proposal, so no answer needs no reason
    participation.settle(owner, a, "gov.pilotage-rse", None)
    assert participation.consensus(owner, a).notes["gov.pilotage-rse"].proposed is None  # type: ignore[union-attr]


def test_the_consensus_of_an_assessment_not_opened_is_refused(owner) -> None:
    _, assessment_id = new_assessment(owner)
    assert participation.crossed_views(owner, assessment_id) is None
    assert participation.consensus(owner, assessment_id) is None
    refused(lambda: participation.settle(owner, assessment_id, Q1, 2), "participation.not_open")
    refused(lambda: participation.accept_proposals(owner, assessment_id), "participation.not_open")


def test_named_answers_are_the_named_people_only(owner, consultation) -> None:
    named = participation.named_answers(owner, consultation.assessment_id)
    assert named == [(name, consultation.group_id("direction"), given) for name, given in DIRECTION.items()]


def test_two_named_people_of_the_same_name_keep_their_own_answers(owner) -> None:
    o = opened(owner)
    visitor = respondent_context(owner)
    direction = o.group_id("direction")
    for level in (1, 4):  # two people called Jean Martin (or one invited twice): two respondents
        token = participation.create_link(owner, o.assessment_id, direction, name="Jean Martin").token
        respondents.enter(visitor, token)
        respondents.answer(visitor, token, Q1, level)
        respondents.complete(visitor, token)
    views = participation.crossed_views(owner, o.assessment_id)
    assert views is not None and views.consolidation.group(direction).respondents == 2
    assert participation.named_answers(owner, o.assessment_id) == [
        ("Jean Martin", direction, {Q1: 1}),
        ("Jean Martin", direction, {Q1: 4}),
    ]


def test_named_answers_are_those_sent(owner) -> None:
    o = opened(owner)
    visitor = respondent_context(owner)
    direction = o.group_id("direction")
    claire = participation.create_link(owner, o.assessment_id, direction, name="Claire").token
    denis = participation.create_link(owner, o.assessment_id, direction, name="Denis").token
    for token, level in ((claire, 3), (denis, 1)):
        respondents.enter(visitor, token)
        respondents.answer(visitor, token, Q1, level)
    respondents.complete(visitor, claire)  # Denis has not sent his answers: they do not count yet
    views = participation.crossed_views(owner, o.assessment_id)
    assert views is not None and views.consolidation.group(direction).respondents == 1
    assert views.consolidation.prefill == {Q1: 3}
    assert participation.named_answers(owner, o.assessment_id) == [("Claire", direction, {Q1: 3})]
