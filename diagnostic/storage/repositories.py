"""One repository per aggregate, each bound to the session of a unit of work.

Every query on companies and what belongs to them takes the `Scope` of the acting user: a row
outside it is not found, exactly like a row that does not exist. Methods return records
(`records.py`), never ORM objects.
"""

from __future__ import annotations

import builtins
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, false, func, or_, select, update
from sqlalchemy.orm import Session

from diagnostic.core.errors import Conflict, Gone
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.roles import Scope
from diagnostic.storage.models import (
    Action,
    AnswerRow,
    Assessment,
    AuditEvent,
    Campaign,
    Company,
    ConsensusNote,
    Evidence,
    Invitation,
    Membership,
    QuestionnaireSnapshot,
    Respondent,
    RespondentAnswer,
    RespondentGroup,
    RespondentLink,
    User,
    Workspace,
    utcnow,
)
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

ACTION_FIELDS = {"title", "owner", "due_date", "status", "notes", "position"}
ASSESSMENT_FIELDS = {"label", "respondent", "status", "targets", "created_at"}


def aware(moment: datetime | None) -> datetime | None:
    # SQLite gives back naive datetimes; everything is stored in UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _within(scope: Scope) -> ColumnElement[bool]:
    """The SQL condition of a scope, on the companies table."""
    parts = []
    if scope.workspaces:
        parts.append(Company.workspace_id.in_(sorted(scope.workspaces)))
    if scope.companies:
        parts.append(Company.id.in_(sorted(scope.companies)))
    return or_(*parts) if parts else false()


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip()).casefold()


def _profile_columns(profile: Profile) -> dict[str, Any]:
    return {
        "sector": profile.sector,
        "headcount_band": profile.headcount_band,
        "sites": profile.sites,
        "production_site": profile.production_site,
        "tertiary_area_1000m2": profile.tertiary_area_1000m2,
        "region": profile.region,
    }


def company_record(row: Company) -> CompanyRecord:
    profile = Profile(
        headcount_band=row.headcount_band,  # type: ignore[arg-type]
        sector=row.sector,
        sites=row.sites,
        production_site=row.production_site,
        tertiary_area_1000m2=row.tertiary_area_1000m2,
        region=row.region,  # type: ignore[arg-type]
    )
    return CompanyRecord(
        id=row.id, name=row.name, profile=profile, notes=row.notes or "", created_at=aware(row.created_at),  # type: ignore[arg-type]
        workspace_id=row.workspace_id, next_follow_up=row.next_follow_up,
    )  # fmt: skip


def assessment_record(row: Assessment) -> AssessmentRecord:
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
        created_at=aware(row.created_at),  # type: ignore[arg-type]
        updated_at=aware(row.updated_at),  # type: ignore[arg-type]
        completed_at=aware(row.completed_at),
    )


def answer_record(row: AnswerRow) -> AnswerRecord:
    return AnswerRecord(row.question_id, row.value, row.comment or "", row.answered_by or "", aware(row.answered_at))  # type: ignore[arg-type]


def action_record(row: Action) -> ActionRecord:
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


def _check_expected(row: Action, expected: dict[str, Any] | None) -> None:
    for key, value in (expected or {}).items():
        if getattr(row, key) != value:
            raise Conflict(action_record(row))


class _Repository:
    # A repository's `list` method hides the builtin in its class body: annotations written after it
    # say `builtins.list`.
    def __init__(self, session: Session):
        self.s = session


class CompanyRepository(_Repository):
    def _row(self, scope: Scope, company_id: int) -> Company | None:
        return self.s.scalar(select(Company).where(Company.id == company_id, _within(scope)))

    def list(self, scope: Scope) -> list[CompanyRecord]:
        query = select(Company).where(_within(scope)).order_by(func.lower(Company.name), Company.id)
        return [company_record(r) for r in self.s.scalars(query)]

    def get(self, scope: Scope, company_id: int) -> CompanyRecord | None:
        row = self._row(scope, company_id)
        return company_record(row) if row else None

    def find_by_name(self, scope: Scope, name: str) -> builtins.list[CompanyRecord]:
        # compared in Python: SQLite's lower() knows ASCII only, so "ÉTOILE" would not match "étoile"
        wanted = _folded(name)
        query = select(Company).where(_within(scope)).order_by(Company.id)
        return [company_record(r) for r in self.s.scalars(query) if _folded(r.name) == wanted]

    def add(self, workspace_id: int, name: str, profile: Profile, notes: str = "") -> CompanyRecord:
        row = Company(workspace_id=workspace_id, name=name.strip(), notes=notes, **_profile_columns(profile))
        self.s.add(row)
        self.s.flush()
        return company_record(row)

    def update(
        self, scope: Scope, company_id: int, name: str, profile: Profile, notes: str = "", created_at: datetime | None = None
    ) -> CompanyRecord:
        row = self._row(scope, company_id)
        if row is None:
            raise Gone(f"company {company_id}")
        row.name = name.strip()
        row.notes = notes
        for key, value in _profile_columns(profile).items():
            setattr(row, key, value)
        if created_at is not None:
            row.created_at = created_at
        self.s.flush()
        return company_record(row)

    def delete(self, scope: Scope, company_id: int) -> bool:
        row = self._row(scope, company_id)
        if row is None:
            return False
        self.s.delete(row)
        self.s.flush()
        return True


class SnapshotRepository(_Repository):
    """Questionnaire texts by content hash: shared content, not anyone's data (no scope)."""

    def save(self, loaded: LoadedQuestionnaire, source_text: str) -> None:
        if self.s.get(QuestionnaireSnapshot, loaded.content_hash) is None:
            self.s.add(
                QuestionnaireSnapshot(
                    content_hash=loaded.content_hash, questionnaire_id=loaded.id, version=loaded.version, source_text=source_text
                )
            )
            self.s.flush()

    def text(self, content_hash: str) -> str | None:
        row = self.s.get(QuestionnaireSnapshot, content_hash)
        return row.source_text if row else None


class AssessmentRepository(_Repository):
    def _row(self, scope: Scope, assessment_id: int, lock: bool = False) -> Assessment | None:
        query = select(Assessment).join(Company).where(Assessment.id == assessment_id, _within(scope))
        return self.s.scalar(query.with_for_update(of=Assessment) if lock else query)

    def get(self, scope: Scope, assessment_id: int) -> AssessmentRecord | None:
        row = self._row(scope, assessment_id)
        return assessment_record(row) if row else None

    def with_company(self, scope: Scope, assessment_id: int) -> tuple[AssessmentRecord, CompanyRecord] | None:
        """The assessment and its company, in one query."""
        query = select(Assessment, Company).join(Company).where(Assessment.id == assessment_id, _within(scope))
        found = self.s.execute(query).first()
        return (assessment_record(found[0]), company_record(found[1])) if found else None

    def list(self, scope: Scope, company_id: int) -> list[AssessmentRecord]:
        query = (
            select(Assessment).join(Company)
            .where(Assessment.company_id == company_id, _within(scope))
            .order_by(Assessment.created_at, Assessment.id)
        )  # fmt: skip
        return [assessment_record(r) for r in self.s.scalars(query)]

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
        if self.s.scalar(select(Company.id).where(Company.id == company_id, _within(scope))) is None:
            raise Gone(f"company {company_id}")
        row = Assessment(
            company_id=company_id,
            questionnaire_id=loaded.id,
            questionnaire_version=loaded.version,
            content_hash=loaded.content_hash,
            label=label,
            respondent=respondent,
            status=status,
            targets=dict(targets or {}),
            completed_at=completed_at,
        )
        if created_at is not None:
            row.created_at = created_at
        self.s.add(row)
        self.s.flush()
        return assessment_record(row)

    def update(self, scope: Scope, assessment_id: int, **fields: Any) -> AssessmentRecord:
        unknown = set(fields) - ASSESSMENT_FIELDS
        if unknown:
            raise ValueError(f"cannot update {', '.join(sorted(unknown))}")
        row = self._row(scope, assessment_id, lock=True)
        if row is None:
            raise Gone(f"assessment {assessment_id}")
        for key, value in fields.items():
            setattr(row, key, dict(value) if key == "targets" else value)
        if fields.get("status") == "completed" and row.completed_at is None:
            row.completed_at = utcnow()
        elif fields.get("status") == "in_progress":
            row.completed_at = None
        row.updated_at = utcnow()
        self.s.flush()
        return assessment_record(row)

    def delete(self, scope: Scope, assessment_id: int) -> bool:
        row = self._row(scope, assessment_id)
        if row is None:
            return False
        self.s.delete(row)
        self.s.flush()
        return True

    def stamp(self, scope: Scope, assessment_id: int) -> datetime | None:
        """When anything of the assessment last changed (answers, comments, plan): a cheap poll."""
        query = select(Assessment.updated_at).join(Company).where(Assessment.id == assessment_id, _within(scope))
        return aware(self.s.scalar(query))


class AnswerRepository(_Repository):
    def _assessment(self, scope: Scope, assessment_id: int, lock: bool = False) -> Assessment:
        query = select(Assessment).join(Company).where(Assessment.id == assessment_id, _within(scope))
        row = self.s.scalar(query.with_for_update(of=Assessment) if lock else query)
        if row is None:
            raise Gone(f"assessment {assessment_id}")
        return row

    def load(self, scope: Scope, assessment_id: int) -> dict[str, AnswerRecord]:
        query = (
            select(AnswerRow).join(Assessment).join(Company)
            .where(AnswerRow.assessment_id == assessment_id, _within(scope))
            .order_by(AnswerRow.id)
        )  # fmt: skip
        return {r.question_id: answer_record(r) for r in self.s.scalars(query)}

    def edit(
        self,
        scope: Scope,
        assessment_id: int,
        question_id: str,
        edit: Callable[[AnswerRecord | None], AnswerEdit],
        answered_by: str = "",
    ) -> AnswerRecord | None:
        """Compare-and-set one answer: `edit` sees the stored row (locked) and returns its new state.

        `edit` may raise (a Conflict) to write nothing. A row with neither value nor comment is
        deleted. Returns the stored answer afterwards (None when there is none). Raises Gone when the
        assessment is not there (deleted, or outside the scope).
        """
        assessment = self._assessment(scope, assessment_id, lock=True)
        query = select(AnswerRow).where(AnswerRow.assessment_id == assessment_id, AnswerRow.question_id == question_id)
        row = self.s.scalar(query.with_for_update())
        new = edit(answer_record(row) if row else None)
        if row is None:
            if new.value is None and not new.comment:
                return None
            row = AnswerRow(assessment_id=assessment_id, question_id=question_id, comment="", answered_by="")
            self.s.add(row)
        elif new.value is None and not new.comment:
            self.s.delete(row)
            # its evidence goes with it (a comment alone keeps the row, and the evidence)
            self.s.execute(delete(Evidence).where(Evidence.assessment_id == assessment_id, Evidence.question_id == question_id))
            assessment.updated_at = utcnow()
            return None
        if new.value != row.value or row.id is None:
            row.value = new.value
            row.answered_by = answered_by or row.answered_by or ""
        row.comment = new.comment
        row.answered_at = utcnow()
        assessment.updated_at = utcnow()
        self.s.flush()
        return answer_record(row)

    def replace(self, scope: Scope, assessment_id: int, answers: dict[str, tuple[Any, str]], answered_by: str = "") -> None:
        """All the answers of an assessment at once (an import, the demo)."""
        assessment = self._assessment(scope, assessment_id, lock=True)
        self.s.execute(delete(AnswerRow).where(AnswerRow.assessment_id == assessment_id))
        for question_id, (value, comment) in answers.items():
            self.s.add(
                AnswerRow(
                    assessment_id=assessment_id, question_id=question_id, value=value, comment=comment or "", answered_by=answered_by
                )
            )
        answered = [qid for qid, (value, _comment) in answers.items() if value is not None]
        self.s.execute(delete(Evidence).where(Evidence.assessment_id == assessment_id, Evidence.question_id.not_in(answered)))
        assessment.updated_at = utcnow()
        self.s.flush()


class ActionRepository(_Repository):
    def _row(self, scope: Scope, action_id: int) -> Action | None:
        query = select(Action).join(Assessment).join(Company).where(Action.id == action_id, _within(scope))
        return self.s.scalar(query.with_for_update(of=Action))

    def _assessment(self, scope: Scope, assessment_id: int) -> Assessment:
        row = self.s.scalar(select(Assessment).join(Company).where(Assessment.id == assessment_id, _within(scope)))
        if row is None:
            raise Gone(f"assessment {assessment_id}")
        return row

    def list(self, scope: Scope, assessment_id: int) -> list[ActionRecord]:
        query = (
            select(Action).join(Assessment).join(Company)
            .where(Action.assessment_id == assessment_id, _within(scope))
            .order_by(Action.position, Action.id)
        )  # fmt: skip
        return [action_record(r) for r in self.s.scalars(query)]

    def add(self, scope: Scope, assessment_id: int, title: str, **fields: Any) -> ActionRecord:
        unknown = set(fields) - ACTION_FIELDS - {"recommendation_id", "question_id"}
        if unknown:
            raise ValueError(f"unknown action fields: {', '.join(sorted(unknown))}")
        assessment = self._assessment(scope, assessment_id)
        if "position" not in fields:
            last = self.s.scalar(select(func.max(Action.position)).where(Action.assessment_id == assessment_id))
            fields["position"] = (last or 0) + 1
        row = Action(assessment_id=assessment_id, title=title, **fields)
        self.s.add(row)
        assessment.updated_at = utcnow()
        self.s.flush()
        return action_record(row)

    def update(self, scope: Scope, action_id: int, expected: dict[str, Any] | None = None, **fields: Any) -> ActionRecord:
        """Change some fields; with `expected`, only if those fields still hold those values.

        Raises Gone when the action was deleted meanwhile, Conflict when a field changed meanwhile.
        """
        unknown = set(fields) - ACTION_FIELDS
        if unknown:
            raise ValueError(f"unknown action fields: {', '.join(sorted(unknown))}")
        row = self._row(scope, action_id)
        if row is None:
            raise Gone(f"action {action_id}")
        _check_expected(row, expected)
        for key, value in fields.items():
            setattr(row, key, value)
        self.s.get_one(Assessment, row.assessment_id).updated_at = utcnow()
        self.s.flush()
        return action_record(row)

    def delete(self, scope: Scope, action_id: int, expected: dict[str, Any] | None = None) -> None:
        """Delete an action; with `expected`, only if it was not changed meanwhile (else Conflict)."""
        row = self._row(scope, action_id)
        if row is None:
            return  # already gone: the wish is fulfilled
        _check_expected(row, expected)
        self.s.get_one(Assessment, row.assessment_id).updated_at = utcnow()
        self.s.delete(row)
        self.s.flush()


def workspace_record(row: Workspace) -> WorkspaceRecord:
    return WorkspaceRecord(row.id, row.name, row.kind, aware(row.created_at), row.label_id)  # type: ignore[arg-type]


def user_record(row: User) -> UserRecord:
    return UserRecord(row.id, row.issuer, row.subject, row.email or "", row.name or "")


def invitation_record(row: Invitation) -> InvitationRecord:
    return InvitationRecord(
        id=row.id, workspace_id=row.workspace_id, role=row.role, company_ids=tuple(row.company_ids or ()),
        email=row.email or "", created_by=row.created_by or "", created_at=aware(row.created_at),  # type: ignore[arg-type]
        expires_at=aware(row.expires_at), used_at=aware(row.used_at), used_by=row.used_by,  # type: ignore[arg-type]
        revoked_at=aware(row.revoked_at),
    )  # fmt: skip


class WorkspaceRepository(_Repository):
    """Workspaces with their memberships and invitations."""

    def get(self, workspace_id: int) -> WorkspaceRecord | None:
        row = self.s.get(Workspace, workspace_id)
        return workspace_record(row) if row else None

    def list(self, ids: list[int] | None = None) -> list[WorkspaceRecord]:
        """The workspaces of `ids` (all of them for None: the command line of the operator)."""
        query = select(Workspace).order_by(func.lower(Workspace.name), Workspace.id)
        if ids is not None:
            query = query.where(Workspace.id.in_(ids))
        return [workspace_record(r) for r in self.s.scalars(query)]

    def find(self, name_or_id: str) -> builtins.list[WorkspaceRecord]:
        if name_or_id.isdigit():
            row = self.s.get(Workspace, int(name_or_id))
            return [workspace_record(row)] if row else []
        wanted = _folded(name_or_id)
        return [workspace_record(r) for r in self.s.scalars(select(Workspace).order_by(Workspace.id)) if _folded(r.name) == wanted]

    def add(self, name: str, kind: str) -> WorkspaceRecord:
        row = Workspace(name=name.strip(), kind=kind)
        self.s.add(row)
        self.s.flush()
        return workspace_record(row)

    # memberships
    def memberships_of(self, user_id: int) -> builtins.list[MembershipRecord]:
        query = select(Membership).where(Membership.user_id == user_id).order_by(Membership.workspace_id)
        return [
            MembershipRecord(m.id, m.workspace_id, m.user_id, m.role, tuple(m.company_ids or ())) for m in self.s.scalars(query)
        ]

    def members(self, workspace_id: int) -> builtins.list[MembershipRecord]:
        query = select(Membership, User).join(User).where(Membership.workspace_id == workspace_id).order_by(Membership.id)
        return [
            MembershipRecord(m.id, m.workspace_id, m.user_id, m.role, tuple(m.company_ids or ()), user_record(u).label)
            for m, u in self.s.execute(query).all()
        ]

    def put_member(self, workspace_id: int, user_id: int, role: str, company_ids: tuple[int, ...] = ()) -> None:
        """Add the membership, or change its role when the user is already a member."""
        row = self.s.scalar(select(Membership).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id))
        if row is None:
            self.s.add(Membership(workspace_id=workspace_id, user_id=user_id, role=role, company_ids=list(company_ids)))
        else:
            row.role = role
            row.company_ids = sorted(set(row.company_ids or ()) | set(company_ids)) if role == "company_manager" else []
        self.s.flush()

    def remove_member(self, workspace_id: int, user_id: int) -> bool:
        result = self.s.execute(delete(Membership).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # invitations
    def add_invitation(
        self, workspace_id: int, token_hash: str, role: str, company_ids: tuple[int, ...], email: str, created_by: str,
        expires_at: datetime,
    ) -> InvitationRecord:  # fmt: skip
        row = Invitation(
            workspace_id=workspace_id, token_hash=token_hash, role=role, company_ids=list(company_ids), email=email,
            created_by=created_by, expires_at=expires_at,
        )  # fmt: skip
        self.s.add(row)
        self.s.flush()
        return invitation_record(row)

    def invitation_by_hash(self, token_hash: str) -> InvitationRecord | None:
        row = self.s.scalar(select(Invitation).where(Invitation.token_hash == token_hash).with_for_update())
        return invitation_record(row) if row else None

    def invitations(self, workspace_id: int) -> builtins.list[InvitationRecord]:
        query = select(Invitation).where(Invitation.workspace_id == workspace_id).order_by(Invitation.id)
        return [invitation_record(r) for r in self.s.scalars(query)]

    def mark_invitation(self, invitation_id: int, *, used_by: int | None = None, revoked: bool = False) -> None:
        row = self.s.get_one(Invitation, invitation_id)
        if revoked:
            row.revoked_at = utcnow()
        else:
            row.used_at, row.used_by = utcnow(), used_by
        self.s.flush()


class UserRepository(_Repository):
    def get(self, user_id: int) -> UserRecord | None:
        row = self.s.get(User, user_id)
        return user_record(row) if row else None

    def find(self, issuer: str, subject: str) -> UserRecord | None:
        row = self.s.scalar(select(User).where(User.issuer == issuer, User.subject == subject))
        return user_record(row) if row else None

    def by_email(self, email: str) -> list[UserRecord]:
        wanted = _folded(email)
        return [user_record(r) for r in self.s.scalars(select(User).order_by(User.id)) if _folded(r.email) == wanted]

    def sign_in(self, issuer: str, subject: str, email: str = "", name: str = "") -> UserRecord:
        """The user of this identity, created at the first sign-in; e-mail and name refreshed."""
        row = self.s.scalar(select(User).where(User.issuer == issuer, User.subject == subject))
        if row is None:
            row = User(issuer=issuer, subject=subject, email=email, name=name)
            self.s.add(row)
        else:
            row.email, row.name = email or row.email, name or row.name
        row.last_seen_at = utcnow()
        self.s.flush()
        return user_record(row)


class AuditRepository(_Repository):
    def add(self, workspace_id: int, user_id: int | None, actor: str, action: str, target: str = "", detail: str = "") -> None:
        self.s.add(AuditEvent(workspace_id=workspace_id, user_id=user_id, actor=actor, action=action, target=target, detail=detail))

    def forget(self, workspace_id: int, targets: builtins.list[str]) -> None:
        """Blank the details (names) of the lines about erased items; that they happened stays."""
        if targets:
            self.s.execute(
                update(AuditEvent).where(AuditEvent.workspace_id == workspace_id, AuditEvent.target.in_(targets)).values(detail="")
            )

    def list(self, workspace_id: int, limit: int = 1000) -> list[AuditRecord]:
        query = select(AuditEvent).where(AuditEvent.workspace_id == workspace_id).order_by(AuditEvent.id.desc()).limit(limit)
        return [
            AuditRecord(r.id, r.workspace_id, aware(r.at), r.actor, r.action, r.target, r.detail)  # type: ignore[arg-type]
            for r in self.s.scalars(query)
        ]


def campaign_record(row: Campaign) -> CampaignRecord:
    return CampaignRecord(row.assessment_id, row.k, row.comment_k, bool(row.share_results), row.launched_on, row.closed_on)


def group_record(row: RespondentGroup) -> GroupRecord:
    return GroupRecord(row.id, row.assessment_id, row.key, row.label, bool(row.anonymous), row.position)


def link_record(row: RespondentLink) -> LinkRecord:
    return LinkRecord(
        id=row.id, group_id=row.group_id, name=row.name or "", created_by=row.created_by or "", created_on=row.created_on,
        expires_at=aware(row.expires_at), revoked_at=aware(row.revoked_at), max_uses=row.max_uses,  # type: ignore[arg-type]
        uses=row.uses or 0, last_used_on=row.last_used_on,
    )  # fmt: skip


GROUP_FIELDS = {"label", "anonymous"}
CAMPAIGN_FIELDS = {"k", "comment_k", "share_results", "launched_on", "closed_on"}


class ParticipationRepository(_Repository):
    """Campaigns, respondent groups, links, respondents and consensus notes.

    The owner's side takes the actor's scope, as every other repository. The respondent's side is
    reached by the hash of a token only: the token is the respondent's whole authority.
    """

    def _assessment_in(self, scope: Scope, assessment_id: int) -> bool:
        query = select(Assessment.id).join(Company).where(Assessment.id == assessment_id, _within(scope))
        return self.s.scalar(query) is not None

    def _campaign_row(self, scope: Scope, assessment_id: int, lock: bool = False) -> Campaign | None:
        query = (
            select(Campaign).join(Assessment, Assessment.id == Campaign.assessment_id).join(Company)
            .where(Campaign.assessment_id == assessment_id, _within(scope))
        )  # fmt: skip
        return self.s.scalar(query.with_for_update(of=Campaign) if lock else query)

    def _group_row(self, scope: Scope, group_id: int) -> RespondentGroup | None:
        query = (
            select(RespondentGroup).join(Assessment, Assessment.id == RespondentGroup.assessment_id).join(Company)
            .where(RespondentGroup.id == group_id, _within(scope))
        )  # fmt: skip
        return self.s.scalar(query)

    def _link_row(self, scope: Scope, link_id: int) -> RespondentLink | None:
        query = (
            select(RespondentLink).join(RespondentGroup).join(Assessment, Assessment.id == RespondentGroup.assessment_id)
            .join(Company).where(RespondentLink.id == link_id, _within(scope))
        )  # fmt: skip
        return self.s.scalar(query.with_for_update(of=RespondentLink))

    # the owner's side
    def campaign(self, scope: Scope, assessment_id: int) -> CampaignRecord | None:
        row = self._campaign_row(scope, assessment_id)
        return campaign_record(row) if row else None

    def open(
        self, scope: Scope, assessment_id: int, groups: builtins.list[tuple[str, str, bool]], k: int, comment_k: int
    ) -> CampaignRecord:
        """Open the assessment to respondent groups ((key, label, anonymous) in order)."""
        if not self._assessment_in(scope, assessment_id):
            raise Gone(f"assessment {assessment_id}")
        row = Campaign(assessment_id=assessment_id, k=k, comment_k=comment_k, share_results=False)
        self.s.add(row)
        for position, (key, label, anonymous) in enumerate(groups):
            self.s.add(RespondentGroup(assessment_id=assessment_id, key=key, label=label, anonymous=anonymous, position=position))
        self.s.flush()
        return campaign_record(row)

    def update_campaign(self, scope: Scope, assessment_id: int, **fields: Any) -> CampaignRecord:
        unknown = set(fields) - CAMPAIGN_FIELDS
        if unknown:
            raise ValueError(f"cannot update {', '.join(sorted(unknown))}")
        row = self._campaign_row(scope, assessment_id, lock=True)
        if row is None:
            raise Gone(f"campaign {assessment_id}")
        for key, value in fields.items():
            setattr(row, key, value)
        self.s.flush()
        return campaign_record(row)

    def groups(self, scope: Scope, assessment_id: int) -> builtins.list[GroupRecord]:
        query = (
            select(RespondentGroup).join(Assessment, Assessment.id == RespondentGroup.assessment_id).join(Company)
            .where(RespondentGroup.assessment_id == assessment_id, _within(scope))
            .order_by(RespondentGroup.position, RespondentGroup.id)
        )  # fmt: skip
        return [group_record(r) for r in self.s.scalars(query)]

    def update_group(self, scope: Scope, group_id: int, **fields: Any) -> GroupRecord:
        unknown = set(fields) - GROUP_FIELDS
        if unknown:
            raise ValueError(f"cannot update {', '.join(sorted(unknown))}")
        row = self._group_row(scope, group_id)
        if row is None:
            raise Gone(f"group {group_id}")
        for key, value in fields.items():
            setattr(row, key, value)
        self.s.flush()
        return group_record(row)

    def add_link(
        self, scope: Scope, group_id: int, token_hash: str, name: str, created_by: str, expires_at: datetime,
        max_uses: int | None,
    ) -> LinkRecord:  # fmt: skip
        if self._group_row(scope, group_id) is None:
            raise Gone(f"group {group_id}")
        row = RespondentLink(
            group_id=group_id, token_hash=token_hash, name=name, created_by=created_by, created_on=utcnow().date(),
            expires_at=expires_at, max_uses=max_uses, uses=0,
        )  # fmt: skip
        self.s.add(row)
        self.s.flush()
        return link_record(row)

    def links(self, scope: Scope, assessment_id: int) -> builtins.list[LinkRecord]:
        query = (
            select(RespondentLink).join(RespondentGroup).join(Assessment, Assessment.id == RespondentGroup.assessment_id)
            .join(Company).where(RespondentGroup.assessment_id == assessment_id, _within(scope))
            .order_by(RespondentLink.id)
        )  # fmt: skip
        return [link_record(r) for r in self.s.scalars(query)]

    def change_link(
        self, scope: Scope, link_id: int, *, revoke: bool = False, token_hash: str | None = None,
        expires_at: datetime | None = None,
    ) -> LinkRecord:  # fmt: skip
        """Revoke a link, or give it a new token (a reminder: the old address stops working)."""
        row = self._link_row(scope, link_id)
        if row is None:
            raise Gone(f"link {link_id}")
        if revoke:
            row.revoked_at = utcnow()
        if token_hash is not None:
            row.token_hash, row.revoked_at = token_hash, None
        if expires_at is not None:
            row.expires_at = expires_at
        self.s.flush()
        return link_record(row)

    def respondents(self, scope: Scope, assessment_id: int) -> builtins.list[RespondentRecord]:
        answered = (
            select(RespondentAnswer.respondent_id, func.count().label("n"))
            .where(RespondentAnswer.value.is_not(None)).group_by(RespondentAnswer.respondent_id).subquery()
        )  # fmt: skip
        query = (
            select(Respondent, answered.c.n).join(RespondentGroup)
            .join(Assessment, Assessment.id == RespondentGroup.assessment_id).join(Company)
            .outerjoin(answered, answered.c.respondent_id == Respondent.id)
            .where(RespondentGroup.assessment_id == assessment_id, _within(scope))
            .order_by(Respondent.group_id, Respondent.id)
        )  # fmt: skip
        return [
            RespondentRecord(r.id, r.group_id, r.link_id, r.started_on, r.completed_on, n or 0) for r, n in self.s.execute(query)
        ]

    def responses(self, scope: Scope, assessment_id: int) -> builtins.list[ResponseRecord]:
        """The answers of the completed respondents, group by group, in no meaningful order."""
        query = (
            select(Respondent.id, Respondent.group_id, RespondentAnswer.question_id, RespondentAnswer.value, RespondentAnswer.comment)
            .join(RespondentGroup, RespondentGroup.id == Respondent.group_id)
            .join(Assessment, Assessment.id == RespondentGroup.assessment_id).join(Company)
            .join(RespondentAnswer, RespondentAnswer.respondent_id == Respondent.id)
            .where(RespondentGroup.assessment_id == assessment_id, Respondent.completed_on.is_not(None), _within(scope))
            .order_by(Respondent.id)
        )  # fmt: skip
        found: dict[str, ResponseRecord] = {}
        for respondent_id, group_id, question_id, value, comment in self.s.execute(query):
            response = found.setdefault(respondent_id, ResponseRecord(group_id, {}, {}))
            if value is not None:
                response.answers[question_id] = value
            if comment:
                response.comments[question_id] = comment
        return builtins.list(found.values())

    def named_answers(self, scope: Scope, assessment_id: int) -> builtins.list[tuple[str, int, dict[str, Any]]]:
        """(person, group id, answers) of the named respondents who sent their answers, person by
        person (two people may share a name), for the JSON export."""
        query = (
            select(Respondent.id, RespondentLink.name, Respondent.group_id, RespondentAnswer.question_id, RespondentAnswer.value)
            .join(RespondentLink, Respondent.link_id == RespondentLink.id)
            .join(RespondentGroup, RespondentGroup.id == Respondent.group_id)
            .join(Assessment, Assessment.id == RespondentGroup.assessment_id).join(Company)
            .join(RespondentAnswer, RespondentAnswer.respondent_id == Respondent.id)
            .where(
                RespondentGroup.assessment_id == assessment_id, RespondentGroup.anonymous.is_(False),
                Respondent.completed_on.is_not(None), _within(scope),
            )
            .order_by(RespondentLink.id)
        )  # fmt: skip
        found: dict[str, tuple[str, int, dict[str, Any]]] = {}
        for respondent_id, name, group_id, question_id, value in self.s.execute(query):
            person = found.setdefault(respondent_id, (name, group_id, {}))
            if value is not None:
                person[2][question_id] = value
        return builtins.list(found.values())

    def forget_secrets(self, scope: Scope, assessment_id: int) -> None:
        """The collection closed: no anonymous respondent can come back, nothing leads to their answers."""
        groups = (
            select(RespondentGroup.id).join(Assessment, Assessment.id == RespondentGroup.assessment_id).join(Company)
            .where(RespondentGroup.assessment_id == assessment_id, _within(scope))
        )  # fmt: skip
        self.s.execute(update(Respondent).where(Respondent.group_id.in_(groups)).values(secret_hash=None))

    def notes(self, scope: Scope, assessment_id: int) -> dict[str, ConsensusNoteRecord]:
        query = (
            select(ConsensusNote).join(Assessment, Assessment.id == ConsensusNote.assessment_id).join(Company)
            .where(ConsensusNote.assessment_id == assessment_id, _within(scope))
        )  # fmt: skip
        return {
            r.question_id: ConsensusNoteRecord(r.question_id, r.proposed, r.reason or "", r.decided_by or "", aware(r.decided_at))  # type: ignore[arg-type]
            for r in self.s.scalars(query)
        }

    def put_note(self, scope: Scope, assessment_id: int, question_id: str, proposed: Any, reason: str, decided_by: str) -> None:
        if not self._assessment_in(scope, assessment_id):
            raise Gone(f"assessment {assessment_id}")
        row = self.s.get(ConsensusNote, (assessment_id, question_id))
        if row is None:
            row = ConsensusNote(assessment_id=assessment_id, question_id=question_id)
            self.s.add(row)
        row.proposed, row.reason, row.decided_by, row.decided_at = proposed, reason, decided_by, utcnow()
        self.s.flush()

    # the respondent's side: by the hash of a token
    def link_by_hash(self, token_hash: str) -> tuple[LinkRecord, GroupRecord] | None:
        query = select(RespondentLink, RespondentGroup).join(RespondentGroup).where(RespondentLink.token_hash == token_hash)
        found = self.s.execute(query.with_for_update(of=RespondentLink)).first()
        return (link_record(found[0]), group_record(found[1])) if found else None

    def respondent_by_secret(self, secret_hash: str) -> tuple[RespondentRecord, GroupRecord] | None:
        query = select(Respondent, RespondentGroup).join(RespondentGroup).where(Respondent.secret_hash == secret_hash)
        found = self.s.execute(query).first()
        if not found:
            return None
        r = found[0]
        return RespondentRecord(r.id, r.group_id, r.link_id, r.started_on, r.completed_on), group_record(found[1])

    def respondent_of_link(self, link_id: int) -> RespondentRecord | None:
        r = self.s.scalar(select(Respondent).where(Respondent.link_id == link_id))
        return RespondentRecord(r.id, r.group_id, r.link_id, r.started_on, r.completed_on) if r else None

    def assessment_of_group(self, group_id: int) -> tuple[AssessmentRecord, CompanyRecord]:
        query = (
            select(Assessment, Company).join(Company)
            .join(RespondentGroup, RespondentGroup.assessment_id == Assessment.id).where(RespondentGroup.id == group_id)
        )  # fmt: skip
        found = self.s.execute(query).first()
        if found is None:
            raise Gone(f"group {group_id}")
        return assessment_record(found[0]), company_record(found[1])

    def campaign_of_group(self, group_id: int) -> CampaignRecord:
        row = self.s.scalar(
            select(Campaign).join(RespondentGroup, RespondentGroup.assessment_id == Campaign.assessment_id)
            .where(RespondentGroup.id == group_id)
        )  # fmt: skip
        if row is None:
            raise Gone(f"group {group_id}")
        return campaign_record(row)

    def add_respondent(self, respondent_id: str, group_id: int, link_id: int | None, secret_hash: str | None) -> RespondentRecord:
        today = utcnow().date()
        self.s.add(Respondent(id=respondent_id, group_id=group_id, link_id=link_id, secret_hash=secret_hash, started_on=today))
        self.s.flush()
        return RespondentRecord(respondent_id, group_id, link_id, today, None)

    def use_link(self, link_id: int, named: bool) -> None:
        """One more use of a link; a named link also keeps the day it was last used."""
        row = self.s.get_one(RespondentLink, link_id)
        if named:
            row.last_used_on = utcnow().date()
        else:
            row.uses = (row.uses or 0) + 1
        self.s.flush()

    def respondent_answers(self, respondent_id: str) -> dict[str, tuple[Any, str]]:
        query = select(RespondentAnswer).where(RespondentAnswer.respondent_id == respondent_id)
        return {r.question_id: (r.value, r.comment or "") for r in self.s.scalars(query)}

    def put_respondent_answer(self, respondent_id: str, question_id: str, value: Any = ..., comment: str | None = None) -> tuple[Any, str]:
        """Set the value (unless ...) and/or the comment of one answer; a row with neither is deleted
        (and none is made)."""
        row = self.s.get(RespondentAnswer, (respondent_id, question_id), with_for_update=True)
        stored_value = (row.value if row else None) if value is ... else value
        stored_comment = (row.comment or "" if row else "") if comment is None else comment
        if stored_value is None and not stored_comment:
            if row is not None:
                self.s.delete(row)
                self.s.flush()
            return None, ""
        if row is None:
            row = RespondentAnswer(respondent_id=respondent_id, question_id=question_id)
            self.s.add(row)
        row.value, row.comment = stored_value, stored_comment
        self.s.flush()
        return stored_value, stored_comment

    def complete_respondent(self, respondent_id: str, completed_on: date) -> None:
        row = self.s.get_one(Respondent, respondent_id)
        row.completed_on = completed_on
        row.secret_hash = None  # an anonymous response is no longer reachable by any token
        self.s.flush()
