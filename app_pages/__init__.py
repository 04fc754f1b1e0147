"""The pages: each a `main(ctx)` function, run by st.navigation from app.py."""
