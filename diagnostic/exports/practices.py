"""A network's good-practice library as CSV and as an Excel workbook: pure functions of the
practices an actor may see (diagnostic/services/practices.py reads them).

CSV: UTF-8 with a byte-order mark, so that Excel reads the accents; ";" between cells in French
(the list separator of a French Excel), "," in English. In both files a text that a spreadsheet
could take for a formula is neutralised: CSV cells get a leading apostrophe (as the audit log's),
workbook cells the quote-prefix style (diagnostic/exports/excel.py).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from diagnostic.core.practices import EFFORT_KEYS, SECTION_KEYS, STATUS_KEYS, PracticeView
from diagnostic.exports.excel import ACCENT, ACCENT_LIGHT, formula_like, safe_text
from diagnostic.i18n import headcount_label
from diagnostic.i18n import t as translate


class Labels(Protocol):
    """The words of the ids a practice links to (services.practices.Links)."""

    def question_label(self, question_id: str, lang: str) -> str: ...
    def dimension_label(self, dimension_id: str, lang: str) -> str: ...


COLUMNS = (
    "practice.col_id", "practice.col_title", "practice.col_member", "practice.col_status", "practice.col_effort",
    "practice.col_sector", "practice.col_size", "practice.col_dimensions", "practice.col_questions", "practice.col_done",
    "practice.col_results", "practice.col_contact", "practice.col_submitted", "practice.col_published",
)  # fmt: skip
WIDTHS = (8, 40, 28, 14, 12, 28, 18, 30, 50, 60, 50, 28, 14, 14)


def _row(p: PracticeView, lang: str, labels: Labels) -> list[object]:
    return [
        p.id,
        p.title,
        p.member_name,
        translate(STATUS_KEYS[p.status], lang) if p.status in STATUS_KEYS else p.status,
        translate(EFFORT_KEYS[p.effort], lang) if p.effort in EFFORT_KEYS else str(p.effort),
        f"{p.sector} — {translate(SECTION_KEYS[p.sector], lang)}" if p.sector in SECTION_KEYS else (p.sector or ""),
        headcount_label(p.size, lang) if p.size else "",
        "\n".join(labels.dimension_label(d, lang) for d in p.dimension_ids),
        "\n".join(f"{q} : {labels.question_label(q, lang)}" for q in p.question_ids),
        p.done,
        p.results,
        p.contact,
        p.submitted_at,
        p.published_at,
    ]


def _headers(lang: str) -> list[str]:
    return [translate(key, lang) for key in COLUMNS]


def practices_csv(practices: Sequence[PracticeView], lang: str, labels: Labels) -> bytes:
    """The practices as CSV (UTF-8 with BOM); formula-like cells start with an apostrophe."""

    def cell(value: object) -> str:
        if value is None:
            return ""
        text = value.date().isoformat() if isinstance(value, datetime) else str(value)
        return "'" + text if formula_like(text) else text

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if lang == "fr" else ",", lineterminator="\r\n")
    writer.writerow(_headers(lang))
    writer.writerows([cell(v) for v in _row(p, lang, labels)] for p in practices)
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def practices_xlsx(practices: Sequence[PracticeView], lang: str, labels: Labels) -> bytes:
    """The practices as one sheet, filterable; dates are dates, texts are never formulas."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = translate("practice.sheet", lang)[:31]
    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor=ACCENT)
    for column, header in enumerate(_headers(lang), start=1):
        cell = ws.cell(row=1, column=column, value=header)
        cell.font, cell.fill = head_font, head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, p in enumerate(practices, start=2):
        for column, value in enumerate(_row(p, lang, labels), start=1):
            cell = ws.cell(row=row, column=column)
            if isinstance(value, datetime):
                cell.value = value.replace(tzinfo=None).date()
                cell.number_format = "dd/mm/yyyy"  # French and British English alike
            elif isinstance(value, int):
                cell.value = value
            elif value is not None and value != "":
                text = safe_text(value)
                cell.value = text
                cell.data_type = "s"  # a string cell, never a formula
                if formula_like(text):
                    cell.quotePrefix = True
            cell.alignment = wrap
        if row % 2 == 1:
            for column in range(1, len(COLUMNS) + 1):
                ws.cell(row=row, column=column).fill = PatternFill("solid", fgColor=ACCENT_LIGHT)
    for column, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=column).column_letter].width = width
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{ws.cell(row=1, column=len(COLUMNS)).column_letter}{max(1, len(practices) + 1)}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
