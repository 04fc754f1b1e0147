"""Questionnaire files on disk: one file, a folder of them, one found by id (the I/O the pure core leaves out).

Parsing and checking the text is `diagnostic.core.loading.parse_questionnaire`; this module reads files.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from diagnostic.core.loading import (
    Issue,
    LoadedQuestionnaire,
    QuestionnaireError,
    _line_of,
    _LineLoader,
    parse_questionnaire,
)

QUESTIONNAIRES_DIR = Path(__file__).resolve().parent.parent / "questionnaires"


def load_questionnaire(path: str | Path) -> LoadedQuestionnaire:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionnaireError(str(path), [Issue("", f"cannot read the file: {exc}")]) from None
    return _parsed(text, str(path))


@lru_cache(maxsize=16)
def _parsed(text: str, source: str) -> LoadedQuestionnaire:
    """Parsing and checking the full questionnaire takes most of a second: a file read again unchanged
    (the same text) is not parsed again. A file that fails raises each time (errors are not kept)."""
    return parse_questionnaire(text, source)


def shipped_paths(folder: Path = QUESTIONNAIRES_DIR) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.is_file())


class UnknownQuestionnaireError(LookupError):
    """No valid questionnaire has this id; says which ids exist and which files were skipped."""

    def __init__(self, wanted: str, known: list[str], skipped: list[Path]):
        self.wanted = wanted
        self.known = known
        self.skipped = skipped
        message = f"unknown questionnaire id '{wanted}'; known ids: {', '.join(known) or 'none'}"
        if skipped:
            names = ", ".join(p.name for p in skipped)
            message += f" ({len(skipped)} invalid file{'s' if len(skipped) > 1 else ''} skipped: {names}; see `python -m diagnostic validate`)"
        super().__init__(message)


def load_folder(folder: Path = QUESTIONNAIRES_DIR) -> tuple[list[LoadedQuestionnaire], list[tuple[Path, QuestionnaireError]]]:
    """Every questionnaire of a folder, file by file: (the valid ones, (path, error) of the others).

    One bad file must not hide the good ones. A file whose id an earlier file already uses is
    refused too (the app finds questionnaires by id).
    """
    valid: list[LoadedQuestionnaire] = []
    invalid: list[tuple[Path, QuestionnaireError]] = []
    by_id: dict[str, Path] = {}
    for path in shipped_paths(folder):
        try:
            loaded = load_questionnaire(path)
        except QuestionnaireError as exc:
            invalid.append((path, exc))
            continue
        if loaded.id in by_id:
            line = _line_of(yaml.compose(loaded.text, Loader=_LineLoader), ("id",))
            issue = Issue("id", f"the id '{loaded.id}' is already used by {by_id[loaded.id].name}", line)
            invalid.append((path, QuestionnaireError(str(path), [issue])))
            continue
        by_id[loaded.id] = path
        valid.append(loaded)
    return valid, invalid


def find_questionnaire(id_or_path: str, folder: Path = QUESTIONNAIRES_DIR) -> LoadedQuestionnaire:
    """A questionnaire by file path, or by id among the valid files of `folder`.

    The file named after the id is tried first (one load in the usual case); when it is invalid its
    errors are raised, unless another file has that id. Invalid files of other names are skipped.
    """
    candidate = Path(id_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return load_questionnaire(candidate)
    named_error: QuestionnaireError | None = None
    for path in shipped_paths(folder):
        if path.stem == id_or_path:
            try:
                loaded = load_questionnaire(path)
            except QuestionnaireError as exc:
                named_error = exc
                break
            if loaded.id == id_or_path:
                return loaded
    valid, invalid = load_folder(folder)
    for loaded in valid:
        if loaded.id == id_or_path:
            return loaded
    if named_error is not None:
        raise named_error
    raise UnknownQuestionnaireError(id_or_path, sorted(q.id for q in valid), [path for path, _ in invalid])
