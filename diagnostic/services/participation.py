"""The participative diagnostic, the owner's side: open an assessment to respondent groups, make
and revoke their links, follow who answered, read the crossed views and agree the consensus.

Anonymity rules (docs/decisions.md): an anonymous group has group links only, a named group named
links only; an anonymous group's results show from k completed respondents (3 to 10, fixed once the
first link is made), its free texts from comment_k; the consolidation itself is pure
(diagnostic/core/consolidation.py). The consensus is the assessment's own answer set: the score,
the plan and the exports read it as they always did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from diagnostic import settings
from diagnostic.core import limits
from diagnostic.core.answers import check_value, text_problem
from diagnostic.core.audience import GROUPS
from diagnostic.core.consolidation import Consolidation, GroupInput, Response, consolidate
from diagnostic.core.errors import DomainError
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.roles import NotFound, Permission
from diagnostic.services import access
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import questionnaire_of
from diagnostic.services.tokens import new_token, token_hash
from diagnostic.storage.models import utcnow
from diagnostic.storage.records import (
    AnswerEdit,
    AnswerRecord,
    AssessmentRecord,
    CampaignRecord,
    CompanyRecord,
    ConsensusNoteRecord,
    GroupRecord,
    LinkRecord,
    RespondentRecord,
)
from diagnostic.storage.uow import UnitOfWork

K_DEFAULT, K_MIN, K_MAX = 5, 3, 10
COMMENT_K_DEFAULT, COMMENT_K_MAX = 8, 20
EXPIRY_DEFAULT_DAYS, EXPIRY_MAX_DAYS = 30, 365
MAX_USES_LIMIT = 10_000
# Who answers anonymously by default: staff, managers and outsiders speak more freely unnamed; the
# direction and the consultant sign their answers. The owner may change it before the first link.
ANONYMOUS_BY_DEFAULT = {"direction": False, "managers": True, "staff": True, "consultant": False, "stakeholders": True}


class ParticipationRefused(DomainError):
    """What the owner asked cannot be done (code: the reason's catalogue key)."""

    code = "participation.refused"


def link_url(token: str, base: str | None = None) -> str:
    """The address of a respondent link (`base`: the app's address when the caller knows it)."""
    return f"{(base or settings.public_url()).rstrip('/')}/?repondre={token}"


@dataclass(frozen=True)
class IssuedLink:
    link: LinkRecord
    token: str  # shown once, never stored

    @property
    def url(self) -> str:
        return link_url(self.token)

    def url_at(self, base: str) -> str:
        return link_url(self.token, base)


@dataclass(frozen=True)
class PersonProgress:
    link: LinkRecord
    state: str  # invited | started | completed
    answered: int


@dataclass(frozen=True)
class GroupProgress:
    group: GroupRecord
    invited: int  # named: links; anonymous: uses of its links
    started: int  # started and not completed
    completed: int
    links: list[LinkRecord]
    people: list[PersonProgress]  # named groups only
    link_states: dict[int, str]  # link id -> active | revoked | expired | full, now


@dataclass(frozen=True)
class Participation:
    campaign: CampaignRecord
    groups: list[GroupProgress]

    @property
    def launched(self) -> bool:
        return self.campaign.launched_on is not None

    @property
    def closed(self) -> bool:
        return self.campaign.closed_on is not None

    def group(self, group_id: int) -> GroupProgress:
        return next(g for g in self.groups if g.group.id == group_id)


def _progress(groups: list[GroupRecord], links: list[LinkRecord], respondents: list[RespondentRecord]) -> list[GroupProgress]:
    now = utcnow()
    found = []
    for group in groups:
        mine = [link for link in links if link.group_id == group.id]
        people = [r for r in respondents if r.group_id == group.id]
        completed = sum(1 for r in people if r.completed_on is not None)
        persons: list[PersonProgress] = []
        if not group.anonymous:
            by_link = {r.link_id: r for r in people}
            for link in mine:
                r = by_link.get(link.id)
                state = "invited" if r is None else "completed" if r.completed_on else "started"
                persons.append(PersonProgress(link, state, r.answered if r else 0))
        invited = len(mine) if not group.anonymous else sum(link.uses for link in mine)
        states = {link.id: link.state(now) for link in mine}
        found.append(GroupProgress(group, invited, len(people) - completed, completed, mine, persons, states))
    return found


def participation(ctx: Context, assessment_id: int) -> Participation | None:
    """The assessment's campaign with its groups and their progress; None when not opened to groups
    (or out of reach)."""
    with ctx.uow:
        try:
            access.assessment(ctx, assessment_id)
        except NotFound:
            return None
        scope = access.scope(ctx)
        campaign = ctx.uow.participation.campaign(scope, assessment_id)
        if campaign is None:
            return None
        p = ctx.uow.participation
        progress = _progress(p.groups(scope, assessment_id), p.links(scope, assessment_id), p.respondents(scope, assessment_id))
        return Participation(campaign, progress)


def is_open(ctx: Context, assessment_id: int) -> bool:
    """Is the assessment opened to respondent groups? (one cheap read, for a hint on other pages)"""
    with ctx.uow:
        return ctx.uow.participation.campaign(access.scope(ctx), assessment_id) is not None


def _editable(ctx: Context, assessment_id: int) -> tuple[AssessmentRecord, CompanyRecord, CampaignRecord]:
    assessment, company = access.assessment(ctx, assessment_id, Permission.EDIT)
    campaign = ctx.uow.participation.campaign(access.scope(ctx, Permission.EDIT), assessment_id)
    if campaign is None:
        raise ParticipationRefused(code="participation.not_open")
    return assessment, company, campaign


def check_thresholds(k: int, comment_k: int) -> None:
    if not K_MIN <= k <= K_MAX:
        raise ParticipationRefused(code="participation.k_range", params={"low": K_MIN, "high": K_MAX})
    if not k <= comment_k <= COMMENT_K_MAX:
        raise ParticipationRefused(code="participation.comment_k_range", params={"low": k, "high": COMMENT_K_MAX})


def open_participation(ctx: Context, assessment_id: int, k: int = K_DEFAULT, comment_k: int = COMMENT_K_DEFAULT) -> Participation:
    """Open the assessment to the five respondent groups (each may stay without a link)."""
    check_thresholds(k, comment_k)

    def work(uow: UnitOfWork) -> None:
        _, company = access.assessment(ctx, assessment_id, Permission.EDIT)
        scope = access.scope(ctx, Permission.EDIT)
        if uow.participation.campaign(scope, assessment_id) is None:
            uow.participation.open(scope, assessment_id, [(g, "", ANONYMOUS_BY_DEFAULT[g]) for g in GROUPS], k, comment_k)
            access.audit(ctx, company.workspace_id, "participation.open", f"assessment:{assessment_id}", f"k={k}")

    ctx.uow.run(work)
    opened = participation(ctx, assessment_id)
    assert opened is not None
    return opened


def update_settings(
    ctx: Context, assessment_id: int, *, k: int | None = None, comment_k: int | None = None, share_results: bool | None = None
) -> CampaignRecord:
    """Thresholds (before the first link only) and whether respondents see the consolidated result."""

    def work(uow: UnitOfWork) -> CampaignRecord:
        _, company, campaign = _editable(ctx, assessment_id)
        fields: dict[str, Any] = {}
        if (k is not None and k != campaign.k) or (comment_k is not None and comment_k != campaign.comment_k):
            if campaign.launched_on is not None:
                raise ParticipationRefused(code="participation.k_fixed")
            check_thresholds(campaign.k if k is None else k, campaign.comment_k if comment_k is None else comment_k)
            fields |= {"k": campaign.k if k is None else k, "comment_k": campaign.comment_k if comment_k is None else comment_k}
        if share_results is not None:
            fields["share_results"] = share_results
        if not fields:
            return campaign
        saved = uow.participation.update_campaign(access.scope(ctx, Permission.EDIT), assessment_id, **fields)
        access.audit(ctx, company.workspace_id, "participation.settings", f"assessment:{assessment_id}", ", ".join(sorted(fields)))
        return saved

    return ctx.uow.run(work)


def _group(ctx: Context, assessment_id: int, group_id: int) -> GroupRecord:
    """One of the assessment's groups; another assessment's group is not found."""
    found = [g for g in ctx.uow.participation.groups(access.scope(ctx, Permission.EDIT), assessment_id) if g.id == group_id]
    if not found:
        raise NotFound(f"group {group_id}")
    return found[0]


def update_group(
    ctx: Context, assessment_id: int, group_id: int, *, label: str | None = None, anonymous: bool | None = None
) -> GroupRecord:
    """Rename a group ("" gives back the default name), or make it anonymous or named before its first link."""

    def work(uow: UnitOfWork) -> GroupRecord:
        _, company, _ = _editable(ctx, assessment_id)
        group = _group(ctx, assessment_id, group_id)
        fields: dict[str, Any] = {}
        if label is not None:
            cleaned = " ".join(label.split())
            if len(cleaned) > 100 or text_problem(cleaned, single_line=True):
                raise ParticipationRefused(code="participation.bad_label", params={"max": 100})
            fields["label"] = cleaned
        if anonymous is not None and anonymous != group.anonymous:
            if any(link.group_id == group_id for link in uow.participation.links(access.scope(ctx), assessment_id)):
                raise ParticipationRefused(code="participation.mode_fixed")
            fields["anonymous"] = anonymous
        if not fields:
            return group
        saved = uow.participation.update_group(access.scope(ctx, Permission.EDIT), group_id, **fields)
        access.audit(ctx, company.workspace_id, "participation.group", f"assessment:{assessment_id}", f"{group.key}: {', '.join(sorted(fields))}")
        return saved

    return ctx.uow.run(work)


def _check_expiry(days: int) -> None:
    if not 1 <= days <= EXPIRY_MAX_DAYS:
        raise ParticipationRefused(code="participation.expiry_range", params={"max": EXPIRY_MAX_DAYS})


def _collecting(ctx: Context, assessment_id: int) -> tuple[CompanyRecord, CampaignRecord]:
    """The company and campaign of an assessment the actor may edit, whose collection is open."""
    _, company, campaign = _editable(ctx, assessment_id)
    if campaign.closed_on is not None:
        raise ParticipationRefused(code="participation.closed")
    return company, campaign


def create_link(
    ctx: Context, assessment_id: int, group_id: int, *, name: str = "", expires_days: int = EXPIRY_DEFAULT_DAYS,
    max_uses: int | None = None,
) -> IssuedLink:  # fmt: skip
    """A group link (anonymous group: no name, optional maximum number of uses) or a named link (one
    person of a named group). The token is shown once: only its hash is kept."""
    name = " ".join(name.split())
    _check_expiry(expires_days)
    if max_uses is not None and not 1 <= max_uses <= MAX_USES_LIMIT:
        raise ParticipationRefused(code="participation.max_uses_range", params={"max": MAX_USES_LIMIT})
    token = new_token()

    def work(uow: UnitOfWork) -> LinkRecord:
        company, campaign = _collecting(ctx, assessment_id)
        group = _group(ctx, assessment_id, group_id)
        if group.anonymous and name:
            raise ParticipationRefused(code="participation.no_name_when_anonymous")
        if not group.anonymous:
            if not name or len(name) > 200 or text_problem(name, single_line=True):
                raise ParticipationRefused(code="participation.name_needed")
            if max_uses is not None:
                raise ParticipationRefused(code="participation.named_single_use")
        scope = access.scope(ctx, Permission.EDIT)
        expires = utcnow() + timedelta(days=expires_days)
        link = uow.participation.add_link(scope, group_id, token_hash(token), name, ctx.actor.label, expires, max_uses)
        if campaign.launched_on is None:  # from now on the thresholds are fixed
            uow.participation.update_campaign(scope, assessment_id, launched_on=utcnow().date())
        access.audit(ctx, company.workspace_id, "participation.link", f"assessment:{assessment_id}", f"{group.key} {name}".strip())
        return link

    return IssuedLink(ctx.uow.run(work), token)


def _link(ctx: Context, assessment_id: int, link_id: int) -> LinkRecord:
    found = [link for link in ctx.uow.participation.links(access.scope(ctx, Permission.EDIT), assessment_id) if link.id == link_id]
    if not found:
        raise NotFound(f"link {link_id}")
    return found[0]


def revoke_link(ctx: Context, assessment_id: int, link_id: int) -> LinkRecord:
    """The link stops working at once; the answers already given stay."""

    def work(uow: UnitOfWork) -> LinkRecord:
        _, company, _ = _editable(ctx, assessment_id)
        _link(ctx, assessment_id, link_id)
        saved = uow.participation.change_link(access.scope(ctx, Permission.EDIT), link_id, revoke=True)
        access.audit(ctx, company.workspace_id, "participation.revoke", f"assessment:{assessment_id}", f"link {link_id}")
        return saved

    return ctx.uow.run(work)


def renew_link(ctx: Context, assessment_id: int, link_id: int, expires_days: int = EXPIRY_DEFAULT_DAYS) -> IssuedLink:
    """A reminder to a named person: a new address (the old one stops), the answers given are kept."""
    _check_expiry(expires_days)
    token = new_token()

    def work(uow: UnitOfWork) -> LinkRecord:
        company, _ = _collecting(ctx, assessment_id)
        link = _link(ctx, assessment_id, link_id)
        if not link.name:
            raise ParticipationRefused(code="participation.renew_named_only")
        saved = uow.participation.change_link(
            access.scope(ctx, Permission.EDIT), link_id, token_hash=token_hash(token), expires_at=utcnow() + timedelta(days=expires_days)
        )
        access.audit(ctx, company.workspace_id, "participation.remind", f"assessment:{assessment_id}", link.name)
        return saved

    return IssuedLink(ctx.uow.run(work), token)


def set_closed(ctx: Context, assessment_id: int, closed: bool) -> CampaignRecord:
    """Close the collection (no more answers; anonymous respondents lose their way back to their
    answers for good), or open it again for new respondents."""

    def work(uow: UnitOfWork) -> CampaignRecord:
        _, company, _ = _editable(ctx, assessment_id)
        scope = access.scope(ctx, Permission.EDIT)
        if closed:
            uow.participation.forget_secrets(scope, assessment_id)
        saved = uow.participation.update_campaign(scope, assessment_id, closed_on=utcnow().date() if closed else None)
        access.audit(ctx, company.workspace_id, "participation.close" if closed else "participation.reopen", f"assessment:{assessment_id}")
        return saved

    return ctx.uow.run(work)


# --- consolidation and consensus ----------------------------------------------------------------


def consolidate_campaign(
    questionnaire: LoadedQuestionnaire, company: CompanyRecord, campaign: CampaignRecord, groups: list[GroupRecord],
    responses: list[Any],
) -> Consolidation:  # fmt: skip
    inputs = [
        GroupInput(
            id=g.id, key=g.key, label=g.label, anonymous=g.anonymous,
            responses=[Response(r.answers, r.comments) for r in responses if r.group_id == g.id],
        )  # fmt: skip
        for g in groups
    ]
    return consolidate(questionnaire, company.profile, inputs, k=campaign.k, comment_k=campaign.comment_k)


@dataclass(frozen=True)
class CrossedViews:
    assessment: AssessmentRecord
    company: CompanyRecord
    questionnaire: LoadedQuestionnaire
    campaign: CampaignRecord
    consolidation: Consolidation


def crossed_views(ctx: Context, assessment_id: int) -> CrossedViews | None:
    """The consolidated answers of the groups; None when the assessment is not opened to groups.

    Only what the anonymity rules let through leaves this function: no response is returned."""
    with ctx.uow:
        try:
            assessment, company = access.assessment(ctx, assessment_id)
        except NotFound:
            return None
        scope = access.scope(ctx)
        campaign = ctx.uow.participation.campaign(scope, assessment_id)
        if campaign is None:
            return None
        groups = ctx.uow.participation.groups(scope, assessment_id)
        responses = ctx.uow.participation.responses(scope, assessment_id)
        questionnaire = questionnaire_of(ctx.uow, assessment)
    return CrossedViews(assessment, company, questionnaire, campaign, consolidate_campaign(questionnaire, company, campaign, groups, responses))


@dataclass(frozen=True)
class Consensus:
    views: CrossedViews
    official: dict[str, AnswerRecord]  # the assessment's answers: the consensus so far
    notes: dict[str, ConsensusNoteRecord]

    def settled(self, question_id: str) -> bool:
        return question_id in self.notes


def consensus(ctx: Context, assessment_id: int) -> Consensus | None:
    views = crossed_views(ctx, assessment_id)
    if views is None:
        return None
    with ctx.uow:
        scope = access.scope(ctx)
        official = ctx.uow.answers.load(scope, assessment_id)
        notes = ctx.uow.participation.notes(scope, assessment_id)
    return Consensus(views, official, notes)


def settle(ctx: Context, assessment_id: int, question_id: str, value: Any, reason: str = "") -> AnswerRecord | None:
    """Agree the official answer of one question: the groups' consolidated value as it is, or another
    one with a reason (required then), as assessors do when they agree a score."""
    reason = reason.strip()
    if len(reason) > limits.COMMENT:
        raise ParticipationRefused(code="consensus.reason_too_long", params={"max": limits.COMMENT})
    views = crossed_views(ctx, assessment_id)
    if views is None:
        raise ParticipationRefused(code="participation.not_open")
    if question_id not in views.questionnaire.questions:
        raise ParticipationRefused(code="consensus.unknown_question")
    checked = None if value is None else check_value(views.questionnaire, question_id, value)
    proposed = views.consolidation.prefill.get(question_id)
    if checked != proposed and not reason:
        raise ParticipationRefused(code="consensus.reason_needed")

    def work(uow: UnitOfWork) -> AnswerRecord | None:
        _, company, _ = _editable(ctx, assessment_id)
        scope = access.scope(ctx, Permission.EDIT)

        saved = uow.answers.edit(scope, assessment_id, question_id, _setting(checked), answered_by=ctx.actor.label or "")
        uow.participation.put_note(scope, assessment_id, question_id, proposed, reason, ctx.actor.label)
        if checked != proposed:
            access.audit(ctx, company.workspace_id, "consensus.change", f"assessment:{assessment_id}", f"{question_id}: {reason}")
        return saved

    return ctx.uow.run(work)


def _setting(value: Any) -> Callable[[AnswerRecord | None], AnswerEdit]:
    """The edit that sets an answer's value and keeps its comment."""
    return lambda old: AnswerEdit(value, old.comment if old else "")


def accept_proposals(ctx: Context, assessment_id: int) -> int:
    """Take the consolidated value of every question not agreed yet; returns how many were taken."""
    views = crossed_views(ctx, assessment_id)
    if views is None:
        raise ParticipationRefused(code="participation.not_open")
    proposals = {q: v for q, v in views.consolidation.prefill.items() if v is not None}

    def work(uow: UnitOfWork) -> int:
        _, company, _ = _editable(ctx, assessment_id)
        scope = access.scope(ctx, Permission.EDIT)
        notes = uow.participation.notes(scope, assessment_id)
        taken = 0
        for question_id, value in proposals.items():
            if question_id in notes:
                continue
            uow.answers.edit(scope, assessment_id, question_id, _setting(value), answered_by=ctx.actor.label or "")
            uow.participation.put_note(scope, assessment_id, question_id, value, "", ctx.actor.label)
            taken += 1
        access.audit(ctx, company.workspace_id, "consensus.accept", f"assessment:{assessment_id}", str(taken))
        return taken

    return ctx.uow.run(work)


def named_answers(ctx: Context, assessment_id: int) -> list[tuple[str, int, dict[str, Any]]]:
    """(person, group id, answers) of the named respondents, for the JSON export."""
    with ctx.uow:
        access.assessment(ctx, assessment_id)
        return ctx.uow.participation.named_answers(access.scope(ctx), assessment_id)
