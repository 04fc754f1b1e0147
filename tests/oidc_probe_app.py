"""Throwaway Streamlit script for tests/test_oidc_probe.py only: st.login() / st.user / st.logout(), nothing else."""

import streamlit as st

if not st.user.is_logged_in:
    st.write("Non connecté")
    if st.button("Se connecter"):
        st.login()
else:
    st.markdown(f"iss: `{st.user.iss}`")
    st.markdown(f"sub: `{st.user.sub}`")
    st.markdown(f"email: `{st.user.email}`")
    st.json(st.user.to_dict(), expanded=True)  # every claim that arrived, for the report
    if st.button("Se déconnecter"):
        st.logout()
