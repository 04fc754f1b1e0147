"""The unit of work: one transaction per use case, and the repositories bound to it.

`with uow:` opens the transaction and commits it when the block ends normally (rolls it back on an
exception). A `with` inside another one joins the outer transaction, so that one use case may call
another. `uow.run(work)` does the same and runs it again while the database is locked by another
writer (SQLite: one writer at a time), up to WRITE_DEADLINE seconds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, Protocol, Self, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from diagnostic.core.errors import StorageUnavailable
from diagnostic.storage.coaching import CoachingRepository
from diagnostic.storage.evidence import EvidenceRepository
from diagnostic.storage.labels import LabelRepository
from diagnostic.storage.networks import NetworkRepository
from diagnostic.storage.practices import PracticeRepository
from diagnostic.storage.repositories import (
    ActionRepository,
    AnswerRepository,
    AssessmentRepository,
    AuditRepository,
    CompanyRepository,
    ParticipationRepository,
    SnapshotRepository,
    UserRepository,
    WorkspaceRepository,
)
from diagnostic.storage.summaries import SummaryRepository
from diagnostic.storage.vsme import VsmeRepository

T = TypeVar("T")

# How long a write keeps trying while another writer holds the database (SQLite: one writer at a
# time, each try also waits busy_timeout) before the user is told it was not saved.
WRITE_DEADLINE = float(os.environ.get("AUTODIAG_WRITE_DEADLINE", "10"))


class UnitOfWork(Protocol):
    companies: CompanyRepository
    snapshots: SnapshotRepository
    assessments: AssessmentRepository
    answers: AnswerRepository
    actions: ActionRepository
    workspaces: WorkspaceRepository
    users: UserRepository
    audit: AuditRepository
    participation: ParticipationRepository
    summaries: SummaryRepository
    coaching: CoachingRepository
    networks: NetworkRepository
    labels: LabelRepository
    practices: PracticeRepository
    evidence: EvidenceRepository
    vsme: VsmeRepository
    memo: dict[str, object]  # what one transaction has read once (the actor's grants), emptied at its end

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: Any) -> None: ...
    def run(self, work: Callable[[Self], T], deadline: float | None = None) -> T: ...
    def fresh(self) -> UnitOfWork: ...


def _locked(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text or "deadlock" in text or "could not serialize" in text


def retrying(write: Callable[[], T], deadline: float | None = None) -> T:
    """Run one write transaction, again while the database is locked (up to `deadline` seconds).

    A concurrent insert of the same row (IntegrityError) is retried once: the next try sees the row;
    a second one is a real violation (an import that breaks a constraint) and is raised at once.
    Raises StorageUnavailable when the database stays locked or cannot be reached.
    """
    give_up = time.monotonic() + (WRITE_DEADLINE if deadline is None else deadline)
    pause = 0.02
    integrity_retried = False
    while True:
        try:
            return write()
        except IntegrityError:
            if integrity_retried or time.monotonic() > give_up:
                raise
            integrity_retried = True
        except OperationalError as exc:
            busy = _locked(exc)
            if not busy or time.monotonic() > give_up:
                raise StorageUnavailable(busy) from exc
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


REPOSITORIES = (
    "companies", "snapshots", "assessments", "answers", "actions", "workspaces", "users", "audit", "participation",
    "summaries", "coaching", "networks", "labels", "practices",
)  # fmt: skip


class SqlUnitOfWork:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._depth = 0
        self._session: Session | None = None
        self.memo: dict[str, object] = {}

    def __enter__(self) -> Self:
        self._depth += 1
        if self._depth == 1:
            session = self._sessions()
            session.begin()
            self._session = session
            self.companies = CompanyRepository(session)
            self.snapshots = SnapshotRepository(session)
            self.assessments = AssessmentRepository(session)
            self.answers = AnswerRepository(session)
            self.actions = ActionRepository(session)
            self.workspaces = WorkspaceRepository(session)
            self.users = UserRepository(session)
            self.audit = AuditRepository(session)
            self.participation = ParticipationRepository(session)
            self.summaries = SummaryRepository(session)
            self.coaching = CoachingRepository(session)
            self.networks = NetworkRepository(session)
            self.labels = LabelRepository(session)
            self.practices = PracticeRepository(session)
            self.evidence = EvidenceRepository(session)
            self.vsme = VsmeRepository(session)
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        self._depth -= 1
        if self._depth or self._session is None:
            return
        session, self._session = self._session, None
        self.memo.clear()
        for name in REPOSITORIES:  # a repository used after its transaction fails loudly, never opens another
            delattr(self, name)
        try:
            if exc_type is None:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()

    def fresh(self) -> SqlUnitOfWork:
        """Another unit of work on the same database, for another thread (a download's build)."""
        return SqlUnitOfWork(self.engine)

    def run(self, work: Callable[[Self], T], deadline: float | None = None) -> T:
        if self._depth:  # inside another use case: its transaction, its retries
            return work(self)

        def once() -> T:
            with self:
                return work(self)

        return retrying(once, deadline)


def sql_unit_of_work(url: str | None = None) -> SqlUnitOfWork:
    """A unit of work on the configured database (DATABASE_URL, or SQLite under data/)."""
    from diagnostic.storage.database import get_engine

    return SqlUnitOfWork(get_engine(url))
