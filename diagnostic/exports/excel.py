"""The Excel workbook of an assessment: a pure function of `ReportData`, written with openpyxl.

Four sheets — summary (with a native radar chart), answers, action plan, method — named and
labelled in the report's language; a fifth after the answers, the crossed views, when the
assessment is opened to respondent groups and one of them is shown. Scores are stored unrounded
and shown rounded by their number format, so a consultant can compute with them.

Security: every string written goes through `safe_text` and is stored as a string cell (an inline
or shared string, never a formula). A text that starts with =, +, -, @, a tab or a carriage return
also gets the cell's "quote prefix" style, the one Excel and LibreOffice give a cell typed with a
leading apostrophe: shown as typed, without an apostrophe, and kept as text when the cell is edited
(CSV/formula injection).

Whole texts: a cell holds at most 32,767 characters. A longer text (only a questionnaire's text or
a joined list can be that long: every input a user types is capped below) is cut into pieces that
continue in the cells to the right of the sheet's last column, on the same row, so that sorting and
filtering keep them with their record; a note on the first cell says where the text goes on.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import RadarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from diagnostic.core.evidence import ATTACHED, DECLARED, VERIFIED
from diagnostic.core.evidence_score import lowered
from diagnostic.core.markup import to_plain
from diagnostic.core.schema import TextQuestion
from diagnostic.core.values import DONT_KNOW, NA
from diagnostic.evidence_words import rule_sentence
from diagnostic.exports.report_data import ReportData
from diagnostic.i18n import t as translate
from diagnostic.labels import answer_label, status_label

Text = Callable[..., str]  # t(key, **values): a text of the catalogues (keys xlsx.*) in the workbook's language


def _texts(lang: str) -> Text:
    return partial(translate, lang=lang)


ACCENT = "0F766E"
ACCENT_LIGHT = "E3F1EE"
SERIES_COLOURS = {"current": "1F77B4", "target": "FF7F0E", "previous": "7F7F7F"}

# Strings that a spreadsheet may read as the start of a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CELL_MAX = 32_767  # characters in one cell (Excel's limit; LibreOffice and openpyxl follow it)
_SURROGATES = re.compile("[\ud800-\udfff]")


def safe_text(value: object) -> str:
    """The text of a string cell: characters that XML 1.0 cannot carry (and openpyxl refuses) are
    dropped, a lone surrogate (not a character) becomes U+FFFD, and a line break is a line feed,
    as Excel writes it (an XML reader would turn a carriage return into one anyway)."""
    text = value if isinstance(value, str) else str(value)
    text = _SURROGATES.sub("\ufffd", ILLEGAL_CHARACTERS_RE.sub("", text))
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could take the text for a formula: such a cell gets the quote prefix."""
    return text.startswith(FORMULA_START)


def _pieces(text: str) -> list[str]:
    """The text cut into cell-sized pieces (joined, they give the text back)."""
    return [text[i : i + CELL_MAX] for i in range(0, len(text), CELL_MAX)] or [""]


def _text_cell(ws: Worksheet, row: int, column: int, text: str, style: str | None) -> Any:
    cell = ws.cell(row=row, column=column)
    cell.value = text
    cell.data_type = "s"
    if style is not None:
        cell.style = style
    if formula_like(text):
        cell.quotePrefix = True  # after the named style, which would reset it
    return cell


def _put(
    ws: Worksheet, row: int, column: int, value: Any, style: str | None = None, number_format: str | None = None
) -> Any:
    """Write one cell; every string goes through `safe_text` and is stored as text."""
    if (value is None or value == "") and style is None:
        return None
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, str):
        pieces = _pieces(safe_text(value))
        cell = _text_cell(ws, row, column, pieces[0], style)
        if len(pieces) > 1:
            _continue(ws, cell, pieces[1:], style)
    else:
        cell = ws.cell(row=row, column=column)
        cell.value = value
        if style is not None:
            cell.style = style
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _continue(ws: Worksheet, cell: Any, pieces: list[str], style: str | None) -> None:
    """The rest of a text too long for `cell`, in the next free cells right of the sheet's table."""
    free: dict[int, int] = ws.__dict__.setdefault("_overflow_next", {})
    first = free.get(cell.row, ws.__dict__.get("_overflow_from", ws.max_column + 1))
    for offset, piece in enumerate(pieces):
        _text_cell(ws, cell.row, first + offset, piece, "wrap" if style == "wrap" else None)
    last = first + len(pieces) - 1
    free[cell.row] = last + 1
    cells = get_column_letter(first) + str(cell.row)
    if last > first:
        cells += ":" + get_column_letter(last) + str(cell.row)
    note = translate("xlsx.continued", ws.__dict__.get("_lang", "fr"), cells=cells)
    cell.comment = Comment(note, "Autodiag RSE", width=300, height=80)


def _add_styles(wb: Workbook) -> None:
    thin = Side(style="thin", color="D5E2DF")
    wb.add_named_style(
        NamedStyle(
            name="header",
            font=Font(bold=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor=ACCENT),
            alignment=Alignment(vertical="center", wrap_text=True),
            border=Border(bottom=thin),
        )
    )
    wb.add_named_style(NamedStyle(name="title", font=Font(bold=True, size=14, color="115E59")))
    wb.add_named_style(NamedStyle(name="section", font=Font(bold=True, size=12, color="115E59")))
    wb.add_named_style(
        NamedStyle(
            name="label",
            font=Font(bold=True),
            fill=PatternFill("solid", fgColor=ACCENT_LIGHT),
            alignment=Alignment(vertical="top"),
        )
    )
    wb.add_named_style(NamedStyle(name="wrap", alignment=Alignment(wrap_text=True, vertical="top")))
    wb.add_named_style(NamedStyle(name="top", alignment=Alignment(vertical="top")))


def _widths(ws: Worksheet, widths: list[float]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.__dict__["_overflow_from"] = len(widths) + 1  # where a text too long for its cell goes on


def _header(ws: Worksheet, row: int, labels: tuple[str, ...] | list[str]) -> None:
    for column, label in enumerate(labels, start=1):
        _put(ws, row, column, label, "header")


def _date(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


# --- sheets -------------------------------------------------------------------------------------


def _summary(ws: Worksheet, data: ReportData, t: Text) -> None:
    lang = data.lang
    q = data.questionnaire
    result = data.result
    yes_no = {True: t("xlsx.yes"), False: t("xlsx.no")}
    _widths(ws, [44, 16, 14, 12, 12, 16, 14])  # G: the evidence-backed scores
    _put(ws, 1, 1, q.model.title.get(lang), "title")
    ws.row_dimensions[1].height = 22

    facts: list[tuple[str, Any, str | None]] = [
        (t("xlsx.company"), data.company.name, None),
        (t("xlsx.assessed_on"), _date(data.assessed_on), t("xlsx.date_format")),
        (t("xlsx.questionnaire"), f"{q.id} {q.version} ({q.content_hash[:8]})", None),
        (t("xlsx.respondents"), ", ".join(data.respondents), None),
        (t("xlsx.notes"), data.company.notes or None, None),
        (t("xlsx.sector"), data.company.sector or data.profile.sector or "—", None),
        (t("xlsx.headcount"), data.company.headcount_band or data.profile.headcount_band or "—", None),
        (t("xlsx.sites"), data.company.sites if data.company.sites is not None else data.profile.sites, None),
        (t("xlsx.overall"), result.overall, "0"),
        (t("xlsx.level"), to_plain(result.level.label.get(lang)) if result.level else "—", None),
    ]
    if result.capped_by_critical:
        facts += [
            (t("xlsx.level_by_score"), to_plain(result.level_by_score.label.get(lang)) if result.level_by_score else "—", None),
            (t("xlsx.capped"), t("xlsx.yes"), None),
            (t("xlsx.critical_unmet"), "; ".join(to_plain(q.questions[i].text.get(lang)) for i in result.critical_unmet), None),
        ]
    backed, rule = data.evidence_result, q.model.results.evidence_rule
    if backed is not None and rule is not None:  # the evidence-backed score beside the declared one
        facts += [
            (t("evscore.title"), backed.overall, "0"),
            (t("evscore.level_label"), to_plain(backed.level.label.get(lang)) if backed.level else "—", None),
            (t("evscore.lacking_label"), len(lowered(result, backed)), "0"),
            (t("evscore.rule_label"), rule_sentence(rule, lang), None),
        ]
    facts.append((t("xlsx.coverage"), result.coverage, "0%"))
    if data.previous is not None:
        if data.previous_on is not None:
            facts.append((t("xlsx.previous_on"), _date(data.previous_on), t("xlsx.date_format")))
        facts.append((t("xlsx.previous_overall"), data.previous.overall, "0"))
    row = 3
    for label, value, fmt in facts:
        if label == t("xlsx.notes") and value is None:
            continue
        _put(ws, row, 1, label, "label")
        _put(ws, row, 2, value, "top", fmt)
        row += 1

    row += 1
    _put(ws, row, 1, t("xlsx.dimensions"), "section")
    row += 1
    header_row = row
    _header(ws, row, [
        t("xlsx.dim_header.dimension"), t("xlsx.dim_header.score"), t("xlsx.dim_header.coverage"),
        t("xlsx.dim_header.target"), t("xlsx.dim_header.previous"), t("xlsx.dim_header.low_confidence"),
    ])  # fmt: skip
    if backed is not None:
        _put(ws, row, 7, t("evscore.col_score"), "header")
    previous = {d.id: d for d in data.previous.dimensions} if data.previous else {}
    for dimension in q.dimensions:
        row += 1
        dim = result.dimension(dimension.id)
        _put(ws, row, 1, to_plain(dimension.title.get(lang)), "wrap")
        _put(ws, row, 2, dim.score, None, "0")
        _put(ws, row, 3, dim.coverage, None, "0%")
        _put(ws, row, 4, data.targets.get(dimension.id), None, "0")
        before = previous.get(dimension.id)
        _put(ws, row, 5, before.score if before else None, None, "0")
        _put(ws, row, 6, yes_no[dim.low_confidence])
        if backed is not None:
            _put(ws, row, 7, backed.dimension(dimension.id).score, None, "0")
    last_row = row

    chart = RadarChart()
    chart.type = "marker"
    chart.style = 2
    chart.title = t("xlsx.chart_title")
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.y_axis.majorUnit = 20
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    columns = [(2, "current")]
    if data.targets:
        columns.append((4, "target"))
    if data.previous is not None:
        columns.append((5, "previous"))
    for column, kind in columns:
        chart.add_data(Reference(ws, min_col=column, min_row=header_row, max_row=last_row), titles_from_data=True)
        series = chart.series[-1]
        colour = SERIES_COLOURS[kind]
        series.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.width = 28575 if kind == "current" else 19050
        if kind == "target":
            series.graphicalProperties.line.dashStyle = "dash"
        elif kind == "previous":
            series.graphicalProperties.line.dashStyle = "sysDot"
        series.marker.symbol = "circle" if kind == "current" else "none"
        if kind == "current":
            series.marker.graphicalProperties.solidFill = colour
            series.marker.graphicalProperties.line.solidFill = colour
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row))
    chart.width = 17
    chart.height = 12
    ws.add_chart(chart, "H3")
    ws.freeze_panes = "A2"


def _answers(ws: Worksheet, data: ReportData, t: Text) -> None:
    lang = data.lang
    q = data.questionnaire
    result = data.result
    yes_no = {True: t("xlsx.yes"), False: t("xlsx.no")}
    _widths(ws, [30, 30, 70, 11, 16, 32, 8, 12, 60, 16])
    _header(ws, 1, [
        t("xlsx.answer_header.dimension"), t("xlsx.answer_header.question_id"), t("xlsx.answer_header.question"),
        t("xlsx.answer_header.applies"), t("xlsx.answer_header.value"), t("xlsx.answer_header.answer"),
        t("xlsx.answer_header.na"), t("xlsx.answer_header.dont_know"), t("xlsx.answer_header.comment"),
        t("evscore.col_evidence"),
    ])  # fmt: skip
    evidence = {
        DECLARED: t("evidence.status.declared"),
        ATTACHED: t("evidence.status.attached"),
        VERIFIED: t("evidence.status.verified"),
    }
    ws.row_dimensions[1].height = 20
    row = 1
    for dimension in q.dimensions:
        title = to_plain(dimension.title.get(lang))
        for question in dimension.questions:
            row += 1
            answer = data.answers.get(question.id)
            value = answer.value if answer else None
            _put(ws, row, 1, title, "top")
            _put(ws, row, 2, question.id, "top")
            _put(ws, row, 3, to_plain(question.text.get(lang)), "wrap")
            _put(ws, row, 4, yes_no[result.questions[question.id].applies], "top")
            _put(ws, row, 5, value, "top")
            label = answer_label(q, question.id, value, lang) if answer else ""
            # an option's label, a level's or a unit follow the markup rule; a text answer is the user's
            _put(ws, row, 6, label if isinstance(question, TextQuestion) else to_plain(label), "wrap")
            _put(ws, row, 7, t("xlsx.yes") if value == NA else None)
            _put(ws, row, 8, t("xlsx.yes") if value == DONT_KNOW else None)
            _put(ws, row, 9, answer.comment if answer and answer.comment else None, "wrap")
            _put(ws, row, 10, evidence[data.evidence_status.get(question.id, DECLARED)] if answer else None, "top")
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:J{row}"


def _crossed(ws: Worksheet, data: ReportData, t: Text) -> None:
    """The groups' views: the shown groups' scores by dimension, then their aggregates question by
    question (never a respondent's answers: only what the consolidation shows). A hidden group is
    named, with no figure."""
    crossed = data.crossed
    assert crossed is not None
    lang = data.lang
    q = data.questionnaire
    shown = crossed.shown
    _widths(ws, [34, 24, 60, 11, 11, 11, 11, 11, 11, 11])
    _put(ws, 1, 1, t("xlsx.crossed.title"), "title")
    ws.row_dimensions[1].height = 22
    _put(ws, 2, 1, t("xlsx.crossed.note", k=crossed.k))
    row = 2
    hidden = [group.name for group in crossed.groups if not group.shown]
    if hidden:
        row += 1
        _put(ws, row, 1, t("xlsx.crossed.hidden", groups=", ".join(hidden)))

    # scores by dimension: dimensions down, groups across
    row += 2
    _put(ws, row, 1, t("xlsx.crossed.dimensions"), "section")
    row += 1
    _header(ws, row, [t("xlsx.crossed_header.dimension"), *(group.name for group in shown)])
    scores = [{d.id: d.score for d in g.result.dimensions} if g.result is not None else {} for g in shown]
    for dimension in q.dimensions:
        row += 1
        _put(ws, row, 1, to_plain(dimension.title.get(lang)), "wrap")
        for column, by_dimension in enumerate(scores, start=2):
            _put(ws, row, column, by_dimension.get(dimension.id), None, "0")
    row += 1
    _put(ws, row, 1, t("xlsx.crossed.overall"), "label")
    for column, group in enumerate(shown, start=2):
        _put(ws, row, column, group.result.overall if group.result is not None else None, None, "0")

    # each shown group's aggregates, question by question
    row += 2
    _put(ws, row, 1, t("xlsx.crossed.questions"), "section")
    row += 1
    first = row
    _header(ws, row, [
        t("xlsx.crossed_header.group"), t("xlsx.crossed_header.question_id"), t("xlsx.crossed_header.question"),
        t("xlsx.crossed_header.answers"), t("xlsx.crossed_header.dont_know"), t("xlsx.crossed_header.na"),
        t("xlsx.crossed_header.mean"), t("xlsx.crossed_header.median"), t("xlsx.crossed_header.min"),
        t("xlsx.crossed_header.max"),
    ])  # fmt: skip
    ws.row_dimensions[row].height = 20
    for group in shown:
        for qid, stats in group.questions.items():
            row += 1
            question = q.questions.get(qid)
            _put(ws, row, 1, group.name, "top")
            _put(ws, row, 2, qid, "top")
            _put(ws, row, 3, to_plain(question.text.get(lang)) if question is not None else "", "wrap")
            _put(ws, row, 4, stats.answers, "top")
            _put(ws, row, 5, stats.dont_know, "top")
            _put(ws, row, 6, stats.na, "top")
            for column, value in enumerate((stats.mean, stats.median, stats.minimum, stats.maximum), start=7):
                _put(ws, row, column, value, "top", "0.00")
    ws.auto_filter.ref = f"A{first}:J{row}"


def _actions(ws: Worksheet, data: ReportData, t: Text) -> None:
    lang = data.lang
    _widths(ws, [60, 26, 13, 14, 50, 28, 60])
    _header(ws, 1, [
        t("xlsx.action_header.action"), t("xlsx.action_header.owner"), t("xlsx.action_header.due"),
        t("xlsx.action_header.status"), t("xlsx.action_header.notes"), t("xlsx.action_header.recommendation"),
        t("aid.xlsx_header"),
    ])  # fmt: skip
    ws.row_dimensions[1].height = 20
    row = 1
    for action in data.actions:
        row += 1
        _put(ws, row, 1, action.title, "wrap")
        _put(ws, row, 2, action.owner, "wrap")
        _put(ws, row, 3, action.due_date, "top", t("xlsx.date_format"))
        _put(ws, row, 4, status_label(action.status, lang), "top")
        _put(ws, row, 5, action.notes, "wrap")
        _put(ws, row, 6, action.recommendation_id or "", "top")
        schemes = data.aid.get(action.recommendation_id or "", [])  # the public schemes that fund it: name — address
        _put(ws, row, 7, "\n".join(f"{m.scheme.name.get(lang)} — {m.scheme.url}" for m in schemes), "wrap")
    if data.actions:
        ws.auto_filter.ref = f"A1:G{row}"
    else:
        _put(ws, 2, 1, t("xlsx.no_actions"))
    ws.freeze_panes = "A2"


def _method(ws: Worksheet, data: ReportData, t: Text) -> None:
    lang = data.lang
    q = data.questionnaire
    settings = q.model.results
    _widths(ws, [16, 26, 16, 18, 90])
    _put(ws, 1, 1, t("xlsx.method_title"), "title")
    ws.row_dimensions[1].height = 22
    row = 3
    _put(ws, row, 1, t("xlsx.scale"), "section")
    row += 1
    _header(ws, row, [t("xlsx.scale_header.value"), t("xlsx.scale_header.label"), t("xlsx.scale_header.meaning")])
    for step in sorted(q.model.maturity_scale, key=lambda x: x.value):
        row += 1
        _put(ws, row, 1, step.value, "top")
        _put(ws, row, 2, to_plain(step.label.get(lang)), "top")
        _put(ws, row, 3, to_plain(step.description.get(lang)))
    specials = [
        (t("xlsx.na.value"), t("xlsx.na.label"), t("xlsx.na.meaning")),
        (t("xlsx.dk.value"), t("xlsx.dk.label"), t("xlsx.dk.meaning")),
    ]
    for value, label, description in specials:
        row += 1
        _put(ws, row, 1, value, "top")
        _put(ws, row, 2, label, "top")
        _put(ws, row, 3, description)

    row += 2
    _put(ws, row, 1, t("xlsx.rules"), "section")
    cap = next((to_plain(lv.label.get(lang)) for lv in settings.levels if lv.id == settings.critical_cap), "—")
    cov, dk = f"{100 * settings.low_coverage:g}", f"{100 * settings.high_dont_know:g}"
    overall_rule = t("xlsx.rule.overall_pooled") if settings.overall == "pooled" else t("xlsx.rule.overall")
    rules = [
        t("xlsx.rule.answers"), t("xlsx.rule.counted"), t("xlsx.rule.dimension_score"), overall_rule,
        t("xlsx.rule.coverage", cov=cov, dk=dk), t("xlsx.rule.level"), t("xlsx.rule.critical", cap=cap),
        t("xlsx.rule.priority"), t("xlsx.rule.rounding"),
    ]  # fmt: skip
    unweighted = [to_plain(d.title.get(lang)) for d in q.dimensions if d.weight == 0]
    if unweighted:
        rules.append(t("xlsx.rule.weight_zero", dims=", ".join(unweighted)))
    if q.model.modules:
        opened = [to_plain(q.module_by_id[m].title.get(lang)) for m in data.result.modules]
        rules.append(t("xlsx.rule.modules", modules=", ".join(opened) or "—"))
    for number, rule in enumerate(rules, start=1):
        row += 1
        _put(ws, row, 1, number, "top")
        _put(ws, row, 2, rule)

    row += 2
    _put(ws, row, 1, t("xlsx.levels"), "section")
    row += 1
    _header(ws, row, [
        t("xlsx.level_header.rank"), t("xlsx.level_header.label"), t("xlsx.level_header.min_overall"),
        t("xlsx.level_header.min_dimension"), t("xlsx.level_header.description"),
    ])  # fmt: skip
    for rank, level in enumerate(settings.levels, start=1):
        row += 1
        _put(ws, row, 1, rank, "top")
        _put(ws, row, 2, to_plain(level.label.get(lang)), "top")
        _put(ws, row, 3, level.min_overall, "top", "0")
        _put(ws, row, 4, level.min_dimension if level.min_dimension is not None else "—", "top", "0")
        _put(ws, row, 5, to_plain(level.description.get(lang)) if level.description else "", "wrap")
    ws.freeze_panes = "A2"


def build_workbook(data: ReportData) -> bytes:
    """The .xlsx workbook of an assessment (bytes)."""
    lang = "en" if data.lang == "en" else "fr"
    if lang != data.lang:
        from dataclasses import replace

        data = replace(data, lang=lang)
    t = _texts(lang)
    wb = Workbook()
    _add_styles(wb)
    wb.properties.creator = "Autodiag RSE"
    wb.properties.title = safe_text(f"{data.questionnaire.model.title.get(lang)} — {data.company.name}")
    summary = wb.active
    summary.title = t("xlsx.sheet.summary")
    answers = wb.create_sheet(t("xlsx.sheet.answers"))
    sheets = [summary, answers]
    crossed = None
    if data.crossed is not None and data.crossed.shown:
        crossed = wb.create_sheet(t("xlsx.sheet.crossed"))
        sheets.append(crossed)
    actions = wb.create_sheet(t("xlsx.sheet.actions"))
    method = wb.create_sheet(t("xlsx.sheet.method"))
    for ws in (*sheets, actions, method):
        ws.__dict__["_lang"] = lang
    _summary(summary, data, t)
    _answers(answers, data, t)
    if crossed is not None:
        _crossed(crossed, data, t)
    _actions(actions, data, t)
    _method(method, data, t)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
