"""Database tables (SQLAlchemy 2.0 typed models). Changes need an Alembic migration."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Workspace(Base):
    """A consultancy, a network or one company's own space: the unit of access (migration 0003)."""

    __tablename__ = "workspaces"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="consultancy")  # consultancy | network | company
    label_id: Mapped[str | None] = mapped_column(String(80))  # a network: the label it runs (labels/<id>.yaml)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    """Someone who signs in: the provider's issuer + subject, never the e-mail alone.

    Local mode has one implicit user, issuer "local", subject "owner".
    """

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_user_identity"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(320), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Membership(Base):
    """A user's role in a workspace; a company manager is limited to the companies listed."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", name="uq_membership"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # owner | admin | consultant | company_manager | viewer
    company_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # company_manager only
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Invitation(Base):
    """A one-time link into a workspace: only the SHA-256 of its token is stored."""

    __tablename__ = "invitations"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    company_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    email: Mapped[str] = mapped_column(String(320), default="")  # when set, only this signed-in e-mail may accept
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Who created, changed, exported, imported or deleted what, and when, per workspace."""

    __tablename__ = "audit_events"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(320), default="")  # kept readable after the user is gone
    action: Mapped[str] = mapped_column(String(40))  # e.g. company.create, answer.change, report.export
    target: Mapped[str] = mapped_column(String(80), default="")  # e.g. company:3, assessment:7
    detail: Mapped[str] = mapped_column(Text, default="")


class Company(Base):
    __tablename__ = "companies"
    __table_args__ = {"sqlite_autoincrement": True}  # a deleted id is never given again (migration 0002)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(10))  # NAF / NACE code
    headcount_band: Mapped[str | None] = mapped_column(String(10))
    sites: Mapped[int | None] = mapped_column(Integer)
    production_site: Mapped[bool | None]
    tertiary_area_1000m2: Mapped[bool | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    next_follow_up: Mapped[date | None] = mapped_column(Date)  # the consultant's next meeting (migration 0005)
    region: Mapped[str | None] = mapped_column(String(10))  # INSEE region code, for regional aid (migration 0006)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    assessments: Mapped[list[Assessment]] = relationship(back_populates="company", cascade="all, delete-orphan")


class QuestionnaireSnapshot(Base):
    """The exact questionnaire text an assessment was made with, so old reports stay reproducible."""

    __tablename__ = "questionnaire_snapshots"

    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(40))
    source_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    questionnaire_id: Mapped[str] = mapped_column(String(80))
    questionnaire_version: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(ForeignKey("questionnaire_snapshots.content_hash"))
    label: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="in_progress")  # in_progress | completed
    respondent: Mapped[str] = mapped_column(String(200), default="")
    targets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # dimension id -> 0..100
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    vsme_enabled: Mapped[bool] = mapped_column(Boolean, default=False)  # the "Données VSME" module (migration 0006)

    company: Mapped[Company] = relationship(back_populates="assessments")
    answers: Mapped[list[AnswerRow]] = relationship(cascade="all, delete-orphan")
    actions: Mapped[list[Action]] = relationship(cascade="all, delete-orphan", order_by="Action.position")


class AnswerRow(Base):
    """One row per assessment and question, written as the answer is given."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("assessment_id", "question_id", name="uq_answer_question"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(80))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)  # None: only a comment so far
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(200), default="")
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Action(Base):
    __tablename__ = "actions"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[str | None] = mapped_column(String(100))
    question_id: Mapped[str | None] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="todo")  # todo | in_progress | done | dropped
    notes: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


# --- the participative diagnostic (migration 0004) -------------------------------------------------
# Anonymous groups: a respondent row names its group, never the link it came by; its resume key is
# erased when it completes or the collection closes; no time finer than the day (docs/decisions.md).


class Campaign(Base):
    """An assessment opened to respondent groups: the anonymity thresholds and what respondents see."""

    __tablename__ = "campaigns"

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True)
    k: Mapped[int] = mapped_column(Integer, default=5)  # fixed from the first link on
    comment_k: Mapped[int] = mapped_column(Integer, default=8)
    share_results: Mapped[bool] = mapped_column(Boolean, default=False)
    launched_on: Mapped[date | None] = mapped_column(Date)  # the day the first link was made
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RespondentGroup(Base):
    __tablename__ = "respondent_groups"
    __table_args__ = (UniqueConstraint("assessment_id", "key", name="uq_group_key"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(20))  # direction | managers | staff | consultant | stakeholders
    label: Mapped[str] = mapped_column(String(100))
    anonymous: Mapped[bool] = mapped_column(Boolean)
    position: Mapped[int] = mapped_column(Integer, default=0)


class RespondentLink(Base):
    """A group link (anonymous groups, shared by a team) or a named link (one person): only a hash."""

    __tablename__ = "respondent_links"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("respondent_groups.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")  # named links: the person
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_on: Mapped[date] = mapped_column(Date)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    max_uses: Mapped[int | None] = mapped_column(Integer)  # group links
    uses: Mapped[int] = mapped_column(Integer, default=0)
    last_used_on: Mapped[date | None] = mapped_column(Date)  # named links only


class Respondent(Base):
    """One person answering. The id is random (no order to match against a link's uses)."""

    __tablename__ = "respondents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("respondent_groups.id", ondelete="CASCADE"), index=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("respondent_links.id", ondelete="SET NULL"))  # named only
    secret_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # anonymous, until completed
    started_on: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)


class RespondentAnswer(Base):
    __tablename__ = "respondent_answers"

    respondent_id: Mapped[str] = mapped_column(ForeignKey("respondents.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)  # SQL NULL, not JSON null: counted as unanswered
    comment: Mapped[str] = mapped_column(Text, default="")


class ConsensusNote(Base):
    """How the official answer of a question was agreed from the groups' answers."""

    __tablename__ = "consensus_notes"

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    proposed: Mapped[Any] = mapped_column(JSON, nullable=True)  # the consolidated value shown then
    reason: Mapped[str] = mapped_column(Text, default="")  # required when the answer differs from it
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --- consultants and networks (migration 0005) ------------------------------------------------------


class AssessmentSummary(Base):
    """The read model of one assessment's result, so that a portfolio or a network of 500 companies
    is read without scoring every assessment on each rerun. Valid while `stamp` equals the
    assessment's `updated_at` (every answer and plan change moves it) and `content_hash` its own."""

    __tablename__ = "assessment_summaries"

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True)
    stamp: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    content_hash: Mapped[str] = mapped_column(String(64))
    overall: Mapped[float | None] = mapped_column(Float)
    coverage: Mapped[float | None] = mapped_column(Float)
    level: Mapped[str | None] = mapped_column(String(80))  # level id
    level_rank: Mapped[int | None] = mapped_column(Integer)
    dimensions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # dimension id -> score 0..100 or None
    critical_unmet: Mapped[list[str]] = mapped_column(JSON, default=list)  # question ids
    weak_questions: Mapped[list[str]] = mapped_column(JSON, default=list)  # counted and below half their maximum
    answered: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CoachingNote(Base):
    """A consultant's note on one answer of a coaching session, private or shared with the client,
    and whether the answer was checked with the client."""

    __tablename__ = "coaching_notes"

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    shared: Mapped[bool] = mapped_column(Boolean, default=False)  # seen by the client (company managers, viewers)
    checked_on: Mapped[date | None] = mapped_column(Date)  # "vérifié avec le client"
    checked_by: Mapped[str] = mapped_column(String(200), default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class NetworkMember(Base):
    """A company (in its own workspace) that belongs to a network workspace. The company keeps its
    data; the network reads its results only while `shares` is true (the member's consent)."""

    __tablename__ = "network_members"
    __table_args__ = (UniqueConstraint("network_id", "company_id", name="uq_network_member"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    joined_on: Mapped[date] = mapped_column(Date)
    shares: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent_by: Mapped[str] = mapped_column(String(200), default="")


class NetworkJoinCode(Base):
    """A one-time code a network gives a company to join it: only the SHA-256 is stored."""

    __tablename__ = "network_join_codes"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")  # for whom (shown to the network only)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_by_member: Mapped[int | None] = mapped_column(ForeignKey("network_members.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NetworkGroup(Base):
    """Members certified together: the group's level is its weakest member's."""

    __tablename__ = "network_groups"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NetworkGroupMember(Base):
    __tablename__ = "network_group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("network_groups.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("network_members.id", ondelete="CASCADE"), primary_key=True)


class LabelApplication(Base):
    """A member's application for the network's label, from one completed assessment. `evaluation`
    is the criteria as checked when it applied (the label file may change later)."""

    __tablename__ = "label_applications"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    # A member that leaves (or a company deleted) leaves the network its decisions: kept, with the name.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("network_members.id", ondelete="SET NULL"), index=True)
    company_name: Mapped[str] = mapped_column(String(200), default="")
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="SET NULL"))
    label_id: Mapped[str] = mapped_column(String(80))
    label_version: Mapped[str] = mapped_column(String(40))
    evaluation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="submitted")  # submitted | reviewed | decided | withdrawn
    applied_on: Mapped[date] = mapped_column(Date)
    applied_by: Mapped[str] = mapped_column(String(200), default="")
    decision: Mapped[str | None] = mapped_column(String(20))  # granted | deferred | refused
    conditions: Mapped[str] = mapped_column(Text, default="")  # deferred: what the member must do
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    valid_until: Mapped[date | None] = mapped_column(Date)  # granted only


class LabelReview(Base):
    """A reviewer's review: the checklist generated from the criteria, comments, a recommendation."""

    __tablename__ = "label_reviews"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("label_applications.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewer: Mapped[str] = mapped_column(String(200), default="")
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # criterion id -> {"ok": bool|None, "comment": str}
    comment: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str] = mapped_column(String(20))  # grant | defer | refuse
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LabelVote(Base):
    """One committee member's vote on an application (a new vote replaces the member's previous one)."""

    __tablename__ = "label_votes"
    __table_args__ = (UniqueConstraint("application_id", "voter_key", name="uq_label_vote"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("label_applications.id", ondelete="CASCADE"), index=True)
    voter_key: Mapped[str] = mapped_column(String(80))  # "user:<id>" (or "local" in local mode)
    voter: Mapped[str] = mapped_column(String(200), default="")
    vote: Mapped[str] = mapped_column(String(20))  # granted | deferred | refused
    reason: Mapped[str] = mapped_column(Text, default="")
    voted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LabelEvent(Base):
    """Every step of an application, in order, as the member and the network see it."""

    __tablename__ = "label_events"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("label_applications.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="")
    step: Mapped[str] = mapped_column(String(40))  # applied | reviewed | voted | decided | withdrawn | renewal_due
    detail: Mapped[str] = mapped_column(Text, default="")


class Practice(Base):
    """A good practice a member publishes to its network; shown to other members once moderated."""

    __tablename__ = "practices"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("network_members.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    done: Mapped[str] = mapped_column(Text, default="")  # what was done
    results: Mapped[str] = mapped_column(Text, default="")
    effort: Mapped[int] = mapped_column(Integer, default=2)  # 1 light, 2 medium, 3 heavy
    sector: Mapped[str | None] = mapped_column(String(10))  # NAF section letter
    size: Mapped[str | None] = mapped_column(String(10))  # headcount band
    question_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    dimension_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact: Mapped[str] = mapped_column(String(320), default="")  # only when the member agrees to be contacted
    status: Mapped[str] = mapped_column(String(20), default="submitted")  # submitted | published | rejected | withdrawn
    submitted_by: Mapped[str] = mapped_column(String(200), default="")
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    moderated_by: Mapped[str] = mapped_column(String(200), default="")
    moderated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    moderation_note: Mapped[str] = mapped_column(Text, default="")


class Evidence(Base):
    """A piece of evidence for one answer: a file (its bytes in evidence_files) or a link (migration 0006)."""

    __tablename__ = "evidence"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10))  # file | link
    file_name: Mapped[str] = mapped_column(String(200), default="")  # sanitised
    media_type: Mapped[str] = mapped_column(String(100), default="")  # from the content, not the name
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    url: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(String(500), default="")
    added_by: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    verified_by: Mapped[str] = mapped_column(String(200), default="")
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EvidenceFile(Base):
    """The bytes of an evidence file, apart so that listing evidence never loads them."""

    __tablename__ = "evidence_files"

    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class VsmeValue(Base):
    """One datapoint of an assessment's VSME basic module, as entered (migration 0006)."""

    __tablename__ = "vsme_values"

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True)
    datapoint: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
