"""Autodiag RSE domain package: questionnaires, scoring, recommendations, storage, exports.

Never imports Streamlit; its core (schema, loading, scoring, recommendations) imports no SQLAlchemy.
"""
