"""Networks of companies: members and their consent, join codes, the network's dashboard, the
anonymous benchmark, and groups certified together.

A network is a workspace of kind "network". Its members are companies in their own workspaces:
they keep their data, and the network reads a member's results only while the member shares them
(`shares`, the member's consent, off when it joins). What the network reads is the read model of
each sharing member's assessments (diagnostic/services/summaries.py): scores, level, weak questions,
the recommendations its plan holds — never an answer, a comment or a plan's details.

Who does what: the network's owners and admins (its leads: MANAGE_MEMBERS, MODERATE) make and
revoke join codes, remove members and manage groups; every role of the network sees its dashboard
(VIEW). A company's editors (EDIT) join with a code, give or withdraw consent and leave; its readers
see its networks and, when it shares, the benchmarks (give to get). The rules of the benchmark and of
the group level are pure (diagnostic/core/benchmark.py).
"""

from __future__ import annotations

import statistics
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from diagnostic.core.answers import text_problem
from diagnostic.core.benchmark import (
    NO_LEVEL,
    Benchmark,
    Contribution,
    Figures,
    GroupLevel,
    GroupMember,
    figures,
    group_level,
    held_back,
)
from diagnostic.core.errors import DomainError
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.markup import to_plain
from diagnostic.core.profile import naf_section
from diagnostic.core.roles import NotFound, Permission
from diagnostic.core.schema import AnyQuestion, Recommendation
from diagnostic.services import access, labels
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import questionnaire_of
from diagnostic.services.summaries import current
from diagnostic.services.tokens import new_token, token_hash
from diagnostic.storage.models import utcnow
from diagnostic.storage.networks import (
    JoinCodeRecord,
    MemberCompany,
    MemberRecord,
    NetworkGroupRecord,
    SharedAssessment,
)
from diagnostic.storage.records import WorkspaceRecord
from diagnostic.storage.summaries import SummaryRecord
from diagnostic.storage.uow import UnitOfWork

JOIN_CODE_DAYS, JOIN_CODE_MAX_DAYS = 30, 365
NOTE_MAX = 200  # the note "for whom" of a join code
GROUP_NAME_MAX = 200
TOP = 10  # weaknesses and recommendations listed on the dashboard
QUARTERS_UP_TO_YEARS = 3  # progress by quarter over at most this many calendar years, by year beyond

# The roles an invitation may give, by the kind of workspace: a network has label reviewers and a
# committee but no consultant and no company manager (its members' companies are not in it).
class NetworkRefused(DomainError):
    """What a lead or a member asked cannot be done (code: the reason's catalogue key)."""

    code = "network.refused"


class JoinRefused(DomainError):
    """A join code that cannot be used: unknown, expired, used or revoked, told the same way."""

    code = "membership.code_invalid"


# --- records the pages read ------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCode:
    code: JoinCodeRecord
    token: str  # shown once, never stored


@dataclass(frozen=True)
class MemberResult:
    """A sharing member's latest completed assessment, as its summary gives it."""

    assessment_id: int
    completed_at: datetime
    overall: float | None
    coverage: float | None
    level_rank: int  # NO_LEVEL when no level is reached
    level: str | None  # the level's name in the context's language
    dimensions: dict[str, float | None]


@dataclass(frozen=True)
class MemberView:
    company: MemberCompany
    result: MemberResult | None  # None when not sharing or without a completed assessment

    @property
    def id(self) -> int:
        return self.company.member.id

    @property
    def shares(self) -> bool:
        return self.company.member.shares


@dataclass(frozen=True)
class LevelCount:
    rank: int  # NO_LEVEL: no level reached
    level: str | None
    count: int


@dataclass(frozen=True)
class DimensionScores:
    id: str
    title: str
    scores: list[float]  # one per sharing member with a score in it (for the box plot)


@dataclass(frozen=True)
class PeriodMedian:
    year: int
    quarter: int | None  # None: the period is the whole year
    median: float
    assessments: int


@dataclass(frozen=True)
class Frequent:
    id: str  # a question or recommendation id
    text: str  # plain text in the context's language (the id when no questionnaire knows it)
    count: int  # sharing members concerned


@dataclass(frozen=True)
class Reason:
    """Why a member holds its group back: what the next level asks that it does not have."""

    next_level: str | None  # None at the top level
    overall_short: bool
    dimensions: list[str]  # titles of the dimensions below the next level's floor
    critical: list[str]  # texts of the legal basics unmet


@dataclass(frozen=True)
class GroupView:
    group: NetworkGroupRecord
    members: list[MemberView]
    level: GroupLevel
    level_name: str | None  # the group level's name (None when not established)
    reasons: dict[int, Reason]  # member id -> why, for the members holding the group back


@dataclass(frozen=True)
class Dashboard:
    network: WorkspaceRecord
    members: list[MemberView]
    levels: list[LevelCount]  # sharing members' latest completed assessments, by rank
    without_assessment: int  # sharing members without a completed assessment
    dimensions: list[DimensionScores]
    progress: list[PeriodMedian]
    weaknesses: list[Frequent]
    recommendations: list[Frequent]
    benchmark: Figures
    groups: list[GroupView]

    @property
    def sharing(self) -> int:
        return sum(1 for m in self.members if m.shares)


@dataclass(frozen=True)
class Membership:
    """One network a company belongs to, as the company sees it."""

    member: MemberRecord
    network_id: int
    network: str


# --- access -----------------------------------------------------------------------------------------


def _network(ctx: Context, network_id: int, permission: Permission = Permission.VIEW) -> WorkspaceRecord:
    """The network the actor acts on: NotFound when the actor is not in it or it is no network,
    NotAllowed without the permission."""
    access.workspace(ctx, network_id, Permission.VIEW)
    found = ctx.uow.networks.network(network_id)
    if found is None:
        raise NotFound(f"network {network_id}")
    if permission is not Permission.VIEW:
        access.workspace(ctx, network_id, permission)
    return found


def _member(ctx: Context, network_id: int, member_id: int) -> MemberRecord:
    found = ctx.uow.networks.member(network_id, member_id)
    if found is None:
        raise NotFound(f"member {member_id}")
    return found


# --- join codes, members (the network's side) -------------------------------------------------------


def clean_note(note: str) -> str:
    note = unicodedata.normalize("NFC", note).strip()
    if len(note) > NOTE_MAX or text_problem(note, single_line=True):
        raise NetworkRefused(code="network.note_invalid", params={"max": NOTE_MAX})
    return note


def make_join_code(ctx: Context, network_id: int, note: str = "", days: int = JOIN_CODE_DAYS) -> IssuedCode:
    """A one-time code for a company to join the network (leads only); shown once, only its hash kept."""
    note = clean_note(note)
    if not 1 <= days <= JOIN_CODE_MAX_DAYS:
        raise NetworkRefused(code="network.code_days", params={"max": JOIN_CODE_MAX_DAYS})
    token = new_token()

    def work(uow: UnitOfWork) -> JoinCodeRecord:
        _network(ctx, network_id, Permission.MANAGE_MEMBERS)
        made = uow.networks.add_code(
            network_id, token_hash(token), note, ctx.actor.label, utcnow() + timedelta(days=days)
        )
        access.audit(ctx, network_id, "network.code_create", f"join_code:{made.id}", note)
        return made

    return IssuedCode(ctx.uow.run(work), token)


def join_codes(ctx: Context, network_id: int) -> list[JoinCodeRecord]:
    with ctx.uow:
        _network(ctx, network_id, Permission.MANAGE_MEMBERS)
        return ctx.uow.networks.codes(network_id)


def revoke_join_code(ctx: Context, network_id: int, code_id: int) -> None:
    """Revoke a pending code (a used, expired or revoked one stays as it is)."""

    def work(uow: UnitOfWork) -> None:
        _network(ctx, network_id, Permission.MANAGE_MEMBERS)
        found = uow.networks.code(network_id, code_id)
        if found is None:
            raise NotFound(f"join code {code_id}")
        if found.state(utcnow()) == "pending":
            uow.networks.revoke_code(code_id, utcnow())
            access.audit(ctx, network_id, "network.code_revoke", f"join_code:{code_id}", found.note)

    ctx.uow.run(work)


def remove_member(ctx: Context, network_id: int, member_id: int) -> None:
    """Take a company out of the network (leads only): the network no longer sees it; its data stays."""

    def work(uow: UnitOfWork) -> None:
        _network(ctx, network_id, Permission.MANAGE_MEMBERS)
        member = _member(ctx, network_id, member_id)
        labels.close_for_departure(ctx, member.id)
        uow.networks.remove_member(member.id)
        access.audit(ctx, network_id, "network.member_remove", f"member:{member.id}", f"company:{member.company_id}")

    ctx.uow.run(work)


# --- membership (the company's side) ----------------------------------------------------------------


def join(ctx: Context, company_id: int, code: str) -> Membership:
    """The company joins the network of the code (EDIT on the company), not sharing yet. A code that
    is unknown, expired, used or revoked is refused with one message that does not say which."""

    def work(uow: UnitOfWork) -> Membership:
        company = access.company(ctx, company_id, Permission.EDIT)
        now = utcnow()
        found = uow.networks.code_by_hash(token_hash(code)) if code.strip() else None
        network = uow.networks.network(found.network_id) if found is not None else None
        if found is None or network is None or found.state(now) != "pending":
            raise JoinRefused()
        member = uow.networks.add_member(network.id, company.id, now.date())
        if member is None:
            raise NetworkRefused(code="membership.already_member", params={"network": network.name})
        if not uow.networks.use_code(found.id, member.id, now):  # used meanwhile by another join
            raise JoinRefused()
        access.audit(ctx, network.id, "network.join", f"member:{member.id}", company.name)
        access.audit(ctx, company.workspace_id, "network.join", f"company:{company.id}", network.name)
        return Membership(member, network.id, network.name)

    return ctx.uow.run(work)


def _membership(ctx: Context, company_id: int, network_id: int, permission: Permission) -> tuple[MemberRecord, int]:
    company = access.company(ctx, company_id, permission)
    member = ctx.uow.networks.member_of(network_id, company_id)
    if member is None:
        raise NotFound(f"network {network_id}")
    return member, company.workspace_id


def set_consent(ctx: Context, company_id: int, network_id: int, shares: bool) -> MemberRecord:
    """The company shares its results with the network, or stops (EDIT on the company); who and when
    are recorded. Withdrawn, the network sees none of its results from the next read on."""

    def work(uow: UnitOfWork) -> MemberRecord:
        member, workspace_id = _membership(ctx, company_id, network_id, Permission.EDIT)
        if member.shares == shares:
            return member
        changed = uow.networks.set_shares(member.id, shares, ctx.actor.label, utcnow())
        detail = "shares" if shares else "stops sharing"
        access.audit(ctx, network_id, "network.consent", f"member:{member.id}", detail)
        access.audit(ctx, workspace_id, "network.consent", f"company:{company_id}", detail)
        return changed

    return ctx.uow.run(work)


def leave(ctx: Context, company_id: int, network_id: int) -> None:
    """The company leaves the network (EDIT on the company)."""

    def work(uow: UnitOfWork) -> None:
        member, workspace_id = _membership(ctx, company_id, network_id, Permission.EDIT)
        labels.close_for_departure(ctx, member.id)
        uow.networks.remove_member(member.id)
        access.audit(ctx, network_id, "network.leave", f"member:{member.id}", f"company:{company_id}")
        access.audit(ctx, workspace_id, "network.leave", f"company:{company_id}", f"network:{network_id}")

    ctx.uow.run(work)


def member_networks(ctx: Context, company_id: int) -> list[Membership]:
    """The networks the company belongs to, by name (VIEW on the company)."""
    with ctx.uow:
        access.company(ctx, company_id)
        return [Membership(m, w.id, w.name) for m, w in ctx.uow.networks.memberships(company_id)]


def membership_of(ctx: Context, network_id: int, company_id: int) -> MemberRecord | None:
    """The company's membership of the network, for an actor who sees the network or the company;
    None when it is no member, or neither is in the actor's reach."""
    with ctx.uow:
        if not access.grants(ctx).may(Permission.VIEW, network_id):
            try:
                access.company(ctx, company_id)
            except NotFound:
                return None
        return ctx.uow.networks.member_of(network_id, company_id)


# --- what the network sees ---------------------------------------------------------------------------


def _level_name(questionnaire: LoadedQuestionnaire, rank: int | None, lang: str) -> str | None:
    levels = questionnaire.model.results.levels
    if rank is None or not 1 <= rank <= len(levels):
        return None
    return to_plain(levels[rank - 1].label.get(lang))


def _contribution(shared: SharedAssessment, summary: SummaryRecord) -> Contribution:
    return Contribution(
        network_id=shared.network_id, member_id=shared.member_id, shares=True, section=shared.section,
        overall=summary.overall, dimensions=dict(summary.dimensions),
    )  # fmt: skip


def _periods(points: list[tuple[datetime, float]]) -> list[PeriodMedian]:
    """The median overall score of the completed assessments of each quarter (each year when they
    span more than QUARTERS_UP_TO_YEARS calendar years)."""
    if not points:
        return []
    years = {moment.year for moment, _ in points}
    by_quarter = max(years) - min(years) < QUARTERS_UP_TO_YEARS
    grouped: dict[tuple[int, int | None], list[float]] = {}
    for moment, value in points:
        key = (moment.year, (moment.month - 1) // 3 + 1 if by_quarter else None)
        grouped.setdefault(key, []).append(value)
    return [
        PeriodMedian(year, quarter, statistics.median(values), len(values))
        for (year, quarter), values in sorted(grouped.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))
    ]


def _top(counts: Counter[str], texts: Mapping[str, AnyQuestion | Recommendation], lang: str) -> list[Frequent]:
    """The TOP most frequent ids (then by id), each with its text when a questionnaire knows it."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    return [Frequent(key, to_plain(texts[key].text.get(lang)) if key in texts else key, count) for key, count in ranked]


def _reason(questionnaire: LoadedQuestionnaire, result: MemberResult, summary: SummaryRecord, lang: str) -> Reason:
    why = held_back(questionnaire, result.level_rank, result.overall, result.dimensions, summary.critical_unmet)
    titles = {d.id: to_plain(d.title.get(lang)) for d in questionnaire.dimensions}
    return Reason(
        next_level=to_plain(why.next_level.label.get(lang)) if why.next_level else None,
        overall_short=why.overall_short,
        dimensions=[titles[d] for d in why.dimensions_below],
        critical=[to_plain(questionnaire.questions[q].text.get(lang)) for q in why.critical_unmet],
    )


def _groups(
    uow: UnitOfWork, network_id: int, views: dict[int, MemberView], summaries: dict[int, SummaryRecord],
    questionnaires: dict[int, LoadedQuestionnaire], lang: str,
) -> list[GroupView]:  # fmt: skip
    found = []
    for group in uow.networks.groups(network_id):
        members = [views[i] for i in group.member_ids if i in views]
        level = group_level(
            [GroupMember(m.id, m.result.level_rank if m.shares and m.result is not None else None) for m in members]
        )
        reasons: dict[int, Reason] = {}
        name = None
        for member_id in level.weakest:
            result = views[member_id].result
            assert result is not None  # a weakest member has a level
            questionnaire = questionnaires[member_id]
            reasons[member_id] = _reason(questionnaire, result, summaries[result.assessment_id], lang)
            name = name or _level_name(questionnaire, level.rank, lang)
        found.append(GroupView(group, members, level, name, reasons))
    return found


def dashboard(ctx: Context, network_id: int) -> Dashboard:
    """Everything the network's dashboard shows (VIEW in the network), from the read model: the
    members, and of the sharing ones only, their latest completed assessment's summary."""
    lang = ctx.lang

    def work(uow: UnitOfWork) -> Dashboard:
        network = _network(ctx, network_id)
        members = uow.networks.members(network_id)
        latest = {s.member_id: s for s in uow.networks.latest_shared([network_id])}
        history = uow.networks.shared_history(network_id)
        summaries = current(uow, [s.assessment.id for s in latest.values()] + [i for i, _ in history])
        questionnaires = {m: questionnaire_of(uow, s.assessment) for m, s in latest.items()}
        plans = uow.networks.plan_recommendations(s.assessment.id for s in latest.values())

        names: dict[tuple[str, int], str | None] = {}  # (questionnaire, rank) -> the level's name, read once

        def level_name(questionnaire: LoadedQuestionnaire, rank: int) -> str | None:
            key = (questionnaire.content_hash, rank)
            if key not in names:
                names[key] = _level_name(questionnaire, rank, lang)
            return names[key]

        views: dict[int, MemberView] = {}
        for company in members:
            shared = latest.get(company.member.id) if company.member.shares else None
            summary = summaries.get(shared.assessment.id) if shared is not None else None
            result = None
            if shared is not None and summary is not None:
                rank = summary.level_rank if summary.level_rank is not None else NO_LEVEL
                result = MemberResult(
                    assessment_id=shared.assessment.id,
                    completed_at=shared.assessment.completed_at or shared.assessment.updated_at,
                    overall=summary.overall, coverage=summary.coverage, level_rank=rank,
                    level=level_name(questionnaires[company.member.id], rank), dimensions=dict(summary.dimensions),
                )  # fmt: skip
            views[company.member.id] = MemberView(company, result)
        results = [v.result for v in views.values() if v.result is not None]
        levels = Counter((r.level_rank, r.level) for r in results)

        # texts from the questionnaires met, each once (the full one usually first); an id no
        # questionnaire knows any more (an older version) is shown as it is
        distinct = list({q.content_hash: q for q in questionnaires.values()}.values())
        titles: dict[str, str] = {}
        for questionnaire in distinct:
            for d in questionnaire.dimensions:
                if d.id not in titles:
                    titles[d.id] = to_plain(d.title.get(lang))
        questions = {qid: q for questionnaire in reversed(distinct) for qid, q in questionnaire.questions.items()}
        recommendations = {r.id: r for q in questions.values() for r in getattr(q, "recommendations", [])}
        spread = [
            DimensionScores(d, title, [s for r in results if (s := r.dimensions.get(d)) is not None])
            for d, title in titles.items()
        ]

        weak: Counter[str] = Counter()
        for r in results:
            weak.update(set(summaries[r.assessment_id].weak_questions))

        moments = dict(history)
        points = [(moments[i], s.overall) for i, s in summaries.items() if i in moments and s.overall is not None]
        contributions = [
            _contribution(s, summaries[s.assessment.id]) for s in latest.values() if s.assessment.id in summaries
        ]

        return Dashboard(
            network=network,
            members=list(views.values()),
            levels=[LevelCount(rank, name, n) for (rank, name), n in sorted(levels.items(), key=lambda kv: kv[0][0])],
            without_assessment=sum(1 for v in views.values() if v.shares and v.result is None),
            dimensions=[d for d in spread if d.scores],
            progress=_periods(points),
            weaknesses=_top(weak, questions, lang),
            recommendations=_top(Counter(plans), recommendations, lang),
            benchmark=figures(contributions, network_id),
            groups=_groups(uow, network_id, views, summaries, questionnaires, lang),
        )

    return ctx.uow.run(work)


# --- groups (leads) ----------------------------------------------------------------------------------


def clean_group_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name).strip()
    if not name or len(name) > GROUP_NAME_MAX or text_problem(name, single_line=True):
        raise NetworkRefused(code="network.group_name_invalid", params={"max": GROUP_NAME_MAX})
    return name


def create_group(ctx: Context, network_id: int, name: str) -> NetworkGroupRecord:
    name = clean_group_name(name)

    def work(uow: UnitOfWork) -> NetworkGroupRecord:
        _network(ctx, network_id, Permission.MODERATE)
        made = uow.networks.add_group(network_id, name)
        access.audit(ctx, network_id, "network.group_create", f"group:{made.id}", name)
        return made

    return ctx.uow.run(work)


def _group(ctx: Context, network_id: int, group_id: int) -> NetworkGroupRecord:
    _network(ctx, network_id, Permission.MODERATE)
    found = ctx.uow.networks.group(network_id, group_id)
    if found is None:
        raise NotFound(f"group {group_id}")
    return found


def delete_group(ctx: Context, network_id: int, group_id: int) -> None:
    def work(uow: UnitOfWork) -> None:
        group = _group(ctx, network_id, group_id)
        uow.networks.delete_group(group.id)
        access.audit(ctx, network_id, "network.group_delete", f"group:{group.id}", group.name)

    ctx.uow.run(work)


def add_to_group(ctx: Context, network_id: int, group_id: int, member_id: int) -> None:
    """Put a member in a group: only a member that shares (the group is certified on shared results)."""

    def work(uow: UnitOfWork) -> None:
        group = _group(ctx, network_id, group_id)
        member = _member(ctx, network_id, member_id)
        if not member.shares:
            raise NetworkRefused(code="network.group_needs_consent")
        if member.id not in group.member_ids:
            uow.networks.put_in_group(group.id, member.id)
            access.audit(ctx, network_id, "network.group_add", f"group:{group.id}", f"member:{member.id}")

    ctx.uow.run(work)


def remove_from_group(ctx: Context, network_id: int, group_id: int, member_id: int) -> None:
    def work(uow: UnitOfWork) -> None:
        group = _group(ctx, network_id, group_id)
        member = _member(ctx, network_id, member_id)
        if member.id in group.member_ids:
            uow.networks.take_from_group(group.id, member.id)
            access.audit(ctx, network_id, "network.group_remove", f"group:{group.id}", f"member:{member.id}")

    ctx.uow.run(work)


# --- the benchmark, the member's side ----------------------------------------------------------------


def benchmark_for(ctx: Context, company_id: int) -> list[Benchmark]:
    """The benchmark of each network the company shares with, with its NAF section's (VIEW on the
    company). A network it does not share with gives none (give to get): [] when it shares with none."""

    def work(uow: UnitOfWork) -> list[Benchmark]:
        company = access.company(ctx, company_id)
        sharing = [w for m, w in uow.networks.memberships(company_id) if m.shares]
        if not sharing:
            return []
        shared = uow.networks.latest_shared(w.id for w in sharing)
        summaries = current(uow, [s.assessment.id for s in shared])
        contributions = [_contribution(s, summaries[s.assessment.id]) for s in shared if s.assessment.id in summaries]
        section = naf_section(company.profile.sector) if company.profile.sector else None
        titles: dict[str, str] = {}
        for assessment in {s.assessment.content_hash: s.assessment for s in shared}.values():
            for d in questionnaire_of(uow, assessment).dimensions:
                titles.setdefault(d.id, to_plain(d.title.get(ctx.lang)))
        return [
            Benchmark(
                network_id=w.id,
                network=w.name,
                figures=figures(contributions, w.id),
                section=section,
                sector_figures=figures(contributions, w.id, section) if section else None,
                titles=titles,
            )  # fmt: skip
            for w in sharing
        ]

    return ctx.uow.run(work)
