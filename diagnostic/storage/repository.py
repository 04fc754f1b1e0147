"""The repository: every read and write of the app, one short transaction each.

Methods return plain records (frozen dataclasses), never ORM objects, so that pages can keep them
across Streamlit reruns without a database session.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from diagnostic.core.errors import Conflict, Gone, StorageUnavailable
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.storage.database import get_engine
from diagnostic.storage.models import Action, AnswerRow, Assessment, Base, Company, QuestionnaireSnapshot, utcnow


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite gives back naive datetimes; everything is stored in UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


@dataclass(frozen=True)
class CompanyRecord:
    id: int
    name: str
    profile: Profile
    notes: str
    created_at: datetime


@dataclass(frozen=True)
class AssessmentRecord:
    id: int
    company_id: int
    questionnaire_id: str
    questionnaire_version: str
    content_hash: str
    label: str
    status: str
    respondent: str
    targets: dict[str, float]
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class AnswerRecord:
    question_id: str
    value: Any  # None when only a comment was written
    comment: str
    answered_by: str
    answered_at: datetime


@dataclass(frozen=True)
class ActionRecord:
    id: int
    assessment_id: int
    title: str
    owner: str = ""
    due_date: date | None = None
    status: str = "todo"
    notes: str = ""
    recommendation_id: str | None = None
    question_id: str | None = None
    position: int = 0


def _company(row: Company) -> CompanyRecord:
    profile = Profile(
        headcount_band=row.headcount_band,  # type: ignore[arg-type]
        sector=row.sector,
        sites=row.sites,
        production_site=row.production_site,
        tertiary_area_1000m2=row.tertiary_area_1000m2,
    )
    return CompanyRecord(id=row.id, name=row.name, profile=profile, notes=row.notes or "", created_at=_aware(row.created_at))  # type: ignore[arg-type]


def _assessment(row: Assessment) -> AssessmentRecord:
    return AssessmentRecord(
        id=row.id,
        company_id=row.company_id,
        questionnaire_id=row.questionnaire_id,
        questionnaire_version=row.questionnaire_version,
        content_hash=row.content_hash,
        label=row.label or "",
        status=row.status,
        respondent=row.respondent or "",
        targets={k: float(v) for k, v in (row.targets or {}).items()},
        created_at=_aware(row.created_at),  # type: ignore[arg-type]
        updated_at=_aware(row.updated_at),  # type: ignore[arg-type]
        completed_at=_aware(row.completed_at),
    )


def _action(row: Action) -> ActionRecord:
    return ActionRecord(
        id=row.id,
        assessment_id=row.assessment_id,
        title=row.title,
        owner=row.owner or "",
        due_date=row.due_date,
        status=row.status,
        notes=row.notes or "",
        recommendation_id=row.recommendation_id,
        question_id=row.question_id,
        position=row.position,
    )


def _profile_columns(profile: Profile) -> dict[str, Any]:
    return {
        "sector": profile.sector,
        "headcount_band": profile.headcount_band,
        "sites": profile.sites,
        "production_site": profile.production_site,
        "tertiary_area_1000m2": profile.tertiary_area_1000m2,
    }


def _answer_row(s: Session, assessment_id: int, question_id: str, lock: bool = False) -> AnswerRow | None:
    query = select(AnswerRow).where(AnswerRow.assessment_id == assessment_id, AnswerRow.question_id == question_id)
    return s.scalar(query.with_for_update() if lock else query)


def _answer(row: AnswerRow) -> AnswerRecord:
    return AnswerRecord(row.question_id, row.value, row.comment or "", row.answered_by or "", _aware(row.answered_at))  # type: ignore[arg-type]


T = TypeVar("T")

# How long a write keeps trying while another writer holds the database (SQLite: one writer at a
# time, each try also waits busy_timeout) before the user is told it was not saved.
WRITE_DEADLINE = float(os.environ.get("AUTODIAG_WRITE_DEADLINE", "10"))


def _locked(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text or "deadlock" in text or "could not serialize" in text


def retrying(write: Callable[[], T], deadline: float | None = None) -> T:
    """Run one write transaction, again while the database is locked (up to `deadline` seconds).

    A concurrent insert of the same row (IntegrityError) is retried too: the next try sees the row.
    Raises StorageUnavailable when the database stays locked or cannot be reached.
    """
    give_up = time.monotonic() + (WRITE_DEADLINE if deadline is None else deadline)
    pause = 0.02
    while True:
        try:
            return write()
        except IntegrityError:
            if time.monotonic() > give_up:
                raise
        except OperationalError as exc:
            busy = _locked(exc)
            if not busy or time.monotonic() > give_up:
                raise StorageUnavailable(busy) from exc
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


@dataclass(frozen=True)
class AnswerEdit:
    """The whole new state of one answer row: value (None: no answer) and comment."""

    value: Any
    comment: str


ACTION_FIELDS = {"title", "owner", "due_date", "status", "notes", "position"}


def _check_expected(row: Action, expected: dict[str, Any] | None) -> None:
    for key, value in (expected or {}).items():
        if getattr(row, key) != value:
            raise Conflict(_action(row))


def _touch_assessment(s: Session, assessment_id: int) -> None:
    assessment = s.get(Assessment, assessment_id)
    if assessment is not None:
        assessment.updated_at = utcnow()


class Repository:
    def __init__(self, engine: Engine | None = None):
        self.engine = engine or get_engine()
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._session()

    def _delete(self, model: type[Base], row_id: int) -> None:
        """Delete one row if it exists (its dependants go with it: cascades)."""
        with self.session() as s, s.begin():
            row = s.get(model, row_id)
            if row is not None:
                s.delete(row)

    # --- companies ---------------------------------------------------------------------------

    def create_company(self, name: str, profile: Profile, notes: str = "") -> CompanyRecord:
        with self.session() as s, s.begin():
            row = Company(name=name.strip(), notes=notes, **_profile_columns(profile))
            s.add(row)
            s.flush()
            return _company(row)

    def update_company(self, company_id: int, name: str, profile: Profile, notes: str = "") -> CompanyRecord:
        with self.session() as s, s.begin():
            row = s.get_one(Company, company_id)
            row.name = name.strip()
            row.notes = notes
            for key, value in _profile_columns(profile).items():
                setattr(row, key, value)
            s.flush()
            return _company(row)

    def get_company(self, company_id: int) -> CompanyRecord | None:
        with self.session() as s:
            row = s.get(Company, company_id)
            return _company(row) if row else None

    def list_companies(self) -> list[CompanyRecord]:
        with self.session() as s:
            return [_company(r) for r in s.scalars(select(Company).order_by(func.lower(Company.name), Company.id))]

    def find_companies_by_name(self, name: str) -> list[CompanyRecord]:
        with self.session() as s:
            query = select(Company).where(func.lower(Company.name) == name.strip().lower()).order_by(Company.id)
            return [_company(r) for r in s.scalars(query)]

    def delete_company(self, company_id: int) -> None:
        self._delete(Company, company_id)

    # --- questionnaire snapshots -------------------------------------------------------------

    def save_snapshot(self, loaded: LoadedQuestionnaire, source_text: str, session: Session | None = None) -> None:
        def write(s: Session) -> None:
            if s.get(QuestionnaireSnapshot, loaded.content_hash) is None:
                s.add(
                    QuestionnaireSnapshot(
                        content_hash=loaded.content_hash,
                        questionnaire_id=loaded.id,
                        version=loaded.version,
                        source_text=source_text,
                    )
                )
                s.flush()

        if session is not None:
            write(session)
            return
        try:
            with self.session() as s, s.begin():
                write(s)
        except IntegrityError:
            pass  # saved meanwhile by another server: same hash, same text

    def snapshot_text(self, content_hash: str) -> str | None:
        with self.session() as s:
            row = s.get(QuestionnaireSnapshot, content_hash)
            return row.source_text if row else None

    # --- assessments -------------------------------------------------------------------------

    def create_assessment(
        self, company_id: int, loaded: LoadedQuestionnaire, source_text: str, label: str = "", respondent: str = ""
    ) -> AssessmentRecord:
        self.save_snapshot(loaded, source_text)
        with self.session() as s, s.begin():
            row = Assessment(
                company_id=company_id,
                questionnaire_id=loaded.id,
                questionnaire_version=loaded.version,
                content_hash=loaded.content_hash,
                label=label,
                respondent=respondent,
                targets={},
            )
            s.add(row)
            s.flush()
            return _assessment(row)

    def get_assessment(self, assessment_id: int) -> AssessmentRecord | None:
        with self.session() as s:
            row = s.get(Assessment, assessment_id)
            return _assessment(row) if row else None

    def list_assessments(self, company_id: int) -> list[AssessmentRecord]:
        with self.session() as s:
            query = select(Assessment).where(Assessment.company_id == company_id).order_by(Assessment.created_at, Assessment.id)
            return [_assessment(r) for r in s.scalars(query)]

    def update_assessment(self, assessment_id: int, **fields: Any) -> AssessmentRecord:
        allowed = {"label", "respondent", "status", "targets", "created_at"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"cannot update {', '.join(sorted(unknown))}")
        with self.session() as s, s.begin():
            row = s.get_one(Assessment, assessment_id)
            for key, value in fields.items():
                setattr(row, key, dict(value) if key == "targets" else value)
            if fields.get("status") == "completed" and row.completed_at is None:
                row.completed_at = utcnow()
            elif fields.get("status") == "in_progress":
                row.completed_at = None
            row.updated_at = utcnow()
            s.flush()
            return _assessment(row)

    def delete_assessment(self, assessment_id: int) -> None:
        self._delete(Assessment, assessment_id)

    # --- answers -----------------------------------------------------------------------------

    def edit_answer(
        self, assessment_id: int, question_id: str, edit: Callable[[AnswerRecord | None], AnswerEdit], answered_by: str = ""
    ) -> AnswerRecord | None:
        """Compare-and-set one answer: `edit` sees the stored row (locked) and returns its new state.

        `edit` may raise (a Conflict) to write nothing. A row with neither value nor comment is
        deleted. Returns the stored answer afterwards (None when there is none).
        """

        def write() -> AnswerRecord | None:
            with self.session() as s, s.begin():
                assessment = s.get(Assessment, assessment_id, with_for_update=True)
                if assessment is None:
                    raise Gone(f"assessment {assessment_id}")
                row = _answer_row(s, assessment_id, question_id, lock=True)
                new = edit(_answer(row) if row else None)
                if row is None:
                    if new.value is None and not new.comment:
                        return None
                    row = AnswerRow(assessment_id=assessment_id, question_id=question_id, comment="", answered_by="")
                    s.add(row)
                elif new.value is None and not new.comment:
                    s.delete(row)
                    assessment.updated_at = utcnow()
                    return None
                if new.value != row.value or row.id is None:
                    row.value = new.value
                    row.answered_by = answered_by or row.answered_by or ""
                row.comment = new.comment
                row.answered_at = utcnow()
                assessment.updated_at = utcnow()
                s.flush()
                return _answer(row)

        return retrying(write)

    def save_answer(
        self, assessment_id: int, question_id: str, value: Any, comment: str | None = None, answered_by: str = ""
    ) -> None:
        """Insert or update one answer, whatever is stored (a None comment keeps the stored one)."""
        self.edit_answer(
            assessment_id, question_id,
            lambda old: AnswerEdit(value, comment if comment is not None else (old.comment if old else "")),
            answered_by,
        )  # fmt: skip

    def save_comment(self, assessment_id: int, question_id: str, comment: str, answered_by: str = "") -> None:
        self.edit_answer(assessment_id, question_id, lambda old: AnswerEdit(old.value if old else None, comment), answered_by)

    def clear_answer(self, assessment_id: int, question_id: str) -> None:
        """Forget the value (the comment stays)."""
        self.edit_answer(assessment_id, question_id, lambda old: AnswerEdit(None, old.comment if old else ""))

    def assessment_stamp(self, assessment_id: int) -> datetime | None:
        """When anything of the assessment last changed (answers, comments, plan): a cheap poll."""
        with self.session() as s:
            return _aware(s.scalar(select(Assessment.updated_at).where(Assessment.id == assessment_id)))

    def load_answers(self, assessment_id: int) -> dict[str, AnswerRecord]:
        with self.session() as s:
            rows = s.scalars(select(AnswerRow).where(AnswerRow.assessment_id == assessment_id).order_by(AnswerRow.id))
            return {r.question_id: _answer(r) for r in rows}

    def replace_answers(self, assessment_id: int, answers: dict[str, tuple[Any, str]], answered_by: str = "") -> None:
        with self.session() as s, s.begin():
            s.execute(delete(AnswerRow).where(AnswerRow.assessment_id == assessment_id))
            for question_id, (value, comment) in answers.items():
                s.add(AnswerRow(assessment_id=assessment_id, question_id=question_id, value=value, comment=comment or "", answered_by=answered_by))

    # --- actions -----------------------------------------------------------------------------

    def add_action(self, assessment_id: int, title: str, **fields: Any) -> ActionRecord:
        unknown = set(fields) - ACTION_FIELDS - {"recommendation_id", "question_id"}
        if unknown:
            raise ValueError(f"unknown action fields: {', '.join(sorted(unknown))}")

        def write() -> ActionRecord:
            with self.session() as s, s.begin():
                last = s.scalar(select(func.max(Action.position)).where(Action.assessment_id == assessment_id))
                row = Action(assessment_id=assessment_id, title=title, position=(last or 0) + 1, **fields)
                s.add(row)
                _touch_assessment(s, assessment_id)
                s.flush()
                return _action(row)

        return retrying(write)

    def update_action(self, action_id: int, expected: dict[str, Any] | None = None, **fields: Any) -> ActionRecord:
        """Change some fields of an action; with `expected`, only if those fields still hold those values.

        Raises Gone when the action was deleted meanwhile, Conflict when a field changed meanwhile.
        """
        unknown = set(fields) - ACTION_FIELDS
        if unknown:
            raise ValueError(f"unknown action fields: {', '.join(sorted(unknown))}")

        def write() -> ActionRecord:
            with self.session() as s, s.begin():
                row = s.get(Action, action_id, with_for_update=True)
                if row is None:
                    raise Gone(f"action {action_id}")
                _check_expected(row, expected)
                for key, value in fields.items():
                    setattr(row, key, value)
                _touch_assessment(s, row.assessment_id)
                s.flush()
                return _action(row)

        return retrying(write)

    def delete_action(self, action_id: int, expected: dict[str, Any] | None = None) -> None:
        """Delete an action; with `expected`, only if it was not changed meanwhile (else Conflict)."""

        def write() -> None:
            with self.session() as s, s.begin():
                row = s.get(Action, action_id, with_for_update=True)
                if row is None:
                    return  # already gone: the wish is fulfilled
                _check_expected(row, expected)
                _touch_assessment(s, row.assessment_id)
                s.delete(row)

        retrying(write)

    def list_actions(self, assessment_id: int) -> list[ActionRecord]:
        with self.session() as s:
            query = select(Action).where(Action.assessment_id == assessment_id).order_by(Action.position, Action.id)
            return [_action(r) for r in s.scalars(query)]

    # --- import (one transaction: all or nothing) ----------------------------------------------

    def import_assessment(
        self,
        *,
        company_id: int | None,
        company_name: str,
        company_notes: str,
        profile: Profile,
        loaded: LoadedQuestionnaire,
        source_text: str,
        label: str,
        status: str,
        respondent: str,
        created_at: datetime | None,
        completed_at: datetime | None,
        targets: dict[str, float],
        answers: dict[str, tuple[Any, str]],
        actions: list[dict[str, Any]],
    ) -> AssessmentRecord:
        with self.session() as s, s.begin():
            if company_id is None:
                company = Company(name=company_name.strip(), notes=company_notes, **_profile_columns(profile))
                s.add(company)
                s.flush()
                company_id = company.id
            else:
                s.get_one(Company, company_id)
            self.save_snapshot(loaded, source_text, session=s)
            row = Assessment(
                company_id=company_id,
                questionnaire_id=loaded.id,
                questionnaire_version=loaded.version,
                content_hash=loaded.content_hash,
                label=label,
                status=status,
                respondent=respondent,
                targets=dict(targets),
                completed_at=completed_at,
            )
            if created_at is not None:
                row.created_at = created_at
            s.add(row)
            s.flush()
            for question_id, (value, comment) in answers.items():
                s.add(AnswerRow(assessment_id=row.id, question_id=question_id, value=value, comment=comment, answered_by=respondent))
            for position, action in enumerate(actions, start=1):
                s.add(Action(assessment_id=row.id, position=position, **action))
            s.flush()
            return _assessment(row)
