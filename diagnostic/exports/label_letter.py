"""The decision letter of a label application: one A4 page the member keeps (reportlab platypus).

A pure function of `LetterData`: the network, the member company, the label and its version, the
decision and its date, the end of validity, the conditions or reasons, the criteria as checked, the
committee's tally, the reviewers' recommendation and a signature line. French or English; texts in
the catalogues (keys label.letter.*); fonts, colours and the escaping of users' texts as the report's
(diagnostic/exports/pdf.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from diagnostic.core.label import CHECK_KEYS, LETTER_DECISION_KEYS, RECOMMENDATION_KEYS, CriterionCheck
from diagnostic.exports.pdf import (
    ACCENT,
    ACCENT_DARK,
    ACCENT_LIGHT,
    FONT,
    FONT_BOLD,
    GRID,
    INK,
    MUTED,
    ROW_ALT,
    WARN,
    _esc,
    _register_fonts,
    format_date,
    visible_text,
)
from diagnostic.i18n import format_number
from diagnostic.i18n import t as translate

DECISION_COLOURS = {"granted": ACCENT_DARK, "deferred": colors.HexColor("#b45309"), "refused": WARN}


@dataclass(frozen=True)
class LetterData:
    network: str
    company: str
    label_name: dict[str, str]  # {"fr": …, "en": …}
    label_version: str
    decision: str  # granted | deferred | refused
    decided_on: date
    valid_until: date | None
    conditions: str
    reason: str
    checks: list[CriterionCheck]
    tally: dict[str, int]  # granted / deferred / refused -> count
    recommendations: list[str] = field(default_factory=list)  # grant | defer | refuse, one per review
    decided_by: str = ""
    applied_on: date | None = None


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=14, textColor=INK)

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "base": base,
        "kicker": style("kicker", fontName=FONT_BOLD, fontSize=10.5, leading=14, textColor=ACCENT, spaceAfter=2),
        "title": style("title", fontName=FONT_BOLD, fontSize=20, leading=25, spaceAfter=4),
        "muted": style("muted", fontSize=9, leading=12, textColor=MUTED),
        "h2": style("h2", fontName=FONT_BOLD, fontSize=11.5, leading=15, textColor=ACCENT_DARK, spaceBefore=10, spaceAfter=4),
        "decision": style("decision", fontName=FONT_BOLD, fontSize=15, leading=19),
        "cell": style("cell", fontSize=9, leading=12),
        "head": style("head", fontName=FONT_BOLD, fontSize=9, leading=12, textColor=colors.white),
    }


def _criteria_table(data: LetterData, t: Any, lang: str, s: dict[str, ParagraphStyle], width: float) -> Table:
    rows = [[Paragraph(t("label.letter.criterion"), s["head"]), Paragraph(t("label.letter.status"), s["head"])]]
    for check in data.checks:
        name = check.label.get(lang) or check.id
        if not check.blocking:
            name += f" ({t('label.letter.not_blocking')})"
        status = t(CHECK_KEYS[check.status])
        colour = {"met": ACCENT_DARK, "unmet": WARN}.get(check.status, MUTED)
        rows.append([
            Paragraph(_esc(name), s["cell"]),
            Paragraph(f'<font color="{colour.hexval().replace("0x", "#")}">{_esc(status)}</font>', s["cell"]),
        ])  # fmt: skip
    table = Table(rows, colWidths=[width * 0.72, width * 0.28], repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ROW_ALT]),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))  # fmt: skip
    return table


def decision_letter(data: LetterData, lang: str) -> bytes:
    """The letter as the bytes of a PDF, in French ("fr") or English ("en")."""
    _register_fonts()
    lang = "en" if lang == "en" else "fr"
    t = partial(translate, lang=lang)
    s = _styles()
    label_name = data.label_name.get(lang) or data.label_name.get("fr", "")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
        title=" ".join(visible_text(f"{t('label.letter.title')} — {label_name} — {data.company}").split()),
        author=" ".join(visible_text(data.network).split()), creator="Autodiag RSE", lang=lang, displayDocTitle=True,
        invariant=True,
    )  # fmt: skip
    width = A4[0] - 40 * mm
    story: list[Any] = [
        Paragraph(_esc(data.network), s["kicker"]),
        Paragraph(_esc(t("label.letter.title")), s["title"]),
        Paragraph(_esc(t("label.letter.issued", date=format_date(data.decided_on, lang))), s["muted"]),
        Spacer(1, 6 * mm),
        Paragraph(_esc(t("label.letter.to", company=data.company)), s["base"]),
        Paragraph(_esc(t("label.letter.label", label=label_name, version=data.label_version)), s["base"]),
    ]
    if data.applied_on is not None:
        story.append(Paragraph(_esc(t("label.letter.applied", date=format_date(data.applied_on, lang))), s["base"]))

    colour = DECISION_COLOURS.get(data.decision, INK)
    box = [[Paragraph(f'<font color="{colour.hexval().replace("0x", "#")}">{_esc(t(LETTER_DECISION_KEYS[data.decision]))}</font>', s["decision"])]]
    box.append([Paragraph(_esc(t("label.letter.decided_on", date=format_date(data.decided_on, lang))), s["base"])])
    if data.valid_until is not None:
        box.append([Paragraph(_esc(t("label.letter.valid_until", date=format_date(data.valid_until, lang))), s["base"])])
    decision = Table(box, colWidths=[width])
    decision.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), ACCENT_LIGHT),
        ("LINEBEFORE", (0, 0), (0, -1), 3, colour),
        ("LEFTPADDING", (0, 0), (-1, -1), 10),
        ("TOPPADDING", (0, 0), (-1, 0), 8),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
    ]))  # fmt: skip
    story += [Spacer(1, 5 * mm), decision]

    if data.conditions:
        story += [Paragraph(_esc(t("label.letter.conditions")), s["h2"]), Paragraph(_esc(data.conditions), s["base"])]
    if data.reason:
        story += [Paragraph(_esc(t("label.letter.reasons")), s["h2"]), Paragraph(_esc(data.reason), s["base"])]

    story += [Paragraph(_esc(t("label.letter.criteria")), s["h2"]), _criteria_table(data, t, lang, s, width)]
    if any(c.status == "not_measurable" for c in data.checks):
        story.append(Spacer(1, 2 * mm))
        story.append(Paragraph(_esc(t("label.letter.not_measurable_note")), s["muted"]))

    story.append(Paragraph(_esc(t("label.letter.committee")), s["h2"]))
    counts = {k: format_number(data.tally.get(k, 0), lang) for k in ("granted", "deferred", "refused")}
    story.append(Paragraph(_esc(t("label.letter.tally", **counts)), s["base"]))
    if data.recommendations:
        said = ", ".join(t(RECOMMENDATION_KEYS[r]) for r in data.recommendations)
        story.append(Paragraph(_esc(t("label.letter.recommendation", recommendation=said)), s["base"]))

    story += [
        Spacer(1, 12 * mm),
        Paragraph(_esc(t("label.letter.for_committee", network=data.network)), s["base"]),
        Paragraph(_esc(data.decided_by), s["base"]) if data.decided_by and data.decided_by != "local" else Spacer(1, 0),
        Spacer(1, 10 * mm),
        Paragraph(_esc(t("label.letter.signature")) + " ____________________________", s["base"]),
    ]
    doc.build(story)
    return buffer.getvalue()
