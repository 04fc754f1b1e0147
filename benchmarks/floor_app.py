"""The framework's floor: a bare Streamlit page with as many widgets as the Diagnostic page shows.

N questions (BENCH_QUESTIONS, default 14), each a radio of 7 options with captions and a text
input, and nothing else: no database, no questionnaire, no scoring. Its last element is the number
of runs so far, written by the script itself: the benchmark checks that its run watcher counted the
same runs as the page did.

BENCH_FRAME=respondent adds the other widgets of the respondent's page (language, progress, dimension
picker, help toggle, step and send buttons): the floor of `make bench-load`'s answers.

It gets the app's own treatment of the garbage collector (serve.py `warm_up_and_freeze`): what exists
after the first run is frozen, so that the floor stays the framework's minimum for these widgets.
"""

import gc
import os

import streamlit as st


@st.cache_resource
def _frozen() -> bool:
    gc.collect()
    gc.freeze()
    return True


_frozen()

count = int(os.environ.get("BENCH_QUESTIONS", "14"))
framed = os.environ.get("BENCH_FRAME") == "respondent"
st.session_state.runs = st.session_state.get("runs", 0) + 1
if framed:
    st.segmented_control("Langue", ["fr", "en"], default="fr", required=True, key="lang")
st.title("Floor")
if framed:
    st.caption("Intro")
    st.info("Anonymous")
    st.progress(0.5, text="1 / 2")
    st.selectbox("Dimension", ["a", "b", "c"], key="dimension")
    st.toggle("Help", key="help")
for i in range(count):
    with st.container(border=True):
        st.markdown(f"**{i + 1}. Question {i + 1} ?**")
        st.radio(
            "answer", [0, 1, 2, 3, 4, "na", "dont_know"], index=None, key=f"r{i}", label_visibility="collapsed",
            captions=[f"Description of level {v} for question {i}" for v in range(5)] + ["", ""],
        )
        st.text_input("comment", key=f"c{i}", label_visibility="collapsed")
if framed:
    with st.container(horizontal=True):
        st.button("Next", key="next")
    st.divider()
    st.button("Send", key="send", type="primary")
with st.container(key="bench-runs"):
    st.caption(f"{st.session_state.runs}")
