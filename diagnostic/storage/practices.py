"""A network's good practices and their moderation.

The rights are the service's (diagnostic/services/practices.py): it names the networks and the
member companies the actor reaches, and these queries keep to them. The network members are read
here (never written: the network's own repository owns them).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from diagnostic.core.roles import Scope
from diagnostic.storage.models import Company, NetworkMember, Practice, Workspace, utcnow
from diagnostic.storage.repositories import _Repository, _within, aware

PRACTICE_FIELDS = {
    "title", "done", "results", "effort", "sector", "size", "question_ids", "dimension_ids", "contact", "status",
    "submitted_by", "submitted_at", "moderated_by", "moderated_at", "moderation_note",
}  # fmt: skip


@dataclass(frozen=True)
class MemberRecord:
    """A company's membership of a network, with what the practices need of both."""

    id: int
    network_id: int
    network_name: str
    company_id: int
    company_name: str
    company_workspace_id: int
    company_sector: str | None  # NAF code of the company's profile
    company_size: str | None  # headcount band of the company's profile


@dataclass(frozen=True)
class PracticeRecord:
    id: int
    network_id: int
    member_id: int | None  # None: the member left the network
    company_id: int | None
    company_name: str
    company_workspace_id: int | None
    title: str
    done: str
    results: str
    effort: int
    sector: str | None
    size: str | None
    question_ids: tuple[str, ...]
    dimension_ids: tuple[str, ...]
    contact: str
    status: str
    submitted_by: str
    submitted_at: datetime
    moderated_by: str
    moderated_at: datetime | None
    moderation_note: str

    @property
    def published_at(self) -> datetime:
        """When it was last published (or submitted, before any moderation)."""
        return self.moderated_at if self.status == "published" and self.moderated_at is not None else self.submitted_at


def _practice_record(row: Practice, member: NetworkMember | None, company: Company | None) -> PracticeRecord:
    return PracticeRecord(
        id=row.id, network_id=row.network_id, member_id=row.member_id,
        company_id=member.company_id if member else None, company_name=company.name if company else "",
        company_workspace_id=company.workspace_id if company else None,
        title=row.title, done=row.done or "", results=row.results or "", effort=row.effort, sector=row.sector, size=row.size,
        question_ids=tuple(row.question_ids or ()), dimension_ids=tuple(row.dimension_ids or ()), contact=row.contact or "",
        status=row.status, submitted_by=row.submitted_by or "", submitted_at=aware(row.submitted_at),  # type: ignore[arg-type]
        moderated_by=row.moderated_by or "", moderated_at=aware(row.moderated_at), moderation_note=row.moderation_note or "",
    )  # fmt: skip


def _member_record(member: NetworkMember, network: Workspace, company: Company) -> MemberRecord:
    return MemberRecord(
        id=member.id, network_id=member.network_id, network_name=network.name, company_id=company.id,
        company_name=company.name, company_workspace_id=company.workspace_id, company_sector=company.sector,
        company_size=company.headcount_band,
    )  # fmt: skip


class PracticeRepository(_Repository):
    def _members(self) -> Select[NetworkMember, Workspace, Company]:
        return (
            select(NetworkMember, Workspace, Company)
            .join(Workspace, Workspace.id == NetworkMember.network_id)
            .join(Company, Company.id == NetworkMember.company_id)
        )

    def member(self, network_id: int, company_id: int) -> MemberRecord | None:
        """The company's membership of that network, if any."""
        found = self.s.execute(
            self._members().where(NetworkMember.network_id == network_id, NetworkMember.company_id == company_id)
        ).first()
        return _member_record(found[0], found[1], found[2]) if found else None

    def members_by_id(self, member_ids: Iterable[int]) -> builtins.list[MemberRecord]:
        wanted = sorted(set(member_ids))
        if not wanted:
            return []
        rows = self.s.execute(self._members().where(NetworkMember.id.in_(wanted)).order_by(NetworkMember.id)).all()
        return [_member_record(m, w, c) for m, w, c in rows]

    def memberships(
        self, scope: Scope, network_id: int | None = None, company_id: int | None = None
    ) -> builtins.list[MemberRecord]:
        """The memberships of the companies within `scope` (of one network, of one company, when named)."""
        query = self._members().where(_within(scope))
        if network_id is not None:
            query = query.where(NetworkMember.network_id == network_id)
        if company_id is not None:
            query = query.where(NetworkMember.company_id == company_id)
        rows = self.s.execute(query.order_by(Workspace.name, NetworkMember.network_id, Company.name, Company.id)).all()
        return [_member_record(m, w, c) for m, w, c in rows]

    def _practices(self) -> Select[Practice, NetworkMember, Company]:
        return (
            select(Practice, NetworkMember, Company)
            .outerjoin(NetworkMember, NetworkMember.id == Practice.member_id)
            .outerjoin(Company, Company.id == NetworkMember.company_id)
        )

    def get(self, practice_id: int) -> PracticeRecord | None:
        found = self.s.execute(self._practices().where(Practice.id == practice_id)).first()
        return _practice_record(found[0], found[1], found[2]) if found else None

    def list(
        self,
        network_ids: Iterable[int],
        *,
        statuses: Iterable[str] | None = None,
        member_ids: Iterable[int] | None = None,
    ) -> builtins.list[PracticeRecord]:
        """The practices of these networks (of these statuses, of these members), newest first."""
        networks = sorted(set(network_ids))
        if not networks:
            return []
        query = self._practices().where(Practice.network_id.in_(networks))
        if statuses is not None:
            query = query.where(Practice.status.in_(sorted(set(statuses))))
        if member_ids is not None:
            query = query.where(Practice.member_id.in_(sorted(set(member_ids))))
        rows = self.s.execute(query.order_by(Practice.submitted_at.desc(), Practice.id.desc())).all()
        return [_practice_record(p, m, c) for p, m, c in rows]

    def add(self, network_id: int, member_id: int, **fields: Any) -> PracticeRecord:
        unknown = set(fields) - PRACTICE_FIELDS
        if unknown:
            raise TypeError(f"unknown practice fields: {sorted(unknown)}")
        fields = {"question_ids": [], "dimension_ids": [], "submitted_at": utcnow(), **fields}
        fields["question_ids"], fields["dimension_ids"] = list(fields["question_ids"]), list(fields["dimension_ids"])
        row = Practice(network_id=network_id, member_id=member_id, **fields)
        self.s.add(row)
        self.s.flush()
        added = self.get(row.id)
        assert added is not None
        return added

    def update(self, practice_id: int, **fields: Any) -> PracticeRecord:
        unknown = set(fields) - PRACTICE_FIELDS
        if unknown:
            raise TypeError(f"unknown practice fields: {sorted(unknown)}")
        row = self.s.get(Practice, practice_id, with_for_update=True)
        if row is None:
            raise LookupError(f"practice {practice_id}")
        for name, value in fields.items():
            setattr(row, name, list(value) if name in ("question_ids", "dimension_ids") else value)
        self.s.flush()
        saved = self.get(practice_id)
        assert saved is not None
        return saved
