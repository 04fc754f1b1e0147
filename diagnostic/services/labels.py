"""A network's own label: a member applies with a completed assessment, a reviewer reviews, the
committee votes and decides, a granted label is valid for the label's years and is then renewed.

Who may do what (docs/label-format.md):
- a network lead (owner or admin: MANAGE_MEMBERS in the network) chooses the label the network runs;
- a member company's editor (EDIT on the company) applies and withdraws; applying shares the
  assessment's results (the snapshot stored in the application) with the network's reviewers and
  committee;
- a reviewer (REVIEW in the network) reviews, once per person (a new review replaces theirs);
- a committee member (VOTE in the network) votes, once per person, and records the decision.
Another network's application behaves as one that does not exist. Every step is a label_events row
(the timeline both sides see) and a line of the acting side's audit log.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from diagnostic.core.answers import text_problem
from diagnostic.core.errors import DomainError, InputRefused
from diagnostic.core.label import (
    OPEN,
    RECOMMENDATIONS,
    VOTES,
    CriterionCheck,
    LabelDefinition,
    add_years,
    blocking_unmet,
    committee_outcome,
    evaluate_criteria,
    tally,
    validity_state,
)
from diagnostic.core.roles import NotFound, Permission
from diagnostic.core.scoring import Result
from diagnostic.label_files import load_labels
from diagnostic.services import access
from diagnostic.services import assessments as assessment_service
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import shipped_questionnaire
from diagnostic.storage.labels import (
    LabelApplicationRecord,
    LabelEventRecord,
    LabelReviewRecord,
    LabelVoteRecord,
    MembershipOfNetwork,
)
from diagnostic.storage.records import WorkspaceRecord
from diagnostic.storage.uow import UnitOfWork

TEXT_MAX = 5_000  # a comment, a reason, the conditions


class LabelRefused(DomainError):
    """What was asked cannot be done in the application's state (code: the reason's catalogue key)."""

    code = "label.error.refused"


# --- the label files, loaded once per process ----------------------------------------------------

_lock = threading.Lock()
_definitions: dict[str, LabelDefinition] = {}
_problems: list[tuple[str, str]] = []


def definitions() -> list[LabelDefinition]:
    """The valid label files of labels/ (an invalid one is logged and skipped: `label_problems()`)."""
    with _lock:
        if not _definitions and not _problems:
            valid, invalid = load_labels(questionnaires=lambda qid: shipped_questionnaire(qid)[0])
            _definitions.update((d.id, d) for d in valid)
            for path, error in invalid:
                logging.getLogger("autodiag").error("label file skipped: %s", error)
                _problems.append((str(path), str(error)))
        return sorted(_definitions.values(), key=lambda d: d.id)


def definition(label_id: str | None) -> LabelDefinition | None:
    definitions()
    return _definitions.get(label_id or "")


def label_problems() -> list[tuple[str, str]]:
    definitions()
    return list(_problems)


# --- what the screens read -------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkLabel:
    """A network the actor holds a role in, its label and what the actor may do there."""

    network: WorkspaceRecord
    definition: LabelDefinition | None
    may_configure: bool
    may_review: bool
    may_vote: bool


@dataclass(frozen=True)
class ApplicationDetail:
    application: LabelApplicationRecord
    network_name: str
    definition: LabelDefinition | None  # the label file now (None when it was removed)
    checks: list[CriterionCheck]  # as checked when the member applied
    reviews: list[LabelReviewRecord]
    votes: list[LabelVoteRecord]  # the network's roles only: the member sees the tally
    tally: dict[str, int]
    events: list[LabelEventRecord]
    network_side: bool
    may_review: bool = False
    may_vote: bool = False
    my_review: LabelReviewRecord | None = None
    my_vote: LabelVoteRecord | None = None

    @property
    def open(self) -> bool:
        return self.application.status in OPEN

    @property
    def quorum(self) -> int | None:
        return self.definition.committee.quorum if self.definition else None

    @property
    def outcome(self) -> str | None:
        """What the votes give now (None below the quorum)."""
        if self.quorum is None:
            return None
        return committee_outcome([v.vote for v in self.votes], self.quorum) if self.votes else None

    def majority_reasons(self) -> str:
        """The reasons of the votes that make the outcome: what the decision's conditions start from."""
        outcome = self.outcome
        return "\n".join(v.reason for v in self.votes if v.vote == outcome and v.reason)

    def checklist_template(self) -> dict[str, dict[str, Any]]:
        """The review's checklist: one line per criterion, the automatic ones pre-filled from the
        evaluation (met: ok, unmet: not ok, not measurable: left open)."""
        return {c.id: {"ok": {"met": True, "unmet": False}.get(c.status), "comment": ""} for c in self.checks}


@dataclass(frozen=True)
class LabelStatus:
    """A member company's label in one network."""

    membership: MembershipOfNetwork
    definition: LabelDefinition | None
    current: LabelApplicationRecord | None  # the latest granted application
    state: str  # none | valid | renewal_due | expired
    open: LabelApplicationRecord | None  # submitted or reviewed, not decided yet
    applications: list[LabelApplicationRecord] = field(default_factory=list)  # the latest first


@dataclass(frozen=True)
class Renewal:
    application: LabelApplicationRecord
    state: str  # renewal_due | expired


def today_utc() -> date:
    return datetime.now(UTC).date()


def _actor(ctx: Context) -> str:
    return ctx.actor.label


def _text(value: str, what: str) -> str:
    value = value.strip()
    if len(value) > TEXT_MAX:
        raise InputRefused("label.error.too_long", f"{what}: {len(value)} > {TEXT_MAX}", params={"max": TEXT_MAX})
    problem = text_problem(value)
    if problem is not None:
        raise InputRefused("label.error.text_invalid", str(problem))
    return value


def _network(uow: UnitOfWork, network_id: int) -> WorkspaceRecord:
    found = uow.workspaces.get(network_id)
    if found is None or found.kind != "network":
        raise NotFound(f"network {network_id}")
    return found


def _network_role(ctx: Context, network_id: int, permission: Permission) -> WorkspaceRecord:
    """The network, when the actor holds `permission` there (NotFound outside it, NotAllowed without)."""
    access.workspace(ctx, network_id, permission)
    return _network(ctx.uow, network_id)


def _application(ctx: Context, application_id: int, lock: bool = False) -> LabelApplicationRecord:
    found = ctx.uow.labels.application(application_id, lock=lock)
    if found is None:
        raise NotFound(f"label application {application_id}")
    return found


def _network_application(ctx: Context, application_id: int, permission: Permission, lock: bool = False) -> LabelApplicationRecord:
    """An application of a network where the actor holds `permission`; another network's is not found."""
    found = _application(ctx, application_id, lock)
    if access.grants(ctx).role_in(found.network_id) is None:
        raise NotFound(f"label application {application_id}")
    access.workspace(ctx, found.network_id, permission)
    return found


def _member_application(ctx: Context, application_id: int, permission: Permission) -> LabelApplicationRecord:
    found = _application(ctx, application_id)
    if found.company_id is None:  # the member left: the application is the network's record only
        raise NotFound(f"label application {application_id}")
    try:
        access.company(ctx, found.company_id, permission)
    except NotFound:
        raise NotFound(f"label application {application_id}") from None
    return found


def _step(ctx: Context, application: LabelApplicationRecord, step: str, detail: str, workspace_id: int) -> None:
    ctx.uow.labels.add_event(application.id, _actor(ctx), step, detail)
    access.audit(ctx, workspace_id, f"label.{step}", f"label_application:{application.id}", detail)


def _checks(application: LabelApplicationRecord) -> list[CriterionCheck]:
    return [CriterionCheck.from_dict(c) for c in application.evaluation.get("checks", [])]


# --- the network's label ---------------------------------------------------------------------------


def networks(ctx: Context) -> list[NetworkLabel]:
    """The networks the actor holds a role in, with their label and the actor's rights there."""
    with ctx.uow:
        held = access.grants(ctx)
        found = [w for w in ctx.uow.workspaces.list(held.workspaces()) if w.kind == "network"]
        return [
            NetworkLabel(
                w, definition(w.label_id), held.may(Permission.MANAGE_MEMBERS, w.id), held.may(Permission.REVIEW, w.id),
                held.may(Permission.VOTE, w.id),
            )
            for w in found
        ]  # fmt: skip


def configure(ctx: Context, network_id: int, label_id: str | None) -> WorkspaceRecord:
    """The label the network runs (None: none); a network lead's choice among the label files."""
    if label_id is not None and definition(label_id) is None:
        raise LabelRefused(code="label.error.unknown_label", params={"label": label_id})

    def work(uow: UnitOfWork) -> WorkspaceRecord:
        _network_role(ctx, network_id, Permission.MANAGE_MEMBERS)
        uow.labels.set_label(network_id, label_id)
        access.audit(ctx, network_id, "label.configure", f"workspace:{network_id}", label_id or "")
        found = uow.workspaces.get(network_id)
        assert found is not None
        return found

    return ctx.uow.run(work)


def applications(ctx: Context, network_id: int) -> list[LabelApplicationRecord]:
    """The network's applications, the latest first (any role in the network)."""
    with ctx.uow:
        _network_role(ctx, network_id, Permission.VIEW)
        return ctx.uow.labels.applications(network_id)


def latest_granted(applications: list[LabelApplicationRecord]) -> dict[int, LabelApplicationRecord]:
    """Member id -> its latest granted application (the one whose validity counts)."""
    latest: dict[int, LabelApplicationRecord] = {}
    for a in applications:
        if a.decision == "granted" and a.valid_until is not None and a.member_id is not None:
            if a.member_id not in latest or (a.decided_on or date.min, a.id) > (latest[a.member_id].decided_on or date.min, latest[a.member_id].id):
                latest[a.member_id] = a
    return latest


def renewals(ctx: Context, network_id: int, today: date | None = None) -> list[Renewal]:
    """The members' labels due for renewal or expired, the soonest end first."""
    today = today or today_utc()
    with ctx.uow:
        network = _network_role(ctx, network_id, Permission.VIEW)
        found = definition(network.label_id)
        notice = found.renewal_notice_days if found else 0
        granted = latest_granted(ctx.uow.labels.applications(network_id))
    due = []
    for a in granted.values():
        assert a.valid_until is not None
        state = validity_state(a.valid_until, today, notice)
        if state != "valid":
            due.append(Renewal(a, state))
    return sorted(due, key=lambda r: (r.application.valid_until, r.application.id))


# --- the member's side ---------------------------------------------------------------------------


def label_status(ctx: Context, company_id: int, today: date | None = None) -> list[LabelStatus]:
    """For each network the company belongs to that runs a label: its label now and its applications."""
    today = today or today_utc()
    with ctx.uow:
        access.company(ctx, company_id, Permission.VIEW)
        statuses = []
        for membership in ctx.uow.labels.memberships(company_id):
            found = definition(membership.label_id)
            if membership.label_id is None:
                continue
            mine = ctx.uow.labels.applications_of(membership.member_id)
            current = latest_granted(mine).get(membership.member_id)
            state = "none"
            if current is not None and current.valid_until is not None:
                state = validity_state(current.valid_until, today, found.renewal_notice_days if found else 0)
            pending = next((a for a in mine if a.status in OPEN), None)
            statuses.append(LabelStatus(membership, found, current, state, pending, mine))
        return statuses


def _snapshot(ctx: Context, label: LabelDefinition, assessment_id: int) -> tuple[dict[str, Any], list[CriterionCheck]]:
    evaluation = assessment_service.evaluate(ctx, assessment_id)
    if evaluation is None:
        raise NotFound(f"assessment {assessment_id}")
    result: Result = evaluation.result
    questionnaire = evaluation.questionnaire
    checks = evaluate_criteria(label, result)
    level = result.level
    snapshot = {
        "questionnaire": questionnaire.id,
        "questionnaire_version": questionnaire.version,
        "assessment": {
            "id": evaluation.assessment.id,
            "label": evaluation.assessment.label,
            "completed_at": evaluation.assessment.completed_at.isoformat() if evaluation.assessment.completed_at else None,
        },
        "overall": result.overall,
        "coverage": result.coverage,
        "level": level.id if level else None,
        "level_rank": result.level_rank,
        "level_label": {"fr": level.label.fr, "en": level.label.en} if level else None,
        "dimensions": [
            {"id": d.id, "title": {"fr": t.title.fr, "en": t.title.en}, "score": d.score, "coverage": d.coverage}
            for d in result.dimensions
            for t in [questionnaire.dimension_by_id[d.id]]
        ],
        "critical_unmet": list(result.critical_unmet),
        "critical_unanswered": list(result.critical_unanswered),
        "checks": [c.as_dict() for c in checks],
    }
    return snapshot, checks


def _applicable(ctx: Context, network_id: int, company_id: int, assessment_id: int) -> tuple[MembershipOfNetwork, LabelDefinition]:
    """The checks before applying (or showing the criteria check): raise what refuses it."""
    access.company(ctx, company_id, Permission.EDIT)
    membership = ctx.uow.labels.membership(network_id, company_id)
    if membership is None:
        raise NotFound(f"network {network_id}")
    label = definition(membership.label_id)
    if label is None:
        raise LabelRefused(code="label.error.no_label")
    assessment, owner = access.assessment(ctx, assessment_id, Permission.EDIT)
    if owner.id != company_id:
        raise NotFound(f"assessment {assessment_id}")
    if assessment.status != "completed":
        raise LabelRefused(code="label.error.not_completed")
    if assessment.questionnaire_id != label.questionnaire:
        raise LabelRefused(code="label.error.questionnaire")
    return membership, label


def precheck(ctx: Context, network_id: int, company_id: int, assessment_id: int) -> list[CriterionCheck]:
    """The label's criteria checked against this assessment, before the member applies."""
    with ctx.uow:
        _, label = _applicable(ctx, network_id, company_id, assessment_id)
        return _snapshot(ctx, label, assessment_id)[1]


def apply(ctx: Context, network_id: int, company_id: int, assessment_id: int, today: date | None = None) -> LabelApplicationRecord:
    """The company applies for the network's label with a completed assessment, whose results
    (the evaluation snapshot) the network's reviewers and committee then read."""

    def work(uow: UnitOfWork) -> LabelApplicationRecord:
        membership, label = _applicable(ctx, network_id, company_id, assessment_id)
        if any(a.status in OPEN and a.label_id == label.id for a in uow.labels.applications_of(membership.member_id)):
            raise LabelRefused(code="label.error.open_application")
        snapshot, _ = _snapshot(ctx, label, assessment_id)
        made = uow.labels.add_application(
            network_id, membership.member_id, assessment_id, label.id, label.version, snapshot, today or today_utc(), _actor(ctx),
            company_name=membership.company_name,
        )
        company = uow.companies.get(access.scope(ctx), company_id)
        assert company is not None
        _step(ctx, made, "applied", f"assessment:{assessment_id}", company.workspace_id)
        return made

    return ctx.uow.run(work)


def close_for_departure(ctx: Context, member_id: int) -> None:
    """A member leaving (or removed): its open applications are withdrawn, with the reason, before
    the membership goes (within the caller's transaction; the caller checked the rights). Decided
    ones stay as the network's record, under the company's name."""
    for application in ctx.uow.labels.applications_of(member_id):
        if application.status in OPEN:
            ctx.uow.labels.update_application(application.id, status="withdrawn")
            ctx.uow.labels.add_event(application.id, _actor(ctx), "withdrawn", "member_left")


def withdraw(ctx: Context, application_id: int) -> LabelApplicationRecord:
    """The member withdraws its application before the decision."""

    def work(uow: UnitOfWork) -> LabelApplicationRecord:
        found = _member_application(ctx, application_id, Permission.EDIT)
        if found.status not in OPEN:
            raise LabelRefused(code="label.error.closed")
        changed = uow.labels.update_application(application_id, status="withdrawn")
        assert found.company_id is not None  # _member_application refuses an application whose member left
        company = uow.companies.get(access.scope(ctx), found.company_id)
        assert company is not None
        _step(ctx, changed, "withdrawn", "", company.workspace_id)
        return changed

    return ctx.uow.run(work)


# --- the network's work ----------------------------------------------------------------------------


def detail(ctx: Context, application_id: int) -> ApplicationDetail:
    """One application as the actor may see it: a network role sees everything, the member company
    everything but who voted what (the tally only)."""
    with ctx.uow:
        held = access.grants(ctx)
        found = _application(ctx, application_id)
        network_side = held.role_in(found.network_id) is not None
        if not network_side:
            found = _member_application(ctx, application_id, Permission.VIEW)
        network = _network(ctx.uow, found.network_id)
        votes = ctx.uow.labels.votes(application_id)
        reviews = ctx.uow.labels.reviews(application_id)
        events = ctx.uow.labels.events(application_id)
        user = ctx.actor.user_id
        return ApplicationDetail(
            application=found,
            network_name=network.name,
            definition=definition(found.label_id),
            checks=_checks(found),
            reviews=reviews,
            votes=votes if network_side else [],
            # the member sees the tally once decided, and no voter's name: never who voted what
            tally=tally(v.vote for v in votes) if network_side or found.decision else tally(()),
            events=events if network_side else [replace(e, actor="—") if e.step == "voted" else e for e in events],
            network_side=network_side,
            may_review=network_side and held.may(Permission.REVIEW, found.network_id),
            may_vote=network_side and held.may(Permission.VOTE, found.network_id),
            my_review=next((r for r in reviews if r.reviewer_id == user), None) if network_side else None,
            my_vote=next((v for v in votes if v.voter_key == _voter_key(ctx)), None) if network_side else None,
        )


def _voter_key(ctx: Context) -> str:
    return "local" if ctx.actor.user_id is None or ctx.actor.local else f"user:{ctx.actor.user_id}"


def review(
    ctx: Context, application_id: int, checklist: dict[str, dict[str, Any]], comment: str, recommendation: str
) -> LabelApplicationRecord:
    """A reviewer's review: the checklist (one line per criterion: ok true/false/None and a comment),
    a comment and a recommendation (grant, defer, refuse). A new review replaces the reviewer's."""
    if recommendation not in RECOMMENDATIONS:
        raise InputRefused("label.error.recommendation", recommendation)
    comment = _text(comment, "comment")

    def work(uow: UnitOfWork) -> LabelApplicationRecord:
        found = _network_application(ctx, application_id, Permission.REVIEW, lock=True)
        if found.status not in OPEN:
            raise LabelRefused(code="label.error.closed")
        ids = [c["id"] for c in found.evaluation.get("checks", [])]
        unknown = set(checklist) - set(ids)
        if unknown:
            raise InputRefused("label.error.checklist", ", ".join(sorted(unknown)))
        lines = {}
        for criterion_id in ids:
            given = checklist.get(criterion_id, {})
            ok = given.get("ok")
            if ok not in (True, False, None):
                raise InputRefused("label.error.checklist", criterion_id)
            lines[criterion_id] = {"ok": ok, "comment": _text(str(given.get("comment", "")), criterion_id)}
        uow.labels.put_review(application_id, ctx.actor.user_id, _actor(ctx), lines, comment, recommendation)
        changed = uow.labels.update_application(application_id, status="reviewed")
        _step(ctx, changed, "reviewed", recommendation, found.network_id)
        return changed

    return ctx.uow.run(work)


def vote(ctx: Context, application_id: int, vote: str, reason: str = "") -> LabelApplicationRecord:
    """A committee member's vote (granted, deferred, refused; a reason for the last two), after a
    review and before the decision; a new vote replaces the member's."""
    if vote not in VOTES:
        raise InputRefused("label.error.vote", vote)
    reason = _text(reason, "reason")
    if vote != "granted" and not reason:
        raise InputRefused("label.error.reason_needed")

    def work(uow: UnitOfWork) -> LabelApplicationRecord:
        found = _network_application(ctx, application_id, Permission.VOTE, lock=True)
        if found.status not in OPEN:
            raise LabelRefused(code="label.error.closed")
        if not uow.labels.reviews(application_id):
            raise LabelRefused(code="label.error.no_review")
        uow.labels.put_vote(application_id, _voter_key(ctx), _actor(ctx), vote, reason)
        # the timeline says that someone voted, not what: the vote is the committee's
        _step(ctx, found, "voted", "", found.network_id)
        return found

    return ctx.uow.run(work)


def decide(
    ctx: Context, application_id: int, conditions: str = "", reason: str = "", today: date | None = None
) -> LabelApplicationRecord:
    """Record the committee's decision: the votes' majority once the quorum is reached (no majority:
    deferred). Granted needs every blocking criterion met and sets the end of validity; deferred
    needs conditions; refused a reason."""
    conditions, reason = _text(conditions, "conditions"), _text(reason, "reason")
    decided_on = today or today_utc()

    def work(uow: UnitOfWork) -> LabelApplicationRecord:
        found = _network_application(ctx, application_id, Permission.VOTE, lock=True)
        if found.status == "decided":
            raise LabelRefused(code="label.error.already_decided")
        if found.status not in OPEN:
            raise LabelRefused(code="label.error.closed")
        if not uow.labels.reviews(application_id):
            raise LabelRefused(code="label.error.no_review")
        label = definition(found.label_id)
        if label is None:
            raise LabelRefused(code="label.error.no_label")
        votes = uow.labels.votes(application_id)
        outcome = committee_outcome([v.vote for v in votes], label.committee.quorum)
        if outcome is None:
            raise LabelRefused(code="label.error.quorum", params={"quorum": label.committee.quorum, "votes": len(votes)})
        fields: dict[str, Any] = {"conditions": "", "reason": reason, "valid_until": None}
        if outcome == "granted":
            unmet = blocking_unmet(_checks(found))
            if unmet:
                names = "; ".join(c.label.get(ctx.lang) or c.id for c in unmet)
                raise LabelRefused(code="label.error.unmet", params={"criteria": names})
            fields["valid_until"] = add_years(decided_on, label.validity_years)
        elif outcome == "deferred":
            if not conditions:
                raise LabelRefused(code="label.error.conditions_needed")
            fields["conditions"] = conditions
        elif not reason:
            raise LabelRefused(code="label.error.reason_needed")
        changed = uow.labels.update_application(
            application_id, status="decided", decision=outcome, decided_on=decided_on, decided_by=_actor(ctx), **fields
        )
        _step(ctx, changed, "decided", outcome, found.network_id)
        return changed

    return ctx.uow.run(work)


# --- the decision letter ---------------------------------------------------------------------------


def letter(ctx: Context, application_id: int, lang: str | None = None) -> bytes:
    """The decision letter (PDF) of a decided application, for the member or the network."""
    from diagnostic.exports.label_letter import LetterData, decision_letter

    found = detail(ctx, application_id)
    application = found.application
    if application.status != "decided" or application.decision is None or application.decided_on is None:
        raise LabelRefused(code="label.error.not_decided")
    label = found.definition
    recommendations = [r.recommendation for r in found.reviews]
    data = LetterData(
        network=found.network_name,
        company=application.company_name,
        label_name={"fr": label.name.fr, "en": label.name.en} if label else {"fr": application.label_id, "en": application.label_id},
        label_version=application.label_version,
        decision=application.decision,
        decided_on=application.decided_on,
        valid_until=application.valid_until,
        conditions=application.conditions,
        reason=application.reason,
        checks=found.checks,
        tally=found.tally,
        recommendations=recommendations,
        decided_by=application.decided_by,
        applied_on=application.applied_on,
    )
    return decision_letter(data, lang or ctx.lang)
