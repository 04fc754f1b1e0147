"""Workspaces, accounts, memberships, invitations, audit log; every company in a workspace

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

The companies of a database made by an earlier version go into one workspace, "Espace local",
whose owner is the implicit user of local mode (issuer "local", subject "owner"): local mode
shows exactly what it showed before. Nothing is deleted or rewritten but the new column.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LOCAL_ISSUER = "local"
LOCAL_SUBJECT = "owner"
DEFAULT_WORKSPACE = "Espace local"


def _stamp() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    auto = {"sqlite_autoincrement": True}
    workspaces = op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        _stamp(),
        **auto,
    )
    users = op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        _stamp(),
        sa.Column("last_seen_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("issuer", "subject", name="uq_user_identity"),
        **auto,
    )
    memberships = op.create_table(
        "memberships",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("company_ids", sa.JSON, nullable=False),
        _stamp(),
        sa.UniqueConstraint("workspace_id", "user_id", name="uq_membership"),
        **auto,
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("company_ids", sa.JSON, nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        _stamp(),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.Column("used_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        **auto,
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workspace_id", sa.Integer, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(80), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        **auto,
    )

    now = datetime.now(UTC)
    bind = op.get_bind()
    workspace_id = bind.execute(
        workspaces.insert().values(name=DEFAULT_WORKSPACE, kind="consultancy", created_at=now).returning(workspaces.c.id)
    ).scalar_one()
    user_id = bind.execute(
        users.insert()
        .values(issuer=LOCAL_ISSUER, subject=LOCAL_SUBJECT, email="", name="", created_at=now)
        .returning(users.c.id)
    ).scalar_one()
    bind.execute(
        memberships.insert().values(workspace_id=workspace_id, user_id=user_id, role="owner", company_ids=[], created_at=now)
    )

    kept = _sequence(bind)
    with op.batch_alter_table("companies", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("workspace_id", sa.Integer, nullable=True))
    op.execute(sa.text("UPDATE companies SET workspace_id = :w").bindparams(w=workspace_id))
    with op.batch_alter_table("companies", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.alter_column("workspace_id", existing_type=sa.Integer, nullable=False)
        batch.create_foreign_key("fk_companies_workspace", "workspaces", ["workspace_id"], ["id"], ondelete="CASCADE")
        batch.create_index("ix_companies_workspace_id", ["workspace_id"])
    _restore_sequence(bind, kept)


def _sequence(bind: sa.Connection) -> int | None:
    """SQLite's AUTOINCREMENT counter of companies: a table rebuild resets it to the largest id left,
    which would give a deleted company's id again (what migration 0002 prevents)."""
    if bind.dialect.name != "sqlite":
        return None
    return bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'companies'")).scalar()


def _restore_sequence(bind: sa.Connection, kept: int | None) -> None:
    if kept is None:
        return
    if bind.execute(sa.text("SELECT 1 FROM sqlite_sequence WHERE name = 'companies'")).scalar() is None:
        bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('companies', :seq)"), {"seq": kept})
    else:
        bind.execute(sa.text("UPDATE sqlite_sequence SET seq = MAX(seq, :seq) WHERE name = 'companies'"), {"seq": kept})


def downgrade() -> None:
    bind = op.get_bind()
    kept = _sequence(bind)
    with op.batch_alter_table("companies", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_index("ix_companies_workspace_id")
        batch.drop_constraint("fk_companies_workspace", type_="foreignkey")
        batch.drop_column("workspace_id")
    _restore_sequence(bind, kept)
    for table in ("audit_events", "invitations", "memberships", "users", "workspaces"):
        op.drop_table(table)
