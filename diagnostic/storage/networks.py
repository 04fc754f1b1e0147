"""Network members, join codes and groups; the members' shared results.

No `Scope` here: a network's members live in other workspaces, out of the lead's scope. Every method
takes the network (or the company) the service has checked the actor may act on, and every query is
bound to it: a member, code or group of another network is not found.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select, update

from diagnostic.core.profile import naf_section
from diagnostic.storage.models import (
    Action,
    Assessment,
    Company,
    NetworkGroup,
    NetworkGroupMember,
    NetworkJoinCode,
    NetworkMember,
    Workspace,
)
from diagnostic.storage.records import AssessmentRecord, WorkspaceRecord
from diagnostic.storage.repositories import _Repository, assessment_record, aware


@dataclass(frozen=True)
class MemberRecord:
    """A company's membership of a network; the network reads its results only while `shares`."""

    id: int
    network_id: int
    company_id: int
    joined_on: date
    shares: bool
    consent_changed_at: datetime | None
    consent_by: str


@dataclass(frozen=True)
class MemberCompany:
    """A member as the network sees it: the membership and the company's public facts."""

    member: MemberRecord
    name: str
    sector: str | None  # NAF code
    headcount_band: str | None

    @property
    def section(self) -> str | None:
        return naf_section(self.sector) if self.sector else None


@dataclass(frozen=True)
class JoinCodeRecord:
    id: int
    network_id: int
    note: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by_member: int | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        """pending | used | revoked | expired"""
        if self.revoked_at is not None:
            return "revoked"
        if self.used_at is not None:
            return "used"
        return "expired" if now >= self.expires_at else "pending"


@dataclass(frozen=True)
class NetworkGroupRecord:
    id: int
    network_id: int
    name: str
    created_at: datetime
    member_ids: tuple[int, ...]


@dataclass(frozen=True)
class SharedAssessment:
    """A completed assessment of a sharing member (its id and questionnaire: never its answers)."""

    network_id: int
    member_id: int
    section: str | None
    assessment: AssessmentRecord


def _member(row: NetworkMember) -> MemberRecord:
    return MemberRecord(
        id=row.id, network_id=row.network_id, company_id=row.company_id, joined_on=row.joined_on, shares=bool(row.shares),
        consent_changed_at=aware(row.consent_changed_at), consent_by=row.consent_by or "",
    )  # fmt: skip


def _code(row: NetworkJoinCode) -> JoinCodeRecord:
    return JoinCodeRecord(
        id=row.id, network_id=row.network_id, note=row.note or "", created_by=row.created_by or "",
        created_at=aware(row.created_at), expires_at=aware(row.expires_at), used_at=aware(row.used_at),  # type: ignore[arg-type]
        used_by_member=row.used_by_member, revoked_at=aware(row.revoked_at),
    )  # fmt: skip


def _workspace(row: Workspace) -> WorkspaceRecord:
    return WorkspaceRecord(row.id, row.name, row.kind, aware(row.created_at), row.label_id)  # type: ignore[arg-type]


class NetworkRepository(_Repository):
    # --- networks and members ---------------------------------------------------------------------

    def network(self, network_id: int) -> WorkspaceRecord | None:
        """The workspace when it is a network."""
        row = self.s.get(Workspace, network_id)
        return _workspace(row) if row is not None and row.kind == "network" else None

    def members(self, network_id: int) -> list[MemberCompany]:
        """The network's members with their company's name, sector and size, by name."""
        query = (
            select(NetworkMember, Company.name, Company.sector, Company.headcount_band)
            .join(Company, Company.id == NetworkMember.company_id)
            .where(NetworkMember.network_id == network_id)
            .order_by(func.lower(Company.name), NetworkMember.id)
        )  # fmt: skip
        return [MemberCompany(_member(m), name, sector, band) for m, name, sector, band in self.s.execute(query)]

    def member(self, network_id: int, member_id: int) -> MemberRecord | None:
        row = self.s.scalar(
            select(NetworkMember).where(NetworkMember.id == member_id, NetworkMember.network_id == network_id)
        )
        return _member(row) if row is not None else None

    def member_of(self, network_id: int, company_id: int) -> MemberRecord | None:
        query = select(NetworkMember).where(
            NetworkMember.network_id == network_id, NetworkMember.company_id == company_id
        )
        row = self.s.scalar(query)
        return _member(row) if row is not None else None

    def memberships(self, company_id: int) -> builtins.list[tuple[MemberRecord, WorkspaceRecord]]:
        """The networks the company belongs to, by name."""
        query = (
            select(NetworkMember, Workspace)
            .join(Workspace, Workspace.id == NetworkMember.network_id)
            .where(NetworkMember.company_id == company_id)
            .order_by(func.lower(Workspace.name), Workspace.id)
        )  # fmt: skip
        return [(_member(m), _workspace(w)) for m, w in self.s.execute(query)]

    def add_member(self, network_id: int, company_id: int, joined_on: date) -> MemberRecord | None:
        """The new membership (not sharing); None when the company is a member already. Two joins of
        the same company at once: the unique constraint refuses the second, whose use case is run
        again (uow.retrying) and then finds the first."""
        if self.member_of(network_id, company_id) is not None:
            return None
        row = NetworkMember(network_id=network_id, company_id=company_id, joined_on=joined_on, shares=False)
        self.s.add(row)
        self.s.flush()
        return _member(row)

    def set_shares(self, member_id: int, shares: bool, by: str, at: datetime) -> MemberRecord:
        row = self.s.get(NetworkMember, member_id, with_for_update=True)
        assert row is not None  # the service found it in this transaction
        row.shares, row.consent_changed_at, row.consent_by = shares, at, by
        self.s.flush()
        return _member(row)

    def remove_member(self, member_id: int) -> None:
        self.s.execute(delete(NetworkMember).where(NetworkMember.id == member_id))

    # --- join codes -------------------------------------------------------------------------------

    def add_code(
        self, network_id: int, token_hash: str, note: str, created_by: str, expires_at: datetime
    ) -> JoinCodeRecord:
        row = NetworkJoinCode(
            network_id=network_id, token_hash=token_hash, note=note, created_by=created_by, expires_at=expires_at
        )
        self.s.add(row)
        self.s.flush()
        return _code(row)

    def code_by_hash(self, token_hash: str) -> JoinCodeRecord | None:
        row = self.s.scalar(select(NetworkJoinCode).where(NetworkJoinCode.token_hash == token_hash))
        return _code(row) if row is not None else None

    def codes(self, network_id: int) -> builtins.list[JoinCodeRecord]:
        query = select(NetworkJoinCode).where(NetworkJoinCode.network_id == network_id).order_by(NetworkJoinCode.id)
        return [_code(r) for r in self.s.scalars(query)]

    def code(self, network_id: int, code_id: int) -> JoinCodeRecord | None:
        query = select(NetworkJoinCode).where(NetworkJoinCode.id == code_id, NetworkJoinCode.network_id == network_id)
        row = self.s.scalar(query)
        return _code(row) if row is not None else None

    def use_code(self, code_id: int, member_id: int, at: datetime) -> bool:
        """Mark the code used, only if still pending: one use, even for two joins at the same moment."""
        statement = (
            update(NetworkJoinCode)
            .where(
                NetworkJoinCode.id == code_id, NetworkJoinCode.used_at.is_(None), NetworkJoinCode.revoked_at.is_(None),
                NetworkJoinCode.expires_at > at,
            )
            .values(used_at=at, used_by_member=member_id)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        return bool(self.s.execute(statement).rowcount)  # type: ignore[attr-defined]

    def revoke_code(self, code_id: int, at: datetime) -> None:
        self.s.execute(update(NetworkJoinCode).where(NetworkJoinCode.id == code_id).values(revoked_at=at))

    # --- groups -----------------------------------------------------------------------------------

    def groups(self, network_id: int) -> builtins.list[NetworkGroupRecord]:
        rows = list(
            self.s.scalars(select(NetworkGroup).where(NetworkGroup.network_id == network_id).order_by(NetworkGroup.id))
        )
        members: dict[int, list[int]] = {r.id: [] for r in rows}
        if rows:
            query = (
                select(NetworkGroupMember.group_id, NetworkGroupMember.member_id)
                .where(NetworkGroupMember.group_id.in_(list(members)))
                .order_by(NetworkGroupMember.member_id)
            )  # fmt: skip
            for group_id, member_id in self.s.execute(query):
                members[group_id].append(member_id)
        return [
            NetworkGroupRecord(r.id, r.network_id, r.name, aware(r.created_at), tuple(members[r.id]))  # type: ignore[arg-type]
            for r in rows
        ]

    def group(self, network_id: int, group_id: int) -> NetworkGroupRecord | None:
        return next((g for g in self.groups(network_id) if g.id == group_id), None)

    def add_group(self, network_id: int, name: str) -> NetworkGroupRecord:
        row = NetworkGroup(network_id=network_id, name=name)
        self.s.add(row)
        self.s.flush()
        return NetworkGroupRecord(row.id, row.network_id, row.name, aware(row.created_at), ())  # type: ignore[arg-type]

    def delete_group(self, group_id: int) -> None:
        self.s.execute(delete(NetworkGroup).where(NetworkGroup.id == group_id))

    def put_in_group(self, group_id: int, member_id: int) -> None:
        exists = select(NetworkGroupMember).where(
            NetworkGroupMember.group_id == group_id, NetworkGroupMember.member_id == member_id
        )
        if self.s.scalar(exists) is None:
            self.s.add(NetworkGroupMember(group_id=group_id, member_id=member_id))
            self.s.flush()

    def take_from_group(self, group_id: int, member_id: int) -> None:
        self.s.execute(
            delete(NetworkGroupMember).where(
                NetworkGroupMember.group_id == group_id, NetworkGroupMember.member_id == member_id
            )
        )

    # --- the sharing members' results ----------------------------------------------------------

    def latest_shared(self, network_ids: Iterable[int]) -> builtins.list[SharedAssessment]:
        """The latest completed assessment (completed last; the higher id on a tie) of each sharing
        member of the networks, in one query."""
        ids = sorted(set(network_ids))
        if not ids:
            return []
        done = func.coalesce(Assessment.completed_at, Assessment.updated_at)
        ranked = (
            select(
                NetworkMember.id.label("member_id"),
                Assessment.id.label("assessment_id"),
                func.row_number()
                .over(partition_by=NetworkMember.id, order_by=(done.desc(), Assessment.id.desc()))
                .label("n"),
            )
            .join(Assessment, Assessment.company_id == NetworkMember.company_id)
            .where(NetworkMember.network_id.in_(ids), NetworkMember.shares.is_(True), Assessment.status == "completed")
            .subquery()
        )
        query = (
            select(NetworkMember.network_id, NetworkMember.id, Company.sector, Assessment)
            .join(ranked, ranked.c.member_id == NetworkMember.id)
            .join(Company, Company.id == NetworkMember.company_id)
            .join(Assessment, Assessment.id == ranked.c.assessment_id)
            .where(ranked.c.n == 1)
            .order_by(NetworkMember.network_id, NetworkMember.id)
        )  # fmt: skip
        return [
            SharedAssessment(network_id, member_id, naf_section(sector) if sector else None, assessment_record(a))
            for network_id, member_id, sector, a in self.s.execute(query)
        ]

    def shared_history(self, network_id: int) -> builtins.list[tuple[int, datetime]]:
        """(assessment id, completed at) of every completed assessment of the sharing members."""
        done = func.coalesce(Assessment.completed_at, Assessment.updated_at)
        query = (
            select(Assessment.id, done)
            .join(NetworkMember, NetworkMember.company_id == Assessment.company_id)
            .where(NetworkMember.network_id == network_id, NetworkMember.shares.is_(True), Assessment.status == "completed")
            .order_by(Assessment.id)
        )  # fmt: skip
        return [(i, aware(moment)) for i, moment in self.s.execute(query)]  # type: ignore[misc]

    def plan_recommendations(self, assessment_ids: Iterable[int]) -> dict[str, int]:
        """recommendation id -> how many of these assessments' plans hold an action from it."""
        ids = sorted(set(assessment_ids))
        counts: dict[str, int] = {}
        for start in range(0, len(ids), 500):  # far below every database's limit on bound parameters
            query = (
                select(Action.recommendation_id, func.count(func.distinct(Action.assessment_id)))
                .where(Action.assessment_id.in_(ids[start : start + 500]), Action.recommendation_id.is_not(None))
                .group_by(Action.recommendation_id)
            )  # fmt: skip
            for recommendation_id, count in self.s.execute(query):
                if recommendation_id is not None:
                    counts[recommendation_id] = counts.get(recommendation_id, 0) + int(count)
        return counts
