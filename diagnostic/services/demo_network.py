"""The demo network: a network of nine member companies to explore, reachable in one click.

It is made of two workspaces the acting person owns: the network (kind "network": dashboard, label,
good practices) and "its members" (a consultancy-kind workspace holding the nine companies, as a
network's members each keep their own space). Eight members share their results, one does not; three
form a group certified together; one has applied for the network's label; the library holds the demo
practices. Everything is derived from fixed seeds: the same on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from diagnostic.core.answers import Answer, check_value
from diagnostic.core.conditions import applicability
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.roles import NotAllowed, Permission, Role
from diagnostic.services import access, labels, practices
from diagnostic.services.context import Context
from diagnostic.services.demo import _demo_value
from diagnostic.services.questionnaires import shipped_questionnaire
from diagnostic.services.summaries import current as current_summaries
from diagnostic.storage.records import WorkspaceRecord
from diagnostic.storage.uow import UnitOfWork

NETWORK_NAME = {"fr": "Réseau Entreprises Engagées Loire (démo)", "en": "Loire Committed Companies (demo network)"}
MEMBERS_NAME = {"fr": "Adhérents du réseau (démo)", "en": "Network members (demo)"}
GROUP_NAME = {"fr": "Groupement qualité Vallée du Layon", "en": "Layon Valley quality group"}
LABEL_ID = "label-performance-globale"


@dataclass(frozen=True)
class DemoMember:
    name: str
    profile: Profile
    level: int  # its answers' level shift today (-1 weak .. +1 strong)
    shares: bool = True
    in_group: bool = False
    applies: bool = False  # applies for the label with its latest assessment


def _profile(sector: str, band: str, production: bool) -> Profile:
    return Profile(headcount_band=band, sector=sector, sites=1, production_site=production, tertiary_area_1000m2=False)  # type: ignore[arg-type]


MEMBERS = (
    DemoMember("Mécanique Précision Loire", _profile("25.62A", "50-249", True), 2, applies=True),
    DemoMember("Atelier Bois Ligérien", _profile("16.23Z", "20-49", True), 1, in_group=True),
    DemoMember("Conserverie du Val", _profile("10.39A", "20-49", True), 1, in_group=True),
    DemoMember("Rénov’Habitat BTP", _profile("41.20A", "11-19", False), -2, in_group=True),
    DemoMember("Imprimerie Verte Angevine", _profile("18.12Z", "11-19", True), 2),
    DemoMember("Transports Martin et Fils", _profile("49.41A", "50-249", False), 0),
    DemoMember("Numérique Solidaire 49", _profile("62.01Z", "11-19", False), 0),
    DemoMember("Boulangeries Réunies", _profile("10.71C", "20-49", True), -1),
    DemoMember("Recyclerie du Layon", _profile("38.32Z", "11-19", True), 0, shares=False),
)
# Each member's assessments: (months ago, level shift relative to today's, completed)
HISTORY = ((24, -2, True), (12, -1, True), (1, 0, True))


def _answers(loaded: LoadedQuestionnaire, profile: Profile, shift: int, salt: int) -> dict[str, tuple[Any, str]]:
    """A plausible, reproducible answer set: the demo company's rule, each member a little apart."""
    given: dict[str, Answer] = {}
    for qid in loaded.questions:
        own = shift + (1 if (len(qid) + salt) % 4 == 0 else 0) - (1 if (len(qid) * 3 + salt) % 7 == 0 else 0)
        value = _demo_value(loaded, qid, own)
        if value is not None:
            given[qid] = Answer(value)
    applies = applicability(loaded, profile, given)
    return {qid: (check_value(loaded, qid, a.value), "") for qid, a in given.items() if applies.get(qid, False)}


def _demo_workspaces(ctx: Context) -> list[WorkspaceRecord]:
    """The actor's demo networks (by name, in either language), where the actor owns them."""
    held = access.grants(ctx)
    names = set(NETWORK_NAME.values())
    return [
        w for w in ctx.uow.workspaces.list(held.workspaces())
        if w.kind == "network" and w.name in names and held.role_in(w.id) is Role.OWNER
    ]  # fmt: skip


def may_open(ctx: Context) -> bool:
    """The demo network makes two workspaces: offered to the local owner (local mode) and the operator."""
    return ctx.actor.local or ctx.actor.operator


def open_demo_network(ctx: Context) -> int:
    """The demo network's workspace id: the existing one, else a new one."""
    if not may_open(ctx):
        raise NotAllowed("demo_network")
    with ctx.uow:
        found = _demo_workspaces(ctx)
    if found:
        return found[0].id
    return create_demo_network(ctx)


def create_demo_network(ctx: Context) -> int:
    """Make the demo network in one transaction: a failure leaves nothing half made (a demo found by
    its name is always whole)."""
    if not may_open(ctx):
        raise NotAllowed("demo_network")
    return ctx.uow.run(lambda uow: _create(ctx, uow))  # the use cases called inside join this transaction


def _create(ctx: Context, uow: UnitOfWork) -> int:
    lang = ctx.lang
    loaded, text = shipped_questionnaire("rse-performance-globale")
    now = datetime.now(UTC)
    every: list[int] = []  # every assessment made, for the read model
    taken = {w.name for w in uow.workspaces.list()}
    network_name = NETWORK_NAME[lang] if NETWORK_NAME[lang] not in taken else f"{NETWORK_NAME[lang]} {now:%Y%m%d%H%M%S}"
    members_name = MEMBERS_NAME[lang] if MEMBERS_NAME[lang] not in taken else f"{MEMBERS_NAME[lang]} {now:%Y%m%d%H%M%S}"
    network = uow.workspaces.add(network_name, "network")
    space = uow.workspaces.add(members_name, "consultancy")
    if ctx.actor.user_id is not None:
        uow.workspaces.put_member(network.id, ctx.actor.user_id, Role.OWNER.value)
        uow.workspaces.put_member(space.id, ctx.actor.user_id, Role.OWNER.value)
    access.forget_grants(ctx)
    uow.labels.set_label(network.id, LABEL_ID)
    uow.snapshots.save(loaded, text)
    edit = access.scope(ctx, Permission.EDIT)
    made: list[tuple[int, int, int]] = []  # (company, member, latest assessment)
    group = uow.networks.add_group(network.id, GROUP_NAME[lang])
    for salt, member in enumerate(MEMBERS):
        company = uow.companies.add(space.id, member.name, member.profile, "")
        joined = uow.networks.add_member(network.id, company.id, (now - timedelta(days=800 - 40 * salt)).date())
        assert joined is not None
        if member.shares:
            uow.networks.set_shares(joined.id, True, "démo", now)
        if member.in_group:
            uow.networks.put_in_group(group.id, joined.id)
        latest = 0
        for months_ago, step, completed in HISTORY:
            created = now - timedelta(days=30 * months_ago)
            assessment = uow.assessments.add(
                edit, company.id, loaded, respondent="", status="completed" if completed else "in_progress",
                created_at=created, completed_at=created + timedelta(days=5) if completed else None,
            )  # fmt: skip
            uow.answers.replace(edit, assessment.id, _answers(loaded, member.profile, member.level + step, salt))
            latest = assessment.id
            every.append(latest)
        made.append((company.id, joined.id, latest))
    access.audit(ctx, network.id, "workspace.create", f"workspace:{network.id}", network_name)
    _plans(ctx, [a for _, _, a in made])
    current_summaries(uow, every)  # the read model, warm for the dashboard
    practices.seed_demo_practices(uow, network.id, [m for _, m, _ in made])
    for member, (company_id, _, assessment_id) in zip(MEMBERS, made, strict=True):
        if member.applies:
            labels.apply(ctx, network.id, company_id, assessment_id)
    return network.id


def _plans(ctx: Context, assessment_ids: list[int]) -> None:
    """Each member's plan: its first recommendations, some done, some late (for the dashboard's
    "recommendations most often in plans" and the portfolio's reminders)."""
    from diagnostic.services.assessments import evaluate

    today = date.today()
    for salt, assessment_id in enumerate(assessment_ids):
        evaluation = evaluate(ctx, assessment_id)
        assert evaluation is not None
        chosen = evaluation.result.recommendations[:4]

        def work(uow: UnitOfWork, chosen: list[Any] = chosen, salt: int = salt, assessment_id: int = assessment_id) -> None:
            edit = access.scope(ctx, Permission.EDIT)
            for rank, rec in enumerate(chosen):
                status = ("done", "in_progress", "todo", "todo")[(rank + salt) % 4]
                due = today + timedelta(days=30 * (rank - 1 - salt % 2))
                uow.actions.add(
                    edit, assessment_id, rec.text.get(ctx.lang), recommendation_id=rec.id, question_id=rec.question,
                    owner="", due_date=due, status=status,
                )  # fmt: skip

        ctx.uow.run(work)
