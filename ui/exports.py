"""Download buttons for the exports; files are produced only when a button is clicked.

A file is built by the callable `data` of `st.download_button`, which Streamlit runs in a thread of
its own when the button is clicked, apart from the script, where Streamlit commands are ignored. If
that build raises, Streamlit only shows "Failed to generate file for download", in English, for a
few seconds under the button. So each build goes through `_Builds.build`, which logs the error and
records the failure, and the next run of the page says, in the user's language, which file could not
be made.

The click does not rerun the page (`on_click="ignore"`): Streamlit starts the download and the rerun
at the same time, and a rerun that redraws the button can swallow the download (documented by
Streamlit; a browser test saw one JSON download in three lost that way).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable
from functools import partial

import streamlit as st

from diagnostic.core.roles import NotFound
from diagnostic.exports.assessment_json import to_json
from diagnostic.exports.report_data import ReportData
from diagnostic.services import reports
from diagnostic.services.context import Context
from ui.state import t

log = logging.getLogger("autodiag")
_BUILDS_KEY = "_export_builds"


class _Builds:
    """The failed downloads of one session not shown yet. Written from Streamlit's download threads
    and read by the script, hence the lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failed: list[str] = []

    def build(self, kind: str, make: Callable[[], bytes]) -> bytes:
        """Build a file in a download thread; a failure is logged and recorded, then raised again
        (Streamlit then sends no file)."""
        try:
            return make()
        except Exception:
            log.exception("Export %s failed", kind)
            with self._lock:
                self._failed.append(kind)
            raise

    def failures(self) -> list[str]:
        """The failures not shown yet (each is shown once)."""
        with self._lock:
            failed, self._failed = self._failed, []
        return failed


def _builds() -> _Builds:
    if _BUILDS_KEY not in st.session_state:
        st.session_state[_BUILDS_KEY] = _Builds()
    return st.session_state[_BUILDS_KEY]


def _data(ctx: Context, assessment_id: int, kind: str) -> ReportData:
    """The report data, read and logged in the download thread with a unit of work of its own.
    An assessment gone meanwhile (or out of reach) fails the build: _Builds says so on screen."""
    mine = ctx.fresh()
    data = reports.report_data(mine, assessment_id)
    if data is None:
        raise NotFound(f"assessment {assessment_id}")
    reports.log_download(mine, assessment_id, kind)
    return data


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "entreprise"


def download_buttons(ctx: Context, assessment_id: int, company_name: str, day: str) -> None:
    stem = f"autodiag-rse-{_slug(company_name)}-{day}"
    builds = _builds()

    def pdf() -> bytes:
        from diagnostic.exports.pdf import build_pdf

        return build_pdf(_data(ctx, assessment_id, "pdf"))

    def xlsx() -> bytes:
        from diagnostic.exports.excel import build_workbook

        return build_workbook(_data(ctx, assessment_id, "xlsx"))

    def json_file() -> bytes:
        mine = ctx.fresh()  # the build runs in a download thread: a unit of work of its own
        document = reports.export_document(mine, assessment_id)
        if document is None:  # as _data: a failed build, never a file holding `null`
            raise NotFound(f"assessment {assessment_id}")
        reports.log_download(mine, assessment_id, "json")
        return to_json(document)

    st.markdown(f"**{t('export.title')}**")
    buttons = (
        ("export.pdf", pdf, "pdf", "application/pdf", ":material/picture_as_pdf:"),
        ("export.xlsx", xlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ":material/table_view:"),
        ("export.json", json_file, "json", "application/json", ":material/data_object:"),
    )
    for failed in builds.failures():
        st.error(t("export.failed", file=t(failed)), icon=":material/error:")
    columns = st.columns(3)
    for column, (key, make, extension, mime, icon) in zip(columns, buttons, strict=True):
        with column:
            st.download_button(
                t(key),
                data=partial(builds.build, key, make),
                file_name=f"{stem}.{extension}",
                mime=mime,
                icon=icon,
                on_click="ignore",
                key=f"download-{extension}-{assessment_id}",
                width="stretch",
            )
