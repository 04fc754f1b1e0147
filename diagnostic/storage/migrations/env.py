"""Alembic environment: the connection comes from diagnostic.storage.database.migrate."""

from alembic import context

from diagnostic.storage.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # `alembic` command line: use DATABASE_URL or the default SQLite file
    from diagnostic.storage.database import database_url, make_engine

    with make_engine(database_url()).begin() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
