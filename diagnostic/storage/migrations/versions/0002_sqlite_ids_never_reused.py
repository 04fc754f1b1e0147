"""SQLite ids are never reused

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

Without AUTOINCREMENT, SQLite gives a new row the largest id + 1: deleting the newest assessment
and starting another gave the new one the deleted one's id, so a tab or a link still pointing to
the deleted assessment would open — and answer into — the new one. PostgreSQL's sequences never
reuse ids; there this migration does nothing. The tables are rebuilt (SQLite cannot add
AUTOINCREMENT otherwise) with foreign keys off, which `migrate()` arranges, so that dropping the
old table cascades nothing.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("companies", "assessments", "answers", "actions")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": False}):
            pass
