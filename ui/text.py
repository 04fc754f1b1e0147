"""User text shown as text: Streamlit renders Markdown (with colours, KaTeX, images) in most
elements and labels, so every text a user typed or a file brought is escaped before it is drawn."""

from __future__ import annotations

import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all
# also disarms Streamlit's own syntax (:red[…], :material/…:, $…$ maths) and autolinks.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'=^%@/])")


def plain(text: str) -> str:
    """`text` escaped so that Markdown shows it exactly as typed (line breaks kept)."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return escaped.replace("\n", "  \n")
