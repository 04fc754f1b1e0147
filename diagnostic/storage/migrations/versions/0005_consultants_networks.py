"""Consultants and networks: the next follow-up date, the assessments' read model, coaching notes,
network members, join codes, groups, label applications (reviews, votes, events), good practices

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

One new nullable column on companies and one on workspaces; the rest are new tables.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

AUTO = {"sqlite_autoincrement": True}


def _fk(name: str, target: str, ondelete: str = "CASCADE", **kw: object) -> sa.Column:
    nullable = ondelete == "SET NULL"
    return sa.Column(name, sa.Integer, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, **kw)  # type: ignore[arg-type]


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("companies") as batch:
        batch.add_column(sa.Column("next_follow_up", sa.Date))
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(sa.Column("label_id", sa.String(80)))
    op.create_table(
        "assessment_summaries",
        _fk("assessment_id", "assessments.id", primary_key=True),
        _when("stamp"),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("overall", sa.Float),
        sa.Column("coverage", sa.Float),
        sa.Column("level", sa.String(80)),
        sa.Column("level_rank", sa.Integer),
        sa.Column("dimensions", sa.JSON, nullable=False),
        sa.Column("critical_unmet", sa.JSON, nullable=False),
        sa.Column("weak_questions", sa.JSON, nullable=False),
        sa.Column("answered", sa.Integer, nullable=False),
        _when("computed_at"),
    )
    op.create_table(
        "coaching_notes",
        _fk("assessment_id", "assessments.id", primary_key=True),
        sa.Column("question_id", sa.String(80), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("shared", sa.Boolean, nullable=False),
        sa.Column("checked_on", sa.Date),
        sa.Column("checked_by", sa.String(200), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        _when("updated_at"),
    )
    op.create_table(
        "network_members",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("network_id", "workspaces.id", index=True),
        _fk("company_id", "companies.id", index=True),
        sa.Column("joined_on", sa.Date, nullable=False),
        sa.Column("shares", sa.Boolean, nullable=False),
        _when("consent_changed_at", nullable=True),
        sa.Column("consent_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("network_id", "company_id", name="uq_network_member"),
        **AUTO,
    )
    op.create_table(
        "network_join_codes",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("network_id", "workspaces.id", index=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        _when("created_at"),
        _when("expires_at"),
        _when("used_at", nullable=True),
        _fk("used_by_member", "network_members.id", ondelete="SET NULL"),
        _when("revoked_at", nullable=True),
        **AUTO,
    )
    op.create_table(
        "network_groups",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("network_id", "workspaces.id", index=True),
        sa.Column("name", sa.String(200), nullable=False),
        _when("created_at"),
        **AUTO,
    )
    op.create_table(
        "network_group_members",
        _fk("group_id", "network_groups.id", primary_key=True),
        _fk("member_id", "network_members.id", primary_key=True),
    )
    op.create_table(
        "label_applications",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("network_id", "workspaces.id", index=True),
        _fk("member_id", "network_members.id", ondelete="SET NULL", index=True),
        sa.Column("company_name", sa.String(200), nullable=False),
        _fk("assessment_id", "assessments.id", ondelete="SET NULL"),
        sa.Column("label_id", sa.String(80), nullable=False),
        sa.Column("label_version", sa.String(40), nullable=False),
        sa.Column("evaluation", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("applied_on", sa.Date, nullable=False),
        sa.Column("applied_by", sa.String(200), nullable=False),
        sa.Column("decision", sa.String(20)),
        sa.Column("conditions", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided_on", sa.Date),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("valid_until", sa.Date),
        **AUTO,
    )
    application = lambda: _fk("application_id", "label_applications.id", index=True)  # noqa: E731
    op.create_table(
        "label_reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        application(),
        _fk("reviewer_id", "users.id", ondelete="SET NULL"),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("checklist", sa.JSON, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("recommendation", sa.String(20), nullable=False),
        _when("reviewed_at"),
        **AUTO,
    )
    op.create_table(
        "label_votes",
        sa.Column("id", sa.Integer, primary_key=True),
        application(),
        sa.Column("voter_key", sa.String(80), nullable=False),
        sa.Column("voter", sa.String(200), nullable=False),
        sa.Column("vote", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        _when("voted_at"),
        sa.UniqueConstraint("application_id", "voter_key", name="uq_label_vote"),
        **AUTO,
    )
    op.create_table(
        "label_events",
        sa.Column("id", sa.Integer, primary_key=True),
        application(),
        _when("at"),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        **AUTO,
    )
    op.create_table(
        "practices",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("network_id", "workspaces.id", index=True),
        _fk("member_id", "network_members.id", ondelete="SET NULL", index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("done", sa.Text, nullable=False),
        sa.Column("results", sa.Text, nullable=False),
        sa.Column("effort", sa.Integer, nullable=False),
        sa.Column("sector", sa.String(10)),
        sa.Column("size", sa.String(10)),
        sa.Column("question_ids", sa.JSON, nullable=False),
        sa.Column("dimension_ids", sa.JSON, nullable=False),
        sa.Column("contact", sa.String(320), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("submitted_by", sa.String(200), nullable=False),
        _when("submitted_at"),
        sa.Column("moderated_by", sa.String(200), nullable=False),
        _when("moderated_at", nullable=True),
        sa.Column("moderation_note", sa.Text, nullable=False),
        **AUTO,
    )


def downgrade() -> None:
    for table in (
        "practices", "label_events", "label_votes", "label_reviews", "label_applications", "network_group_members",
        "network_groups", "network_join_codes", "network_members", "coaching_notes", "assessment_summaries",
    ):  # fmt: skip
        op.drop_table(table)
    with op.batch_alter_table("companies") as batch:
        batch.drop_column("next_follow_up")
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("label_id")
