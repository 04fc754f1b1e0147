"""Storage: SQLAlchemy 2.0 models, Alembic migrations and the repository the app calls."""
