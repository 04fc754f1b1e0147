"""Reading an uploaded file's bytes to decide what it is (outside the pure core: it parses archives
and images). A file is judged on its content only: its name says nothing.

Refused, with a message and nothing stored: empty or over 10 MB; a type that is not in
core.evidence.ALLOWED (a program is named as such); an office document that is not a sound archive,
unpacks to far more than it weighs (a zip bomb), holds macros or too many parts; an image whose pixel
count would exhaust the memory of whoever opens it.
"""

from __future__ import annotations

import io
import zipfile

import filetype
from PIL import Image

from diagnostic.core.evidence import (
    ALLOWED,
    IMAGES,
    MAX_BYTES,
    MAX_PARTS,
    MAX_PIXELS,
    MAX_RATIO,
    MAX_UNPACKED,
    OFFICE,
    EvidenceRefused,
    Inspected,
    safe_file_name,
)

_PROGRAMS = {"elf", "exe", "dmg", "deb", "rpm", "msi", "dex", "crx", "wasm", "class", "swf", "sh"}
_PROGRAM_STARTS = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe")


def inspect(content: bytes, name: str) -> Inspected:
    """What the file is, or EvidenceRefused saying why it cannot be kept."""
    if not content:
        raise EvidenceRefused("evidence.file_empty")
    if len(content) > MAX_BYTES:
        raise EvidenceRefused("evidence.file_too_big", params={"max_mb": MAX_BYTES // (1024 * 1024)})
    kind = filetype.guess(content)
    if content.startswith(_PROGRAM_STARTS) or (kind is not None and kind.extension in _PROGRAMS):
        raise EvidenceRefused("evidence.file_program")
    media = (
        _office_type(content) if kind is not None and kind.mime == "application/zip" else kind.mime if kind else None
    )
    if media not in ALLOWED:
        raise EvidenceRefused("evidence.file_type")
    if media in OFFICE:
        _check_archive(content)
    if media in IMAGES:
        _check_image(content)
    extension = ALLOWED[media]
    return Inspected(media_type=media, extension=extension, name=safe_file_name(name, extension))


def _office_type(content: bytes) -> str | None:
    """An OpenDocument names its type in its first part, `mimetype`; filetype recognises the OOXML ones."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if "mimetype" in archive.namelist():
                info = archive.getinfo("mimetype")
                if info.file_size < 200:
                    return archive.read("mimetype").decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        raise EvidenceRefused("evidence.file_damaged") from None
    return None


def _check_archive(content: bytes) -> None:
    """An office document is a zip: refuse a damaged one, a bomb (sizes as declared by the archive are
    checked, then each part is unpacked with a hard stop), macros, or too many parts."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_PARTS:
                raise EvidenceRefused("evidence.file_bomb")
            names = {info.filename.lower() for info in infos}
            if any(n.endswith("vbaproject.bin") or n.startswith("basic/") or "/macros/" in n for n in names):
                raise EvidenceRefused("evidence.file_macros")
            declared = sum(info.file_size for info in infos)
            if declared > MAX_UNPACKED:
                raise EvidenceRefused("evidence.file_bomb")
            unpacked = 0
            for info in infos:
                budget = min(MAX_UNPACKED - unpacked, max(info.compress_size, 1) * MAX_RATIO + 64 * 1024)
                with archive.open(info) as part:  # the declared size may lie: count what really comes out
                    while chunk := part.read(64 * 1024):
                        unpacked += len(chunk)
                        budget -= len(chunk)
                        if budget < 0:
                            raise EvidenceRefused("evidence.file_bomb")
    except EvidenceRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        raise EvidenceRefused("evidence.file_damaged") from None


def _check_image(content: bytes) -> None:
    try:
        with Image.open(io.BytesIO(content)) as image:  # reads the header only: the size, not the pixels
            width, height = image.size
    except Image.DecompressionBombError:
        raise EvidenceRefused("evidence.file_bomb") from None
    except (OSError, ValueError, SyntaxError):
        raise EvidenceRefused("evidence.file_damaged") from None
    if width * height > MAX_PIXELS:
        raise EvidenceRefused("evidence.file_bomb")
