"""The migrations build exactly the tables the models describe (SQLite and PostgreSQL): a column
added to a model without its migration, or the reverse, fails here rather than in production."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from diagnostic.storage.models import Base


def _differences(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        found = compare_metadata(context, Base.metadata)
    # Indexes and server defaults are the migrations' business (models leave them to the database).
    return [d for d in found if not (isinstance(d, tuple) and d[0] in ("add_index", "remove_index"))]


def test_the_migrated_schema_is_the_models(module_engine) -> None:
    assert _differences(module_engine) == []
