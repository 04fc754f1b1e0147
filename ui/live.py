"""Two people on one assessment: each screen notices the other's changes within seconds.

A small fragment polls one timestamp (assessment.updated_at, bumped by every write) and, when it
moved and what this screen shows is no longer what is stored, reruns the page, which redraws from
the database.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta

import streamlit as st

from diagnostic.services import assessments
from diagnostic.services.context import Context
from ui.state import t

POLL = timedelta(seconds=float(os.environ.get("AUTODIAG_POLL_SECONDS", "4")))
CHANGED = "changed_by_others"
OUTAGE = "database_outage"


@st.fragment(run_every=POLL)
def watch(ctx: Context, assessment_id: int, is_stale: Callable[[], bool]) -> None:
    seen = st.session_state.setdefault("seen_stamps", {})
    try:
        stamp = assessments.stamp(ctx, assessment_id)
    except Exception:  # a database outage is reported where the person acts, not every 4 seconds
        st.session_state[OUTAGE] = True
        return
    if st.session_state.pop(OUTAGE, False):
        st.rerun()  # the database is back: redraw what the outage left out
    if seen.get(assessment_id) == stamp:
        return
    first = assessment_id not in seen
    seen[assessment_id] = stamp
    if not first and is_stale():
        st.session_state[CHANGED] = True
        st.rerun()


def show_notice() -> None:
    if st.session_state.pop(CHANGED, False):
        st.toast(t("save.others_changed"), icon=":material/group:")
