"""Download buttons for the exports; files are produced only when a button is clicked."""

from __future__ import annotations

import re
import unicodedata

import streamlit as st

from diagnostic import services
from diagnostic.exports.assessment_json import to_json
from ui import state
from ui.state import t


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "entreprise"


def download_buttons(assessment_id: int, company_name: str, day: str) -> None:
    repo, lang = state.repo(), state.lang()
    stem = f"autodiag-rse-{_slug(company_name)}-{day}"

    def pdf() -> bytes:
        from diagnostic.exports.pdf import build_pdf

        return build_pdf(services.report_data(repo, assessment_id, lang))

    def xlsx() -> bytes:
        from diagnostic.exports.excel import build_workbook

        return build_workbook(services.report_data(repo, assessment_id, lang))

    def json_file() -> bytes:
        return to_json(services.export_document(repo, assessment_id))

    st.markdown(f"**{t('export.title')}**")
    columns = st.columns(3)
    buttons = (
        ("export.pdf", pdf, "pdf", "application/pdf", ":material/picture_as_pdf:"),
        ("export.xlsx", xlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ":material/table_view:"),
        ("export.json", json_file, "json", "application/json", ":material/data_object:"),
    )
    for column, (key, data, extension, mime, icon) in zip(columns, buttons, strict=True):
        with column:
            st.download_button(
                t(key), data=data, file_name=f"{stem}.{extension}", mime=mime, icon=icon,
                on_click="ignore", key=f"download-{extension}-{assessment_id}", width="stretch",
            )
