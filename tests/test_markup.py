"""The markup rule of questionnaire texts (diagnostic/core/markup.py, docs/questionnaire-format.md
"Markup in texts"): the parse, the four renderers, what authors are told, hostile texts, and the
same texts in the PDF and the workbook."""

from __future__ import annotations

import io
import re
import time
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph as RLParagraph

from diagnostic.core.answers import parse_answers
from diagnostic.core.markup import (
    Bold,
    BulletList,
    Italic,
    Link,
    Paragraph,
    Text,
    escape_markdown,
    is_plain,
    parse,
    problems,
    to_label,
    to_markdown,
    to_plain,
    to_reportlab,
)
from diagnostic.core.profile import Profile
from diagnostic.core.scoring import score
from diagnostic.exports import pdf
from diagnostic.exports.excel import build_workbook
from diagnostic.exports.report_data import CompanyInfo, ReportData
from tests.conftest import build, maturity, text

# --- the parse ----------------------------------------------------------------------------------


def test_plain_text_is_one_paragraph_of_text() -> None:
    assert parse("Avez-vous un DUERP ?") == (Paragraph(((Text("Avez-vous un DUERP ?"),),)),)
    assert parse("") == () and parse("  \n \n") == ()


def test_bold_italic_and_links() -> None:
    assert parse("un **gras** et *italique*") == (
        Paragraph(((Text("un "), Bold((Text("gras"),)), Text(" et "), Italic((Text("italique"),))),)),
    )
    assert parse("voir [le guide](https://inrs.fr/a_(b)) !") == (
        Paragraph(((Text("voir "), Link((Text("le guide"),), "https://inrs.fr/a_(b)"), Text(" !")),)),
    )
    assert parse("[**écrire**](mailto:rse@example.org)") == (
        Paragraph(((Link((Bold((Text("écrire"),)),), "mailto:rse@example.org"),),)),
    )


def test_nesting_one_in_the_other() -> None:
    assert parse("**a *b* c**")[0] == Paragraph(((Bold((Text("a "), Italic((Text("b"),)), Text(" c"))),),))
    assert parse("*a **b** c*")[0] == Paragraph(((Italic((Text("a "), Bold((Text("b"),)), Text(" c"))),),))


def test_paragraphs_lines_and_lists() -> None:
    blocks = parse("Intro\nsuite\n\n\nSecond\n- un\n  - deux\n\nfin")
    assert blocks == (
        Paragraph(((Text("Intro"),), (Text("suite"),))),
        Paragraph(((Text("Second"),),)),
        BulletList(((Text("un"),), (Text("deux"),))),
        Paragraph(((Text("fin"),),)),
    )


@pytest.mark.parametrize(
    "literal",
    [
        "2 * 3 * 4",  # stars beside spaces
        "***trois***",  # three stars: text
        "**pas fermé",
        "*",
        "**",
        "a * b",
        "- ",  # a dash without an item
        "-pas une liste",
        "# pas un titre",
        "_souligné_ `code` ~barré~ $x$ :red[x] <b>html</b> \\* &amp;",
        "[sans cible]",
        "[x](javascript:alert(1))",
        "[x](ftp://example.org)",
        "[](https://example.org)",
        "[x](https://a b)",
    ],
)
def test_everything_else_is_text(literal: str) -> None:
    assert is_plain(literal)
    assert to_plain(literal) == literal
    assert to_reportlab(literal) == (
        literal.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") if literal.strip() else ""
    )


# --- the renderers ------------------------------------------------------------------------------


def test_markdown() -> None:
    assert to_markdown("un **gras**, *ital* et [lien](https://x.org/p?a=1)") == (
        "un **gras**, *ital* et [lien](https://x.org/p?a=1)"
    )
    assert to_markdown("ligne 1\nligne 2\n\n- a\n- b") == "ligne 1  \nligne 2\n\n- a\n- b"
    # a plain French text is left as typed (also a widget's accessible name)
    typed = "L’entreprise (PME, 11-49 salariés) a-t-elle un DUERP\u00a0? «\u00a0Oui\u00a0» : 100 % & R&D."
    assert to_markdown(typed) == typed == to_label(typed)


def test_markdown_escapes_what_markdown_or_streamlit_would_read() -> None:
    assert to_markdown("<script>alert(1)</script>") == "\\<script\\>alert(1)\\</script\\>"
    assert to_markdown(":red[x] $x$ :material/home: :smile:") == (
        "\\:red\\[x\\] \\$x\\$ \\:material\\/home\\: \\:smile\\:"
    )
    assert to_markdown("2 * 3 et snake_case @moi www.site.fr http://x.fr &amp;") == (
        "2 \\* 3 et snake\\_case \\@moi www\\.site.fr http\\://x.fr \\&amp;"
    )
    # what a line would start: a heading, a list, a numbered list, a code block, a setext underline
    assert to_markdown("# titre\n+ plus\n1. un\n2) deux\n    code\n===") == (
        "\\# titre  \n\\+ plus  \n1\\. un  \n2\\) deux  \ncode  \n\\==="
    )
    # an invalid link stays text: no link in Markdown either
    assert to_markdown("[x](javascript:alert(1))") == "\\[x\\](javascript\\:alert(1))"
    # a colon between spaces (French typography) is left alone
    assert to_markdown("Remarque : oui") == "Remarque : oui"


def test_markdown_link_targets_are_encoded() -> None:
    assert to_markdown("[w](https://fr.wikipedia.org/wiki/RSE_(entreprise))") == (
        "[w](https://fr.wikipedia.org/wiki/RSE_%28entreprise%29)"
    )
    assert to_markdown("[p](https://h.fr:8080/a:b:c)") == "[p](https://h.fr:8080/a%3Ab%3Ac)"


def test_markdown_lead() -> None:
    assert to_markdown("texte", lead="**L** — ") == "**L** — texte"
    assert to_markdown("- a\n- b", lead="**L** — ") == "**L** —\n\n- a\n- b"


def test_label_is_one_line() -> None:
    assert to_label("Intro :\n- **un**\n- deux\n\nfin") == "Intro : • **un** • deux fin"
    assert "\n" not in to_label("a\nb\n\nc\n- d")


def test_reportlab() -> None:
    assert to_reportlab("un **gras** & *ital* <x>") == "un <b>gras</b> &amp; <i>ital</i> &lt;x&gt;"
    assert to_reportlab('[guide](https://x.org/?a=1&b="2")', link_color="#112233") == (
        '<a href="https://x.org/?a=1&amp;b=&quot;2&quot;" color="#112233" underline="1">guide</a>'
    )
    assert to_reportlab("a\nb\n\n- c\n- d") == "a<br/>b<br/><br/>•\u00a0c<br/>•\u00a0d"
    assert to_reportlab("nul\x00 \x1b") == "nul "  # what XML cannot hold is dropped


def test_plain() -> None:
    assert (
        to_plain("un **gras**, *ital* et [le guide](https://inrs.fr)") == "un gras, ital et le guide (https://inrs.fr)"
    )
    assert to_plain("[https://inrs.fr](https://inrs.fr) [rse@x.org](mailto:rse@x.org)") == "https://inrs.fr rse@x.org"
    assert to_plain("Intro\n- un\n- deux\n\n\nfin") == "Intro\n\n• un\n• deux\n\nfin"


def test_escape_markdown_of_a_literal() -> None:
    assert (
        escape_markdown("ISO 26000 6.4.6 · Code du travail, art. L4121-1")
        == "ISO 26000 6.4.6 · Code du travail, art. L4121-1"
    )
    assert escape_markdown("- a", line_start=True) == "\\- a" and escape_markdown("- a") == "- a"


# --- what authors are told ----------------------------------------------------------------------


def test_problems() -> None:
    assert problems("rien **à** dire [guide](https://x.org) [m](mailto:a@b.fr) [h](HTTP://X.ORG)") == []
    assert problems("[x](javascript:alert(1))") == [
        "link target must start with https://, http:// or mailto: (got 'javascript:alert(1)')"
    ]
    assert problems("[x](www.inrs.fr) et [ ](https://x.org)") == [
        "link target must start with https://, http:// or mailto: (got 'www.inrs.fr')",
        "link label must not be empty (link to 'https://x.org')",
    ]
    assert problems("[x](https://)") == ["link target must start with https://, http:// or mailto: (got 'https://')"]
    assert problems("[crochets] (https://x.org) et [x](https://a b)") == []  # not written as links


# --- hostile texts ------------------------------------------------------------------------------


def test_long_and_deep_texts_parse_quickly() -> None:
    texts = [
        "[" * 50_000 + "](https://x.org)",
        "[a](" * 20_000,
        "*a " * 30_000,
        "**a *b " * 10_000 + " c* d**" * 10_000,
        "*" * 100_000,
        "- x\n" * 20_000,
    ]
    start = time.perf_counter()
    for hostile in texts:
        parse(hostile)
        problems(hostile)
        to_markdown(hostile)
    assert time.perf_counter() - start < 20  # quadratic would take minutes
    deep = "".join(f"{'**' if i % 2 else '*'}a{i} " for i in range(3000)) + "".join(
        f" z{i}{'**' if i % 2 else '*'}" for i in reversed(range(3000))
    )
    assert to_plain(deep)  # nesting is bounded: no RecursionError


# --- properties ---------------------------------------------------------------------------------

LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
no_markup = st.text(st.characters(blacklist_characters="*[]-" + LINE_BREAKS, blacklist_categories=("Cs",)))


@given(no_markup.filter(lambda t: t.strip()))
def test_plain_of_a_text_without_markup_characters_is_the_text(typed: str) -> None:
    assert to_plain(typed) == typed
    assert is_plain(typed)


@given(st.lists(no_markup.filter(lambda t: t.strip()), min_size=1, max_size=5))
def test_plain_of_lines_without_markup_is_the_text(lines: list[str]) -> None:
    typed = "\n".join(lines)
    assert to_plain(typed) == typed


ALWAYS = set("\\`*_~[]<>$|@")
MARKUPISH = st.sampled_from(
    [
        "*",
        "**",
        "***",
        "[",
        "]",
        "(",
        ")",
        "](",
        "https://x.org",
        "mailto:a@b",
        "- ",
        "\n",
        "\n\n",
        " ",
        ":",
        "&",
        "#",
        "1.",
        "www.",
        "a",
        "é",
        "_",
        "$",
        "<",
        "`",
        "\\",
    ]
)
hostile_text = st.one_of(st.text(), st.lists(st.one_of(MARKUPISH, st.text(max_size=3)), max_size=30).map("".join))


def _bare(md: str) -> list[int]:
    """Where the characters of Markdown `md` are that no backslash escapes, link destinations left out."""
    out, i = [], 0
    while i < len(md):
        if md[i] == "\\":
            i += 2
            continue
        if md.startswith("](", i):
            out.append(i)
            i = md.index(")", i + 2) + 1
            continue
        out.append(i)
        i += 1
    return out


def _spans(blocks: tuple) -> Counter:
    kinds: Counter = Counter()

    def walk(spans: tuple) -> None:
        for span in spans:
            kinds[type(span).__name__] += 1
            if isinstance(span, Bold | Italic):
                walk(span.children)
            elif isinstance(span, Link):
                walk(span.label)

    for block in blocks:
        for line in block.lines if isinstance(block, Paragraph) else block.items:
            walk(line)
    return kinds


@given(hostile_text)
@settings(max_examples=400)
def test_markdown_lets_through_only_the_marks_of_the_subset(typed: str) -> None:
    md = to_markdown(typed)
    blocks = parse(typed)
    kinds = _spans(blocks)
    bare = _bare(md)
    found = Counter(md[i] for i in bare if md[i] in ALWAYS)
    assert found["*"] == 2 * kinds["Italic"] + 4 * kinds["Bold"]
    assert found["["] == found["]"] == kinds["Link"]
    assert not {c for c in found if c not in "*[]"}, md
    # a colon only between spaces; no character reference, www. autolink or :material/ icon
    assert ":material/" not in md
    for i in bare:
        before = md[i - 1] if i else " "
        after = md[i + 1] if i + 1 < len(md) else " "
        if md[i] == ":":
            assert before.isspace() and after.isspace(), md
        assert not (md[i] == "&" and re.match(r"#?[A-Za-z0-9]+;", md[i + 1 :])), md
        assert not (md[i] == "." and md[max(i - 3, 0) : i].lower() == "www"), md
    # no line opens a heading, a code block, a numbered list or a setext underline; "- " only for items
    items = sum(len(block.items) for block in blocks if isinstance(block, BulletList))
    lines = md.split("\n")
    assert sum(1 for line in lines if line.startswith("- ")) == items
    for line in lines:
        body = line[2:] if line.startswith("- ") else line
        assert not body.startswith((" ", "\t", "#", "-", "+", "=", ">")), md
        assert not re.match(r"\d+[.)]", body), md


@given(st.text())
@settings(max_examples=400)
def test_reportlab_output_is_always_xml(typed: str) -> None:
    ET.fromstring(f"<root>{to_reportlab(typed)}</root>")


@given(hostile_text)
@settings(max_examples=400)
def test_reportlab_output_is_xml_for_markup_like_texts(typed: str) -> None:
    markup = to_reportlab(typed)
    ET.fromstring(f"<root>{markup}</root>")


@given(hostile_text)
@settings(max_examples=60, deadline=None)
def test_reportlab_reads_the_output(typed: str) -> None:
    RLParagraph(to_reportlab(typed), ParagraphStyle("p")).wrap(200, 1000)


@given(st.one_of(st.text(), hostile_text))
@settings(max_examples=400)
def test_parsing_and_rendering_never_raise(typed: str) -> None:
    parse(typed)
    problems(typed)
    is_plain(typed)
    for render in (to_markdown, to_label, to_reportlab, to_plain):
        assert isinstance(render(typed), str)
    assert "\n" not in to_label(typed)


# --- the PDF and the workbook -------------------------------------------------------------------


def test_pdf_keeps_glyph_fallback_and_arabic_shaping_in_the_literal_parts() -> None:
    assert pdf._md("**中** ✅ <x>") == "<b>◌</b> ✔ &lt;x&gt;"
    arabic = pdf._md("*مرحبا*")
    assert arabic.startswith("<i>") and arabic.endswith("</i>")
    assert "مرحبا" not in arabic  # joined forms (the oblique face lacks Arabic: kept in the regular face)
    assert 'face="DejaVuSans-Plain"' in arabic


def _report(questionnaire, raw: dict) -> ReportData:
    profile = Profile()
    answers = parse_answers(questionnaire, raw)
    return ReportData(
        lang="fr", questionnaire=questionnaire, company=CompanyInfo(name="Société **Test**"), profile=profile,
        answers=answers, result=score(questionnaire, profile, answers), assessed_on=datetime(2026, 11, 20),
        respondents=[], actions=[],
    )  # fmt: skip


def test_pdf_and_workbook_draw_the_markup_and_leave_user_text_alone() -> None:
    marked = {
        "fr": "Avez-vous un **DUERP** à jour ? Voir [l’INRS](https://www.inrs.fr).",
        "en": "A **DUERP**? See [INRS](https://www.inrs.fr).",
    }
    question = maturity(
        "rh.duerp",
        recommendations=[
            {
                "id": "rh.r1",
                "text": {"fr": "Écrire :\n- le *plan*\n- la revue", "en": "Write:\n- the *plan*"},
                "effort": 1,
                "impact": 3,
            }
        ],
    )
    question["text"] = marked
    dimensions = [
        {
            "id": "rh",
            "questions": [question, {"id": "rh.texte", "type": "text", "text": text("rh.texte"), "scored": False}],
        },
    ]
    data = _report(build(dimensions), {"rh.duerp": 1, "rh.texte": "mon **texte** [x](https://evil.example)"})
    document = build_pdf_text(pdf.build_pdf(data))
    assert "Avez-vous un DUERP à jour ? Voir l’INRS." in document and "**DUERP**" not in document
    assert "• le plan" in document and "• la revue" in document
    assert "mon **texte** [x](https://evil.example)" in document  # the user's text as typed
    assert "Société **Test**" in document
    reader = PdfReader(io.BytesIO(pdf.build_pdf(data)))
    uris = {a.get_object()["/A"]["/URI"] for page in reader.pages for a in page.get("/Annots", []) or []}
    assert uris == {"https://www.inrs.fr"}

    book = load_workbook(io.BytesIO(build_workbook(data)))
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert "Avez-vous un DUERP à jour ? Voir l’INRS (https://www.inrs.fr)." in cells
    assert "mon **texte** [x](https://evil.example)" in cells
    assert not any("**DUERP**" in c for c in cells)


def build_pdf_text(document: bytes) -> str:
    reader = PdfReader(io.BytesIO(document))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))
