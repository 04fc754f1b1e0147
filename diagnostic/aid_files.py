"""The public aid catalogue on disk (aid/catalogue.yaml): read, validate, check its question and
dimension ids against the shipped questionnaires; cached while the file is unchanged.

A bad file raises AidFileError naming the file, the YAML path and what is wrong (with the line where
it can), as a questionnaire or a label file does.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from diagnostic.core.aid import Catalogue, check_catalogue
from diagnostic.core.loading import (
    Issue,
    LoadedQuestionnaire,
    _LineLoader,
    _Loader,
    _locate,
    _parse_path,
    _plain_message,
    format_path,
)
from diagnostic.questionnaire_files import load_folder

AID_FILE = Path(__file__).resolve().parent.parent / "aid" / "catalogue.yaml"


class AidFileError(Exception):
    """An aid catalogue that cannot be used; `issues` lists every problem found."""

    def __init__(self, source: str, issues: list[Issue]):
        self.source = source
        self.issues = issues
        count = len(issues)
        lines = [f"{source}: {count} error{'s' if count > 1 else ''}"] + [f"  {issue}" for issue in issues]
        super().__init__("\n".join(lines))


def parse_catalogue(text: str, source: str, questionnaires: Iterable[LoadedQuestionnaire]) -> Catalogue:
    """The catalogue in `text`, its ids checked against `questionnaires` (a scheme must point to a
    question or a dimension one of them has)."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a safe loader that refuses a key written twice)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "a key is written twice in the same mapping"
        raise AidFileError(source, [Issue("", f"not valid YAML: {problem}", mark.line + 1 if mark else None)]) from None
    if not isinstance(data, dict):
        raise AidFileError(
            source, [Issue("", "the file must be a YAML mapping (schema_version, last_checked, sources, schemes)", 1)]
        )
    try:
        catalogue = Catalogue.model_validate(data)
    except ValidationError as exc:
        node = yaml.compose(text, Loader=_LineLoader)
        issues = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            # a field typed "a list or 'all'" reports both branches: name the field, not pydantic's branch
            loc = tuple(
                key
                for key in loc
                if not (isinstance(key, str) and (key.startswith("list[") or key.startswith("literal[")))
            )
            message = _plain_message(error, loc).replace("questionnaires/schema.json", "diagnostic/core/aid.py")
            issues.append(Issue(format_path(loc), message, _locate(node, loc)[0]))
        raise AidFileError(source, issues) from None
    loaded = list(questionnaires)
    questions = {qid for q in loaded for qid in q.questions}
    dimensions = {d.id for q in loaded for d in q.dimensions}
    problems = check_catalogue(catalogue, questions, dimensions)
    if problems:
        node = yaml.compose(text, Loader=_LineLoader)
        raise AidFileError(
            source, [Issue(path, message, _locate(node, _parse_path(path))[0]) for path, message in problems]
        )
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
