"""Label-readiness files on disk (readiness/*.yaml): read, validate, check the ids they name.

A bad file raises ReadinessFileError naming the file, the YAML path and what is wrong (with the line
where it can), as a label file does (diagnostic/label_files.py). Every question, option and dimension
a file names must exist in the full shipped questionnaire: a shorter one (the flash diagnostic) lacks
some, and those conditions are then "not assessed" (diagnostic/core/readiness.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

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
from diagnostic.core.readiness import CHECK_KINDS, Framework, references
from diagnostic.questionnaire_files import find_questionnaire

READINESS_DIR = Path(__file__).resolve().parent.parent / "readiness"
REFERENCE_QUESTIONNAIRE = "rse-performance-globale"  # the ids of the files are checked against it


class ReadinessFileError(Exception):
    """A readiness file that cannot be used; `issues` lists every problem found."""

    def __init__(self, source: str, issues: list[Issue]):
        self.source = source
        self.issues = issues
        count = len(issues)
        lines = [f"{source}: {count} error{'s' if count > 1 else ''}"] + [f"  {issue}" for issue in issues]
        super().__init__("\n".join(lines))


def _clean(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # pydantic puts the check's kind into the path of its errors: it is not a key of the file
    return tuple(key for i, key in enumerate(loc) if not (key in CHECK_KINDS and i and loc[i - 1] == "check"))


def parse_framework(
    text: str, source: str, questionnaire: Callable[[], LoadedQuestionnaire] | None = None
) -> Framework:
    """The framework of a file's text, its ids checked against `questionnaire()` (the full shipped one)."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "a key is written twice in the same mapping"
        raise ReadinessFileError(
            source, [Issue("", f"not valid YAML: {problem}", mark.line + 1 if mark else None)]
        ) from None
    if not isinstance(data, dict):
        raise ReadinessFileError(
            source, [Issue("", "the file must be a YAML mapping (id, name, sources, conditions, …)", 1)]
        )
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        node = yaml.compose(text, Loader=_LineLoader)
        issues = []
        for error in exc.errors():
            loc = _clean(tuple(error["loc"]))
            if error["type"] == "union_tag_invalid":
                message = f"unknown check kind '{error['ctx'].get('tag')}': use one of {', '.join(CHECK_KINDS)}"
                loc += ("kind",)
            elif error["type"] == "union_tag_not_found":
                message = f"the check has no 'kind' ({', '.join(CHECK_KINDS)})"
            else:
                message = _plain_message(error, loc).replace(
                    "questionnaires/schema.json", "diagnostic/core/readiness.py"
                )
            issues.append(Issue(format_path(loc), message, _locate(node, loc)[0]))
        raise ReadinessFileError(source, issues) from None
    reference = questionnaire() if questionnaire is not None else find_questionnaire(REFERENCE_QUESTIONNAIRE)
    problems = references(framework, reference)
    if problems:
        node = yaml.compose(text, Loader=_LineLoader)
        raise ReadinessFileError(
            source, [Issue(path, message, _locate(node, _parse_path(path))[0]) for path, message in problems]
        )
    return framework


def load_framework(path: str | Path) -> Framework:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReadinessFileError(str(path), [Issue("", f"cannot read the file: {exc}")]) from None
    return parse_framework(text, str(path))


@cache
def shipped_frameworks(folder: Path = READINESS_DIR) -> tuple[Framework, ...]:
    """Every framework of the folder, checked once per process; a bad file stops here, loudly (it is
    shipped with the code, as the questionnaires are), and a repeated id too."""
    frameworks = tuple(load_framework(path) for path in sorted(folder.glob("*.yaml")) if path.is_file())
    ids = [f.id for f in frameworks]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ReadinessFileError(str(folder), [Issue("id", f"the id {', '.join(twice)} is used by two files")])
    return frameworks
