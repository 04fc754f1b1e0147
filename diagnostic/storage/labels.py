"""A network's label applications, reviews, votes and events.

No scope here: the label service checks who may read or act (a network role, or the member's own
company) before it calls these methods. Network members are only read (diagnostic/storage/networks.py
owns them).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

from diagnostic.storage.models import (
    Company,
    LabelApplication,
    LabelEvent,
    LabelReview,
    LabelVote,
    NetworkMember,
    Workspace,
    utcnow,
)
from diagnostic.storage.repositories import _Repository, aware

APPLICATION_FIELDS = {"status", "decision", "conditions", "reason", "decided_on", "decided_by", "valid_until"}


@dataclass(frozen=True)
class MembershipOfNetwork:
    """A company's place in a network, as the label needs it."""

    member_id: int
    network_id: int
    network_name: str
    label_id: str | None
    company_id: int
    company_name: str
    joined_on: date


@dataclass(frozen=True)
class LabelApplicationRecord:
    id: int
    network_id: int
    member_id: int | None  # None once the member left the network (its decisions stay recorded)
    company_id: int | None  # idem
    company_name: str
    assessment_id: int | None
    label_id: str
    label_version: str
    evaluation: dict[str, Any]  # the result and the criteria checks when it applied
    status: str  # submitted | reviewed | decided | withdrawn
    applied_on: date
    applied_by: str
    decision: str | None  # granted | deferred | refused
    conditions: str
    reason: str
    decided_on: date | None
    decided_by: str
    valid_until: date | None


@dataclass(frozen=True)
class LabelReviewRecord:
    id: int
    application_id: int
    reviewer_id: int | None
    reviewer: str
    checklist: dict[str, Any]  # criterion id -> {"ok": bool | None, "comment": str}
    comment: str
    recommendation: str  # grant | defer | refuse
    reviewed_at: datetime


@dataclass(frozen=True)
class LabelVoteRecord:
    application_id: int
    voter_key: str
    voter: str
    vote: str  # granted | deferred | refused
    reason: str
    voted_at: datetime


@dataclass(frozen=True)
class LabelEventRecord:
    id: int
    application_id: int
    at: datetime
    actor: str
    step: str  # applied | reviewed | voted | decided | withdrawn
    detail: str


def _application(row: LabelApplication, member: NetworkMember | None, company: Company | None) -> LabelApplicationRecord:
    return LabelApplicationRecord(
        id=row.id, network_id=row.network_id, member_id=row.member_id, company_id=member.company_id if member else None,
        company_name=company.name if company is not None else row.company_name, assessment_id=row.assessment_id, label_id=row.label_id,
        label_version=row.label_version, evaluation=dict(row.evaluation or {}), status=row.status,
        applied_on=row.applied_on, applied_by=row.applied_by or "", decision=row.decision,
        conditions=row.conditions or "", reason=row.reason or "", decided_on=row.decided_on,
        decided_by=row.decided_by or "", valid_until=row.valid_until,
    )  # fmt: skip


class LabelRepository(_Repository):
    # --- the network and its members (read only, but the label a network runs) -------------------
    def set_label(self, network_id: int, label_id: str | None) -> None:
        self.s.execute(update(Workspace).where(Workspace.id == network_id).values(label_id=label_id))

    def memberships(self, company_id: int) -> builtins.list[MembershipOfNetwork]:
        """The networks the company belongs to."""
        query = (
            select(NetworkMember, Workspace, Company)
            .join(Workspace, Workspace.id == NetworkMember.network_id)
            .join(Company, Company.id == NetworkMember.company_id)
            .where(NetworkMember.company_id == company_id, Workspace.kind == "network")
            .order_by(Workspace.name, Workspace.id)
        )
        return [
            MembershipOfNetwork(m.id, w.id, w.name, w.label_id, c.id, c.name, m.joined_on)
            for m, w, c in self.s.execute(query).all()
        ]

    def membership(self, network_id: int, company_id: int) -> MembershipOfNetwork | None:
        return next((m for m in self.memberships(company_id) if m.network_id == network_id), None)

    # --- applications ---------------------------------------------------------------------------
    def _select(self):
        return (
            select(LabelApplication, NetworkMember, Company)
            .outerjoin(NetworkMember, NetworkMember.id == LabelApplication.member_id)
            .outerjoin(Company, Company.id == NetworkMember.company_id)
        )

    def add_application(
        self, network_id: int, member_id: int, assessment_id: int, label_id: str, label_version: str,
        evaluation: dict[str, Any], applied_on: date, applied_by: str, company_name: str = "",
    ) -> LabelApplicationRecord:  # fmt: skip
        row = LabelApplication(
            network_id=network_id, member_id=member_id, company_name=company_name, assessment_id=assessment_id, label_id=label_id,
            label_version=label_version, evaluation=evaluation, status="submitted", applied_on=applied_on,
            applied_by=applied_by,
        )  # fmt: skip
        self.s.add(row)
        self.s.flush()
        found = self.application(row.id)
        assert found is not None
        return found

    def application(self, application_id: int, lock: bool = False) -> LabelApplicationRecord | None:
        query = self._select().where(LabelApplication.id == application_id)
        if lock:  # PostgreSQL: two decisions at once wait for each other (SQLite: one writer anyway)
            query = query.with_for_update(of=LabelApplication)
        found = self.s.execute(query).first()
        return _application(*found) if found else None

    def applications(self, network_id: int) -> builtins.list[LabelApplicationRecord]:
        query = self._select().where(LabelApplication.network_id == network_id).order_by(LabelApplication.id.desc())
        return [_application(*row) for row in self.s.execute(query).all()]

    def applications_of(self, member_id: int) -> builtins.list[LabelApplicationRecord]:
        """One member's applications, the latest first."""
        query = self._select().where(LabelApplication.member_id == member_id).order_by(LabelApplication.id.desc())
        return [_application(*row) for row in self.s.execute(query).all()]

    def update_application(self, application_id: int, **fields: Any) -> LabelApplicationRecord:
        unknown = set(fields) - APPLICATION_FIELDS
        if unknown:
            raise ValueError(f"not an application field: {sorted(unknown)}")
        row = self.s.get_one(LabelApplication, application_id)
        for name, value in fields.items():
            setattr(row, name, value)
        self.s.flush()
        found = self.application(application_id)
        assert found is not None
        return found

    # --- reviews, votes, events -----------------------------------------------------------------
    def put_review(
        self, application_id: int, reviewer_id: int | None, reviewer: str, checklist: dict[str, Any], comment: str,
        recommendation: str,
    ) -> None:  # fmt: skip
        """The reviewer's review, replacing their previous one (a reviewer is one user, or the local owner)."""
        row = self.s.scalar(
            select(LabelReview).where(LabelReview.application_id == application_id, LabelReview.reviewer_id == reviewer_id)
        )
        if row is None:
            row = LabelReview(application_id=application_id, reviewer_id=reviewer_id)
            self.s.add(row)
        row.reviewer, row.checklist, row.comment, row.recommendation = reviewer, checklist, comment, recommendation
        row.reviewed_at = utcnow()
        self.s.flush()

    def reviews(self, application_id: int) -> builtins.list[LabelReviewRecord]:
        query = select(LabelReview).where(LabelReview.application_id == application_id).order_by(LabelReview.id)
        return [
            LabelReviewRecord(
                r.id, r.application_id, r.reviewer_id, r.reviewer or "", dict(r.checklist or {}), r.comment or "",
                r.recommendation, aware(r.reviewed_at),  # type: ignore[arg-type]
            )
            for r in self.s.scalars(query)
        ]

    def put_vote(self, application_id: int, voter_key: str, voter: str, vote: str, reason: str) -> None:
        """The committee member's vote, replacing their previous one."""
        row = self.s.scalar(
            select(LabelVote).where(LabelVote.application_id == application_id, LabelVote.voter_key == voter_key)
        )
        if row is None:
            row = LabelVote(application_id=application_id, voter_key=voter_key)
            self.s.add(row)
        row.voter, row.vote, row.reason, row.voted_at = voter, vote, reason, utcnow()
        self.s.flush()

    def votes(self, application_id: int) -> builtins.list[LabelVoteRecord]:
        query = select(LabelVote).where(LabelVote.application_id == application_id).order_by(LabelVote.id)
        return [
            LabelVoteRecord(v.application_id, v.voter_key, v.voter or "", v.vote, v.reason or "", aware(v.voted_at))  # type: ignore[arg-type]
            for v in self.s.scalars(query)
        ]

    def add_event(self, application_id: int, actor: str, step: str, detail: str = "") -> None:
        self.s.add(LabelEvent(application_id=application_id, actor=actor, step=step, detail=detail))
        self.s.flush()

    def events(self, application_id: int) -> builtins.list[LabelEventRecord]:
        query = select(LabelEvent).where(LabelEvent.application_id == application_id).order_by(LabelEvent.id)
        return [
            LabelEventRecord(e.id, e.application_id, aware(e.at), e.actor or "", e.step, e.detail or "")  # type: ignore[arg-type]
            for e in self.s.scalars(query)
        ]
