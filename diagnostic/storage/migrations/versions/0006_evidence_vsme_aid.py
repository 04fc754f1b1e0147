"""Evidence per answer (files stored in the database), the VSME module's datapoints, the company's
region (for regional aid schemes)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Two new columns (companies.region nullable, assessments.vsme_enabled false by default); the rest are
new tables.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _assessment(**kw: object) -> sa.Column:
    return sa.Column("assessment_id", sa.Integer, sa.ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, **kw)  # type: ignore[arg-type]


def upgrade() -> None:
    with op.batch_alter_table("companies") as batch:
        batch.add_column(sa.Column("region", sa.String(10)))
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("vsme_enabled", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer, primary_key=True),
        _assessment(index=True),
        sa.Column("question_id", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        _when("added_at"),
        sa.Column("verified_by", sa.String(200), nullable=False),
        _when("verified_at", nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "evidence_files",
        sa.Column("evidence_id", sa.Integer, sa.ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "vsme_values",
        _assessment(primary_key=True),
        sa.Column("datapoint", sa.String(80), primary_key=True),
        sa.Column("value", sa.JSON, nullable=True),
        sa.Column("updated_by", sa.String(200), nullable=False),
        _when("updated_at"),
    )


def downgrade() -> None:
    for table in ("vsme_values", "evidence_files", "evidence"):
        op.drop_table(table)
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("vsme_enabled")
    with op.batch_alter_table("companies") as batch:
        batch.drop_column("region")
