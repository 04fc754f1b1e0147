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


KEEP_IDS = {"sqlite_autoincrement": True}  # a table copied by batch mode keeps AUTOINCREMENT (migration 0002)


def upgrade() -> None:
    # ALTER TABLE ... ADD COLUMN: no table copy on SQLite, so its AUTOINCREMENT counters stay as they are
    op.add_column("companies", sa.Column("region", sa.String(10)))
    op.add_column("assessments", sa.Column("vsme_enabled", sa.Boolean, nullable=False, server_default=sa.false()))
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
    bind = op.get_bind()
    for table, column in (("assessments", "vsme_enabled"), ("companies", "region")):
        kept = _sequence(bind, table)
        with op.batch_alter_table(table, table_kwargs=KEEP_IDS) as batch:
            batch.drop_column(column)
        _restore_sequence(bind, table, kept)


def _sequence(bind: sa.Connection, table: str) -> int | None:
    """SQLite's AUTOINCREMENT counter: a table copy resets it to the largest id left (see 0003)."""
    if bind.dialect.name != "sqlite":
        return None
    return bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": table}).scalar()


def _restore_sequence(bind: sa.Connection, table: str, kept: int | None) -> None:
    if kept is None:
        return
    if bind.execute(sa.text("SELECT 1 FROM sqlite_sequence WHERE name = :t"), {"t": table}).scalar() is None:
        bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :seq)"), {"t": table, "seq": kept})
    else:
        bind.execute(sa.text("UPDATE sqlite_sequence SET seq = MAX(seq, :seq) WHERE name = :t"), {"t": table, "seq": kept})
