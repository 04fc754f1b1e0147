"""In-memory fakes of the unit of work and its repositories (the cosmicpython way).

`FakeUnitOfWork` has the interface of `diagnostic.storage.uow.SqlUnitOfWork`, and each fake
repository the method names, signatures and semantics of its SQL twin in
`diagnostic/storage/repositories.py`: every company-related query is filtered by the actor's
`Scope`, Gone is raised where the SQL raises it, Conflict on an expected-values mismatch, ids come
from counters that never give an id twice, and records (copies) are returned, never what the store
holds. The services run on it unchanged; `tests/test_services_use_cases.py` runs the same sequence on
both and compares what is visible, so that the fakes stay honest.

Everything lives in one `Store` of plain dicts, which the tests may read (and edit, to make an
invitation expire) directly.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Self, TypeVar

from diagnostic.core.errors import Conflict, Gone
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.roles import Scope
from diagnostic.services.context import Actor, Context
from diagnostic.storage.coaching import NOTE_FIELDS, CoachingNoteRecord
from diagnostic.storage.records import (
    ActionRecord,
    AnswerEdit,
    AnswerRecord,
    AssessmentRecord,
    AuditRecord,
    CampaignRecord,
    CompanyRecord,
    ConsensusNoteRecord,
    GroupRecord,
    InvitationRecord,
    LinkRecord,
    MembershipRecord,
    RespondentRecord,
    ResponseRecord,
    UserRecord,
    WorkspaceRecord,
)
from diagnostic.storage.repositories import ACTION_FIELDS, ASSESSMENT_FIELDS, CAMPAIGN_FIELDS, GROUP_FIELDS, aware

T = TypeVar("T")


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """utcnow().date(): the day in UTC, as the SQL repositories write it."""
    return now().date()


def _copy(value: T) -> T:
    """What a repository hands out: never an object of the store. The records are frozen; only their
    profile (a pydantic model), targets (a dict) and answer values (lists) can be changed in place."""
    if isinstance(value, list):
        return [_copy(v) for v in value]  # type: ignore[return-value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, CompanyRecord):
        return replace(value, profile=value.profile.model_copy())  # type: ignore[return-value]
    if isinstance(value, AssessmentRecord):
        return replace(value, targets=dict(value.targets))  # type: ignore[return-value]
    if isinstance(value, AnswerRecord):
        return replace(value, value=copy.deepcopy(value.value))  # type: ignore[return-value]
    if isinstance(value, ConsensusNoteRecord):
        return replace(value, proposed=copy.deepcopy(value.proposed))
    if isinstance(value, ResponseRecord):
        return replace(value, answers=copy.deepcopy(value.answers), comments=dict(value.comments))
    if isinstance(value, Profile):
        return value.model_copy()  # type: ignore[return-value]
    if value is None or isinstance(value, (str, int, float, tuple)) or dataclasses.is_dataclass(value):
        return value  # immutable: the other records hold only immutable fields
    return copy.deepcopy(value)


@dataclass(frozen=True)
class StoredAnswer:
    assessment_id: int
    record: AnswerRecord


@dataclass(frozen=True)
class StoredSnapshot:
    questionnaire_id: str
    version: str
    source_text: str


@dataclass
class Store:
    """The whole fake database: one dict per table, keyed by id (snapshots: by content hash)."""

    workspaces: dict[int, WorkspaceRecord] = field(default_factory=dict)
    users: dict[int, UserRecord] = field(default_factory=dict)
    memberships: dict[int, MembershipRecord] = field(default_factory=dict)  # user_label left empty
    invitations: dict[int, InvitationRecord] = field(default_factory=dict)
    invitation_hashes: dict[int, str] = field(default_factory=dict)  # invitation id -> SHA-256 of its token
    audit: dict[int, AuditRecord] = field(default_factory=dict)
    audit_users: dict[int, int | None] = field(default_factory=dict)  # audit event id -> user id
    companies: dict[int, CompanyRecord] = field(default_factory=dict)
    snapshots: dict[str, StoredSnapshot] = field(default_factory=dict)
    assessments: dict[int, AssessmentRecord] = field(default_factory=dict)
    answers: dict[int, StoredAnswer] = field(default_factory=dict)
    actions: dict[int, ActionRecord] = field(default_factory=dict)
    # the participative diagnostic
    campaigns: dict[int, CampaignRecord] = field(default_factory=dict)  # keyed by assessment id
    groups: dict[int, GroupRecord] = field(default_factory=dict)
    links: dict[int, LinkRecord] = field(default_factory=dict)
    link_hashes: dict[int, str] = field(default_factory=dict)  # link id -> SHA-256 of its token
    respondents: dict[str, RespondentRecord] = field(default_factory=dict)  # in insertion order; answered left 0
    respondent_secrets: dict[str, str | None] = field(default_factory=dict)  # respondent id -> hash of its key
    respondent_answers: dict[tuple[str, str], tuple[Any, str]] = field(default_factory=dict)  # (respondent, question)
    consensus_notes: dict[tuple[int, str], ConsensusNoteRecord] = field(default_factory=dict)  # (assessment, question)
    coaching_notes: dict[tuple[int, str], CoachingNoteRecord] = field(default_factory=dict)  # (assessment, question)
    counters: dict[str, int] = field(default_factory=dict)

    def copy(self) -> Store:
        """A copy to restore on rollback: the records are frozen and replaced, never changed in place, so
        copying the dicts is enough."""
        return Store(**{f.name: dict(getattr(self, f.name)) for f in dataclasses.fields(self)})

    def next_id(self, table: str) -> int:
        """Like sqlite_autoincrement: an id is never given twice, even after a delete or a rollback."""
        self.counters[table] = self.counters.get(table, 0) + 1
        return self.counters[table]

    # what the SQL cascades do
    def drop_assessment(self, assessment_id: int) -> None:
        self.assessments.pop(assessment_id, None)
        for key in [k for k, a in self.answers.items() if a.assessment_id == assessment_id]:
            del self.answers[key]
        for key in [k for k, a in self.actions.items() if a.assessment_id == assessment_id]:
            del self.actions[key]
        self.campaigns.pop(assessment_id, None)
        for note in [k for k in self.consensus_notes if k[0] == assessment_id]:
            del self.consensus_notes[note]
        for note in [k for k in self.coaching_notes if k[0] == assessment_id]:
            del self.coaching_notes[note]
        for group_id in [k for k, g in self.groups.items() if g.assessment_id == assessment_id]:
            self.drop_group(group_id)

    def drop_group(self, group_id: int) -> None:
        self.groups.pop(group_id, None)
        for key in [k for k, link in self.links.items() if link.group_id == group_id]:
            del self.links[key]
            self.link_hashes.pop(key, None)
        for respondent_id in [k for k, r in self.respondents.items() if r.group_id == group_id]:
            del self.respondents[respondent_id]
            self.respondent_secrets.pop(respondent_id, None)
            for row in [k for k in self.respondent_answers if k[0] == respondent_id]:
                del self.respondent_answers[row]

    def drop_company(self, company_id: int) -> None:
        self.companies.pop(company_id, None)
        for key in [k for k, a in self.assessments.items() if a.company_id == company_id]:
            self.drop_assessment(key)

    def touch(self, assessment_id: int) -> None:
        """assessment.updated_at = utcnow()"""
        self.assessments[assessment_id] = replace(self.assessments[assessment_id], updated_at=now())


class _Repository:
    def __init__(self, uow: FakeUnitOfWork):
        self._uow = uow

    @property
    def db(self) -> Store:
        if not self._uow._depth:
            # the SQL repositories live in the session of an open transaction: using one outside is a bug
            raise RuntimeError("repository used outside a unit of work (`with uow:` or `uow.run`)")
        return self._uow.store

    # the scope checks of the SQL joins (assessment -> company -> workspace)
    def _company(self, scope: Scope, company_id: int) -> CompanyRecord | None:
        found = self.db.companies.get(company_id)
        return found if found is not None and scope.reaches(found.workspace_id, found.id) else None

    def _assessment(self, scope: Scope, assessment_id: int) -> AssessmentRecord | None:
        found = self.db.assessments.get(assessment_id)
        if found is None or self._company(scope, found.company_id) is None:
            return None
        return found


class FakeCompanyRepository(_Repository):
    def list(self, scope: Scope) -> list[CompanyRecord]:
        found = [c for c in self.db.companies.values() if scope.reaches(c.workspace_id, c.id)]
        return _copy(sorted(found, key=lambda c: (c.name.lower(), c.id)))

    def get(self, scope: Scope, company_id: int) -> CompanyRecord | None:
        return _copy(self._company(scope, company_id))

    def find_by_name(self, scope: Scope, name: str) -> list[CompanyRecord]:
        wanted = name.strip().lower()
        found = [
            c for c in self.db.companies.values() if c.name.lower() == wanted and scope.reaches(c.workspace_id, c.id)
        ]
        return _copy(sorted(found, key=lambda c: c.id))

    def add(self, workspace_id: int, name: str, profile: Profile, notes: str = "") -> CompanyRecord:
        record = CompanyRecord(
            id=self.db.next_id("companies"), name=name.strip(), profile=_copy(profile), notes=notes, created_at=now(),
            workspace_id=workspace_id,
        )  # fmt: skip
        self.db.companies[record.id] = record
        return _copy(record)

    def update(
        self,
        scope: Scope,
        company_id: int,
        name: str,
        profile: Profile,
        notes: str = "",
        created_at: datetime | None = None,
    ) -> CompanyRecord:
        current = self._company(scope, company_id)
        if current is None:
            raise Gone(f"company {company_id}")
        record = replace(current, name=name.strip(), profile=_copy(profile), notes=notes)
        if created_at is not None:
            record = replace(record, created_at=created_at)
        self.db.companies[company_id] = record
        return _copy(record)

    def delete(self, scope: Scope, company_id: int) -> bool:
        if self._company(scope, company_id) is None:
            return False
        self.db.drop_company(company_id)
        return True


class FakeSnapshotRepository(_Repository):
    def save(self, loaded: LoadedQuestionnaire, source_text: str) -> None:
        if loaded.content_hash not in self.db.snapshots:
            self.db.snapshots[loaded.content_hash] = StoredSnapshot(loaded.id, loaded.version, source_text)

    def text(self, content_hash: str) -> str | None:
        found = self.db.snapshots.get(content_hash)
        return found.source_text if found else None


class FakeAssessmentRepository(_Repository):
    def get(self, scope: Scope, assessment_id: int) -> AssessmentRecord | None:
        return _copy(self._assessment(scope, assessment_id))

    def with_company(self, scope: Scope, assessment_id: int) -> tuple[AssessmentRecord, CompanyRecord] | None:
        found = self._assessment(scope, assessment_id)
        return (_copy(found), _copy(self.db.companies[found.company_id])) if found else None

    def list(self, scope: Scope, company_id: int) -> list[AssessmentRecord]:
        if self._company(scope, company_id) is None:
            return []
        found = [a for a in self.db.assessments.values() if a.company_id == company_id]
        return _copy(sorted(found, key=lambda a: (a.created_at, a.id)))

    def add(
        self,
        scope: Scope,
        company_id: int,
        loaded: LoadedQuestionnaire,
        label: str = "",
        respondent: str = "",
        status: str = "in_progress",
        targets: dict[str, float] | None = None,
        created_at: datetime | None = None,
        completed_at: datetime | None = None,
    ) -> AssessmentRecord:
        if self._company(scope, company_id) is None:
            raise Gone(f"company {company_id}")
        moment = now()
        record = AssessmentRecord(
            id=self.db.next_id("assessments"),
            company_id=company_id,
            questionnaire_id=loaded.id,
            questionnaire_version=loaded.version,
            content_hash=loaded.content_hash,
            label=label,
            status=status,
            respondent=respondent,
            targets={k: float(v) for k, v in (targets or {}).items()},
            created_at=created_at if created_at is not None else moment,
            updated_at=moment,
            completed_at=completed_at,
        )
        self.db.assessments[record.id] = record
        return _copy(record)

    def update(self, scope: Scope, assessment_id: int, **fields: Any) -> AssessmentRecord:
        unknown = set(fields) - ASSESSMENT_FIELDS
        if unknown:
            raise ValueError(f"cannot update {', '.join(sorted(unknown))}")
        current = self._assessment(scope, assessment_id)
        if current is None:
            raise Gone(f"assessment {assessment_id}")
        changes = dict(fields)
        if "targets" in changes:
            changes["targets"] = {k: float(v) for k, v in changes["targets"].items()}
        record = replace(current, **changes)
        if fields.get("status") == "completed" and record.completed_at is None:
            record = replace(record, completed_at=now())
        elif fields.get("status") == "in_progress":
            record = replace(record, completed_at=None)
        record = replace(record, updated_at=now())
        self.db.assessments[assessment_id] = record
        return _copy(record)

    def delete(self, scope: Scope, assessment_id: int) -> bool:
        if self._assessment(scope, assessment_id) is None:
            return False
        self.db.drop_assessment(assessment_id)
        return True

    def stamp(self, scope: Scope, assessment_id: int) -> datetime | None:
        found = self._assessment(scope, assessment_id)
        return found.updated_at if found else None


class FakeAnswerRepository(_Repository):
    def _rows(self, assessment_id: int) -> dict[int, StoredAnswer]:
        return {k: a for k, a in sorted(self.db.answers.items()) if a.assessment_id == assessment_id}

    def _checked(self, scope: Scope, assessment_id: int) -> None:
        if self._assessment(scope, assessment_id) is None:
            raise Gone(f"assessment {assessment_id}")

    def load(self, scope: Scope, assessment_id: int) -> dict[str, AnswerRecord]:
        if self._assessment(scope, assessment_id) is None:
            return {}
        return _copy({a.record.question_id: a.record for a in self._rows(assessment_id).values()})

    def edit(
        self,
        scope: Scope,
        assessment_id: int,
        question_id: str,
        edit: Callable[[AnswerRecord | None], AnswerEdit],
        answered_by: str = "",
    ) -> AnswerRecord | None:
        self._checked(scope, assessment_id)
        key = next((k for k, a in self._rows(assessment_id).items() if a.record.question_id == question_id), None)
        old = self.db.answers[key].record if key is not None else None
        new = edit(_copy(old))
        empty = new.value is None and not new.comment
        if old is None and empty:
            return None
        if key is not None and empty:
            del self.db.answers[key]
            self.db.touch(assessment_id)
            return None
        if old is None:
            key = self.db.next_id("answers")
            record = AnswerRecord(question_id, _copy(new.value), new.comment, answered_by, now())
        else:
            record = replace(old, comment=new.comment, answered_at=now())
            if new.value != old.value:
                record = replace(record, value=_copy(new.value), answered_by=answered_by or old.answered_by or "")
        assert key is not None
        self.db.answers[key] = StoredAnswer(assessment_id, record)
        self.db.touch(assessment_id)
        return _copy(record)

    def replace(
        self, scope: Scope, assessment_id: int, answers: dict[str, tuple[Any, str]], answered_by: str = ""
    ) -> None:
        self._checked(scope, assessment_id)
        for key in self._rows(assessment_id):
            del self.db.answers[key]
        for question_id, (value, comment) in answers.items():
            record = AnswerRecord(question_id, _copy(value), comment or "", answered_by, now())
            self.db.answers[self.db.next_id("answers")] = StoredAnswer(assessment_id, record)
        self.db.touch(assessment_id)


class FakeActionRepository(_Repository):
    def _row(self, scope: Scope, action_id: int) -> ActionRecord | None:
        found = self.db.actions.get(action_id)
        return found if found is not None and self._assessment(scope, found.assessment_id) else None

    @staticmethod
    def _check_expected(row: ActionRecord, expected: dict[str, Any] | None) -> None:
        for key, value in (expected or {}).items():
            if getattr(row, key) != value:
                raise Conflict(_copy(row))

    def list(self, scope: Scope, assessment_id: int) -> list[ActionRecord]:
        if self._assessment(scope, assessment_id) is None:
            return []
        found = [a for a in self.db.actions.values() if a.assessment_id == assessment_id]
        return _copy(sorted(found, key=lambda a: (a.position, a.id)))

    def add(self, scope: Scope, assessment_id: int, title: str, **fields: Any) -> ActionRecord:
        unknown = set(fields) - ACTION_FIELDS - {"recommendation_id", "question_id"}
        if unknown:
            raise ValueError(f"unknown action fields: {', '.join(sorted(unknown))}")
        if self._assessment(scope, assessment_id) is None:
            raise Gone(f"assessment {assessment_id}")
        if "position" not in fields:
            positions = [a.position for a in self.db.actions.values() if a.assessment_id == assessment_id]
            fields["position"] = max(positions, default=0) + 1
        fields = {k: ("" if v is None and k in ("owner", "notes") else v) for k, v in fields.items()}
        record = ActionRecord(id=self.db.next_id("actions"), assessment_id=assessment_id, title=title, **fields)
        self.db.actions[record.id] = record
        self.db.touch(assessment_id)
        return _copy(record)

    def update(
        self, scope: Scope, action_id: int, expected: dict[str, Any] | None = None, **fields: Any
    ) -> ActionRecord:
        unknown = set(fields) - ACTION_FIELDS
        if unknown:
            raise ValueError(f"unknown action fields: {', '.join(sorted(unknown))}")
        row = self._row(scope, action_id)
        if row is None:
            raise Gone(f"action {action_id}")
        self._check_expected(row, expected)
        record = replace(row, **fields)
        self.db.actions[action_id] = record
        self.db.touch(row.assessment_id)
        return _copy(record)

    def delete(self, scope: Scope, action_id: int, expected: dict[str, Any] | None = None) -> None:
        row = self._row(scope, action_id)
        if row is None:
            return
        self._check_expected(row, expected)
        self.db.touch(row.assessment_id)
        del self.db.actions[action_id]


class FakeWorkspaceRepository(_Repository):
    def get(self, workspace_id: int) -> WorkspaceRecord | None:
        return _copy(self.db.workspaces.get(workspace_id))

    def list(self, ids: list[int] | None = None) -> list[WorkspaceRecord]:
        found = [w for w in self.db.workspaces.values() if ids is None or w.id in ids]
        return _copy(sorted(found, key=lambda w: (w.name.lower(), w.id)))

    def find(self, name_or_id: str) -> list[WorkspaceRecord]:
        if name_or_id.isdigit():
            found = self.db.workspaces.get(int(name_or_id))
            return [_copy(found)] if found else []
        wanted = name_or_id.strip().lower()
        return _copy(sorted((w for w in self.db.workspaces.values() if w.name.lower() == wanted), key=lambda w: w.id))

    def add(self, name: str, kind: str) -> WorkspaceRecord:
        record = WorkspaceRecord(self.db.next_id("workspaces"), name.strip(), kind, now())
        self.db.workspaces[record.id] = record
        return _copy(record)

    # memberships
    def memberships_of(self, user_id: int) -> list[MembershipRecord]:
        found = [m for m in self.db.memberships.values() if m.user_id == user_id]
        return _copy(sorted(found, key=lambda m: m.workspace_id))

    def members(self, workspace_id: int) -> list[MembershipRecord]:
        found = sorted((m for m in self.db.memberships.values() if m.workspace_id == workspace_id), key=lambda m: m.id)
        return [replace(m, user_label=self.db.users[m.user_id].label) for m in found]

    def put_member(self, workspace_id: int, user_id: int, role: str, company_ids: tuple[int, ...] = ()) -> None:
        current = next(
            (m for m in self.db.memberships.values() if m.workspace_id == workspace_id and m.user_id == user_id), None
        )
        if current is None:
            record = MembershipRecord(
                self.db.next_id("memberships"), workspace_id, user_id, str(role), tuple(company_ids)
            )
        else:
            kept = tuple(sorted(set(current.company_ids) | set(company_ids))) if role == "company_manager" else ()
            record = replace(current, role=str(role), company_ids=kept)
        self.db.memberships[record.id] = record

    def remove_member(self, workspace_id: int, user_id: int) -> bool:
        gone = [k for k, m in self.db.memberships.items() if m.workspace_id == workspace_id and m.user_id == user_id]
        for key in gone:
            del self.db.memberships[key]
        return bool(gone)

    # invitations
    def add_invitation(
        self, workspace_id: int, token_hash: str, role: str, company_ids: tuple[int, ...], email: str, created_by: str,
        expires_at: datetime,
    ) -> InvitationRecord:  # fmt: skip
        if token_hash in self.db.invitation_hashes.values():
            raise ValueError("token_hash is unique")  # the UNIQUE constraint
        record = InvitationRecord(
            id=self.db.next_id("invitations"), workspace_id=workspace_id, role=role, company_ids=tuple(company_ids),
            email=email, created_by=created_by, created_at=now(), expires_at=expires_at, used_at=None, used_by=None,
            revoked_at=None,
        )  # fmt: skip
        self.db.invitations[record.id] = record
        self.db.invitation_hashes[record.id] = token_hash
        return _copy(record)

    def invitation_by_hash(self, token_hash: str) -> InvitationRecord | None:
        found = next((i for i, h in self.db.invitation_hashes.items() if h == token_hash), None)
        return _copy(self.db.invitations[found]) if found is not None else None

    def invitations(self, workspace_id: int) -> list[InvitationRecord]:
        return _copy([i for _, i in sorted(self.db.invitations.items()) if i.workspace_id == workspace_id])

    def mark_invitation(self, invitation_id: int, *, used_by: int | None = None, revoked: bool = False) -> None:
        current = self.db.invitations[invitation_id]  # KeyError where get_one raises NoResultFound
        if revoked:
            self.db.invitations[invitation_id] = replace(current, revoked_at=now())
        else:
            self.db.invitations[invitation_id] = replace(current, used_at=now(), used_by=used_by)


class FakeUserRepository(_Repository):
    def get(self, user_id: int) -> UserRecord | None:
        return _copy(self.db.users.get(user_id))

    def find(self, issuer: str, subject: str) -> UserRecord | None:
        return _copy(next((u for u in self.db.users.values() if (u.issuer, u.subject) == (issuer, subject)), None))

    def by_email(self, email: str) -> list[UserRecord]:
        wanted = email.strip().lower()
        return _copy(sorted((u for u in self.db.users.values() if u.email.lower() == wanted), key=lambda u: u.id))

    def sign_in(self, issuer: str, subject: str, email: str = "", name: str = "") -> UserRecord:
        current = next((u for u in self.db.users.values() if (u.issuer, u.subject) == (issuer, subject)), None)
        if current is None:
            record = UserRecord(self.db.next_id("users"), issuer, subject, email, name)
        else:
            record = replace(current, email=email or current.email, name=name or current.name)
        self.db.users[record.id] = record
        return _copy(record)


class FakeAuditRepository(_Repository):
    def add(
        self, workspace_id: int, user_id: int | None, actor: str, action: str, target: str = "", detail: str = ""
    ) -> None:
        record = AuditRecord(self.db.next_id("audit"), workspace_id, now(), actor, action, target, detail)
        self.db.audit[record.id] = record
        self.db.audit_users[record.id] = user_id

    def forget(self, workspace_id: int, targets: list[str]) -> None:
        for key, record in list(self.db.audit.items()):
            if record.workspace_id == workspace_id and record.target in targets:
                self.db.audit[key] = replace(record, detail="")

    def list(self, workspace_id: int, limit: int = 1000) -> list[AuditRecord]:
        found = sorted((a for a in self.db.audit.values() if a.workspace_id == workspace_id), key=lambda a: -a.id)
        return _copy(found[:limit])


class FakeParticipationRepository(_Repository):
    """Campaigns, respondent groups, links, respondents and consensus notes: the owner's side takes
    the actor's scope, the respondent's side only the hash of a token (unscoped), as in SQL. A broken
    UNIQUE or FOREIGN KEY constraint raises ValueError where the SQL raises IntegrityError."""

    def _group(self, scope: Scope, group_id: int) -> GroupRecord | None:
        found = self.db.groups.get(group_id)
        return found if found is not None and self._assessment(scope, found.assessment_id) else None

    def _link(self, scope: Scope, link_id: int) -> LinkRecord | None:
        found = self.db.links.get(link_id)
        return found if found is not None and self._group(scope, found.group_id) else None

    def _group_ids(self, scope: Scope, assessment_id: int) -> set[int]:
        """The ids of the assessment's groups ({} when the assessment is out of reach)."""
        if self._assessment(scope, assessment_id) is None:
            return set()
        return {g.id for g in self.db.groups.values() if g.assessment_id == assessment_id}

    def _answers_of(self, respondent_id: str) -> list[tuple[str, Any, str]]:
        """(question, value, comment) of one respondent's rows, by question."""
        return sorted(
            ((q, v, c) for (r, q), (v, c) in self.db.respondent_answers.items() if r == respondent_id),
            key=lambda a: a[0],
        )

    # the owner's side
    def campaign(self, scope: Scope, assessment_id: int) -> CampaignRecord | None:
        if self._assessment(scope, assessment_id) is None:
            return None
        return _copy(self.db.campaigns.get(assessment_id))

    def open(
        self, scope: Scope, assessment_id: int, groups: list[tuple[str, str, bool]], k: int, comment_k: int
    ) -> CampaignRecord:
        if self._assessment(scope, assessment_id) is None:
            raise Gone(f"assessment {assessment_id}")
        if assessment_id in self.db.campaigns:
            raise ValueError("campaigns.assessment_id is the primary key")
        keys = [key for key, _, _ in groups] + [
            g.key for g in self.db.groups.values() if g.assessment_id == assessment_id
        ]
        if len(keys) != len(set(keys)):
            raise ValueError("(assessment_id, key) of a group is unique")  # uq_group_key
        record = CampaignRecord(assessment_id, k, comment_k, False, None, None)
        self.db.campaigns[assessment_id] = record
        for position, (key, label, anonymous) in enumerate(groups):
            group = GroupRecord(
                self.db.next_id("respondent_groups"), assessment_id, key, label, bool(anonymous), position
            )
            self.db.groups[group.id] = group
        return _copy(record)

    def update_campaign(self, scope: Scope, assessment_id: int, **fields: Any) -> CampaignRecord:
        unknown = set(fields) - CAMPAIGN_FIELDS
        if unknown:
            raise ValueError(f"cannot update {', '.join(sorted(unknown))}")
        current = self.campaign(scope, assessment_id)
        if current is None:
            raise Gone(f"campaign {assessment_id}")
        record = replace(current, **fields)
        record = replace(record, share_results=bool(record.share_results))  # a Boolean column
        self.db.campaigns[assessment_id] = record
        return _copy(record)

    def groups(self, scope: Scope, assessment_id: int) -> list[GroupRecord]:
        ids = self._group_ids(scope, assessment_id)
        return _copy(sorted((self.db.groups[i] for i in ids), key=lambda g: (g.position, g.id)))

    def update_group(self, scope: Scope, group_id: int, **fields: Any) -> GroupRecord:
        unknown = set(fields) - GROUP_FIELDS
        if unknown:
            raise ValueError(f"cannot update {', '.join(sorted(unknown))}")
        current = self._group(scope, group_id)
        if current is None:
            raise Gone(f"group {group_id}")
        record = replace(current, **fields)
        record = replace(record, anonymous=bool(record.anonymous))  # a Boolean column
        self.db.groups[group_id] = record
        return _copy(record)

    def add_link(
        self, scope: Scope, group_id: int, token_hash: str, name: str, created_by: str, expires_at: datetime,
        max_uses: int | None,
    ) -> LinkRecord:  # fmt: skip
        if self._group(scope, group_id) is None:
            raise Gone(f"group {group_id}")
        if token_hash in self.db.link_hashes.values():
            raise ValueError("token_hash is unique")
        record = LinkRecord(
            id=self.db.next_id("respondent_links"), group_id=group_id, name=name or "", created_by=created_by or "",
            created_on=today(), expires_at=aware(expires_at), revoked_at=None, max_uses=max_uses, uses=0,  # type: ignore[arg-type]
            last_used_on=None,
        )  # fmt: skip
        self.db.links[record.id] = record
        self.db.link_hashes[record.id] = token_hash
        return _copy(record)

    def links(self, scope: Scope, assessment_id: int) -> list[LinkRecord]:
        ids = self._group_ids(scope, assessment_id)
        return _copy([link for _, link in sorted(self.db.links.items()) if link.group_id in ids])

    def change_link(
        self, scope: Scope, link_id: int, *, revoke: bool = False, token_hash: str | None = None,
        expires_at: datetime | None = None,
    ) -> LinkRecord:  # fmt: skip
        current = self._link(scope, link_id)
        if current is None:
            raise Gone(f"link {link_id}")
        record = current
        if revoke:
            record = replace(record, revoked_at=now())
        if token_hash is not None:
            if any(h == token_hash for k, h in self.db.link_hashes.items() if k != link_id):
                raise ValueError("token_hash is unique")
            self.db.link_hashes[link_id] = token_hash
            record = replace(record, revoked_at=None)
        if expires_at is not None:
            record = replace(record, expires_at=aware(expires_at))  # type: ignore[arg-type]
        self.db.links[link_id] = record
        return _copy(record)

    def respondents(self, scope: Scope, assessment_id: int) -> list[RespondentRecord]:
        ids = self._group_ids(scope, assessment_id)
        found = sorted((r for r in self.db.respondents.values() if r.group_id in ids), key=lambda r: (r.group_id, r.id))
        return [replace(r, answered=sum(1 for _, v, _ in self._answers_of(r.id) if v is not None)) for r in found]

    def responses(self, scope: Scope, assessment_id: int) -> list[ResponseRecord]:
        """The completed respondents with at least one answer row (the SQL joins the answers), by id."""
        ids = self._group_ids(scope, assessment_id)
        found = []
        for r in sorted(self.db.respondents.values(), key=lambda r: r.id):
            rows = self._answers_of(r.id)
            if r.group_id not in ids or r.completed_on is None or not rows:
                continue
            answers = {q: copy.deepcopy(v) for q, v, _ in rows if v is not None}
            found.append(ResponseRecord(r.group_id, answers, {q: c for q, _, c in rows if c}))
        return found

    def named_answers(self, scope: Scope, assessment_id: int) -> list[tuple[str, int, dict[str, Any]]]:
        """(person, group id, answers) of the completed respondents of named groups who came by a link
        and have at least one answer row, by link; two people of the same name stay apart."""
        ids = {i for i in self._group_ids(scope, assessment_id) if not self.db.groups[i].anonymous}
        people = [
            (link, r) for r in self.db.respondents.values()
            if r.group_id in ids and r.completed_on is not None and (link := self.db.links.get(r.link_id or 0)) is not None
        ]  # fmt: skip
        found = []
        for link, r in sorted(people, key=lambda p: (p[0].id, p[1].id)):
            rows = self._answers_of(r.id)
            if rows:
                found.append((link.name, r.group_id, {q: copy.deepcopy(v) for q, v, _ in rows if v is not None}))
        return found

    def forget_secrets(self, scope: Scope, assessment_id: int) -> None:
        ids = self._group_ids(scope, assessment_id)
        for respondent_id, r in self.db.respondents.items():
            if r.group_id in ids:
                self.db.respondent_secrets[respondent_id] = None

    def notes(self, scope: Scope, assessment_id: int) -> dict[str, ConsensusNoteRecord]:
        if self._assessment(scope, assessment_id) is None:
            return {}
        return _copy({q: n for (a, q), n in sorted(self.db.consensus_notes.items()) if a == assessment_id})

    def put_note(
        self, scope: Scope, assessment_id: int, question_id: str, proposed: Any, reason: str, decided_by: str
    ) -> None:
        if self._assessment(scope, assessment_id) is None:
            raise Gone(f"assessment {assessment_id}")
        record = ConsensusNoteRecord(question_id, copy.deepcopy(proposed), reason or "", decided_by or "", now())
        self.db.consensus_notes[(assessment_id, question_id)] = record

    # the respondent's side: by the hash of a token
    def link_by_hash(self, token_hash: str) -> tuple[LinkRecord, GroupRecord] | None:
        found = next((k for k, h in self.db.link_hashes.items() if h == token_hash), None)
        if found is None:
            return None
        link = self.db.links[found]
        return _copy(link), _copy(self.db.groups[link.group_id])

    def respondent_by_secret(self, secret_hash: str) -> tuple[RespondentRecord, GroupRecord] | None:
        found = next((k for k, h in self.db.respondent_secrets.items() if h == secret_hash), None)
        if found is None:
            return None
        r = self.db.respondents[found]
        return _copy(r), _copy(self.db.groups[r.group_id])

    def respondent_of_link(self, link_id: int) -> RespondentRecord | None:
        return _copy(next((r for r in self.db.respondents.values() if r.link_id == link_id), None))

    def assessment_of_group(self, group_id: int) -> tuple[AssessmentRecord, CompanyRecord]:
        group = self.db.groups.get(group_id)
        if group is None:
            raise Gone(f"group {group_id}")
        assessment = self.db.assessments[group.assessment_id]
        return _copy(assessment), _copy(self.db.companies[assessment.company_id])

    def campaign_of_group(self, group_id: int) -> CampaignRecord:
        group = self.db.groups.get(group_id)
        found = self.db.campaigns.get(group.assessment_id) if group is not None else None
        if found is None:
            raise Gone(f"group {group_id}")
        return _copy(found)

    def add_respondent(
        self, respondent_id: str, group_id: int, link_id: int | None, secret_hash: str | None
    ) -> RespondentRecord:
        if respondent_id in self.db.respondents:
            raise ValueError("respondents.id is the primary key")
        if secret_hash is not None and secret_hash in self.db.respondent_secrets.values():
            raise ValueError("secret_hash is unique")
        if group_id not in self.db.groups or (link_id is not None and link_id not in self.db.links):
            raise ValueError("FOREIGN KEY constraint failed")
        record = RespondentRecord(respondent_id, group_id, link_id, today(), None)
        self.db.respondents[respondent_id] = record
        self.db.respondent_secrets[respondent_id] = secret_hash
        return _copy(record)

    def use_link(self, link_id: int, named: bool) -> None:
        current = self.db.links[link_id]  # KeyError where get_one raises NoResultFound
        if named:
            self.db.links[link_id] = replace(current, last_used_on=today())
        else:
            self.db.links[link_id] = replace(current, uses=current.uses + 1)

    def respondent_answers(self, respondent_id: str) -> dict[str, tuple[Any, str]]:
        return {q: (copy.deepcopy(v), c) for q, v, c in self._answers_of(respondent_id)}

    def put_respondent_answer(
        self, respondent_id: str, question_id: str, value: Any = ..., comment: str | None = None
    ) -> tuple[Any, str]:
        """Set the value (unless ...) and/or the comment of one answer; a row with neither is deleted."""
        if respondent_id not in self.db.respondents:
            raise ValueError("FOREIGN KEY constraint failed")
        key = (respondent_id, question_id)
        old_value, old_comment = self.db.respondent_answers.get(key, (None, ""))
        new_value = old_value if value is ... else copy.deepcopy(value)
        new_comment = old_comment if comment is None else comment
        if new_value is None and not new_comment:
            self.db.respondent_answers.pop(key, None)
        else:
            self.db.respondent_answers[key] = (new_value, new_comment)
        return copy.deepcopy(new_value), new_comment or ""

    def complete_respondent(self, respondent_id: str, completed_on: date) -> None:
        current = self.db.respondents[respondent_id]  # KeyError where get_one raises NoResultFound
        self.db.respondents[respondent_id] = replace(current, completed_on=completed_on)
        self.db.respondent_secrets[respondent_id] = None  # no token leads to an anonymous response any more


class FakeCoachingRepository(_Repository):
    """Coaching notes per (assessment, question), in the actor's scope."""

    def notes(self, scope: Scope, assessment_id: int) -> dict[str, CoachingNoteRecord]:
        if self._assessment(scope, assessment_id) is None:
            return {}
        return {q: n for (a, q), n in sorted(self.db.coaching_notes.items()) if a == assessment_id}

    def note(self, scope: Scope, assessment_id: int, question_id: str, lock: bool = False) -> CoachingNoteRecord | None:
        if self._assessment(scope, assessment_id) is None:
            return None
        return self.db.coaching_notes.get((assessment_id, question_id))

    def put(self, scope: Scope, assessment_id: int, question_id: str, **fields: Any) -> CoachingNoteRecord:
        assert set(fields) <= NOTE_FIELDS, fields
        if self._assessment(scope, assessment_id) is None:
            raise Gone(f"assessment {assessment_id}")
        old = self.db.coaching_notes.get((assessment_id, question_id)) or CoachingNoteRecord(question_id, "", False, None, "", "", now())
        saved = replace(old, **fields, updated_at=now())
        self.db.coaching_notes[(assessment_id, question_id)] = saved
        return saved

    def delete(self, scope: Scope, assessment_id: int, question_id: str) -> bool:
        if self._assessment(scope, assessment_id) is None:
            return False
        return self.db.coaching_notes.pop((assessment_id, question_id), None) is not None


class FakeNetworkRepository(_Repository):
    """The in-memory store holds no network: every company belongs to none. Networks, their
    benchmark and their good practices are tested on the database (tests/test_networks.py…)."""

    def memberships(self, company_id: int) -> list[Any]:
        return []


class FakePracticeRepository(_Repository):
    """No network, hence no practice (see FakeNetworkRepository)."""

    def memberships(self, scope: Scope, network_id: int | None = None, company_id: int | None = None) -> list[Any]:
        return []

    def list(self, network_ids: Any, **filters: Any) -> list[Any]:
        return []


class FakeEvidenceRepository(_Repository):
    """No evidence is kept in memory: the evidence rules are tested on the database (tests/test_evidence.py)."""

    def of_assessment(self, scope: Scope, assessment_id: int) -> list[Any]:
        return []


class FakeVsmeRepository(_Repository):
    """No VSME module in memory: tested on the database (tests/test_vsme_service.py)."""

    def enabled(self, scope: Scope, assessment_id: int) -> bool:
        return False

    def values(self, scope: Scope, assessment_id: int) -> dict[str, Any]:
        return {}


class FakeUnitOfWork:
    """`SqlUnitOfWork` in memory: `with uow:` is one transaction (nested ones join it), committed when
    the outermost block ends normally, rolled back (the store restored) when it ends with an exception."""

    def __init__(self, store: Store | None = None):
        self.store = store if store is not None else Store()
        self._depth = 0
        self._before: Store | None = None
        self.memo: dict[str, object] = {}  # what one transaction has read once (the grants), emptied at its end
        self.commits = 0
        self.rollbacks = 0
        self.companies = FakeCompanyRepository(self)
        self.snapshots = FakeSnapshotRepository(self)
        self.assessments = FakeAssessmentRepository(self)
        self.answers = FakeAnswerRepository(self)
        self.actions = FakeActionRepository(self)
        self.workspaces = FakeWorkspaceRepository(self)
        self.users = FakeUserRepository(self)
        self.audit = FakeAuditRepository(self)
        self.participation = FakeParticipationRepository(self)
        self.coaching = FakeCoachingRepository(self)
        self.networks = FakeNetworkRepository(self)
        self.practices = FakePracticeRepository(self)
        self.evidence = FakeEvidenceRepository(self)
        self.vsme = FakeVsmeRepository(self)

    def __enter__(self) -> Self:
        self._depth += 1
        if self._depth == 1:
            self._before = self.store.copy()
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        self._depth -= 1
        if self._depth:
            return
        before, self._before = self._before, None
        self.memo.clear()
        if exc_type is None:
            self.commits += 1
            return
        self.rollbacks += 1
        assert before is not None
        counters = dict(self.store.counters)  # ids are not given again after a rollback either
        for f in dataclasses.fields(Store):
            setattr(self.store, f.name, getattr(before, f.name))
        self.store.counters = counters

    def fresh(self) -> FakeUnitOfWork:
        """Another unit of work on the same store."""
        return FakeUnitOfWork(self.store)

    def run(self, work: Callable[[Self], T], deadline: float | None = None) -> T:
        if self._depth:
            return work(self)
        with self:
            return work(self)


def fake_context(actor: Actor | None = None, lang: str = "fr", uow: FakeUnitOfWork | None = None) -> Context:
    """A context on a fake unit of work (a new, empty store unless `uow` is given); the local owner
    (with the default workspace) unless `actor` is given."""
    from diagnostic.services import workspaces

    uow = uow if uow is not None else FakeUnitOfWork()
    return Context(uow, actor if actor is not None else workspaces.local_actor(uow), lang)
