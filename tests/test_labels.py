"""The network's label on the real database (SQLite and PostgreSQL): apply, review, vote, decide,
withdraw, renewal, and every refusal. Members are linked by inserting network_members rows here
(the networks' own service is not needed)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from diagnostic.core.errors import InputRefused
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.roles import NotAllowed, NotFound, Role
from diagnostic.core.schema import MaturityQuestion, MultipleQuestion, SingleQuestion, YesNoQuestion
from diagnostic.services import access, assessments, companies, labels
from diagnostic.services.context import Actor, Context
from diagnostic.services.labels import LabelRefused
from diagnostic.services.questionnaires import shipped_questionnaire
from diagnostic.storage.models import AuditEvent, NetworkMember
from diagnostic.storage.uow import SqlUnitOfWork
from tests.conftest import local_context

LABEL = "label-performance-globale"
DAY = date(2025, 3, 10)
_names = itertools.count(1)


def best_answers(questionnaire: LoadedQuestionnaire, worst: bool = False) -> dict[str, tuple[Any, str]]:
    """The highest-scoring answer to every scored question (the lowest with `worst`)."""
    pick = min if worst else max
    answers: dict[str, tuple[Any, str]] = {}
    for q in questionnaire.questions.values():
        options = questionnaire.options(q)
        if isinstance(q, MaturityQuestion):
            answers[q.id] = (0 if worst else 4, "")
        elif isinstance(q, YesNoQuestion):
            answers[q.id] = (pick(("yes", "no"), key=lambda v: q.scores.yes if v == "yes" else q.scores.no), "")
        elif isinstance(q, SingleQuestion):
            answers[q.id] = (pick(options, key=lambda o: o.score).id, "")
        elif isinstance(q, MultipleQuestion):
            answers[q.id] = ([] if worst else [o.id for o in options if o.score > 0][:1], "")
    return answers


@dataclass
class World:
    owner: Context  # the local owner: owns the company's workspace and the network
    network_id: int
    company_id: int
    good: int  # a completed assessment that meets every blocking criterion
    poor: int  # a completed assessment that meets none
    open: int  # an assessment in progress
    people: dict[str, Context]


def _person(engine, workspace_id: int, role: Role, name: str, company_ids: tuple[int, ...] = ()) -> Context:
    """A signed-in user holding `role` in the workspace (a network, or a company's workspace)."""
    uow = SqlUnitOfWork(engine)

    def work(u) -> Actor:
        user = u.users.sign_in("https://id.example.org", name.lower(), f"{name.lower()}@example.org", name)
        u.workspaces.put_member(workspace_id, user.id, role.value, company_ids)
        return Actor(user.id, label=name)

    return Context(uow, uow.run(work), "fr")


def _assessment(ctx: Context, company_id: int, answers: dict[str, tuple[Any, str]] | None, complete: bool) -> int:
    made = assessments.start_assessment(ctx, company_id, "rse-performance-globale")
    if answers is not None:
        ctx.uow.run(lambda u: u.answers.replace(access.scope(ctx), made.id, answers))
    if complete:
        assessments.set_status(ctx, made.id, True)
    return made.id


def join(engine, network_id: int, company_id: int) -> None:
    with Session(engine) as session:
        session.add(NetworkMember(network_id=network_id, company_id=company_id, joined_on=DAY, shares=True))
        session.commit()


def world(engine) -> World:
    owner = local_context(engine)
    n = next(_names)
    network = owner.uow.run(lambda u: u.workspaces.add(f"Réseau Label {n}", "network"))
    owner.uow.run(lambda u: u.workspaces.put_member(network.id, owner.actor.user_id, Role.OWNER.value))
    labels.configure(owner, network.id, LABEL)
    company = companies.save_company(owner, None, f"Menuiserie Label {n}", Profile(headcount_band="20-49", sector="16.23Z"))
    join(engine, network.id, company.id)
    full = shipped_questionnaire("rse-performance-globale")[0]
    people = {
        name: _person(engine, network.id, role, f"{name}{n}")
        for name, role in (("rita", Role.REVIEWER), ("carl", Role.COMMITTEE), ("cora", Role.COMMITTEE), ("vic", Role.VIEWER))
    }
    return World(
        owner, network.id, company.id, _assessment(owner, company.id, best_answers(full), True),
        _assessment(owner, company.id, best_answers(full, worst=True), True), _assessment(owner, company.id, None, False),
        people,
    )


@pytest.fixture(scope="module")
def engine(module_engine):
    return module_engine


def _reviewed(w: World, assessment_id: int | None = None) -> int:
    made = labels.apply(w.owner, w.network_id, w.company_id, assessment_id or w.good, today=DAY)
    template = labels.detail(w.people["rita"], made.id).checklist_template()
    labels.review(w.people["rita"], made.id, template, "Dossier solide.", "grant")
    return made.id


def _votes(w: World, application_id: int, votes: list[tuple[str, str]]) -> None:
    voters = [w.people["carl"], w.people["cora"], w.owner]
    for voter, (vote, reason) in zip(voters, votes, strict=False):
        labels.vote(voter, application_id, vote, reason)


# --- the whole flow --------------------------------------------------------------------------------


def test_apply_review_vote_grant_and_the_timeline(engine) -> None:
    w = world(engine)
    checks = labels.precheck(w.owner, w.network_id, w.company_id, w.good)
    assert {c.id: c.status for c in checks} == {
        "niveau-structure": "met", "socles-legaux": "met", "gouvernance-40": "met", "humain-40": "met",
        "environnement-40": "met", "couverture-90": "met", "preuves-50": "not_measurable",
    }  # fmt: skip
    made = labels.apply(w.owner, w.network_id, w.company_id, w.good, today=DAY)
    assert (made.status, made.applied_on, made.label_id, made.label_version) == ("submitted", DAY, LABEL, "1.0")
    snapshot = made.evaluation
    assert snapshot["level"] in ("maitrise", "exemplaire") and snapshot["critical_unmet"] == []
    assert [d["id"] for d in snapshot["dimensions"]] == ["gov", "qual", "rh", "env", "eth", "terr", "eco"]
    assert len(snapshot["checks"]) == 7

    rita = w.people["rita"]
    found = labels.detail(rita, made.id)
    assert found.network_side and found.may_review and not found.may_vote
    template = found.checklist_template()
    assert template["niveau-structure"] == {"ok": True, "comment": ""} and template["preuves-50"]["ok"] is None
    labels.review(rita, made.id, {**template, "preuves-50": {"ok": True, "comment": "Vu les factures"}}, "Bien.", "defer")
    labels.review(rita, made.id, template, "Dossier solide.", "grant")  # replaces the first
    reviews = labels.detail(rita, made.id).reviews
    assert [(r.recommendation, r.comment) for r in reviews] == [("grant", "Dossier solide.")]

    _votes(w, made.id, [("granted", ""), ("deferred", "Un point à revoir"), ("granted", "")])
    labels.vote(w.people["cora"], made.id, "granted", "")  # replaces cora's vote
    detail = labels.detail(w.owner, made.id)
    assert detail.tally == {"granted": 3, "deferred": 0, "refused": 0} and detail.outcome == "granted"

    decided = labels.decide(w.owner, made.id, today=date(2024, 2, 29))
    assert (decided.status, decided.decision, decided.decided_on) == ("decided", "granted", date(2024, 2, 29))
    assert decided.valid_until == date(2027, 2, 28)  # three years, from a 29 February
    steps = [e.step for e in labels.detail(w.owner, made.id).events]
    assert steps == ["applied", "reviewed", "reviewed", "voted", "voted", "voted", "voted", "decided"]

    # the member sees the timeline and the tally, not who voted what
    member_view = labels.detail(w.owner, made.id)
    assert member_view.network_side  # the local owner is in the network too
    with Session(engine) as session:
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.target == f"label_application:{made.id}")))
    assert actions == {"label.applied", "label.reviewed", "label.voted", "label.decided"}


def test_the_member_alone_sees_the_tally_not_the_votes(engine) -> None:
    w = world(engine)
    application_id = _reviewed(w)
    _votes(w, application_id, [("granted", ""), ("refused", "Trop tôt")])
    # a manager of the company only, outside the network
    workspace_id = companies.get_company(w.owner, w.company_id).workspace_id
    manager = _person(engine, workspace_id, Role.COMPANY_MANAGER, f"Max{w.company_id}", (w.company_id,))
    seen = labels.detail(manager, application_id)
    assert not seen.network_side and seen.votes == [] and sum(seen.tally.values()) == 0  # the tally once decided
    assert [e.step for e in seen.events] == ["applied", "reviewed", "voted", "voted"]
    with pytest.raises(NotFound):
        labels.vote(manager, application_id, "granted")
    assert [s.membership.network_id for s in labels.label_status(manager, w.company_id)] == [w.network_id]


def test_deferred_needs_conditions_and_a_tie_defers(engine) -> None:
    w = world(engine)
    application_id = _reviewed(w)
    _votes(w, application_id, [("granted", ""), ("refused", "Preuves absentes"), ("deferred", "Revoir l’énergie")])
    assert labels.detail(w.owner, application_id).outcome == "deferred"  # no majority: the prudent reading
    with pytest.raises(LabelRefused) as refused:
        labels.decide(w.owner, application_id, conditions="  ")
    assert refused.value.code == "label.error.conditions_needed"
    decided = labels.decide(w.owner, application_id, conditions="Mesurer l’énergie sur un an.", today=DAY)
    assert (decided.decision, decided.conditions, decided.valid_until) == ("deferred", "Mesurer l’énergie sur un an.", None)
    with pytest.raises(LabelRefused) as twice:
        labels.decide(w.owner, application_id, conditions="encore")
    assert twice.value.code == "label.error.already_decided"
    # decided: no more review, vote or withdrawal
    for call in (
        lambda: labels.review(w.people["rita"], application_id, {}, "", "grant"),
        lambda: labels.vote(w.people["carl"], application_id, "granted"),
        lambda: labels.withdraw(w.owner, application_id),
    ):
        with pytest.raises(LabelRefused) as closed:
            call()
        assert closed.value.code == "label.error.closed"


def test_refused_by_majority_needs_a_reason(engine) -> None:
    w = world(engine)
    application_id = _reviewed(w)
    _votes(w, application_id, [("refused", "Niveau insuffisant"), ("refused", "Idem"), ("granted", "")])
    with pytest.raises(LabelRefused) as refused:
        labels.decide(w.owner, application_id)
    assert refused.value.code == "label.error.reason_needed"
    decided = labels.decide(w.owner, application_id, reason="Niveau insuffisant", today=DAY)
    assert (decided.decision, decided.reason) == ("refused", "Niveau insuffisant")


def test_grant_with_unmet_criteria_is_refused_naming_them(engine) -> None:
    w = world(engine)
    application_id = _reviewed(w, w.poor)
    _votes(w, application_id, [("granted", ""), ("granted", ""), ("granted", "")])
    with pytest.raises(LabelRefused) as refused:
        labels.decide(w.owner, application_id)
    assert refused.value.code == "label.error.unmet"
    named = str(refused.value.params["criteria"])
    assert "Niveau « Structuré » atteint" in named and "obligations légales" in named and "preuve" not in named
    assert labels.detail(w.owner, application_id).application.status == "reviewed"  # nothing written


def test_decide_before_review_and_before_quorum(engine) -> None:
    w = world(engine)
    made = labels.apply(w.owner, w.network_id, w.company_id, w.good)
    with pytest.raises(LabelRefused) as early:
        labels.decide(w.owner, made.id)
    assert early.value.code == "label.error.no_review"
    with pytest.raises(LabelRefused) as no_review_vote:
        labels.vote(w.people["carl"], made.id, "granted")
    assert no_review_vote.value.code == "label.error.no_review"
    labels.review(w.people["rita"], made.id, {}, "", "grant")  # an empty checklist: pre-filled lines
    assert set(labels.detail(w.owner, made.id).reviews[0].checklist) == {c["id"] for c in made.evaluation["checks"]}
    _votes(w, made.id, [("granted", ""), ("granted", "")])
    with pytest.raises(LabelRefused) as quorum:
        labels.decide(w.owner, made.id)
    assert quorum.value.code == "label.error.quorum" and quorum.value.params == {"quorum": 3, "votes": 2}


def test_apply_refusals(engine) -> None:
    w = world(engine)
    with pytest.raises(LabelRefused) as in_progress:
        labels.apply(w.owner, w.network_id, w.company_id, w.open)
    assert in_progress.value.code == "label.error.not_completed"
    # another company's assessment (a company of the same workspace, not a member)
    other = companies.save_company(w.owner, None, "Autre Label SARL", Profile())
    other_assessment = _assessment(w.owner, other.id, None, True)
    with pytest.raises(NotFound):
        labels.apply(w.owner, w.network_id, w.company_id, other_assessment)
    with pytest.raises(NotFound):  # not a member of the network: as if the network did not exist
        labels.apply(w.owner, w.network_id, other.id, other_assessment)
    with pytest.raises(NotFound):
        labels.apply(w.owner, 10**6, w.company_id, w.good)
    labels.apply(w.owner, w.network_id, w.company_id, w.good)
    with pytest.raises(LabelRefused) as duplicate:
        labels.apply(w.owner, w.network_id, w.company_id, w.poor)
    assert duplicate.value.code == "label.error.open_application"
    with pytest.raises((NotFound, NotAllowed)):  # a reviewer of the network cannot apply for the company
        labels.apply(w.people["rita"], w.network_id, w.company_id, w.good)


def test_review_and_vote_permissions(engine) -> None:
    w = world(engine)
    made = labels.apply(w.owner, w.network_id, w.company_id, w.good)
    carl, rita, vic = w.people["carl"], w.people["rita"], w.people["vic"]
    with pytest.raises(NotAllowed):
        labels.review(carl, made.id, {}, "", "grant")  # committee, not reviewer
    with pytest.raises(NotAllowed):
        labels.review(vic, made.id, {}, "", "grant")
    labels.review(rita, made.id, {}, "", "grant")
    with pytest.raises(NotAllowed):
        labels.vote(rita, made.id, "granted")  # reviewer, not committee
    with pytest.raises(NotAllowed):
        labels.decide(rita, made.id)
    # another network's committee: the application does not exist for them
    other = world(engine)
    for call in (
        lambda: labels.review(other.people["rita"], made.id, {}, "", "grant"),
        lambda: labels.vote(other.people["carl"], made.id, "granted"),
        lambda: labels.decide(other.people["carl"], made.id),
        lambda: labels.detail(other.people["carl"], made.id),
        lambda: labels.applications(other.people["carl"], w.network_id),
    ):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(InputRefused) as no_reason:
        labels.vote(carl, made.id, "refused", " ")
    assert no_reason.value.code == "label.error.reason_needed"
    with pytest.raises(InputRefused):
        labels.review(rita, made.id, {"no-such-criterion": {"ok": True}}, "", "grant")
    with pytest.raises(InputRefused):
        labels.review(rita, made.id, {}, "", "maybe")
    with pytest.raises(NotAllowed):
        labels.configure(rita, w.network_id, None)


def test_withdraw_then_apply_again(engine) -> None:
    w = world(engine)
    made = labels.apply(w.owner, w.network_id, w.company_id, w.good)
    with pytest.raises(NotFound):
        labels.withdraw(w.people["rita"], made.id)  # the network cannot withdraw the member's application
    assert labels.withdraw(w.owner, made.id).status == "withdrawn"
    again = labels.apply(w.owner, w.network_id, w.company_id, w.good)
    assert again.id != made.id
    assert [e.step for e in labels.detail(w.owner, made.id).events] == ["applied", "withdrawn"]


def test_label_status_and_renewals(engine) -> None:
    w = world(engine)
    [status] = labels.label_status(w.owner, w.company_id, today=DAY)
    assert (status.state, status.current, status.open) == ("none", None, None)
    application_id = _reviewed(w)
    _votes(w, application_id, [("granted", ""), ("granted", ""), ("granted", "")])
    labels.decide(w.owner, application_id, today=DAY)  # valid until 2028-03-10, notice 90 days
    cases = [(date(2027, 12, 10), "valid"), (date(2027, 12, 11), "renewal_due"), (date(2028, 3, 10), "renewal_due"), (date(2028, 3, 11), "expired")]
    for today, state in cases:
        [status] = labels.label_status(w.owner, w.company_id, today=today)
        assert (status.state, status.current.id) == (state, application_id), today
        due = labels.renewals(w.owner, w.network_id, today=today)
        assert [(r.application.id, r.state) for r in due] == ([] if state == "valid" else [(application_id, state)])


def test_configure_the_label(engine) -> None:
    w = world(engine)
    with pytest.raises(LabelRefused) as unknown:
        labels.configure(w.owner, w.network_id, "no-such-label")
    assert unknown.value.code == "label.error.unknown_label"
    assert labels.configure(w.owner, w.network_id, None).label_id is None
    assert labels.label_status(w.owner, w.company_id) == []  # no label run: nothing to show the member
    with pytest.raises(NotFound):
        labels.configure(w.owner, 10**6, LABEL)
    [mine] = [n for n in labels.networks(w.owner) if n.network.id == w.network_id]
    assert mine.definition is None and mine.may_configure and mine.may_vote


# --- what the member sees of the committee, and a member that leaves ------------------------------------


def test_the_member_never_learns_who_voted_what(engine) -> None:
    w = world(engine)
    company = companies.get_company(w.owner, w.company_id)
    assert company is not None
    manager = _person(engine, company.workspace_id, Role.VIEWER, f"Marie{next(_names)}")
    made = _reviewed(w)
    _votes(w, made, [("granted", ""), ("refused", "Trop tôt.")])
    seen = labels.detail(manager, made)
    assert not seen.network_side and seen.votes == []
    assert sum(seen.tally.values()) == 0  # no running tally before the decision: it would tell each vote
    voted = [e for e in seen.events if e.step == "voted"]
    assert len(voted) == 2 and {e.actor for e in voted} == {"—"}
    assert {e.actor for e in labels.detail(w.owner, made).events if e.step == "voted"} == {
        w.people["carl"].actor.label, w.people["cora"].actor.label
    }  # the network sees its committee's names
    labels.vote(w.owner, made, "granted")
    labels.decide(w.owner, made, today=DAY)
    assert labels.detail(manager, made).tally == {"granted": 2, "deferred": 0, "refused": 1}


def test_a_member_leaving_withdraws_its_open_application_and_keeps_the_decided_ones(engine) -> None:
    from diagnostic.services import networks

    w = world(engine)
    granted = _reviewed(w)
    _votes(w, granted, [("granted", ""), ("granted", ""), ("granted", "")])
    labels.decide(w.owner, granted, today=DAY)
    pending = labels.apply(w.owner, w.network_id, w.company_id, w.poor, today=DAY).id
    company = companies.get_company(w.owner, w.company_id)
    assert company is not None

    networks.leave(w.owner, w.company_id, w.network_id)

    listed = {a.id: a for a in labels.applications(w.people["rita"], w.network_id)}
    assert listed[granted].decision == "granted" and listed[granted].company_name == company.name
    assert listed[granted].member_id is None and listed[granted].company_id is None
    assert listed[pending].status == "withdrawn"
    assert [(e.step, e.detail) for e in labels.detail(w.owner, pending).events][-1] == ("withdrawn", "member_left")
    assert labels.label_status(w.owner, w.company_id, today=DAY) == []  # no network any more
    assert labels.renewals(w.owner, w.network_id, today=date(2099, 1, 1)) == []  # a former member is not reminded
