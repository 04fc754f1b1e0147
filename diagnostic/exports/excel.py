"""The Excel workbook of an assessment: a pure function of `ReportData`, written with openpyxl.

Four sheets — summary (with a native radar chart), answers, action plan, method — named and
labelled in the report's language. Scores are stored unrounded and shown rounded by their number
format, so a consultant can compute with them.

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
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import RadarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from diagnostic.core.values import DONT_KNOW, NA
from diagnostic.exports.report_data import ReportData
from diagnostic.labels import answer_label, status_label

STRINGS: dict[str, dict[str, Any]] = {
    "fr": {
        "sheets": ("Synthèse", "Réponses", "Plan d'action", "Méthode"),
        "company": "Entreprise",
        "assessed_on": "Date de l'évaluation",
        "questionnaire": "Questionnaire",
        "version": "Version",
        "respondents": "Répondants",
        "sector": "Secteur (code NAF)",
        "headcount": "Effectif",
        "sites": "Nombre de sites",
        "overall": "Score global (/100)",
        "level": "Niveau",
        "level_by_score": "Niveau permis par les scores",
        "capped": "Niveau plafonné par une exigence légale",
        "critical_unmet": "Exigences légales non remplies",
        "coverage": "Couverture",
        "previous_on": "Évaluation précédente",
        "previous_overall": "Score global précédent",
        "dimensions": "Scores par dimension",
        "dim_headers": ("Dimension", "Score", "Couverture", "Cible", "Précédent", "Confiance faible"),
        "chart_title": "Scores par dimension (0–100)",
        "answer_headers": (
            "Dimension", "ID question", "Question", "S'applique", "Valeur", "Réponse", "N/A", "Ne sait pas", "Commentaire",
        ),
        "action_headers": ("Action", "Responsable", "Échéance", "Statut", "Notes", "Recommandation"),
        "no_actions": "Aucune action n'a encore été inscrite au plan d'action.",
        "notes": "Notes",
        "continued": "Texte trop long pour une cellule (32 767 caractères au plus) : il continue dans {cells}.",
        "yes": "Oui",
        "no": "Non",
        "date_format": "DD/MM/YYYY",
        "method_title": "Méthode de calcul",
        "scale": "Échelle de réponse",
        "scale_headers": ("Valeur", "Niveau de maturité", "Ce que cela signifie"),
        "na": ("N/A", "Non concerné", "Seulement là où la question le permet : la question sort du calcul."),
        "dk": ("Ne sait pas", "Je ne sais pas", "Compte 0 et est signalé comme un manque d'information."),
        "rules": "Règles de calcul",
        "rule_list": [
            "Réponses : une question de maturité vaut de 0 à 4 ; oui = 4, non = 0 sauf mention contraire ; chaque option "
            "a un score ; un choix multiple additionne ses options (plafonné) ; un nombre tombe dans une tranche.",
            "Une question compte quand elle s'applique, a une réponse, est notée et n'est pas N/A.",
            "Score d'une dimension (0–100) = 100 × Σ(poids × valeur) ÷ Σ(poids × maximum) sur les questions comptées.",
            "Score global = moyenne des scores des dimensions pondérée par leur poids, sur les dimensions qui ont un score.",
            "Couverture = questions répondues ÷ questions applicables notées. Confiance faible sous {cov} % de "
            "couverture ou au-delà de {dk} % de « je ne sais pas ».",
            "Niveau = le plus haut niveau dont le seuil global et le plancher par dimension sont atteints.",
            "Une question critique (obligation légale) en dessous de son minimum — « je ne sais pas » compris — "
            "plafonne le niveau à « {cap} ».",
            "Priorité d'une recommandation = poids de la dimension × poids de la question × écart × impact ÷ effort, "
            "écart = (maximum − valeur) ÷ maximum. Gain rapide = effort 1 et impact 2 ou 3.",
            "Les scores ne sont arrondis qu'à l'affichage : les cellules gardent la valeur exacte.",
        ],
        "levels": "Niveaux",
        "level_headers": ("Niveau", "Libellé", "Score global ≥", "Chaque dimension ≥", "Description"),
    },
    "en": {
        "sheets": ("Summary", "Answers", "Action plan", "Method"),
        "company": "Company",
        "assessed_on": "Assessment date",
        "questionnaire": "Questionnaire",
        "version": "Version",
        "respondents": "Respondents",
        "sector": "Sector (NAF code)",
        "headcount": "Headcount",
        "sites": "Number of sites",
        "overall": "Overall score (/100)",
        "level": "Level",
        "level_by_score": "Level allowed by the scores",
        "capped": "Level capped by a legal basic",
        "critical_unmet": "Legal basics not met",
        "coverage": "Coverage",
        "previous_on": "Previous assessment",
        "previous_overall": "Previous overall score",
        "dimensions": "Scores by dimension",
        "dim_headers": ("Dimension", "Score", "Coverage", "Target", "Previous", "Low confidence"),
        "chart_title": "Scores by dimension (0–100)",
        "answer_headers": (
            "Dimension", "Question ID", "Question", "Applies", "Value", "Answer", "N/A", "Don't know", "Comment",
        ),
        "action_headers": ("Action", "Owner", "Due date", "Status", "Notes", "Recommendation"),
        "no_actions": "No action has been added to the action plan yet.",
        "notes": "Notes",
        "continued": "Text too long for one cell (32,767 characters at most): it continues in {cells}.",
        "yes": "Yes",
        "no": "No",
        "date_format": "YYYY-MM-DD",
        "method_title": "Scoring method",
        "scale": "Answer scale",
        "scale_headers": ("Value", "Maturity level", "What it means"),
        "na": ("N/A", "Not applicable", "Only where the question allows it: the question leaves the calculation."),
        "dk": ("Don't know", "Don't know", "Scores 0 and is flagged as an information gap."),
        "rules": "Scoring rules",
        "rule_list": [
            "Answers: a maturity question is worth 0 to 4; yes = 4, no = 0 unless stated; each option has a score; a "
            "multiple choice adds its options (capped); a number falls in a band.",
            "A question counts when it applies, is answered, is scored and is not N/A.",
            "Dimension score (0–100) = 100 × Σ(weight × value) ÷ Σ(weight × maximum) over the counted questions.",
            "Overall score = the dimension scores averaged with their weights, over the dimensions that have a score.",
            "Coverage = answered ÷ applicable scored questions. Low confidence below {cov}% coverage or above {dk}% "
            "“don't know”.",
            "Level = the highest level whose overall threshold and per-dimension floor are both met.",
            "A critical question (legal basic) answered below its minimum — “don't know” included — caps the level at "
            "“{cap}”.",
            "Priority of a recommendation = dimension weight × question weight × gap × impact ÷ effort, gap = (maximum − "
            "value) ÷ maximum. Quick win = effort 1 and impact 2 or 3.",
            "Scores are rounded only for display: cells keep the exact value.",
        ],
        "levels": "Levels",
        "level_headers": ("Level", "Label", "Overall score ≥", "Every dimension ≥", "Description"),
    },
}  # fmt: skip

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
    note = STRINGS[ws.__dict__.get("_lang", "fr")]["continued"].format(cells=cells)
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


def _summary(ws: Worksheet, data: ReportData, t: dict[str, Any]) -> None:
    lang = data.lang
    q = data.questionnaire
    result = data.result
    yes_no = {True: t["yes"], False: t["no"]}
    _widths(ws, [44, 16, 14, 12, 12, 16])
    _put(ws, 1, 1, q.model.title.get(lang), "title")
    ws.row_dimensions[1].height = 22

    facts: list[tuple[str, Any, str | None]] = [
        (t["company"], data.company.name, None),
        (t["assessed_on"], _date(data.assessed_on), t["date_format"]),
        (t["questionnaire"], f"{q.id} {q.version} ({q.content_hash[:8]})", None),
        (t["respondents"], ", ".join(data.respondents), None),
        (t["notes"], data.company.notes or None, None),
        (t["sector"], data.company.sector or data.profile.sector or "—", None),
        (t["headcount"], data.company.headcount_band or data.profile.headcount_band or "—", None),
        (t["sites"], data.company.sites if data.company.sites is not None else data.profile.sites, None),
        (t["overall"], result.overall, "0"),
        (t["level"], result.level.label.get(lang) if result.level else "—", None),
    ]
    if result.capped_by_critical:
        facts += [
            (t["level_by_score"], result.level_by_score.label.get(lang) if result.level_by_score else "—", None),
            (t["capped"], t["yes"], None),
            (t["critical_unmet"], "; ".join(q.questions[i].text.get(lang) for i in result.critical_unmet), None),
        ]
    facts.append((t["coverage"], result.coverage, "0%"))
    if data.previous is not None:
        if data.previous_on is not None:
            facts.append((t["previous_on"], _date(data.previous_on), t["date_format"]))
        facts.append((t["previous_overall"], data.previous.overall, "0"))
    row = 3
    for label, value, fmt in facts:
        if label == t["notes"] and value is None:
            continue
        _put(ws, row, 1, label, "label")
        _put(ws, row, 2, value, "top", fmt)
        row += 1

    row += 1
    _put(ws, row, 1, t["dimensions"], "section")
    row += 1
    header_row = row
    _header(ws, row, t["dim_headers"])
    previous = {d.id: d for d in data.previous.dimensions} if data.previous else {}
    for dimension in q.dimensions:
        row += 1
        dim = result.dimension(dimension.id)
        _put(ws, row, 1, dimension.title.get(lang), "wrap")
        _put(ws, row, 2, dim.score, None, "0")
        _put(ws, row, 3, dim.coverage, None, "0%")
        _put(ws, row, 4, data.targets.get(dimension.id), None, "0")
        before = previous.get(dimension.id)
        _put(ws, row, 5, before.score if before else None, None, "0")
        _put(ws, row, 6, yes_no[dim.low_confidence])
    last_row = row

    chart = RadarChart()
    chart.type = "marker"
    chart.style = 2
    chart.title = t["chart_title"]
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


def _answers(ws: Worksheet, data: ReportData, t: dict[str, Any]) -> None:
    lang = data.lang
    q = data.questionnaire
    result = data.result
    yes_no = {True: t["yes"], False: t["no"]}
    _widths(ws, [30, 30, 70, 11, 16, 32, 8, 12, 60])
    _header(ws, 1, t["answer_headers"])
    ws.row_dimensions[1].height = 20
    row = 1
    for dimension in q.dimensions:
        title = dimension.title.get(lang)
        for question in dimension.questions:
            row += 1
            answer = data.answers.get(question.id)
            value = answer.value if answer else None
            _put(ws, row, 1, title, "top")
            _put(ws, row, 2, question.id, "top")
            _put(ws, row, 3, question.text.get(lang), "wrap")
            _put(ws, row, 4, yes_no[result.questions[question.id].applies], "top")
            _put(ws, row, 5, value, "top")
            _put(ws, row, 6, answer_label(q, question.id, value, lang) if answer else "", "wrap")
            _put(ws, row, 7, t["yes"] if value == NA else None)
            _put(ws, row, 8, t["yes"] if value == DONT_KNOW else None)
            _put(ws, row, 9, answer.comment if answer and answer.comment else None, "wrap")
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:I{row}"


def _actions(ws: Worksheet, data: ReportData, t: dict[str, Any]) -> None:
    lang = data.lang
    _widths(ws, [60, 26, 13, 14, 50, 28])
    _header(ws, 1, t["action_headers"])
    ws.row_dimensions[1].height = 20
    row = 1
    for action in data.actions:
        row += 1
        _put(ws, row, 1, action.title, "wrap")
        _put(ws, row, 2, action.owner, "wrap")
        _put(ws, row, 3, action.due_date, "top", t["date_format"])
        _put(ws, row, 4, status_label(action.status, lang), "top")
        _put(ws, row, 5, action.notes, "wrap")
        _put(ws, row, 6, action.recommendation_id or "", "top")
    if data.actions:
        ws.auto_filter.ref = f"A1:F{row}"
    else:
        _put(ws, 2, 1, t["no_actions"])
    ws.freeze_panes = "A2"


def _method(ws: Worksheet, data: ReportData, t: dict[str, Any]) -> None:
    lang = data.lang
    q = data.questionnaire
    settings = q.model.results
    _widths(ws, [16, 26, 16, 18, 90])
    _put(ws, 1, 1, t["method_title"], "title")
    ws.row_dimensions[1].height = 22
    row = 3
    _put(ws, row, 1, t["scale"], "section")
    row += 1
    _header(ws, row, t["scale_headers"])
    for level in sorted(q.model.maturity_scale, key=lambda x: x.value):
        row += 1
        _put(ws, row, 1, level.value, "top")
        _put(ws, row, 2, level.label.get(lang), "top")
        _put(ws, row, 3, level.description.get(lang))
    for value, label, description in (t["na"], t["dk"]):
        row += 1
        _put(ws, row, 1, value, "top")
        _put(ws, row, 2, label, "top")
        _put(ws, row, 3, description)

    row += 2
    _put(ws, row, 1, t["rules"], "section")
    cap = next((lv.label.get(lang) for lv in settings.levels if lv.id == settings.critical_cap), "—")
    cov, dk = f"{100 * settings.low_coverage:g}", f"{100 * settings.high_dont_know:g}"
    for number, rule in enumerate(t["rule_list"], start=1):
        row += 1
        _put(ws, row, 1, number, "top")
        _put(ws, row, 2, rule.format(cov=cov, dk=dk, cap=cap))

    row += 2
    _put(ws, row, 1, t["levels"], "section")
    row += 1
    _header(ws, row, t["level_headers"])
    for rank, level in enumerate(settings.levels, start=1):
        row += 1
        _put(ws, row, 1, rank, "top")
        _put(ws, row, 2, level.label.get(lang), "top")
        _put(ws, row, 3, level.min_overall, "top", "0")
        _put(ws, row, 4, level.min_dimension if level.min_dimension is not None else "—", "top", "0")
        _put(ws, row, 5, level.description.get(lang) if level.description else "", "wrap")
    ws.freeze_panes = "A2"


def build_workbook(data: ReportData) -> bytes:
    """The .xlsx workbook of an assessment (bytes)."""
    lang = "en" if data.lang == "en" else "fr"
    if lang != data.lang:
        from dataclasses import replace

        data = replace(data, lang=lang)
    t = STRINGS[lang]
    wb = Workbook()
    _add_styles(wb)
    wb.properties.creator = "Autodiag RSE"
    wb.properties.title = safe_text(f"{data.questionnaire.model.title.get(lang)} — {data.company.name}")
    summary = wb.active
    summary.title = t["sheets"][0]
    answers = wb.create_sheet(t["sheets"][1])
    actions = wb.create_sheet(t["sheets"][2])
    method = wb.create_sheet(t["sheets"][3])
    for ws in (summary, answers, actions, method):
        ws.__dict__["_lang"] = lang
    _summary(summary, data, t)
    _answers(answers, data, t)
    _actions(actions, data, t)
    _method(method, data, t)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
