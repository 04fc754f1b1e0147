"""The participative diagnostic: campaigns, respondent groups, links, respondents, their answers,
consensus notes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

New tables only; nothing existing changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    auto = {"sqlite_autoincrement": True}
    assessment = lambda **kw: sa.Column(  # noqa: E731
        "assessment_id", sa.Integer, sa.ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, **kw
    )
    op.create_table(
        "campaigns",
        assessment(primary_key=True),
        sa.Column("k", sa.Integer, nullable=False),
        sa.Column("comment_k", sa.Integer, nullable=False),
        sa.Column("share_results", sa.Boolean, nullable=False),
        sa.Column("launched_on", sa.Date),
        sa.Column("closed_on", sa.Date),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "respondent_groups",
        sa.Column("id", sa.Integer, primary_key=True),
        assessment(index=True),
        sa.Column("key", sa.String(20), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("anonymous", sa.Boolean, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.UniqueConstraint("assessment_id", "key", name="uq_group_key"),
        **auto,
    )
    group = lambda: sa.Column(  # noqa: E731
        "group_id", sa.Integer, sa.ForeignKey("respondent_groups.id", ondelete="CASCADE"), nullable=False, index=True
    )
    op.create_table(
        "respondent_links",
        sa.Column("id", sa.Integer, primary_key=True),
        group(),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_on", sa.Date, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("max_uses", sa.Integer),
        sa.Column("uses", sa.Integer, nullable=False),
        sa.Column("last_used_on", sa.Date),
        **auto,
    )
    op.create_table(
        "respondents",
        sa.Column("id", sa.String(32), primary_key=True),
        group(),
        sa.Column("link_id", sa.Integer, sa.ForeignKey("respondent_links.id", ondelete="SET NULL")),
        sa.Column("secret_hash", sa.String(64), unique=True),
        sa.Column("started_on", sa.Date, nullable=False),
        sa.Column("completed_on", sa.Date),
    )
    op.create_table(
        "respondent_answers",
        sa.Column("respondent_id", sa.String(32), sa.ForeignKey("respondents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("question_id", sa.String(80), primary_key=True),
        sa.Column("value", sa.JSON),
        sa.Column("comment", sa.Text, nullable=False),
    )
    op.create_table(
        "consensus_notes",
        assessment(primary_key=True),
        sa.Column("question_id", sa.String(80), primary_key=True),
        sa.Column("proposed", sa.JSON),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("consensus_notes", "respondent_answers", "respondents", "respondent_links", "respondent_groups", "campaigns"):
        op.drop_table(table)
