"""The public aid catalogue on disk (aid/catalogue.yaml): read, validate, check its question and
dimension ids against the shipped questionnaires; cached while the file is unchanged.

A bad file raises AidFileError naming the file, the YAML path and what is wrong (with the line where
it can), as a questionnaire or a label file does.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from diagnostic.core.aid import Catalogue, check_catalogue
from diagnostic.core.loading import (
    Issue,
    LoadedQuestionnaire,
)
from diagnostic.data_files import DataFileError, located, validated
from diagnostic.questionnaire_files import load_folder

AID_FILE = Path(__file__).resolve().parent.parent / "aid" / "catalogue.yaml"


def _clean(loc: tuple[object, ...]) -> tuple[object, ...]:
    # a field typed "a list or 'all'" reports both branches: name the field, not pydantic's branch
    return tuple(k for k in loc if not (isinstance(k, str) and (k.startswith("list[") or k.startswith("literal["))))


class AidFileError(DataFileError):
    """An aid catalogue that cannot be used; `issues` lists every problem found."""


def parse_catalogue(text: str, source: str, questionnaires: Iterable[LoadedQuestionnaire]) -> Catalogue:
    """The catalogue in `text`, its ids checked against `questionnaires` (a scheme must point to a
    question or a dimension one of them has)."""
    catalogue = validated(
        text, source, Catalogue, AidFileError, keys="schema_version, last_checked, sources, schemes",
        doc="diagnostic/core/aid.py", clean=_clean,
    )  # fmt: skip
    loaded = list(questionnaires)
    questions = {qid for q in loaded for qid in q.questions}
    dimensions = {d.id for q in loaded for d in q.dimensions}
    problems = check_catalogue(catalogue, questions, dimensions)
    if problems:
        raise located(text, source, problems, AidFileError)
    return catalogue


def load_catalogue(path: str | Path = AID_FILE) -> Catalogue:
    """The catalogue of `path`, read again only when the file changes (its size and time)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise AidFileError(str(path), [Issue("", f"cannot read the file: {exc}")]) from None
    return _cached(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _cached(path: str, _mtime: int, _size: int) -> Catalogue:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AidFileError(path, [Issue("", f"cannot read the file: {exc}")]) from None
    valid, _invalid = load_folder()  # an invalid questionnaire is reported by its own checks
    return parse_catalogue(text, path, valid)
