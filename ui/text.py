"""User text shown as text: Streamlit renders Markdown (with colours, KaTeX, images) in most
elements and labels, so every text a user typed or a file brought is escaped before it is drawn.
Questionnaire texts follow the markup rule of diagnostic/core/markup.py (`authored`)."""

from __future__ import annotations

import re

from diagnostic.core import markup

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all
# also disarms Streamlit's own syntax (:red[…], :material/…:, $…$ maths) and autolinks.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'=^%@/])")


def plain(text: str) -> str:
    """`text` escaped so that Markdown shows it exactly as typed (line breaks kept)."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return escaped.replace("\n", "  \n")


def authored(text: str, lead: str = "") -> str:
    """A questionnaire text as Markdown: the markup rule of diagnostic/core/markup.py (bold, italics,
    links, paragraphs, lists), everything else shown as typed; `lead` (Markdown) opens its first
    paragraph. Never for what a user typed (`plain`)."""
    return markup.to_markdown(text, lead)


def authored_label(text: str) -> str:
    """A questionnaire text in a widget's label, caption or option, one line (see `authored`)."""
    return markup.to_label(text)
