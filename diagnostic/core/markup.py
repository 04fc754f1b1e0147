"""Markup in questionnaire texts: plain text, with a small subset of Markdown.

The rule (docs/questionnaire-format.md, "Markup in texts"): a text is plain text, except

- `**bold**` and `*italic*`: the opening marks touch the next character, the closing ones the previous
  one (so `2 * 3 * 4` stays as typed); a run of three or more `*` is text;
- a link `[label](target)`, where the target starts with `https://`, `http://` or `mailto:` and the
  label is not blank (any other target leaves the whole of it as typed);
- a blank line between two paragraphs;
- a bullet list: consecutive lines starting with `- `.

Everything else is shown as typed (`#`, `_`, `<`, `$`, `:red[…]`, a backslash, a lone `*`). Marks work
within one line; a link's label may be bold or italic, holds no link.

A text is parsed into blocks (`Paragraph`, `BulletList`) of lines of spans (`Text`, `Bold`, `Italic`,
`Link`), then drawn by one of the renderers: `to_markdown` (Streamlit's Markdown), `to_label` (a
widget's label: one line), `to_reportlab` (reportlab's paragraph markup) and `to_plain` (the workbook,
CSV, the command line). `problems` tells authors what looks like a link but is not one.
No Streamlit and no I/O here.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape as _xml_escape

SCHEMES = ("https://", "http://", "mailto:")
BULLET = "•"


# --- the structure ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Bold:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Italic:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Link:
    label: tuple[Inline, ...]
    target: str


Inline = Text | Bold | Italic | Link
Line = tuple[Inline, ...]


@dataclass(frozen=True)
class Paragraph:
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class BulletList:
    items: tuple[Line, ...]


Block = Paragraph | BulletList


# --- parsing ------------------------------------------------------------------------------------


def parse(text: str) -> tuple[Block, ...]:
    """The blocks of `text`: paragraphs (separated by blank lines) and bullet lists."""
    blocks: list[Block] = []
    lines: list[Line] = []
    items: list[Line] = []

    def close() -> None:
        if lines:
            blocks.append(Paragraph(tuple(lines)))
            lines.clear()
        if items:
            blocks.append(BulletList(tuple(items)))
            items.clear()

    for line in text.splitlines():
        item = _item(line)
        if not line.strip():
            close()
        elif item is not None:
            if lines:
                close()
            items.append(parse_inline(item))
        else:
            if items:
                close()
            lines.append(parse_inline(line))
    close()
    return tuple(blocks)


def _item(line: str) -> str | None:
    """The text of a list item ("- text"), or None when the line is not one."""
    stripped = line.lstrip()
    if stripped.startswith("- ") and stripped[2:].strip():
        return stripped[2:].strip()
    return None


MAX_DEPTH = 8  # marks nested deeper than this are text (and parsing never recurses without end)


def parse_inline(line: str, links: bool = True, depth: int = 0) -> Line:
    """The spans of one line."""
    spans: list[Inline] = []
    literal: list[str] = []
    closers = _closers(line)
    brackets = [k for k, char in enumerate(line) if char == "]"] if links else []
    targets: dict[int, tuple[str, int] | None] = {}  # "]" position -> the target after it and its end

    def add(span: Inline) -> None:
        if literal:
            spans.append(Text("".join(literal)))
            literal.clear()
        spans.append(span)

    i = 0
    while i < len(line):
        char = line[i]
        if char == "*":
            run = _run(line, i)
            end = None
            if run <= 2 and depth < MAX_DEPTH and _opens(line, i, run):
                # the next run of as many stars that can close, with something in between
                candidates = closers[run]
                k = bisect_right(candidates, i + run)
                end = candidates[k] if k < len(candidates) else None
            if end is None:
                literal.append("*" * run)
                i += run
            else:
                inner = parse_inline(line[i + run : end], links, depth + 1)
                add(Bold(inner) if run == 2 else Italic(inner))
                i = end + run
            continue
        if char == "[" and links:
            k = bisect_right(brackets, i)
            close = brackets[k] if k < len(brackets) else -1
            if close >= 0 and close not in targets:
                targets[close] = _target(line, close)
            found = targets.get(close)
            label = line[i + 1 : close]
            if found is not None and _is_link(label, found[0]):
                add(Link(parse_inline(label, False, depth + 1), found[0]))
                i = found[1]
                continue
        literal.append(char)
        i += 1
    if literal:
        spans.append(Text("".join(literal)))
    return tuple(spans)


def _closers(line: str) -> dict[int, list[int]]:
    """The positions of the runs of one and of two stars that can close, in order."""
    found: dict[int, list[int]] = {1: [], 2: []}
    i = 0
    while i < len(line):
        if line[i] != "*":
            i += 1
            continue
        run = _run(line, i)
        if run <= 2 and _closes(line, i, run):
            found[run].append(i)
        i += run
    return found


def _run(line: str, i: int) -> int:
    """The number of `*` from position i on."""
    end = i
    while end < len(line) and line[end] == "*":
        end += 1
    return end - i


def _space(char: str) -> bool:
    return char in "\t\n\f\r" or unicodedata.category(char) == "Zs"


def _punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def _kinds(line: str, i: int, run: int) -> tuple[str, str]:
    """The characters before and after a run of `*` (a space at either end of the line)."""
    return (line[i - 1] if i > 0 else " "), (line[i + run] if i + run < len(line) else " ")


def _opens(line: str, i: int, run: int) -> bool:
    """CommonMark's left-flanking run: followed by a character, not a space, and not by a punctuation
    mark unless after a space or a punctuation mark."""
    before, after = _kinds(line, i, run)
    return not _space(after) and (not _punctuation(after) or _space(before) or _punctuation(before))


def _closes(line: str, i: int, run: int) -> bool:
    """CommonMark's right-flanking run: the mirror of `_opens`."""
    before, after = _kinds(line, i, run)
    return not _space(before) and (not _punctuation(before) or _space(after) or _punctuation(after))


def _target(line: str, close: int) -> tuple[str, int] | None:
    """The link target in `(…)` right after the "]" at `close`, and where it ends: no space, no
    square bracket, its parentheses balanced."""
    if not line.startswith("(", close + 1):
        return None
    depth, j = 0, close + 2
    while j < len(line):
        char = line[j]
        if char == ")":
            if depth == 0:
                return line[close + 2 : j], j + 1
            depth -= 1
        elif char == "(":
            depth += 1
        elif char in "[]" or char.isspace() or unicodedata.category(char) == "Cc":
            return None  # (a bracket too: each "[" then costs at most the way to the next one)
        j += 1
    return None


def _allowed(target: str) -> bool:
    lower = target.lower()
    return any(lower.startswith(scheme) and len(target) > len(scheme) for scheme in SCHEMES)


def _is_link(label: str, target: str) -> bool:
    return bool(label.strip()) and _allowed(target)


def problems(text: str) -> list[str]:
    """What an author should mend: links whose target is not https://, http:// or mailto:, links
    with an empty label (both are shown as typed)."""
    found: list[str] = []
    for line in text.splitlines():
        close = -1
        for i, char in enumerate(line):
            if char != "[" or i < close:
                continue
            close = line.find("]", i + 1)
            if close < 0:
                break
            link = _target(line, close)
            if link is None:
                continue
            label, target = line[i + 1 : close], link[0]
            if not _allowed(target):
                found.append(f"link target must start with https://, http:// or mailto: (got {target!r})")
            if not label.strip():
                found.append(f"link label must not be empty (link to {target!r})")
    return found


def is_plain(text: str) -> bool:
    """Whether `text` uses no markup but paragraphs: no bold, italic, link or list."""
    return all(
        isinstance(block, Paragraph) and all(isinstance(span, Text) for line in block.lines for span in line)
        for block in parse(text)
    )


# --- Markdown (Streamlit) -----------------------------------------------------------------------

# Escaped wherever they are: they open Markdown or Streamlit syntax (emphasis, code, strikethrough,
# links and images, HTML and autolinks, maths, tables, e-mail autolinks).
_ALWAYS = frozenset("\\`*_~[]<>$|@")
# Escaped first on a line: headings, list items, setext underlines.
_LINE_START = frozenset("#-+=")


def _md_char(text: str, i: int, line_start: bool, digits: int) -> str:
    """Character i of a literal text, backslash-escaped when Markdown could read it as syntax
    (`digits`: how many digits the text starts with)."""
    char = text[i]
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if char in _ALWAYS or (line_start and i == 0 and char in _LINE_START):
        return "\\" + char
    if char == ":" and not (_space(before) and _space(after)):
        return "\\:"  # Streamlit's :colour[…], :material/…:, :emoji:, directives; "http:" autolinks
    if char == "&" and _reference(text, i + 1):
        return "\\&"  # a character reference ("&amp;", "&#65;"), not "R&D" nor "Santé & sécurité"
    if char == "." and text[max(i - 3, 0) : i].lower() == "www":
        return "\\."  # a www. autolink
    if char == "/" and text.endswith(":material", 0, i):
        return "\\/"  # Streamlit rewrites ":material/" before it parses
    if char in ".)" and line_start and 0 < i == digits:
        return "\\" + char  # an ordered list item ("1. ", "2) ")
    return char


def _reference(text: str, start: int) -> bool:
    """Whether a character reference's name ("amp;", "#65;", "#x41;") starts at `start`."""
    end = start + 1 if text.startswith("#", start) else start
    while end < len(text) and text[end].isascii() and text[end].isalnum():
        end += 1
    return end > start and text.startswith(";", end)


def escape_markdown(text: str, line_start: bool = False) -> str:
    """Literal text for Streamlit's Markdown, at the start of a line or not. Only what Markdown or
    Streamlit could read as syntax is escaped, so that a text without such characters stays as it
    is: a widget's label is also its accessible name, read aloud backslashes and all."""
    digits = len(text) - len(text.lstrip("0123456789"))
    return "".join(_md_char(text, i, line_start, digits) for i in range(len(text)))


_URL_UNSAFE = frozenset(" <>()[]\\\"'`{}|^$:")


def _md_url(url: str) -> str:
    """A link target as a Markdown destination: the characters that would end it, or that Streamlit
    reads in the raw text (maths, emoji shortcodes), percent-encoded; the scheme and a port kept."""
    scheme, _, rest = url.partition(":")
    host, port = "", ""
    if rest.startswith("//"):
        end = rest.find("/", 2)
        host, rest = (rest, "") if end < 0 else (rest[:end], rest[end:])
        name, colon, number = host.rpartition(":")
        if colon and number.isdigit():
            host, port = name, ":" + number
    encoded = "".join(f"%{ord(c):02X}" if c in _URL_UNSAFE else c for c in host + "\0" + rest)
    host, rest = encoded.split("\0")
    return f"{scheme}:{host}{port}{rest}"


def _md_spans(spans: Line, line_start: bool) -> str:
    out: list[str] = []
    for index, span in enumerate(spans):
        first = line_start and index == 0
        if isinstance(span, Text):
            out.append(escape_markdown(span.text, first))
        elif isinstance(span, Bold):
            out.append(f"**{_md_spans(span.children, False)}**")
        elif isinstance(span, Italic):
            out.append(f"*{_md_spans(span.children, False)}*")
        else:
            out.append(f"[{_md_spans(span.label, False)}]({_md_url(span.target)})")
    return "".join(out)


def to_markdown(text: str, lead: str = "") -> str:
    """`text` as Streamlit Markdown: literal characters escaped where Markdown would read them, the
    marks of the rule as Markdown, a line break inside a paragraph kept (a hard break). `lead`
    (Markdown) starts the first paragraph, or stands as its own when the text opens with a list."""
    blocks = parse(text)
    drawn: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            drawn.append("  \n".join(_md_line(line) for line in block.lines))
        else:
            drawn.append("\n".join("- " + _md_line(item) for item in block.items))
    if lead and blocks and isinstance(blocks[0], Paragraph):
        drawn[0] = lead + drawn[0]
    elif lead:
        drawn.insert(0, lead.rstrip())
    return "\n\n".join(drawn)


def _md_line(line: Line) -> str:
    # spaces at the start of a line would make it code (four) or be dropped (fewer)
    if line and isinstance(line[0], Text):
        stripped = line[0].text.lstrip()
        line = ((Text(stripped),) if stripped else ()) + line[1:]
    return _md_spans(line, True)


def to_label(text: str) -> str:
    """`text` as a widget's label, caption or option (Streamlit draws bold, italics and links there,
    no paragraph and no list): one line, paragraphs and lines joined by a space, list items as "• "."""
    parts: list[str] = []
    for block in parse(text):
        if isinstance(block, Paragraph):
            parts += [_md_line(line) for line in block.lines]
        else:
            parts += [f"{BULLET} {_md_line(item)}" for item in block.items]
    return " ".join(parts)


# --- reportlab ----------------------------------------------------------------------------------


def _xml_chars(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold (controls, lone surrogates, U+FFFE/U+FFFF)."""
    return "".join(
        c for c in text if c in "\t\n\r" or (c >= " " and c not in "\ufffe\uffff" and not "\ud800" <= c <= "\udfff")
    )


def xml_text(text: str) -> str:
    """Literal text for reportlab's paragraph markup: XML-escaped, characters XML cannot hold dropped."""
    return _xml_escape(_xml_chars(text))


def to_reportlab(text: str, literal: Callable[[str], str] = xml_text, link_color: str = "#0f766e") -> str:
    """`text` as reportlab paragraph markup: <b>, <i>, <a href color>, <br/> between lines, an empty
    line between blocks, list items after "• ". `literal` makes a piece of literal text safe (the PDF
    passes its own, which also replaces the characters its font lacks and joins Arabic letters)."""

    def spans(line: Line) -> str:
        out: list[str] = []
        for span in line:
            if isinstance(span, Text):
                out.append(literal(span.text))
            elif isinstance(span, Bold):
                out.append(f"<b>{spans(span.children)}</b>")
            elif isinstance(span, Italic):
                out.append(f"<i>{spans(span.children)}</i>")
            else:
                href = _xml_escape(_xml_chars(span.target), {'"': "&quot;"})
                out.append(f'<a href="{href}" color="{link_color}" underline="1">{spans(span.label)}</a>')
        return "".join(out)

    blocks: list[str] = []
    for block in parse(text):
        if isinstance(block, Paragraph):
            blocks.append("<br/>".join(spans(line) for line in block.lines))
        else:
            blocks.append("<br/>".join(f"{BULLET}\u00a0{spans(item)}" for item in block.items))
    return "<br/><br/>".join(blocks)


# --- plain text ---------------------------------------------------------------------------------


def _plain_spans(line: Line) -> str:
    out: list[str] = []
    for span in line:
        if isinstance(span, Text):
            out.append(span.text)
        elif isinstance(span, Bold | Italic):
            out.append(_plain_spans(span.children))
        else:
            label = _plain_spans(span.label)
            target = span.target[len("mailto:") :] if span.target.lower().startswith("mailto:") else span.target
            out.append(label if label == target else f"{label} ({span.target})")
    return "".join(out)


def to_plain(text: str) -> str:
    """`text` without its marks, for the workbook, CSV files and the command line: a link as
    "label (target)", list items after "• ", one empty line between blocks."""
    blocks: list[str] = []
    for block in parse(text):
        if isinstance(block, Paragraph):
            blocks.append("\n".join(_plain_spans(line) for line in block.lines))
        else:
            blocks.append("\n".join(f"{BULLET} {_plain_spans(item)}" for item in block.items))
    return "\n\n".join(blocks)
