"""Evidence per answer: what may be attached, how it is named, and the status an answer gets from it.

An answer is *declared* until a file or a link backs it (*attached*), and *verified* once a coach
(consultant, admin, owner) has checked one of its pieces of evidence. Files are judged on their
content, never on their name (diagnostic/evidence_files.py reads the bytes); the name is only kept,
cleaned, so that a download has a sensible name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from diagnostic.core.errors import InputRefused

MAX_BYTES = 10 * 1024 * 1024  # one file: a scan, a photo, a procedure; not an archive
MAX_UNPACKED = 100 * 1024 * 1024  # an office document's parts, once unpacked (a zip bomb is far beyond)
MAX_RATIO = 200  # unpacked / packed size of one part: real documents stay far below
MAX_PARTS = 5_000
MAX_PIXELS = 60_000_000  # an image's width × height (a decompression bomb is far beyond)
MAX_PER_ANSWER = 10
NAME_MAX = 120
DESCRIPTION_MAX = 500
URL_MAX = 2_000

# What may be attached, by the media type read from the content, with the extension it is saved under.
ALLOWED: dict[str, str] = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
OFFICE = frozenset(media for media, ext in ALLOWED.items() if ext in {"docx", "xlsx", "pptx", "odt", "ods", "odp"})
IMAGES = frozenset(media for media in ALLOWED if media.startswith("image/"))

DECLARED, ATTACHED, VERIFIED = "declared", "attached", "verified"
STATUSES = (DECLARED, ATTACHED, VERIFIED)


class EvidenceRefused(InputRefused):
    """A file or a link that cannot be kept; nothing was stored. Code: the reason's catalogue key."""


@dataclass(frozen=True)
class Inspected:
    """What the content of an accepted file is."""

    media_type: str
    extension: str
    name: str  # cleaned, with the extension of what the file really is


_UNSAFE = re.compile(r"[^\w .()+,-]")  # word characters (accents included), space and a few marks


def safe_file_name(name: str, extension: str) -> str:
    """The name to keep: no folder, no control or reserved character, no leading dot, at most
    NAME_MAX characters, ending with the extension of what the file really is."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")  # controls, format characters
    base = _UNSAFE.sub("_", base).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem.strip(" ._") or "preuve"
    return f"{stem[: NAME_MAX - len(extension) - 1]}.{extension}"


def check_link(url: str) -> str:
    """The link, trimmed, when it is an http(s) address with a host; refused otherwise."""
    url = url.strip()
    if not url:
        raise EvidenceRefused("evidence.link_empty")
    if len(url) > URL_MAX:
        raise EvidenceRefused("evidence.link_too_long", params={"max": URL_MAX})
    if any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in url) or " " in url:
        raise EvidenceRefused("evidence.link_invalid")
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise EvidenceRefused("evidence.link_invalid")
    return url


def check_description(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > DESCRIPTION_MAX:
        raise EvidenceRefused("evidence.description_too_long", params={"max": DESCRIPTION_MAX})
    return text


def status(verified_at: Iterable[datetime | None]) -> str:
    """An answer's status from its pieces of evidence (their verification times; None: not verified)."""
    seen = list(verified_at)
    if not seen:
        return DECLARED
    return VERIFIED if any(when is not None for when in seen) else ATTACHED
