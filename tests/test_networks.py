"""Networks on the real database (SQLite, and PostgreSQL when configured): join codes and their
refusals, consent, what the network sees (never a non-sharing member), the benchmark's threshold
(4 members: nothing; 5: the quartiles), the sector benchmark, groups, and that a network's lead
reaches nothing of another network.

The member companies answer the mini questionnaire (tests/fixtures/mini.yaml) with a headcount of
"0": only `rh.formation` (dimension rh, weight 2) and `env.energie` (dimension env) then apply, so
that rh = 25·a, env = 25·b and overall = (2·rh + env) / 3 for answers a and b (0..4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from sqlalchemy import update

from diagnostic.core.benchmark import Quartiles
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.roles import NotAllowed, NotFound, Permission, Role, Scope, roles_for
from diagnostic.services import networks
from diagnostic.services.context import Actor, Context
from diagnostic.services.networks import JoinRefused, NetworkRefused
from diagnostic.storage.models import NetworkJoinCode
from diagnostic.storage.uow import SqlUnitOfWork
from tests.conftest import outcome

ISSUER = "https://id.example.org"
NUMBERS = count(1)
JAN = datetime(2025, 1, 15, tzinfo=UTC)


@dataclass
class World:
    """A network (its owner `lead`, a `reviewer`), a companies' workspace (owner `boss`, a `reader`)."""

    uow: SqlUnitOfWork
    mini: LoadedQuestionnaire
    name: str  # the network's
    network: int
    companies: int
    lead: Context
    reviewer: Context
    boss: Context
    reader: Context

    def company(self, name: str, sector: str | None = None, band: str = "0") -> int:
        profile = Profile(headcount_band=band, sector=sector)  # type: ignore[arg-type]
        return self.uow.run(lambda u: u.companies.add(self.companies, name, profile).id)

    def completed(self, company_id: int, rh: int, env: int, when: datetime = JAN, **more: object) -> int:
        """A completed assessment of the mini questionnaire, answered rh.formation = rh, env.energie = env
        (and `more`: question id -> value)."""
        scope = Scope(frozenset({self.companies}))
        answers = {"rh.formation": (rh, ""), "env.energie": (env, ""), **{q: (v, "") for q, v in more.items()}}

        def work(u) -> int:
            u.snapshots.save(self.mini, self.mini.text)
            made = u.assessments.add(
                scope, company_id, self.mini, status="completed", created_at=when, completed_at=when
            )
            u.answers.replace(scope, made.id, answers)
            return made.id

        return self.uow.run(work)

    def member(self, company_id: int, shares: bool = True) -> int:
        """The company joined (with a code, as a company's editor does) and, when `shares`, shares."""
        issued = networks.make_join_code(self.lead, self.network, "pour test")
        joined = networks.join(self.boss, company_id, issued.token)
        if shares:
            networks.set_consent(self.boss, company_id, self.network, True)
        return joined.member.id

    def plan(self, assessment_id: int, recommendation_id: str) -> None:
        scope = Scope(frozenset({self.companies}))
        self.uow.run(lambda u: u.actions.add(scope, assessment_id, "Action", recommendation_id=recommendation_id))


def _user(uow: SqlUnitOfWork, subject: str) -> Actor:
    found = uow.run(lambda u: u.users.sign_in(ISSUER, subject, f"{subject}@example.org", subject.title()))
    return Actor(found.id, label=found.label)


def _workspace(uow: SqlUnitOfWork, name: str, kind: str, members: dict[Actor, Role]) -> int:
    def work(u) -> int:
        made = u.workspaces.add(name, kind)
        for actor, role in members.items():
            u.workspaces.put_member(made.id, actor.user_id, role.value)
        return made.id

    return uow.run(work)


def make_world(engine, mini: LoadedQuestionnaire) -> World:
    uow = SqlUnitOfWork(engine)
    n = next(NUMBERS)
    lead, reviewer, boss, reader = (_user(uow, f"{who}-{n}") for who in ("lead", "reviewer", "boss", "reader"))
    network = _workspace(uow, f"Réseau {n}", "network", {lead: Role.OWNER, reviewer: Role.REVIEWER})
    companies = _workspace(uow, f"Entreprises {n}", "company", {boss: Role.OWNER, reader: Role.VIEWER})
    contexts = [Context(uow, actor) for actor in (lead, reviewer, boss, reader)]
    return World(uow, mini, f"Réseau {n}", network, companies, *contexts)


@pytest.fixture
def world(module_engine, mini) -> World:
    return make_world(module_engine, mini)


def view(board: networks.Dashboard, member_id: int) -> networks.MemberView:
    return next(m for m in board.members if m.id == member_id)


def expire(world: World, code_id: int) -> None:
    def work(u) -> None:
        u.networks.s.execute(
            update(NetworkJoinCode)
            .where(NetworkJoinCode.id == code_id)
            .values(expires_at=datetime.now(UTC) - timedelta(days=1))
        )

    world.uow.run(work)


# --- join codes -----------------------------------------------------------------------------------


def test_a_code_joins_once_and_every_bad_code_is_told_the_same(world: World) -> None:
    first, second = world.company("Alpha"), world.company("Beta")
    issued = networks.make_join_code(world.lead, world.network, "Alpha, Mme Durand", days=10)
    assert len(issued.token) >= 43 and issued.code.note == "Alpha, Mme Durand"
    assert issued.token not in repr(networks.join_codes(world.lead, world.network))  # only its hash is kept

    joined = networks.join(world.boss, first, f"  {issued.token}\n")  # as pasted
    assert (joined.network_id, joined.member.company_id, joined.member.shares) == (world.network, first, False)
    [code] = networks.join_codes(world.lead, world.network)
    assert code.state(datetime.now(UTC)) == "used" and code.used_by_member == joined.member.id

    revoked = networks.make_join_code(world.lead, world.network)
    networks.revoke_join_code(world.lead, world.network, revoked.code.id)
    expired = networks.make_join_code(world.lead, world.network)
    expire(world, expired.code.id)
    refusals = {
        name: outcome(lambda token=token: networks.join(world.boss, second, token))
        for name, token in {
            "used": issued.token, "revoked": revoked.token, "expired": expired.token, "unknown": "x" * 43, "empty": "  ",
        }.items()
    }  # fmt: skip
    assert set(refusals.values()) == {("raised", "JoinRefused", "membership.code_invalid", "")}
    assert networks.member_networks(world.boss, second) == []

    # the company is a member already: said so, and the code stays usable
    again = networks.make_join_code(world.lead, world.network)
    with pytest.raises(NetworkRefused) as refused:
        networks.join(world.boss, first, again.token)
    assert (refused.value.code, refused.value.params) == ("membership.already_member", {"network": world.name})
    assert networks.join(world.boss, second, again.token).member.company_id == second


def test_who_may_join_make_and_revoke_codes(world: World) -> None:
    company = world.company("Gamma")
    issued = networks.make_join_code(world.lead, world.network)
    with pytest.raises(NotAllowed):  # a reader of the company does not decide for it
        networks.join(world.reader, company, issued.token)
    with pytest.raises(NotFound):  # a company of another workspace is not there
        networks.join(world.lead, company, issued.token)
    for who in (world.reviewer,):  # the network's other roles see the dashboard, no more
        assert networks.dashboard(who, world.network).members == []
        with pytest.raises(NotAllowed):
            networks.make_join_code(who, world.network)
        with pytest.raises(NotAllowed):
            networks.revoke_join_code(who, world.network, issued.code.id)
        with pytest.raises(NotAllowed):
            networks.create_group(who, world.network, "G")
    with pytest.raises(NotFound):  # the companies' workspace is no network
        networks.make_join_code(world.boss, world.companies)
    with pytest.raises(NotFound):
        networks.dashboard(world.boss, world.network)
    with pytest.raises(JoinRefused):
        networks.join(world.boss, company, "nope")
    assert networks.join(world.boss, company, issued.token).member.shares is False  # the refusals used nothing


def test_bad_input_for_a_code_is_refused_in_words(world: World) -> None:
    with pytest.raises(NetworkRefused) as refused:
        networks.make_join_code(world.lead, world.network, "x", days=0)
    assert refused.value.code == "network.code_days"
    with pytest.raises(NetworkRefused) as refused:
        networks.make_join_code(world.lead, world.network, "deux\nlignes")
    assert refused.value.code == "network.note_invalid"


# --- consent, leaving, removal --------------------------------------------------------------------


def test_consent_is_recorded_and_a_non_sharing_member_shows_nothing(world: World) -> None:
    company = world.company("Delta", sector="25.62A")
    world.completed(company, 2, 2)
    member = world.member(company, shares=False)
    board = networks.dashboard(world.lead, world.network)
    assert view(board, member).result is None and board.sharing == 0 and board.levels == []
    assert networks.benchmark_for(world.boss, company) == []  # give to get

    changed = networks.set_consent(world.boss, company, world.network, True)
    assert changed.shares and changed.consent_by == world.boss.actor.label != ""
    assert changed.consent_changed_at is not None
    board = networks.dashboard(world.lead, world.network)
    result = view(board, member).result
    assert result is not None and result.overall == pytest.approx(50.0) and result.level_rank == 3  # (2·50 + 50) / 3
    assert result.level == "Structuré" and result.dimensions == {"rh": 50.0, "env": 50.0}
    assert view(board, member).company.sector == "25.62A" and view(board, member).company.headcount_band == "0"

    networks.set_consent(world.boss, company, world.network, False)
    assert view(networks.dashboard(world.lead, world.network), member).result is None
    with pytest.raises(NotAllowed):
        networks.set_consent(world.reader, company, world.network, True)
    with world.uow:
        network_log = [(a.action, a.detail) for a in world.uow.audit.list(world.network)]
        company_log = [(a.action, a.detail) for a in world.uow.audit.list(world.companies)]
    assert ("network.consent", "stops sharing") in network_log and ("network.consent", "shares") in network_log
    assert ("network.join", world.name) in company_log and ("network.join", "Delta") in network_log
    assert ("network.consent", "shares") in company_log


def test_leave_and_removal(world: World) -> None:
    a, b = world.company("Epsilon"), world.company("Zeta")
    world.member(a)
    member_b = world.member(b)
    networks.leave(world.boss, a, world.network)
    assert networks.member_networks(world.boss, a) == []
    with pytest.raises(NotFound):  # no longer a member
        networks.set_consent(world.boss, a, world.network, True)
    with pytest.raises(NotAllowed):
        networks.remove_member(world.reviewer, world.network, member_b)
    networks.remove_member(world.lead, world.network, member_b)
    assert networks.dashboard(world.lead, world.network).members == []
    with world.uow:
        actions = [e.action for e in world.uow.audit.list(world.network)]
    assert "network.leave" in actions and "network.member_remove" in actions


def test_member_networks_and_membership_of(world: World) -> None:
    company = world.company("Eta")
    member = world.member(company, shares=False)
    [found] = networks.member_networks(world.reader, company)  # a reader of the company sees them
    assert (found.network_id, found.member.id, found.member.shares) == (world.network, member, False)
    assert networks.membership_of(world.lead, world.network, company).id == member  # the network's side
    assert networks.membership_of(world.reader, world.network, company).id == member  # the company's side
    outsider = Context(world.uow, _user(world.uow, f"outsider-{next(NUMBERS)}"))
    assert networks.membership_of(outsider, world.network, company) is None
    with pytest.raises(NotFound):
        networks.member_networks(world.lead, company)  # the company stays out of the lead's reach


# --- what the network sees, the benchmark ---------------------------------------------------------


def test_the_dashboard_from_the_read_model(world: World) -> None:
    scores = [(0, 0), (1, 1), (2, 3), (4, 4)]  # overall 0, 25, 58.33, 100
    members = []
    for index, (rh, env) in enumerate(scores):
        company = world.company(f"Membre {index}")
        world.completed(company, 0, 0, when=datetime(2024, 3, 1, tzinfo=UTC))  # an older one, in Q1 2024
        latest = world.completed(company, rh, env, when=datetime(2025, 5, 1, tzinfo=UTC))  # Q2 2025
        if index < 2:  # both plans hold the first recommendation on training, one twice
            world.plan(latest, "rh.formation.r1")
            world.plan(latest, "rh.formation.r1" if index else "env.energie.r1")
        members.append(world.member(company))
    silent = world.company("Silencieuse")
    world.completed(silent, 0, 0)
    world.member(silent, shares=False)
    without = world.company("Sans diagnostic")
    world.member(without)

    board = networks.dashboard(world.lead, world.network)
    assert len(board.members) == 6 and board.sharing == 5 and board.without_assessment == 1
    assert [(c.rank, c.level, c.count) for c in board.levels] == [
        (1, "Découverte", 1), (2, "Engagé", 1), (3, "Structuré", 1), (5, "Exemplaire", 1),
    ]  # fmt: skip
    assert {d.id: sorted(d.scores) for d in board.dimensions} == {"rh": [0, 25, 50, 100], "env": [0, 25, 75, 100]}
    # weak: below half the maximum (< 2): rh.formation for 0 and 1; env.energie for 0 and 1
    assert [(w.id, w.count) for w in board.weaknesses] == [("env.energie", 2), ("rh.formation", 2)]
    assert board.weaknesses[1].text == "Avez-vous un plan de formation ?"
    assert [(r.id, r.count) for r in board.recommendations] == [("rh.formation.r1", 2), ("env.energie.r1", 1)]
    assert board.recommendations[0].text.startswith("Recensez les besoins")
    # Q1 2024: four assessments at 0 (the silent member's does not count); Q2 2025: the four latest
    assert [(p.year, p.quarter, p.median, p.assessments) for p in board.progress] == [
        (2024, 1, 0.0, 4), (2025, 2, pytest.approx((25 + 175 / 3) / 2), 4),
    ]  # fmt: skip
    assert board.benchmark.empty and board.benchmark.contributors == 4  # four: nothing shown


def test_benchmark_threshold_is_five_members_and_never_a_non_sharing_one(world: World) -> None:
    companies = []
    for index, rh in enumerate([0, 1, 2, 3]):
        company = world.company(f"B{index}", sector="25.62A" if index < 3 else "47.11Z")
        world.completed(company, rh, 4)
        world.member(company)
        companies.append(company)
    outsider = world.company("Pas partageuse", sector="25.62A")
    world.completed(outsider, 4, 4)
    world.member(outsider, shares=False)
    [four] = networks.benchmark_for(world.boss, companies[0])
    assert four.figures.contributors == 4 and four.figures.empty  # 4 contributors: nothing

    fifth = world.company("B4", sector="10.71C")
    world.completed(fifth, 4, 0)
    world.member(fifth)
    [five] = networks.benchmark_for(world.boss, companies[0])
    # rh: 0, 25, 50, 75, 100 -> Q1 25, median 50, Q3 75; env: 100 ×4 and 0 -> Q1 100
    assert five.figures.dimensions["rh"] == Quartiles(25.0, 50.0, 75.0, 5)
    assert five.figures.dimensions["env"] == Quartiles(100.0, 100.0, 100.0, 5)
    overall = sorted([(2 * 25 * rh + 100) / 3 for rh in (0, 1, 2, 3)] + [200 / 3])
    assert five.figures.overall is not None and five.figures.overall.median == pytest.approx(overall[2])
    assert (five.network_id, five.network) == (world.network, world.name)
    # the sector benchmark: section C holds four sharing members (25.62A ×3, 10.71C): below five
    assert five.section == "C" and five.sector_figures is not None
    assert five.sector_figures.contributors == 4 and five.sector_figures.empty
    assert networks.dashboard(world.lead, world.network).benchmark.dimensions["rh"].n == 5
    assert networks.benchmark_for(world.boss, outsider) == []  # it does not share: it sees none

    sixth = world.company("B5", sector="C")
    world.completed(sixth, 2, 2)
    world.member(sixth)
    [six] = networks.benchmark_for(world.boss, companies[0])
    assert six.sector_figures is not None and six.sector_figures.dimensions["rh"].n == 5  # C: 0, 25, 50, 100, 50
    assert six.sector_figures.dimensions["rh"] == Quartiles(25.0, 50.0, 50.0, 5)
    [other_sector] = networks.benchmark_for(world.boss, companies[3])  # section G: one member
    assert other_sector.section == "G" and other_sector.sector_figures is not None and other_sector.sector_figures.empty


def test_a_lead_reaches_nothing_of_another_network(world: World, module_engine, mini) -> None:
    other = make_world(module_engine, mini)
    theirs = other.company("Leur membre")
    their_member = other.member(theirs)
    their_code = networks.make_join_code(other.lead, other.network)
    their_group = networks.create_group(other.lead, other.network, "Leur groupe")
    mine = world.member(world.company("Mon membre"))
    my_group = networks.create_group(world.lead, world.network, "Mon groupe")
    attempts = {
        "dashboard": lambda: networks.dashboard(world.lead, other.network),
        "codes": lambda: networks.join_codes(world.lead, other.network),
        "revoke": lambda: networks.revoke_join_code(world.lead, world.network, their_code.code.id),
        "remove": lambda: networks.remove_member(world.lead, world.network, their_member),
        "group": lambda: networks.add_to_group(world.lead, world.network, their_group.id, mine),
        "member": lambda: networks.add_to_group(world.lead, world.network, my_group.id, their_member),
        "delete group": lambda: networks.delete_group(world.lead, world.network, their_group.id),
        "consent": lambda: networks.set_consent(world.boss, theirs, other.network, True),
        "missing": lambda: networks.remove_member(world.lead, world.network, 999_999),
    }
    said = {name: outcome(call)[:3] for name, call in attempts.items()}
    assert all(s[:2] == ("raised", "NotFound") for s in said.values()), said
    assert [m.id for m in networks.dashboard(other.lead, other.network).members] == [their_member]


# --- groups ---------------------------------------------------------------------------------------


def test_the_group_level_is_its_weakest_members_and_says_why(world: World) -> None:
    strong, weak, silent, new = (world.company(n) for n in ("Forte", "Faible", "Muette", "Nouvelle"))
    world.completed(strong, 4, 4)  # 100: Exemplaire (5)
    world.completed(weak, 3, 2)  # rh 75, env 50, overall 66.7: Maîtrisé (4); Exemplaire needs 85 and 65 everywhere
    strong_id, weak_id = world.member(strong), world.member(weak)
    silent_id, new_id = world.member(silent, shares=False), world.member(new)
    group = networks.create_group(world.lead, world.network, "Filière bois")
    for member_id in (strong_id, weak_id):
        networks.add_to_group(world.lead, world.network, group.id, member_id)
    with pytest.raises(NetworkRefused) as refused:  # certified on shared results: a non-sharing member stays out
        networks.add_to_group(world.lead, world.network, group.id, silent_id)
    assert refused.value.code == "network.group_needs_consent"

    [seen] = networks.dashboard(world.lead, world.network).groups
    assert (seen.level.rank, seen.level_name, seen.level.weakest) == (4, "Maîtrisé", (weak_id,))
    why = seen.reasons[weak_id]
    assert (why.next_level, why.overall_short, why.dimensions, why.critical) == (
        "Exemplaire",
        True,
        ["Environnement"],
        [],
    )

    networks.add_to_group(world.lead, world.network, group.id, new_id)  # no completed assessment yet
    [seen] = networks.dashboard(world.lead, world.network).groups
    assert not seen.level.established and seen.level.missing == (new_id,) and seen.level_name is None
    networks.remove_from_group(world.lead, world.network, group.id, new_id)
    networks.set_consent(world.boss, strong, world.network, False)  # stops sharing: the level cannot be read
    [seen] = networks.dashboard(world.lead, world.network).groups
    assert seen.level.missing == (strong_id,)
    networks.set_consent(world.boss, strong, world.network, True)

    # a legal basic unmet caps a member at Engagé whatever its scores: that is what is said
    capped = world.company("Plafonnée", band="1-10")  # from one employee, the DUERP applies
    world.completed(capped, 4, 4, **{"rh.duerp": "no"})  # rh 66.7, env 100, overall 77.8
    capped_id = world.member(capped)
    networks.add_to_group(world.lead, world.network, group.id, capped_id)
    [seen] = networks.dashboard(world.lead, world.network).groups
    assert (seen.level.rank, seen.level_name, seen.level.weakest) == (2, "Engagé", (capped_id,))
    why = seen.reasons[capped_id]
    assert (why.next_level, why.overall_short, why.dimensions) == ("Structuré", False, [])
    assert why.critical == ["Avez-vous rédigé votre document unique (DUERP) ?"]

    networks.delete_group(world.lead, world.network, group.id)
    assert networks.dashboard(world.reviewer, world.network).groups == []


def test_group_names_are_checked(world: World) -> None:
    for bad in ("", "   ", "a\nb", "x" * 201):
        with pytest.raises(NetworkRefused) as refused:
            networks.create_group(world.lead, world.network, bad)
        assert refused.value.code == "network.group_name_invalid"


def test_roles_offered_by_workspace_kind() -> None:
    assert roles_for("network") == (Role.OWNER, Role.ADMIN, Role.REVIEWER, Role.COMMITTEE, Role.VIEWER)
    for kind in ("consultancy", "company"):
        assert roles_for(kind) == (Role.OWNER, Role.ADMIN, Role.CONSULTANT, Role.COMPANY_MANAGER, Role.VIEWER)


def test_an_invitation_holds_only_a_role_of_the_workspaces_kind(world: World) -> None:
    """A reviewer or a committee member belongs to a network; a consultant or a company manager does
    not: the service refuses what the page does not offer."""
    from diagnostic.services import workspaces

    for role in (Role.CONSULTANT, Role.COMPANY_MANAGER):
        with pytest.raises(ValueError, match="kind network"):
            workspaces.invite(world.lead, world.network, role, company_ids=(1,) if role is Role.COMPANY_MANAGER else ())
    for role in (Role.REVIEWER, Role.COMMITTEE):
        with pytest.raises(ValueError, match="kind company"):
            workspaces.invite(world.boss, world.companies, role)
        assert workspaces.invite(world.lead, world.network, role).token
    assert workspaces.invite(world.boss, world.companies, Role.CONSULTANT).token


def test_no_company_is_made_in_a_networks_workspace(world: World) -> None:
    """Members live in their own workspaces: not even the network's owner creates a company in it."""
    from diagnostic.core.profile import Profile
    from diagnostic.services import companies

    with pytest.raises(NotAllowed):
        companies.save_company(world.lead, None, "Dans le réseau", Profile(), workspace_id=world.network)
    assert not companies.may(Context(world.uow, world.lead.actor, "fr", workspace_id=world.network), Permission.CREATE_COMPANY)
