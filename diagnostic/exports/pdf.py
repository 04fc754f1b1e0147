"""The PDF report of an assessment: a pure function of `ReportData`, drawn with reportlab platypus.

Layout: cover, one-page executive summary (score, level, radar, strengths and weaknesses, first
priorities), the networks' anonymous benchmarks when the company shares with one, the crossed views when the assessment is opened to respondent groups and one is shown
(who answered, a radar and a heat map of the groups' scores, the largest divergences), one section
per dimension (answers and recommendations), the action plan, and an annex on the method. A4, French by default, English when `data.lang == "en"`; every UI string of
the report is in the catalogues (diagnostic/locales/*.yaml, keys pdf.*), read through diagnostic.i18n.
The DejaVu Sans fonts shipped with matplotlib are embedded, so no system font is needed and French
typography (é, œ, « », ’, €) renders everywhere.

Every text that comes from a user goes through `_esc` before it enters reportlab's paragraph markup
(markup characters escaped, line breaks kept, characters the font cannot draw replaced by a visible
mark, Arabic letters joined); a questionnaire text goes through `_md`, the markup rule of
diagnostic/core/markup.py (bold, italics, links, paragraphs, lists) with its literal parts made safe
the same way. Every text goes in whole: a text too long for its
table column goes under its row at full width (`_long_texts`), a table row taller than what is left
of a page continues on the next one (`_Table`), and the one-page summary flows over more pages
rather than shrink its text out of sight. Hebrew and Arabic are laid out right to left at
drawing time, line by line (`Paragraph.drawPara`). Scores are rounded here, at display, and nowhere
else.
"""

from __future__ import annotations

import copy
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import arabic_reshaper
import matplotlib
from babel.dates import get_month_names
from bidi import algorithm as bidi_algorithm
from bidi.algorithm import get_display
from PIL import Image as PILImage
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepInFrame,
    KeepTogether,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Paragraph as _Paragraph

from diagnostic.core.benchmark import BENCHMARK_MIN
from diagnostic.core.consolidation import GAP, SPREAD
from diagnostic.core.evidence_score import lowered
from diagnostic.core.markup import is_plain, to_plain, to_reportlab
from diagnostic.core.profile import naf_section
from diagnostic.core.reading import NOT_CONCERNED, NOT_FILLED, SCORED, Reading, dimension_state, read
from diagnostic.core.schema import TextQuestion
from diagnostic.core.scoring import DimensionResult
from diagnostic.evidence_words import lacking_sentence, rule_sentence
from diagnostic.exports.radar import RADAR_RATIO, groups_radar_image, radar_image
from diagnostic.exports.report_data import CrossedViews, ReportData
from diagnostic.i18n import catalogue
from diagnostic.i18n import t as translate
from diagnostic.labels import answer_label, status_label

# --- UI strings: keys pdf.* of the catalogues (diagnostic/locales), read with t(key, **values) -----

Text = Callable[..., str]  # t(key, **values): a text of the catalogues (keys pdf.*) in the report's language


def _texts(lang: str) -> Text:
    return partial(translate, lang=lang)


# a dimension without a score says why, in words
NO_SCORE_KEYS = {NOT_FILLED: "pdf.not_filled", NOT_CONCERNED: "pdf.not_concerned"}


def _text_or(lang: str, key: str, fallback: str) -> str:
    """The catalogue's text for `key`, or `fallback` when the catalogue has none (a value of a file)."""
    return translate(key, lang) if key in catalogue(lang) else fallback


# --- look ---------------------------------------------------------------------------------------

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
ACCENT = colors.HexColor("#0f766e")
ACCENT_DARK = colors.HexColor("#115e59")
ACCENT_LIGHT = colors.HexColor("#e3f1ee")
ACCENT_RULE = colors.HexColor("#9ccfc6")
INK = colors.HexColor("#1f2a2a")
MUTED = colors.HexColor("#5b6b6a")
ROW_ALT = colors.HexColor("#f5f9f8")
GRID = colors.HexColor("#d5e2df")
WARN = colors.HexColor("#b42318")
WARN_BG = colors.HexColor("#fdeeec")
QUICK = colors.HexColor("#b45309")
NOTICE = colors.HexColor("#b45309")  # provisional results: amber, apart from the red of unmet legal basics
NOTICE_BG = colors.HexColor("#fdf3e1")

# Binary (Flate only) streams instead of ASCII85 + Flate: reportlab's ASCII85 encoder is pure Python
# without its optional C accelerator and took a third of the build time; the files are smaller too.
rl_config.useA85 = 0

PAGE_W, PAGE_H = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 20 * mm
FRAME_PAD = 6  # reportlab's default frame padding, in points
CONTENT_W = PAGE_W - 2 * MARGIN_X - 2 * FRAME_PAD
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - 2 * FRAME_PAD
SUMMARY_MIN_SCALE = 0.8  # the summary page is shrunk at most this much to stay on one page


class _TTFont(TTFont):
    """A TTF font that remembers the width of the strings it measured: line breaking measures every
    word of every paragraph, mostly the same few thousand words, and reportlab's width function is
    pure Python without its optional C accelerator."""

    def __init__(self, name: str, filename: str):
        super().__init__(name, filename)
        self._units: dict[str, float] = {}

    def stringWidth(self, text: str, size: float, encoding: str = "utf8") -> float:  # reportlab's name
        units = self._units.get(text)
        if units is None:
            if not isinstance(text, str):
                text = text.decode(encoding or "utf8")
            widths, default = self.face.charWidths, self.face.defaultWidth
            units = sum([widths.get(ord(char), default) for char in text])
            if len(self._units) > 100_000:
                self._units.clear()
            self._units[text] = units
        return 0.001 * size * units


@lru_cache(maxsize=1)
def _register_fonts() -> None:
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name, file in (
        (FONT, "DejaVuSans.ttf"),
        (FONT_BOLD, "DejaVuSans-Bold.ttf"),
        (FONT_ITALIC, "DejaVuSans-Oblique.ttf"),
        ("DejaVuSans-BoldOblique", "DejaVuSans-BoldOblique.ttf"),
    ):
        pdfmetrics.registerFont(_TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic="DejaVuSans-BoldOblique"
    )
    # the regular face again, in a family of its own, so that <b> and <i> around it keep it: the
    # bold and oblique faces lack some glyphs of the regular one (the oblique has no Arabic at all)
    pdfmetrics.registerFont(_TTFont(FONT_PLAIN, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFontFamily(FONT_PLAIN, normal=FONT_PLAIN, bold=FONT_PLAIN, italic=FONT_PLAIN, boldItalic=FONT_PLAIN)


# --- user and author text -----------------------------------------------------------------------

FONT_PLAIN = "DejaVuSans-Plain"
MISSING_MARK = "◌"  # ◌ DOTTED CIRCLE, the usual placeholder: in the font, light, never taken for a letter
# Emoji with a black-and-white twin in DejaVu Sans (most others have no glyph there)
EMOJI_TWINS = {
    "✅": "✔",  # ✅ -> ✔
    "❌": "✘",  # ❌ -> ✘
    "❎": "✘",  # ❎ -> ✘
    "⭐": "★",  # ⭐ -> ★
    "🔴": "●",  # 🔴 -> ●
    "🟠": "●",  # 🟠 -> ●
    "🟡": "●",  # 🟡 -> ●
    "🟢": "●",  # 🟢 -> ●
    "🔵": "●",  # 🔵 -> ●
    "👉": "→",  # 👉 -> →
    "➡": "→",  # ➡ -> →
}
# Newlines of every kind become "\n"; tabs a space.
_NEWLINES = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Nothing to draw once emoji are in black and white: variation selectors, the joiner of emoji
# sequences, skin tones, tag characters (regional flags); and control characters.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufe0e\ufe0f\u200d\U0001f3fb-\U0001f3ff\U000e0000-\U000e007f]")
# Empty lines one after another show as one (spaces on them included)
_BLANK_LINES = re.compile("\n[ \u00a0]*(?:\n[ \u00a0]*)+\n")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")


def _char_class(codes: Iterable[int]) -> str:
    """A regular-expression character class body for a set of code points, as ranges."""
    parts, codes = [], sorted(codes)
    start = previous = codes[0]
    for code in [*codes[1:], -1]:
        if code == previous + 1:
            previous = code
            continue
        parts.append(re.escape(chr(start)) + ("-" + re.escape(chr(previous)) if previous > start else ""))
        start = previous = code
    return "".join(parts)


@lru_cache(maxsize=1)
def _glyphs() -> tuple[frozenset[int], re.Pattern[str], re.Pattern[str] | None]:
    """The code points DejaVu Sans draws; a pattern of one character it cannot draw; and a pattern
    of the runs of those it draws but one of its bold or oblique faces lacks (spaces between them
    included, so that a sentence stays one run)."""
    _register_fonts()
    faces = [
        set(pdfmetrics.getFont(name).face.charToGlyph)
        for name in (FONT, FONT_BOLD, FONT_ITALIC, "DejaVuSans-BoldOblique")
    ]
    regular = frozenset(faces[0])
    missing = re.compile(f"[^{_char_class(regular | {10})}]")  # 10: the line feed
    partial_only = regular.difference(set.intersection(*faces))
    if not partial_only:
        return regular, missing, None
    chars = _char_class(partial_only)
    return regular, missing, re.compile(f"[{chars}]+(?:[ \u00a0]+[{chars}]+)*")


def _replacement(found: re.Match[str]) -> str:
    char = found.group(0)
    if char in EMOJI_TWINS:
        return EMOJI_TWINS[char]
    return "" if unicodedata.category(char) in ("Cf", "Mn", "Me") else MISSING_MARK  # invisible or combining


def visible_text(text: object) -> str:
    """A user's or an author's text as the report shows it, in reading order: every line break a
    "\n" (empty lines one after another shown as one), control characters and emoji joiners dropped,
    a few emoji replaced by their text twin, and every other character that the embedded font
    cannot draw replaced by ◌ (emoji, Chinese…)."""
    text = _NEWLINES.sub("\n", str(text)).replace("\t", " ")
    text = _INVISIBLE.sub("", text)
    if "\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    if text.isascii():
        return text
    return _glyphs()[1].sub(_replacement, text)


def _shaped(text: str) -> str:
    """Arabic letters in their joined (initial, medial, final) forms, which DejaVu Sans holds; the
    right-to-left order is set at drawing time, line by line."""
    if not _ARABIC.search(text):
        return text
    regular = _glyphs()[0]
    lines = []
    for line in text.split("\n"):
        shaped = arabic_reshaper.reshape(line)
        lines.append(shaped if all(ord(char) in regular for char in shaped) else line)
    return "\n".join(lines)


def _safe(text: str) -> str:
    """Text made safe for reportlab paragraph markup: markup characters escaped, characters the
    font lacks replaced (see `visible_text`), those the bold and oblique faces lack kept regular."""
    escaped = escape(_shaped(visible_text(text)))
    partial_only = _glyphs()[2]
    if partial_only is not None and not escaped.isascii():
        escaped = partial_only.sub(lambda m: f'<font face="{FONT_PLAIN}">{m.group(0)}</font>', escaped)
    return escaped


def _esc(text: object) -> str:
    """Plain text (a user's) made safe for reportlab paragraph markup, line breaks kept."""
    return _safe(str(text)).replace("\n", "<br/>")


def _md(text: str) -> str:
    """A questionnaire text as reportlab paragraph markup: the markup rule of
    diagnostic/core/markup.py, its literal parts made safe as by `_esc`."""
    return to_reportlab(text, literal=_safe, link_color=ACCENT.hexval().replace("0x", "#"))


def _authored(text: str) -> str:
    """A questionnaire text inside a sentence of the catalogues: its marks left out."""
    return to_plain(text)


def _line_visual(text: str, base: str) -> str:
    """One drawn line in visual (left to right) order; a right-to-left paragraph keeps its lines in
    reading order because each line is reordered on its own."""
    return get_display(text, base_dir=base) if _RTL.search(text) else text


def _plain(text: str) -> str:
    """A one-line text drawn without markup (table cells, footer) in visual order."""
    text = _shaped(visible_text(text))
    if _RTL.search(text):
        return "\n".join(get_display(line) for line in text.split("\n"))
    return text


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=13, textColor=INK)
    s = {"base": base}

    def add(name: str, **kw: Any) -> None:
        s[name] = ParagraphStyle(name, parent=kw.pop("parent", base), **kw)

    add("kicker", fontName=FONT_BOLD, fontSize=10, leading=13, textColor=ACCENT, spaceAfter=4)
    add("cover_title", fontName=FONT_BOLD, fontSize=26, leading=32, textColor=INK, spaceAfter=10)
    add("cover_company", fontName=FONT_BOLD, fontSize=20, leading=25, textColor=ACCENT_DARK, spaceAfter=6)
    add("cover_date", fontSize=12, leading=16, textColor=MUTED, spaceAfter=18)
    add("h1", fontName=FONT_BOLD, fontSize=17, leading=21, textColor=ACCENT_DARK, spaceAfter=8)
    add("h2", fontName=FONT_BOLD, fontSize=12, leading=15, textColor=ACCENT_DARK, spaceBefore=10, spaceAfter=5)
    add("dim_title", fontName=FONT_BOLD, fontSize=14, leading=18, textColor=colors.white)
    add("body", spaceAfter=4)
    add("small", fontSize=8.5, leading=11.5)
    add("muted", fontSize=8.5, leading=11.5, textColor=MUTED)
    add("desc", fontName=FONT_ITALIC, fontSize=8.5, leading=11.5, textColor=MUTED, spaceAfter=6)
    add("cell", fontSize=8.2, leading=10.6)
    add("cell_tight", fontSize=7.9, leading=10)
    add("cell_italic", fontName=FONT_ITALIC, fontSize=8.2, leading=10.6, textColor=MUTED)
    add("cell_warn", fontSize=8.2, leading=10.6, textColor=WARN)
    add("cell_bold", fontName=FONT_BOLD, fontSize=8.2, leading=10.6)
    add("cell_head", fontName=FONT_BOLD, fontSize=8.2, leading=10.6, textColor=colors.white)
    add("big_score", fontName=FONT_BOLD, fontSize=34, leading=38, textColor=ACCENT_DARK)
    add("card_label", fontName=FONT_BOLD, fontSize=8.5, leading=11, textColor=MUTED)
    add("card_value", fontName=FONT_BOLD, fontSize=13, leading=16, textColor=INK)
    add("warn_title", fontName=FONT_BOLD, fontSize=9.5, leading=12.5, textColor=WARN)
    add("notice_title", fontName=FONT_BOLD, fontSize=9.5, leading=12.5, textColor=colors.HexColor("#92400e"))
    add("warn", fontSize=8.5, leading=11.5, textColor=INK)
    add("long_label", fontName=FONT_BOLD, fontSize=7.8, leading=10, textColor=MUTED, leftIndent=6,
        spaceBefore=4, spaceAfter=1, keepWithNext=1)
    add("long_text", fontSize=8.2, leading=10.6, leftIndent=6, rightIndent=2)
    return s


class Paragraph(_Paragraph):
    """A paragraph that remembers its last line breaking: tables wrap each cell several times
    (to size rows, to split across pages, to draw) at the same width, and breaking lines is the
    most expensive step of the whole report."""

    style: ParagraphStyle  # set by reportlab's __init__ (declared: drawPara below replaces it)
    _memo: tuple[float, float, Any, Any] | None = None
    _rtl: bool | None = None  # holds Hebrew or Arabic (known at the first drawing)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # reportlab's names
        memo = self._memo
        if memo is not None and memo[0] == availWidth:
            self.width, self.height, self.blPara, self._wrapWidths = availWidth, memo[1], memo[2], memo[3]
            return availWidth, memo[1]
        width, height = super().wrap(availWidth, availHeight)
        self._memo = (availWidth, height, self.blPara, self._wrapWidths)
        return width, height

    def drawPara(self, debug: int = 0) -> Any:  # reportlab's names
        """Draw; a paragraph holding Hebrew or Arabic has each of its lines put in visual order
        first (reportlab breaks lines in logical order and draws them left to right), and is aligned
        right when its first strong character is right-to-left."""
        blPara = self.blPara
        if self._rtl is None:
            source = getattr(self, "text", None)  # the markup; empty in the parts of a split paragraph
            self._rtl = bool(_RTL.search(source)) if source else any(_RTL.search(x) for x in _line_texts(blPara))
        if not self._rtl or not any(_RTL.search(text) for text in _line_texts(blPara)):
            return super().drawPara(debug)
        logical = blPara.lines
        base = "R" if _rtl_base(" ".join(_line_texts(blPara))) else "L"
        if blPara.kind == 0:
            blPara.lines = [(space, _line_visual(" ".join(words), base).split(" ")) for space, words in logical]
        else:
            lines = []
            for line in logical:
                visual = copy.copy(line)
                visual.words = _frags_visual(line.words, base)
                lines.append(visual)
            blPara.lines = lines
        style = self.style
        if base == "R" and style.alignment == TA_LEFT:
            self.style = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)
        try:
            return super().drawPara(debug)
        finally:
            blPara.lines, self.style = logical, style


def _line_texts(blPara: Any) -> list[str]:
    if blPara.kind == 0:
        return [" ".join(words) for _, words in blPara.lines]
    return [getattr(frag, "text", "") or "" for line in blPara.lines for frag in line.words]


def _rtl_base(text: str) -> bool:
    """Whether the first strong character (a letter) is right-to-left (Unicode rules P2, P3)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _frags_visual(frags: list[Any], base: str) -> list[Any]:
    """The pieces of one line (each in its own font or colour) in visual order: the Unicode
    bidirectional algorithm runs over the whole line, then the characters are given back to the
    piece they came from (python-bidi's steps, with each character tagged by its piece)."""
    pieces = [getattr(frag, "text", None) or "" for frag in frags]
    text = "".join(pieces)
    if not _RTL.search(text):
        return frags
    storage = bidi_algorithm.get_empty_storage()
    storage["base_level"] = 1 if base == "R" else 0
    storage["base_dir"] = base
    bidi_algorithm.get_embedding_levels(text, storage)
    owners = [index for index, piece in enumerate(pieces) for _ in piece]
    for char, owner in zip(storage["chars"], owners, strict=True):
        char["piece"] = owner
    bidi_algorithm.explicit_embed_and_overrides(storage, False)
    bidi_algorithm.resolve_weak_types(storage, False)
    bidi_algorithm.resolve_neutral_types(storage, False)
    bidi_algorithm.resolve_implicit_levels(storage, False)
    bidi_algorithm.reorder_resolved_levels(storage, False)
    bidi_algorithm.apply_mirroring(storage, False)
    runs: list[tuple[int, list[str]]] = []
    for char in storage["chars"]:
        if runs and runs[-1][0] == char["piece"]:
            runs[-1][1].append(char["ch"])
        else:
            runs.append((char["piece"], [char["ch"]]))
    visual = []
    for index, chars in runs:
        frag = frags[index].clone()
        frag.text = "".join(chars)
        visual.append(frag)
    return visual + [frag for frag, piece in zip(frags, pieces, strict=True) if not piece]  # breaks, images


# --- formatting ---------------------------------------------------------------------------------


def _cell(text: str, width: float, style: ParagraphStyle, authored: bool = False) -> Any:
    """A table cell: the plain string when it fits on one line, else a wrapping paragraph (a
    questionnaire text, `authored`, with its markup)."""
    if authored and not is_plain(text):
        return Paragraph(_md(text), style)
    shown = _plain(text)
    if "\n" not in shown and pdfmetrics.stringWidth(shown, style.fontName, style.fontSize) <= width - 9:
        return shown
    return Paragraph(_esc(text), style)


@lru_cache(maxsize=2)
def _month_names(lang: str) -> dict[int, str]:
    return dict(get_month_names("wide", locale="en_GB" if lang == "en" else "fr_FR"))


def format_date(value: date | datetime, lang: str) -> str:
    """'20 novembre 2026' / '20 November 2026' ('1er' on the first day, in French); month names by Babel."""
    month = _month_names(lang)[value.month]
    if lang == "fr":
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day} {month} {value.year}"
    return f"{value.day} {month} {value.year}"


def fmt_score(value: float | None) -> str:
    """A score as the report shows it: rounded once, here ('—' when there is none)."""
    return "—" if value is None else f"{value:.0f}"


def _percent(value: float | None, lang: str) -> str:
    return "—" if value is None else translate("pdf.percent", lang, value=f"{100 * value:.0f}")


def _decimal(value: float, lang: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "fr" else text


def _one_decimal(value: float, lang: str) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "fr" else text


def _delta(current: float | None, previous: float | None) -> str | None:
    if current is None or previous is None:
        return None
    diff = round(current) - round(previous)
    return f"{diff:+d}" if diff else "±0"


# --- page furniture -----------------------------------------------------------------------------


class _NumberedCanvas(Canvas):
    """Two-pass canvas: keeps every page, then writes 'Page n / N' once the total is known."""

    def __init__(self, *args: Any, footer_left: str = "", page_text: str = "Page {n} / {total}", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._footer_left = footer_left
        self._page_text = page_text

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        self.saveState()
        self.setStrokeColor(ACCENT_RULE)
        self.setLineWidth(0.6)
        left_x, right_x = MARGIN_X + FRAME_PAD, PAGE_W - MARGIN_X - FRAME_PAD
        self.line(left_x, 13 * mm, right_x, 13 * mm)
        self.setFont(FONT, 7.5)
        self.setFillColor(MUTED)
        left = _plain(" ".join(self._footer_left.split()))  # one line: no newline or tab from a user's text
        limit = CONTENT_W - 30 * mm
        while left and pdfmetrics.stringWidth(left, FONT, 7.5) > limit:
            left = left[:-2] + "…"
        self.drawString(left_x, 9 * mm, left)
        self.drawRightString(right_x, 9 * mm, self._page_text.format(n=self._pageNumber, total=total))
        self.restoreState()


def _cover_band(canvas: Canvas, doc: Any) -> None:
    canvas.saveState()
    canvas.setFillColor(ACCENT)
    canvas.rect(0, PAGE_H - 14 * mm, PAGE_W, 14 * mm, stroke=0, fill=1)
    canvas.setFillColor(ACCENT_LIGHT)
    canvas.rect(0, PAGE_H - 17 * mm, PAGE_W, 3 * mm, stroke=0, fill=1)
    canvas.restoreState()


def _page_rule(canvas: Canvas, doc: Any) -> None:
    canvas.saveState()
    canvas.setFillColor(ACCENT)
    canvas.rect(0, PAGE_H - 5 * mm, PAGE_W, 5 * mm, stroke=0, fill=1)
    canvas.restoreState()


# --- building blocks ----------------------------------------------------------------------------


class _Table(Table):
    """A table whose tall rows continue on the next page.

    A row up to half a page high moves whole to the next page when it does not fit (a row is read
    at once); a taller one — a long action title, a long question written by an author — is cut
    between two of its lines where the page ends and goes on under the repeated header of the next
    page (long comments, answers and notes do not make tall rows: they go under their row, see
    `_long_texts`). Without this, a row taller
    than a page stops the whole report (reportlab's LayoutError). The cut is made here, not by
    reportlab's own `splitInRow` choice, which first moves the rows before the tall one and so draws
    the header a second time in the middle of a page.
    """

    TALL_ROW = FRAME_H / 2
    MIN_PART = 30  # points: a part of a row shorter than this (about two lines) is not worth a cut

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # reportlab's names
        self._calc(availWidth, availHeight)
        fitting = self._getFirstPossibleSplitRowPosition(availHeight)
        heights = self._rowHeights
        if fitting < len(heights) and heights[fitting] > self.TALL_ROW:
            room = availHeight - sum(heights[:fitting])
            if room >= self.MIN_PART:
                parts = self._splitRows(availHeight, doInRowSplit=True)
                if parts:
                    return parts
        return super().split(availWidth, availHeight)


LONG_CELL = FRAME_H / 4  # a text taller than this in its table column is shown at full width below


def _may_be_tall(text: str) -> bool:
    return len(text) >= 200 or text.count("\n") >= 8  # else it cannot reach LONG_CELL: no need to measure


def _fitting(text: str, markup: str, width: float, style: ParagraphStyle) -> Paragraph | None:
    """The paragraph of a cell's text, or None when it would be taller than LONG_CELL in a column
    of `width` (the paragraph measured is the one the table uses: its lines are not broken twice)."""
    paragraph = Paragraph(markup, style)
    if _may_be_tall(text) and paragraph.wrap(width - 8, FRAME_H)[1] > LONG_CELL:
        return None
    return paragraph


def _too_tall(text: str, markup: str, width: float, style: ParagraphStyle) -> bool:
    """Whether a cell's text would be taller than LONG_CELL in a column of `width`."""
    return _may_be_tall(text) and _fitting(text, markup, width, style) is None


def _flowing(markup: str, style: ParagraphStyle) -> list[Any]:
    """A long text as one paragraph per line: reportlab lays out again what is left of a paragraph
    (or of a table row) each time it cuts it at the end of a page, which costs more with every page
    when a text runs over many; separate lines do not."""
    story: list[Any] = []
    for line in markup.split("<br/>"):
        story.append(Paragraph(line, style) if line.strip() else Spacer(1, style.leading))
    return story


def _long_texts(parts: list[tuple[str, str]]) -> list[Any]:
    """The long texts of the table row just above, each under its label, across the page width."""
    s = _styles()
    story: list[Any] = []
    for label, markup in parts:
        story += [Paragraph(_esc(label), s["long_label"]), *_flowing(markup, s["long_text"])]
    return [*story, Spacer(1, 3 * mm)]


def _table(
    rows: list[list[Any]],
    widths: list[float],
    *,
    header: bool = True,
    zebra: bool = True,
    extra: Iterable[tuple[Any, ...]] = (),
    repeat: bool = True,
) -> Table:
    table = _Table(rows, colWidths=widths, repeatRows=1 if header and repeat else 0, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, 8.2, 10.6),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8.2, 10.6),
            ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ]
    if zebra and len(rows) > 2:
        commands.append(("ROWBACKGROUNDS", (0, 1 if header else 0), (-1, -1), [colors.white, ROW_ALT]))
    commands.extend(extra)
    table.setStyle(TableStyle(commands))
    return table


def _heads(labels: list[str]) -> list[Paragraph]:
    style = _styles()["cell_head"]
    return [Paragraph(_esc(label), style) for label in labels]


class _Band(Flowable):
    """A full-width coloured band holding a dimension title (drawn, so it never splits)."""

    def __init__(self, number: int, title: str):
        super().__init__()
        self.paragraph = Paragraph(f"{number} · {_md(title)}", _styles()["dim_title"])
        self.height = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        _, h = self.paragraph.wrap(avail_width - 8 * mm, avail_height)
        self.height = h + 5 * mm
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.roundRect(0, 0, self.width, self.height, 2.5 * mm, stroke=0, fill=1)
        canvas.restoreState()
        self.paragraph.drawOn(canvas, 4 * mm, 2.5 * mm)


class _Picture(Flowable):
    """A Pillow image drawn at a given size (platypus' Image wants a file)."""

    def __init__(self, image: PILImage.Image, width: float, height: float):
        super().__init__()
        self.image, self.width, self.height = image, width, height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(ImageReader(self.image), 0, 0, self.width, self.height)


# --- sections -----------------------------------------------------------------------------------


def _cover(data: ReportData, t: Text) -> list[Any]:
    s = _styles()
    lang = data.lang
    q = data.questionnaire
    company = data.company
    story: list[Any] = [Spacer(1, 22 * mm)]
    story.append(Paragraph(_esc(t("pdf.kicker")), s["kicker"]))
    story.append(Paragraph(_esc(t("pdf.report_title")), s["cover_title"]))
    story.append(Paragraph(_esc(company.name), s["cover_company"]))
    story.append(Paragraph(_esc(t("pdf.assessed_on", date=format_date(data.assessed_on, lang))), s["cover_date"]))

    def row(label: str, value: str) -> list[Any]:
        return [Paragraph(_esc(label), s["card_label"]), Paragraph(value, s["body"])]

    sector = company.sector or data.profile.sector
    if sector:
        section = naf_section(sector)
        sector_text = _esc(t("pdf.sector_value", code=sector, section=section) if section else sector)
    else:
        sector_text = _esc(t("pdf.not_given"))
    band = company.headcount_band or data.profile.headcount_band
    sites = company.sites if company.sites is not None else data.profile.sites
    version = t("pdf.version", version=q.version, hash=q.content_hash[:8])
    respondents = "<br/>".join(_esc(r) for r in data.respondents) or _esc(t("pdf.nobody"))
    rows = [
        row(
            t("pdf.questionnaire"),
            f"{_esc(q.model.title.get(lang))}<br/><font size=8 color='#5b6b6a'>{_esc(q.id)} · {_esc(version)}</font>",
        ),
        row(t("pdf.respondents"), respondents),
        row(t("pdf.sector"), sector_text),
        row(t("pdf.headcount"), _esc(_text_or(lang, f"pdf.headcount.{band}", band) if band else t("pdf.not_given"))),
        row(t("pdf.sites"), _esc(sites if sites is not None else t("pdf.not_given"))),
    ]
    if data.previous is not None and data.previous_on is not None:
        rows.append(row(t("pdf.previous_on"), _esc(format_date(data.previous_on, lang))))
    # notes too long for the column follow the table, across the page (a paragraph flows over pages)
    long_notes = bool(company.notes and _too_tall(company.notes, _esc(company.notes), CONTENT_W - 45 * mm, s["body"]))
    if company.notes and not long_notes:
        rows.append(row(t("pdf.notes"), _esc(company.notes)))
    table = _Table(rows, colWidths=[45 * mm, CONTENT_W - 45 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (0, 0), (-1, 0), 1.2, ACCENT),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story.append(table)
    if long_notes:
        story += [Paragraph(_esc(t("pdf.notes")), s["h2"]), *_flowing(_esc(company.notes), s["small"])]
    story += [Spacer(1, 14 * mm), Paragraph(_esc(t("pdf.cover_note")), s["muted"]), PageBreak()]
    return story


def _dimension_titles(data: ReportData) -> dict[str, str]:
    return {d.id: d.title.get(data.lang) for d in data.questionnaire.dimensions}


def _summary(data: ReportData, t: Text, radar: PILImage.Image) -> list[Any]:
    s = _styles()
    lang = data.lang
    result = data.result
    titles = _dimension_titles(data)
    q = data.questionnaire
    reading = read(q, result)

    # score card, beside the radar ("provisional" below the coverage threshold)
    overall_label = t("pdf.overall_provisional" if reading.provisional else "pdf.overall")
    card: list[Any] = [Paragraph(_esc(overall_label), s["card_label"])]
    overall = "—" if result.overall is None else f"{fmt_score(result.overall)}<font size=14 color='#5b6b6a'>/100</font>"
    card.append(Paragraph(overall, s["big_score"]))
    if data.previous is not None:
        delta = _delta(result.overall, data.previous.overall)
        if delta and data.previous_on is not None:
            card.append(
                Paragraph(_esc(t("pdf.since", delta=delta, date=format_date(data.previous_on, lang))), s["muted"])
            )
    backed = data.evidence_result  # the evidence-backed score, under the declared one
    if backed is not None:
        card.append(Spacer(1, 2 * mm))
        card.append(Paragraph(_esc(t("evscore.title")), s["card_label"]))
        card.append(Paragraph(f"{fmt_score(backed.overall)}<font size=9 color='#5b6b6a'>/100</font>", s["card_value"]))
    card.append(Spacer(1, 3 * mm))
    card.append(Paragraph(_esc(t("pdf.level_provisional" if reading.provisional else "pdf.level")), s["card_label"]))
    level_text = _md(result.level.label.get(lang)) if result.level else "—"
    if result.level_rank is not None:
        level_text += f" <font size=9 color='#5b6b6a'>({result.level_rank}/{len(q.model.results.levels)})</font>"
    card.append(Paragraph(level_text, s["card_value"]))
    # a level description too long for the card, beside the radar, goes under both, across the page
    long_description: Paragraph | None = None
    # a level's description speaks of every dimension: it is given only for a confirmed result
    if result.level and result.level.description and not reading.provisional:
        description = Paragraph(_md(result.level.description.get(lang)), s["muted"])
        if _too_tall(result.level.description.get(lang), description.text, CONTENT_W - 100 * mm, s["muted"]):
            long_description = description
        else:
            card.append(description)
    card.append(Spacer(1, 3 * mm))
    card.append(Paragraph(_esc(t("pdf.coverage")), s["card_label"]))
    card.append(Paragraph(_esc(_percent(result.coverage, lang)), s["card_value"]))
    card.append(Paragraph(_esc(t("pdf.coverage_note")), s["muted"]))

    image = _Picture(radar, 96 * mm, 96 * mm * RADAR_RATIO)
    top = _Table([[image, card]], colWidths=[100 * mm, CONTENT_W - 100 * mm], hAlign="LEFT")
    top.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (1, 0), (1, 0), 6 * mm),
            ]
        )
    )

    # strongest and weakest dimensions, side by side (never the same one in both: diagnostic/core/reading.py)
    by_id = {d.id: d for d in result.dimensions}
    strongest = [by_id[i] for i in reading.strengths]
    weakest = [by_id[i] for i in reading.weaknesses]
    half = (CONTENT_W - 6 * mm) / 2

    def ranking(title: str, dims: list[DimensionResult]) -> Table:
        heads = [Paragraph(_esc(title), s["cell_head"]), Paragraph(_esc(t("pdf.score")), s["cell_head"])]
        rows: list[list[Any]] = [heads]
        rows += [[Paragraph(_md(titles[d.id]), s["cell"]), fmt_score(d.score)] for d in dims]
        if not dims:
            rows.append(["—", ""])
        return _table(
            rows, [half - 16 * mm, 16 * mm], extra=[("ALIGN", (1, 0), (1, -1), "RIGHT")], repeat=False, zebra=False
        )

    pair = _Table(
        [[ranking(t("pdf.strongest"), strongest), ranking(t("pdf.weakest"), weakest)]],
        colWidths=[half + 6 * mm, half],
        hAlign="LEFT",
    )
    pair.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )

    story: list[Any] = [Paragraph(_esc(t("pdf.summary")), s["h1"])]
    if reading.provisional:
        story += [_provisional_box(data, t, reading), Spacer(1, 3 * mm)]
    story.append(top)
    rule = q.model.results.evidence_rule
    if backed is not None and rule is not None:  # the rule in one sentence, what it lowered, the level it gives
        backed_level = _authored(backed.level.label.get(lang)) if backed.level else "—"
        lacking = lacking_sentence(len(lowered(result, backed)), lang)
        words = [rule_sentence(rule, lang), lacking, t("evscore.level", level=backed_level)]
        story.append(Paragraph(_esc(" ".join(words)), s["muted"]))
    if long_description is not None:
        story += _flowing(long_description.text, s["muted"])
    if strongest or weakest:
        story += [Spacer(1, 2 * mm), pair]
    elif any(d.score is not None for d in result.dimensions):
        story += [Spacer(1, 2 * mm), Paragraph(_esc(t("pdf.none_stands_out")), s["muted"])]
    if reading.not_filled:
        dims = ", ".join(_authored(titles[d]) for d in reading.not_filled)
        story.append(Paragraph(_esc(t("pdf.not_filled_dims", dims=dims)), s["muted"]))

    # capped by a critical question
    if result.capped_by_critical:
        by_score = _authored(result.level_by_score.label.get(lang)) if result.level_by_score else "—"
        level = _authored(result.level.label.get(lang)) if result.level else "—"
        items = "".join(
            f"<br/>•&nbsp;{_md(q.questions[qid].text.get(lang))}"
            for qid in result.critical_unmet
            if qid in q.questions
        )
        box = _box(
            Paragraph("⚠ " + _esc(t("pdf.capped_title")), s["warn_title"]),
            Paragraph(_esc(t("pdf.capped_text", by_score=by_score, level=level)) + items, s["warn"]),
        )
        story += [Spacer(1, 3 * mm), box]
    # critical questions not answered yet, said plainly (never "no legal basic unmet")
    unanswered = [qid for qid in reading.critical_unanswered if qid in q.questions]
    if unanswered:
        count = len(unanswered)
        items = "".join(f"•&nbsp;{_md(q.questions[qid].text.get(lang))}<br/>" for qid in unanswered)
        settings = q.model.results
        cap = next((lv for lv in settings.levels if lv.id == settings.critical_cap), None)
        why = t("pdf.critical_unanswered_why", cap=_authored(cap.label.get(lang)) if cap else "—")
        box = _box(
            Paragraph("⚠ " + _esc(t("pdf.critical_unanswered_count", count=count)), s["warn_title"]),
            Paragraph(items + _esc(why), s["warn"]),
        )
        story += [Spacer(1, 3 * mm), box]

    next_line = _next_level(data, t, titles)
    if next_line:
        story += [Spacer(1, 2 * mm), Paragraph(next_line, s["small"])]

    # priorities
    story.append(Paragraph(_esc(t("pdf.priorities")), s["h2"]))
    recs = result.recommendations[:5]
    if recs:
        rows: list[list[Any]] = [_heads([t("pdf.col_rank"), t("pdf.col_action"), t("pdf.col_dimension"), t("pdf.col_kind")])]
        for rank, rec in enumerate(recs, start=1):
            kind = (
                Paragraph(f"<font color='#b45309'><b>{_esc(t('pdf.quick_win'))}</b></font>", s["cell"])
                if rec.quick_win
                else Paragraph(_esc(t("pdf.project")), s["cell"])
            )
            rows.append(
                [
                    str(rank),
                    Paragraph(_md(rec.text.get(lang)), s["cell_tight"]),
                    Paragraph(_md(titles[rec.dimension]), s["cell_tight"]),
                    kind,
                ]
            )
        story.append(_table(rows, [7 * mm, 108 * mm, 32 * mm, CONTENT_W - 147 * mm]))
    else:
        story.append(Paragraph(_esc(t("pdf.no_priorities")), s["body"]))
    # One page: a little too much content is shrunk to fit (only an extreme case needs it); content
    # that would have to shrink more than that (very long texts in a questionnaire) flows over the
    # next pages at full size instead, so that nothing becomes too small to read.
    height = sum(f.wrap(CONTENT_W, FRAME_H)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in story)
    if height <= (FRAME_H - 1) / SUMMARY_MIN_SCALE:
        return [KeepInFrame(CONTENT_W, FRAME_H - 1, story, mode="shrink", hAlign="LEFT"), PageBreak()]
    return [*story, PageBreak()]


def _box(*content: Any, colour: Any = WARN, background: Any = WARN_BG) -> Table:
    """A notice across the page: a coloured rule on its left, a light background."""
    box = _Table([[list(content)]], colWidths=[CONTENT_W], hAlign="LEFT")
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), background),
                ("LINEBEFORE", (0, 0), (0, -1), 3, colour),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return box


def _provisional_box(data: ReportData, t: Text, reading: Reading) -> Table:
    """Below the coverage threshold: the score and level are provisional, and how much is missing."""
    s = _styles()
    text = t(
        "pdf.provisional_text",
        unanswered=reading.unanswered,
        applicable=reading.applicable,
        coverage=_percent(reading.coverage, data.lang),
        threshold=_percent(reading.threshold, data.lang),
    )
    return _box(
        Paragraph(_esc("◷ " + t("pdf.provisional_title")), s["notice_title"]),
        Paragraph(_esc(text), s["warn"]),
        colour=NOTICE,
        background=NOTICE_BG,
    )


def _next_level(data: ReportData, t: Text, titles: dict[str, str]) -> str | None:
    result = data.result
    if result.level_rank is None or not result.level_checks:
        return None
    if result.capped_by_critical and result.level_by_score is not None:
        label = _authored(result.level_by_score.label.get(data.lang))
        return _esc(t("pdf.next_level_capped", label=label))
    if result.level_rank >= len(result.level_checks):
        return _esc(t("pdf.top_level"))
    check = result.level_checks[result.level_rank]  # the level just above the one reached
    floor = ""
    if check.level.min_dimension is not None:
        floor = t("pdf.next_floor", floor=f"{check.level.min_dimension:g}")
        if check.dimensions_below_floor:
            floor += t("pdf.next_below", dims=", ".join(_authored(titles[d]) for d in check.dimensions_below_floor))
    text = t(
        "pdf.next_level", label=_authored(check.level.label.get(data.lang)), overall=f"{check.level.min_overall:g}", floor=floor
    )
    return _esc(text)


# --- crossed views (the participative diagnostic) ------------------------------------------------

# a divergence's kind in words
KIND_KEYS = {
    "blind_spot": "pdf.crossed.blind_spot",
    "hidden_strength": "pdf.crossed.hidden_strength",
    "spread": "pdf.crossed.spread",
}
TOP_DIVERGENCES = 10
REFERENCE = "direction"  # the group the others are compared with (consolidate's default reference)
# a score's cell in the heat map, by the level floors of the shipped questionnaires: pale enough for
# dark figures to stay readable, and for a black-and-white print (the figure is in each cell)
HEAT = [
    (25.0, colors.HexColor("#f4cfca")),
    (45.0, colors.HexColor("#f9dfc0")),
    (65.0, colors.HexColor("#f5edbd")),
    (85.0, colors.HexColor("#d7ecd1")),
    (float("inf"), colors.HexColor("#b9dfc3")),
]


def _heat(score: float) -> Any:
    return next(colour for ceiling, colour in HEAT if round(score) < ceiling)


def _benchmark_section(data: ReportData, t: Text) -> list[Any]:
    """The networks' anonymous benchmarks (the company shares with them): per dimension and overall,
    the company's score beside the members' Q1, median and Q3 and how many contributed; a figure
    with fewer than BENCHMARK_MIN contributors is not shown. Nothing without a benchmark."""
    if not data.benchmarks:
        return []
    s = _styles()
    lang = data.lang
    titles = {d.id: to_plain(d.title.get(lang)) for d in data.questionnaire.dimensions}
    mine = {d.id: d.score for d in data.result.dimensions}
    story: list[Any] = [Paragraph(_esc(t("benchmark.pdf_title")), s["h1"])]
    story.append(Paragraph(_esc(t("benchmark.pdf_intro", min=BENCHMARK_MIN)), s["body"]))
    for b in data.benchmarks:
        parts = [(t("benchmark.network_title", network=b.network), b.figures)]
        if b.section is not None and b.sector_figures is not None and not b.sector_figures.empty:
            parts.append((t("benchmark.sector_title", section=b.section), b.sector_figures))
        for title, figures in parts:
            heads = [t("benchmark.col_dimension"), t("benchmark.col_company"), t("benchmark.col_q1"), t("benchmark.col_median"),
                     t("benchmark.col_q3"), t("benchmark.col_n")]  # fmt: skip
            rows: list[list[Any]] = [_heads(heads)]
            lines = [(titles.get(d) or b.titles.get(d, d), mine.get(d), q) for d, q in figures.dimensions.items()]
            if figures.overall is not None:
                lines.append((t("benchmark.overall"), data.result.overall, figures.overall))
            for name, score, q in lines:
                rows.append([Paragraph(_esc(name), s["cell"]), fmt_score(score), fmt_score(q.q1), fmt_score(q.median),
                             fmt_score(q.q3), str(q.n)])  # fmt: skip
            table = _table(rows, [CONTENT_W - 95 * mm, *([19 * mm] * 5)], extra=[("ALIGN", (1, 0), (-1, -1), "RIGHT")])
            story.append(KeepTogether([Paragraph(_esc(title), s["h2"]), table]))
    story.append(Paragraph(_esc(t("benchmark.pdf_note")), s["muted"]))
    story.append(PageBreak())
    return story


def readiness_section(data: ReportData, t: Text) -> list[Any]:
    """Label readiness (diagnostic.core.readiness): per label or rating, the summary line, the levels
    or theme estimates, the missing conditions with their reason, then in one line each those to
    check by the company and those not assessed, the count of the others, the disclaimer and the
    sources' sites (the app lists their addresses). About one page; nothing without readiness
    reports. Necessary conditions only: the words never promise a label."""
    if not data.readiness:
        return []
    # imported here: the section is the only user, and the module's import block is shared by many hands
    from urllib.parse import urlsplit

    from diagnostic.core.readiness import MET, MISSING, NOT_APPLICABLE, NOT_ASSESSED, TO_CHECK
    from diagnostic.readiness_text import level_lines, reason_text, size_text, summary_text

    s = _styles()
    lang = data.lang
    story: list[Any] = [
        Paragraph(_esc(t("readiness.pdf_title")), s["h1"]),
        Paragraph(_esc(t("readiness.pdf_intro")), s["body"]),
    ]
    for report in data.readiness:
        framework = report.framework
        head = [
            Paragraph(_esc(framework.name.get(lang)), s["h2"]),
            Paragraph(_esc(summary_text(report, lang)), s["cell_bold"]),
        ]
        notes = [size_text(report, lang), *level_lines(report, lang)]
        for theme in report.themes:
            name = theme.theme.name.get(lang)
            notes.append(
                t("readiness.theme_unassessed", theme=name) if theme.score is None
                else t("readiness.theme_line", theme=name, score=fmt_score(theme.score), target=fmt_score(theme.theme.min))
            )  # fmt: skip
        head += [Paragraph(_esc(note), s["small"]) for note in notes if note]
        story.append(KeepTogether(head))
        missing = report.with_status(MISSING)
        if missing:
            rows: list[list[Any]] = [_heads([t("readiness.missing_title")])]
            for check in missing:
                reason = reason_text(report, check, data.questionnaire, lang)
                text = f"✗ <b>{_esc(check.condition.text.get(lang))}</b><br/><font size=7.2 color='#5b6b6a'>{_esc(reason)}</font>"
                rows.append([Paragraph(text, s["cell_tight"])])
            story += [Spacer(1, 1.5 * mm), _table(rows, [CONTENT_W], extra=[("BACKGROUND", (0, 0), (-1, 0), WARN)])]
        for status, key in ((TO_CHECK, "readiness.to_check_title"), (NOT_ASSESSED, "readiness.not_assessed_title")):
            found = report.with_status(status)
            if found:
                names = ("; " if lang == "en" else " ; ").join(c.condition.text.get(lang) for c in found)
                story.append(Paragraph(_esc(t("readiness.pdf_list", title=t(key), names=names)), s["small"]))
        story.append(
            Paragraph(
                _esc(t("readiness.pdf_met", count=report.count(MET), na=report.count(NOT_APPLICABLE))), s["muted"]
            )
        )
        story.append(Paragraph(_esc(framework.disclaimer.get(lang)), s["desc"]))
        sites = ", ".join(dict.fromkeys(urlsplit(str(source.url)).netloc for source in framework.sources))
        story.append(
            Paragraph(
                _esc(t("readiness.pdf_sources", date=format_date(framework.last_checked, lang), urls=sites)), s["muted"]
            )
        )
    story.append(PageBreak())
    return story


def _crossed_section(data: ReportData, t: Text) -> list[Any]:
    """The groups' views: who answered, a radar of the shown groups, their scores by dimension
    and the largest divergences. Nothing when the assessment is not opened to groups or no group
    is shown yet; of a hidden group, only that it has not enough answers."""
    crossed = data.crossed
    if crossed is None or not crossed.shown:
        return []
    s = _styles()
    story: list[Any] = [Paragraph(_esc(t("pdf.crossed.title")), s["h1"])]
    story.append(Paragraph(_esc(t("pdf.crossed.intro", k=crossed.k)), s["body"]))
    story += _crossed_who(crossed, t)
    image = groups_radar_image(data)
    if image is not None:
        width = 110 * mm
        height = width * image.height / image.width
        picture = _Table([[_Picture(image, width, height)]], colWidths=[CONTENT_W], hAlign="LEFT")
        picture.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        story.append(
            KeepTogether(
                [
                    Paragraph(_esc(t("pdf.crossed.radar")), s["h2"]),
                    picture,
                    Paragraph(_esc(t("pdf.crossed.radar_note")), s["muted"]),
                ]
            )
        )
    story += _crossed_heat_map(data, crossed, t)
    story += _crossed_divergences(data, crossed, t)
    story.append(PageBreak())
    return story


def _crossed_who(crossed: CrossedViews, t: Text) -> list[Any]:
    s = _styles()
    cell = s["cell"]
    rows: list[list[Any]] = [
        _heads([t("pdf.crossed.col_group"), t("pdf.crossed.col_mode"), t("pdf.crossed.col_respondents")])
    ]
    for group in crossed.groups:
        mode = t("pdf.crossed.anonymous") if group.anonymous else t("pdf.crossed.named")
        if group.shown:
            answered: Any = t("pdf.crossed.respondents", count=group.respondents or 0)
        elif group.anonymous:
            answered = Paragraph(f"<i>{_esc(t('pdf.crossed.not_enough', k=crossed.k))}</i>", s["cell_italic"])
        else:
            answered = Paragraph(f"<i>{_esc(t('pdf.crossed.no_answer_yet'))}</i>", s["cell_italic"])
        rows.append([Paragraph(f"<b>{_esc(group.name)}</b>", cell), mode, answered])
    table = _table(rows, [62 * mm, 28 * mm, CONTENT_W - 90 * mm])
    return [KeepTogether([Paragraph(_esc(t("pdf.crossed.who")), s["h2"]), table])]


def _crossed_heat_map(data: ReportData, crossed: CrossedViews, t: Text) -> list[Any]:
    """Dimensions down, shown groups across: each cell the group's score, written, on a colour of
    its band; no score is a dash (the note says why)."""
    s = _styles()
    lang = data.lang
    shown = crossed.shown
    first = min(78 * mm, max(46 * mm, CONTENT_W - 28 * mm * len(shown)))  # the groups' columns 28 mm if they can
    width = (CONTENT_W - first) / len(shown)
    # the groups' names in the head, in a size that fits their longest word in the column (a word
    # is never cut), as small as 6 points at most
    words = [word for group in shown for word in _plain(group.name).split()] or [""]
    longest = max(pdfmetrics.stringWidth(word, FONT_BOLD, 1) for word in words) or 1
    size = max(6.0, min(8.2, (width - 9) / longest))
    head = ParagraphStyle("crossed_head", parent=s["cell_head"], fontSize=size, leading=size * 1.25)
    heads = [Paragraph(_esc(t("pdf.crossed.col_dimension")), s["cell_head"])]
    heads += [Paragraph(_esc(group.name), head) for group in shown]
    rows: list[list[Any]] = [heads]
    commands: list[tuple[Any, ...]] = [
        ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ("VALIGN", (1, 1), (-1, -1), "MIDDLE"),
        ("GRID", (1, 1), (-1, -1), 0.8, colors.white),
        ("FONT", (1, 1), (-1, -1), FONT_BOLD, 9, 11),
    ]
    scores = [
        {d.id: d.score for d in group.result.dimensions} if group.result is not None else {} for group in shown
    ]
    lines = [(to_plain(d.title.get(lang)), d.id) for d in data.questionnaire.dimensions]
    for title, dimension_id in [*lines, (t("pdf.crossed.overall"), None)]:
        row: list[Any] = [Paragraph(_esc(title) if dimension_id else f"<b>{_esc(title)}</b>", s["cell"])]
        for column, group in enumerate(shown, start=1):
            if dimension_id is None:
                value = group.result.overall if group.result is not None else None
            else:
                value = scores[column - 1].get(dimension_id)
            row.append(fmt_score(value))
            at = (column, len(rows))
            if value is None:
                commands += [("TEXTCOLOR", at, at, MUTED), ("FONT", at, at, FONT, 9, 11)]
            else:
                commands.append(("BACKGROUND", at, at, _heat(value)))
        rows.append(row)
    commands.append(("LINEABOVE", (0, len(rows) - 1), (-1, len(rows) - 1), 1.0, ACCENT_RULE))
    table = _table(rows, [first, *([width] * len(shown))], zebra=False, extra=commands)
    title = Paragraph(_esc(t("pdf.crossed.heat_map")), s["h2"])
    note = Paragraph(_esc(t("pdf.crossed.heat_map_note")), s["muted"])
    return [KeepTogether([title, table, Spacer(1, 1.5 * mm), note])]  # a small table: on one page


def _crossed_divergences(data: ReportData, crossed: CrossedViews, t: Text) -> list[Any]:
    s = _styles()
    lang = data.lang
    q = data.questionnaire
    title = Paragraph(_esc(t("pdf.crossed.divergences")), s["h2"])
    found = [d for d in crossed.divergences if d.question_id in q.questions and crossed.group(d.group_id) is not None]
    if not found:
        return [KeepTogether([title, Paragraph(_esc(t("pdf.crossed.no_divergences")), s["body"])])]
    heads = [t("pdf.crossed.col_question"), t("pdf.crossed.col_group"), t("pdf.crossed.col_kind"), t("pdf.crossed.col_gap")]
    rows: list[list[Any]] = [_heads(heads)]
    for divergence in found[:TOP_DIVERGENCES]:
        group = crossed.group(divergence.group_id)
        assert group is not None
        rows.append(
            [
                Paragraph(_md(q.questions[divergence.question_id].text.get(lang)), s["cell"]),
                Paragraph(_esc(group.name), s["cell"]),
                Paragraph(_esc(t(KIND_KEYS[divergence.kind]) if divergence.kind in KIND_KEYS else divergence.kind), s["cell"]),
                _one_decimal(divergence.size, lang),
            ]
        )
    widths = [CONTENT_W - 86 * mm, 38 * mm, 26 * mm, 22 * mm]
    reference = next((g.name for g in crossed.shown if g.key == REFERENCE), "—")
    note = t("pdf.crossed.divergences_note", gap=_one_decimal(GAP, lang), spread=f"{SPREAD:g}", reference=reference)
    story: list[Any] = [CondPageBreak(50 * mm), title, Paragraph(_esc(note), s["muted"])]
    if len(found) > TOP_DIVERGENCES:
        story.append(Paragraph(_esc(t("pdf.crossed.top", shown=TOP_DIVERGENCES, count=len(found))), s["muted"]))
    story += [Spacer(1, 1.5 * mm), _table(rows, widths, extra=[("ALIGN", (3, 0), (3, -1), "RIGHT")])]
    return story


def _dimension_sections(data: ReportData, t: Text) -> list[Any]:
    s = _styles()
    lang = data.lang
    q = data.questionnaire
    result = data.result
    settings = q.model.results
    previous = {d.id: d for d in data.previous.dimensions} if data.previous else {}
    recs_by_dim: dict[str, list[Any]] = {}
    for rec in result.recommendations:
        recs_by_dim.setdefault(rec.dimension, []).append(rec)

    cell = s["cell"]
    story: list[Any] = []
    for number, dimension in enumerate(q.dimensions, start=1):
        dim = result.dimension(dimension.id)
        state = dimension_state(dim)
        if number > 1:
            # a dimension starts on a new page unless most of the page is still free: no page
            # left with two stray rows, no section title stranded at the bottom of a page
            story += [Spacer(1, 8 * mm), CondPageBreak(FRAME_H * 0.55)]
        story.append(_Band(number, dimension.title.get(lang)))
        story.append(Spacer(1, 3 * mm))

        # key figures
        # no score is said in words, never shown as 0
        figures = [
            (
                t("pdf.score"),
                f"{fmt_score(dim.score)}<font size=9 color='#5b6b6a'>/100</font>"
                if state == SCORED
                else f"<font color='#8a6d00'>{_esc(t(NO_SCORE_KEYS[state]))}</font>",
            ),
            (t("pdf.coverage"), _esc(_percent(dim.coverage, lang))),
        ]
        if data.targets:
            target = data.targets.get(dimension.id)
            figures.append((t("pdf.target"), fmt_score(target)))
        if data.previous is not None:
            before = previous.get(dimension.id)
            value = fmt_score(before.score if before else None)
            delta = _delta(dim.score, before.score if before else None)
            figures.append(
                (t("pdf.previous"), value + (f" <font size=8.5 color='#5b6b6a'>({delta})</font>" if delta else ""))
            )
        cells = [
            [Paragraph(_esc(label), s["card_label"]), Paragraph(value, s["card_value"])] for label, value in figures
        ]
        if dim.low_confidence and state == SCORED:
            cells.append(
                [
                    Paragraph("", s["card_label"]),
                    Paragraph(f"<font color='#b42318'>⚠ {_esc(t('pdf.low_confidence'))}</font>", s["cell_bold"]),
                ]
            )
        width = CONTENT_W / len(cells)
        strip = Table([cells], colWidths=[width] * len(cells), hAlign="LEFT")
        strip.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), ACCENT_LIGHT),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ]
            )
        )
        story += [strip, Spacer(1, 3 * mm)]
        if dim.low_confidence and state == SCORED:
            story.append(
                Paragraph(
                    _esc(
                        t(
                            "pdf.low_confidence_why",
                            cov=f"{100 * settings.low_coverage:g}",
                            dk=f"{100 * settings.high_dont_know:g}",
                        )
                    ),
                    s["muted"],
                )
            )
        if dimension.description:
            story.append(Paragraph(_md(dimension.description.get(lang)), s["desc"]))

        # answers (plain cells where the text fits on one line: they cost far less than paragraphs);
        # an answer or a comment too long for its column goes under its row, across the page
        heads = [t("pdf.col_question"), t("pdf.col_answer"), t("pdf.col_comment")]
        rows: list[list[Any]] = [_heads(heads)]
        widths = [74 * mm, 44 * mm, CONTENT_W - 118 * mm]
        commands: list[tuple[Any, ...]] = []
        shown = 0
        below_mark = f"<i>{_esc(t('pdf.see_below'))}</i>"
        for question in dimension.questions:
            row = result.questions[question.id]
            if not row.applies:
                continue
            shown += 1
            answer = data.answers.get(question.id)
            label = answer_label(q, question.id, answer.value if answer else None, lang)
            at = (1, len(rows))
            below: list[tuple[str, str]] = []
            authored = not isinstance(question, TextQuestion)  # else the answer is what the user typed
            label_markup = _md(label) if authored else _esc(label)
            long_label = _too_tall(label, label_markup, widths[1], cell)
            if long_label:
                below.append((t("pdf.col_answer"), label_markup))
                label_markup = below_mark
            if row.critical_unmet:
                answer_cell: Any = Paragraph(
                    f"<b>{label_markup}</b><br/><font size=7>⚠ {_esc(t('pdf.critical_unmet_mark'))}</font>",
                    s["cell_warn"],
                )
            elif question.critical is not None and not row.answered and row.max is not None:
                answer_cell = Paragraph(
                    f"{label_markup}<br/><font size=7 color='#b42318'>"
                    f"⚠ {_esc(t('pdf.critical_unanswered_mark'))}</font>",
                    cell,
                )
            elif question.critical is not None:
                answer_cell = Paragraph(
                    f"{label_markup}<br/><font size=7 color='#5b6b6a'>{_esc(t('pdf.critical_mark'))}</font>", cell
                )
            elif long_label:
                answer_cell = Paragraph(label_markup, cell)
            elif row.dont_know or row.na:
                answer_cell = _cell(label, widths[1], s["cell_italic"])
                commands += [("FONT", at, at, FONT_ITALIC, 8.2, 10.6), ("TEXTCOLOR", at, at, MUTED)]
            else:
                answer_cell = _cell(label, widths[1], cell, authored)
            comment = answer.comment if answer and answer.comment else ""
            comment_cell: Any = ""
            if comment:
                markup = _esc(comment)
                comment_cell = _fitting(comment, markup, widths[2], cell)
                if comment_cell is None:
                    below.append((t("pdf.col_comment"), markup))
                    comment_cell = Paragraph(below_mark, cell)
            rows.append([Paragraph(_md(question.text.get(lang)), cell), answer_cell, comment_cell])
            if below:
                story += [_table(rows, widths, extra=commands), *_long_texts(below)]
                rows, commands = [_heads(heads)], []
        if len(rows) > 1:
            story.append(_table(rows, widths, extra=commands))
        if not shown:
            story.append(Paragraph(_esc(t("pdf.not_applicable_dim")), s["body"]))
        if dim.score is None and shown:
            story.append(Paragraph(_esc(t("pdf.no_score_dim")), s["muted"]))

        # recommendations
        recs = recs_by_dim.get(dimension.id, [])
        story.append(CondPageBreak(30 * mm))
        story.append(Paragraph(f"{_esc(t('pdf.recommendations'))} ({len(recs)})", s["h2"]))
        if recs:
            rec_heads = [t("pdf.col_recommendation"), t("pdf.col_effort"), t("pdf.col_impact"), t("pdf.col_priority")]
            rows = [_heads(rec_heads)]
            commands = [("ALIGN", (3, 0), (3, -1), "RIGHT"), ("FONT", (1, 1), (-1, -1), FONT, 7.8, 10.2)]
            for i, rec in enumerate(recs, start=1):
                priority = _decimal(rec.priority, lang)
                if rec.quick_win:
                    priority += "\n" + t("pdf.quick_win")
                    commands += [("TEXTCOLOR", (3, i), (3, i), QUICK), ("FONT", (3, i), (3, i), FONT_BOLD, 7.8, 10.2)]
                rows.append(
                    [
                        Paragraph(_md(rec.text.get(lang)), cell),
                        _text_or(lang, f"pdf.effort.{rec.effort}", str(rec.effort)),
                        _text_or(lang, f"pdf.impact.{rec.impact}", str(rec.impact)),
                        priority,
                    ]
                )
            story.append(_table(rows, [CONTENT_W - 78 * mm, 25 * mm, 25 * mm, 28 * mm], extra=commands))
        else:
            story.append(Paragraph(_esc(t("pdf.no_recommendations")), s["body"]))
    story.append(PageBreak())
    return story


def _action_plan(data: ReportData, t: Text) -> list[Any]:
    s = _styles()
    lang = data.lang
    story: list[Any] = [Paragraph(_esc(t("pdf.action_plan")), s["h1"])]
    if not data.actions:
        story += [Paragraph(_esc(t("pdf.no_actions")), s["body"]), PageBreak()]
        return story
    heads = [t("pdf.col_plan_action"), t("pdf.col_owner"), t("pdf.col_due"), t("pdf.col_status")]
    widths = [CONTENT_W - 98 * mm, 40 * mm, 32 * mm, 26 * mm]
    rows: list[list[Any]] = [_heads(heads)]
    for action in data.actions:
        text = f"<b>{_esc(action.title)}</b>"
        # notes too long for the column go under the row, across the page
        long_notes = bool(action.notes) and _too_tall(action.notes, _esc(action.notes), widths[0], s["cell"])
        if long_notes:
            text += f"<br/><i>{_esc(t('pdf.notes'))} {_esc(t('pdf.see_below'))}</i>"
        elif action.notes:
            text += f"<br/>{_esc(action.notes)}"
        if action.recommendation_id:
            source = t("pdf.from_recommendation", id=action.recommendation_id)
            text += f"<br/><font size=6.8 color='#5b6b6a'>{_esc(source)}</font>"
        for match in data.aid.get(action.recommendation_id or "", []):  # public schemes that fund it: name, address
            url = _esc(match.scheme.url)
            scheme = t("aid.pdf_line", name=match.scheme.name.get(lang))
            text += f"<br/><font size=6.8 color='#5b6b6a'>{_esc(scheme)} <a href=\"{url}\" color='#1f5f8b'>{url}</a></font>"
        rows.append(
            [
                Paragraph(text, s["cell"]),
                Paragraph(_esc(action.owner), s["cell"]) if action.owner else "—",
                format_date(action.due_date, lang) if action.due_date else "—",
                status_label(action.status, lang),
            ]
        )
        if long_notes:
            story += [_table(rows, widths), *_long_texts([(t("pdf.notes"), _esc(action.notes))])]
            rows = [_heads(heads)]
    if len(rows) > 1:
        story.append(_table(rows, widths))
    story.append(PageBreak())
    return story


def _annex(data: ReportData, t: Text) -> list[Any]:
    s = _styles()
    lang = data.lang
    q = data.questionnaire
    settings = q.model.results
    cell = s["cell"]
    story: list[Any] = [Paragraph(_esc(t("pdf.annex")), s["h1"])]

    story.append(Paragraph(_esc(t("pdf.scale")), s["h2"]))
    rows: list[list[Any]] = [_heads([t("pdf.col_value"), t("pdf.col_label"), t("pdf.col_description")])]
    for step in sorted(q.model.maturity_scale, key=lambda x: x.value):
        rows.append(
            [
                str(step.value),
                Paragraph(f"<b>{_md(step.label.get(lang))}</b>", cell),
                Paragraph(_md(step.description.get(lang)), cell),
            ]
        )
    story.append(_table(rows, [16 * mm, 48 * mm, CONTENT_W - 64 * mm], extra=[("ALIGN", (0, 0), (0, -1), "CENTER")]))

    story.append(Paragraph(_esc(t("pdf.special_answers")), s["h2"]))
    story += [Paragraph(t("pdf.na_rule"), s["body"]), Paragraph(t("pdf.dk_rule"), s["body"])]

    cov, dk = f"{100 * settings.low_coverage:g}", f"{100 * settings.high_dont_know:g}"
    rules = [Paragraph(_esc(t("pdf.rules")), s["h2"])]
    overall_rule = t("pdf.rule.overall_pooled") if settings.overall == "pooled" else t("pdf.rule.overall")
    rule_texts = [
        t("pdf.rule.answers"), t("pdf.rule.counted"), t("pdf.rule.dimension_score"), overall_rule,
        t("pdf.rule.coverage", cov=cov, dk=dk), t("pdf.rule.level"), t("pdf.rule.recommendations"),
    ]  # fmt: skip
    unweighted = [_esc(to_plain(d.title.get(lang))) for d in q.dimensions if d.weight == 0]
    if unweighted:
        rule_texts.append(t("pdf.rule.weight_zero", dims=", ".join(unweighted)))
    if q.model.modules:
        opened = [_esc(to_plain(q.module_by_id[m].title.get(lang))) for m in data.result.modules]
        rule_texts.append(t("pdf.rule.modules", modules=", ".join(opened) or "—"))
    rules_rows = [[f"{i}.", Paragraph(rule, s["small"])] for i, rule in enumerate(rule_texts, start=1)]
    table = Table(rules_rows, colWidths=[7 * mm, CONTENT_W - 7 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (0, -1), FONT_BOLD, 8.5, 11.5),
                ("TEXTCOLOR", (0, 0), (0, -1), ACCENT_DARK),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    story.append(KeepTogether([*rules, table]))

    levels = [Paragraph(_esc(t("pdf.levels")), s["h2"])]
    level_heads = [t("pdf.col_level"), t("pdf.col_min_overall"), t("pdf.col_min_dimension"), t("pdf.col_description")]
    rows = [_heads(level_heads)]
    for rank, level in enumerate(settings.levels, start=1):
        rows.append(
            [
                Paragraph(f"<b>{rank} · {_md(level.label.get(lang))}</b>", cell),
                f"{level.min_overall:g}",
                "—" if level.min_dimension is None else f"{level.min_dimension:g}",
                Paragraph(_md(level.description.get(lang)) if level.description else "", cell),
            ]
        )
    levels.append(
        _table(rows, [34 * mm, 24 * mm, 27 * mm, CONTENT_W - 85 * mm], extra=[("ALIGN", (1, 1), (2, -1), "CENTER")])
    )
    story.append(KeepTogether(levels))

    critical = [Paragraph(_esc(t("pdf.critical_cap")), s["h2"])]
    cap = next((lv for lv in settings.levels if lv.id == settings.critical_cap), None)
    if cap is not None:
        critical.append(Paragraph(_esc(t("pdf.critical_cap_text", level=_authored(cap.label.get(lang)))), s["body"]))
    critical_questions = [question for question in q.questions.values() if question.critical is not None]
    story.append(KeepTogether(critical))
    if critical_questions:
        story.append(Paragraph(_esc(t("pdf.critical_list")), s["small"]))
        rows = [_heads([t("pdf.col_question"), t("pdf.critical_mark")])]
        for question in critical_questions:
            assert question.critical is not None
            rows.append(
                [
                    Paragraph(
                        f"{_md(question.text.get(lang))}<br/><font size=6.8 color='#5b6b6a'>{_esc(question.id)}</font>",
                        cell,
                    ),
                    Paragraph(_md(question.critical.reason.get(lang)), cell),
                ]
            )
        story.append(_table(rows, [82 * mm, CONTENT_W - 82 * mm]))

    story.append(
        KeepTogether([Paragraph(_esc(t("pdf.priority_title")), s["h2"]), Paragraph(t("pdf.priority_text"), s["body"])])
    )
    return story


# --- entry point --------------------------------------------------------------------------------


def build_pdf(data: ReportData) -> bytes:
    """The PDF report of an assessment (bytes of an A4 document)."""
    _register_fonts()
    lang = "en" if data.lang == "en" else "fr"
    if lang != data.lang:
        data = replace(data, lang=lang)
    t = _texts(lang)
    radar = radar_image(data)
    buffer = io.BytesIO()
    title = " ".join(visible_text(f"{t('pdf.report_title')} — {data.company.name}").split())
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author="Autodiag RSE",
        subject=" ".join(visible_text(data.questionnaire.model.title.get(lang)).split()),
        creator="Autodiag RSE",
        keywords=t("pdf.keywords"),
        lang=lang,  # the catalogue's /Lang: screen readers pick the voice from it
        displayDocTitle=True,  # viewers show the title, not the file name (PDF/UA asks for it)
        invariant=True,
    )
    story = [
        *_cover(data, t),
        *_summary(data, t, radar),
        *_benchmark_section(data, t),
        *_crossed_section(data, t),
        *readiness_section(data, t),
        *_dimension_sections(data, t),
        *_action_plan(data, t),
        *_annex(data, t),
    ]
    footer = f"{data.company.name} · {format_date(data.assessed_on, lang)} · {data.questionnaire.model.title.get(lang)}"
    doc.build(
        story,
        onFirstPage=_cover_band,
        onLaterPages=_page_rule,
        canvasmaker=partial(_NumberedCanvas, footer_left=footer, page_text=t("pdf.page")),
    )
    return buffer.getvalue()
