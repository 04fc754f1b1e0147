"""Autodiag RSE — Streamlit entry point (pages come with the app issue)."""

import streamlit as st

from diagnostic.loading import QuestionnaireError, load_questionnaire, shipped_paths

st.set_page_config(page_title="Autodiag RSE", page_icon="🌱", layout="wide")
st.title("Autodiag RSE")
st.write("Questionnaires disponibles :")
for path in shipped_paths():
    try:
        loaded = load_questionnaire(path)
    except QuestionnaireError as exc:
        st.error(str(exc))
        continue
    st.subheader(f"{loaded.model.title.fr} — v{loaded.version}")
    for dimension in loaded.dimensions:
        st.write(f"- {dimension.title.fr} ({len(dimension.questions)} questions)")
