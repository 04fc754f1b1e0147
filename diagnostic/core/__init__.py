"""The pure domain: no Streamlit, no SQLAlchemy, no I/O beyond reading questionnaire files in loading."""
