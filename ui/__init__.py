"""Streamlit helpers shared by the pages: session state, sidebar, common widgets."""
