"""The assessments' read model (summaries) and the portfolio's reads.

A summary is the scored result of one assessment, stored so that a portfolio or a network of
hundreds of companies is read without scoring each assessment on every rerun. It is valid while its
stamp equals the latest of the assessment's and its company's `updated_at` (answers and plan
changes move the first, a profile change — sector, size — the second) and its content hash is the
assessment's.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from diagnostic.core.portfolio import CLOSED_STATUSES
from diagnostic.core.roles import Scope
from diagnostic.storage.models import Action, AnswerRow, Assessment, AssessmentSummary, Company, utcnow
from diagnostic.storage.records import AnswerRecord, AssessmentRecord, CompanyRecord
from diagnostic.storage.repositories import (
    _Repository,
    _within,
    answer_record,
    assessment_record,
    aware,
    company_record,
)

CHUNK = 500  # ids per IN (...) list: far below every database's limit on bound parameters


@dataclass(frozen=True)
class SummaryRecord:
    assessment_id: int
    overall: float | None
    coverage: float | None
    level: str | None  # level id
    level_rank: int | None
    dimensions: dict[str, float | None]
    critical_unmet: list[str]
    weak_questions: list[str]  # counted questions whose value < half their maximum
    answered: int  # applicable scored questions answered (the numerator of the coverage)


@dataclass(frozen=True)
class SummarySource:
    """What scoring one assessment needs, read together with the stamp it will be valid for."""

    assessment: AssessmentRecord
    company: CompanyRecord
    stamp: datetime
    answers: dict[str, AnswerRecord]


@dataclass(frozen=True)
class PortfolioSource:
    """One company of a portfolio and its latest assessment (None when it has none)."""

    company: CompanyRecord
    updated_at: datetime
    assessment: AssessmentRecord | None


@dataclass(frozen=True)
class PlanCounts:
    done: int
    total: int
    late: int  # due before today and neither done nor dropped


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _stamp(assessment_updated: datetime | None, company_updated: datetime | None) -> datetime:
    moments = [m for m in (aware(assessment_updated), aware(company_updated)) if m is not None]
    return max(moments)


def _summary_record(row: AssessmentSummary) -> SummaryRecord:
    return SummaryRecord(
        assessment_id=row.assessment_id,
        overall=row.overall,
        coverage=row.coverage,
        level=row.level,
        level_rank=row.level_rank,
        dimensions={k: (None if v is None else float(v)) for k, v in (row.dimensions or {}).items()},
        critical_unmet=list(row.critical_unmet or []),
        weak_questions=list(row.weak_questions or []),
        answered=row.answered or 0,
    )


class SummaryRepository(_Repository):
    # --- the read model (no scope: the service that calls it has checked the rights) -------------

    def valid(self, assessment_ids: Iterable[int]) -> tuple[dict[int, SummaryRecord], builtins.list[int]]:
        """The stored summaries still valid, and the ids (existing assessments) that need scoring."""
        ids = sorted(set(assessment_ids))
        found: dict[int, SummaryRecord] = {}
        stale: list[int] = []
        for chunk in _chunks(ids):
            query = (
                select(Assessment.id, Assessment.updated_at, Assessment.content_hash, Company.updated_at, AssessmentSummary)
                .join(Company, Company.id == Assessment.company_id)
                .outerjoin(AssessmentSummary, AssessmentSummary.assessment_id == Assessment.id)
                .where(Assessment.id.in_(chunk))
            )  # fmt: skip
            for assessment_id, a_updated, content_hash, c_updated, summary in self.s.execute(query):
                fresh = (
                    summary is not None
                    and summary.content_hash == content_hash
                    and aware(summary.stamp) == _stamp(a_updated, c_updated)
                )
                if fresh:
                    found[assessment_id] = _summary_record(summary)
                else:
                    stale.append(assessment_id)
        return found, sorted(stale)

    def sources(self, assessment_ids: Iterable[int]) -> builtins.list[SummarySource]:
        """The assessments with their company, stamp and answers. The stamp is read before the
        answers: an answer given in between leaves a summary that is already stale, never one that
        looks fresh with old answers."""
        ids = sorted(set(assessment_ids))
        heads: list[tuple[AssessmentRecord, CompanyRecord, datetime]] = []
        answers: dict[int, dict[str, AnswerRecord]] = {i: {} for i in ids}
        for chunk in _chunks(ids):
            query = select(Assessment, Company).join(Company).where(Assessment.id.in_(chunk)).order_by(Assessment.id)
            for a, c in self.s.execute(query):
                heads.append((assessment_record(a), company_record(c), _stamp(a.updated_at, c.updated_at)))
        for chunk in _chunks(ids):
            rows = select(AnswerRow).where(AnswerRow.assessment_id.in_(chunk)).order_by(AnswerRow.id)
            for row in self.s.scalars(rows):
                answers[row.assessment_id][row.question_id] = answer_record(row)
        return [SummarySource(a, c, stamp, answers[a.id]) for a, c, stamp in heads]

    def put(self, summary: SummaryRecord, stamp: datetime, content_hash: str) -> None:
        """Store (or replace) one summary; two sessions storing the same one at once both succeed."""
        values: dict[str, Any] = {
            "assessment_id": summary.assessment_id,
            "stamp": stamp,
            "content_hash": content_hash,
            "overall": summary.overall,
            "coverage": summary.coverage,
            "level": summary.level,
            "level_rank": summary.level_rank,
            "dimensions": dict(summary.dimensions),
            "critical_unmet": list(summary.critical_unmet),
            "weak_questions": list(summary.weak_questions),
            "answered": summary.answered,
            "computed_at": utcnow(),
        }
        changed = {k: v for k, v in values.items() if k != "assessment_id"}
        dialect = self.s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(AssessmentSummary).values(**values)
        self.s.execute(statement.on_conflict_do_update(index_elements=["assessment_id"], set_=changed))

    # --- the portfolio's reads (scoped: a company outside the scope is not there) ----------------

    @staticmethod
    def _latest_of(company_id: Any) -> Any:
        """The id of the company's latest assessment (created last; the higher id on a tie): a
        correlated subquery, one index search per company (ix_assessments_company_id)."""
        latest = aliased(Assessment)
        return (
            select(latest.id)
            .where(latest.company_id == company_id)
            .order_by(latest.created_at.desc(), latest.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    def portfolio(self, scope: Scope, workspace_id: int) -> builtins.list[PortfolioSource]:
        """The workspace's companies in reach, by name, each with its latest assessment."""
        query = (
            select(Company, Assessment)
            .outerjoin(Assessment, Assessment.id == self._latest_of(Company.id))
            .where(Company.workspace_id == workspace_id, _within(scope))
            .order_by(func.lower(Company.name), Company.id)
        )  # fmt: skip
        return [
            PortfolioSource(company_record(c), aware(c.updated_at), assessment_record(a) if a is not None else None)  # type: ignore[arg-type]
            for c, a in self.s.execute(query)
        ]

    def plan_counts(self, scope: Scope, workspace_id: int, today: date) -> dict[int, PlanCounts]:
        """Actions done / total / late of each latest assessment in reach, by assessment id (one grouped query)."""
        open_status = Action.status.not_in(sorted(CLOSED_STATUSES))  # core.portfolio.is_late, in SQL
        query = (
            select(
                Action.assessment_id,
                func.count(Action.id),
                func.sum(case((Action.status == "done", 1), else_=0)),
                func.sum(case(((Action.due_date < today) & open_status, 1), else_=0)),
            )
            .join(Assessment, Assessment.id == Action.assessment_id)
            .join(Company, Company.id == Assessment.company_id)
            .where(
                Company.workspace_id == workspace_id, _within(scope), Assessment.id == self._latest_of(Assessment.company_id)
            )
            .group_by(Action.assessment_id)
        )  # fmt: skip
        return {
            a: PlanCounts(int(done or 0), int(total), int(late or 0)) for a, total, done, late in self.s.execute(query)
        }

    def set_follow_up(self, scope: Scope, company_id: int, day: date | None) -> bool:
        """The company's next follow-up date. Its `updated_at` stays: planning a meeting is no
        activity of the company, and its summaries stay valid. False when out of reach."""
        statement = (
            update(Company)
            .where(Company.id == company_id, _within(scope))
            .values(next_follow_up=day, updated_at=Company.updated_at)
        )  # fmt: skip
        return bool(self.s.execute(statement).rowcount)  # type: ignore[attr-defined]
