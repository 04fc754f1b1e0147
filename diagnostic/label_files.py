"""Label files on disk (labels/*.yaml): read, validate, check the ids against the questionnaire.

A bad file raises LabelFileError naming the file, the YAML path and what is wrong (with the line
where it can), as a questionnaire file does (diagnostic/questionnaire_files.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from diagnostic.core.label import KINDS, LabelDefinition, check_label
from diagnostic.core.loading import (
    Issue,
    LoadedQuestionnaire,
    QuestionnaireError,
    _LineLoader,
    _Loader,
    _locate,
    _parse_path,
    _plain_message,
    format_path,
)
from diagnostic.questionnaire_files import find_questionnaire

LABELS_DIR = Path(__file__).resolve().parent.parent / "labels"

Lookup = Callable[[str], LoadedQuestionnaire]  # a questionnaire by id (LookupError when unknown)


class LabelFileError(Exception):
    """A label file that cannot be used; `issues` lists every problem found."""

    def __init__(self, source: str, issues: list[Issue]):
        self.source = source
        self.issues = issues
        count = len(issues)
        lines = [f"{source}: {count} error{'s' if count > 1 else ''}"] + [f"  {issue}" for issue in issues]
        super().__init__("\n".join(lines))


def _clean(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # pydantic puts the criterion's kind into the path of its errors: it is not a key of the file
    return tuple(key for i, key in enumerate(loc) if not (key in KINDS and i and isinstance(loc[i - 1], int)))


def parse_label(text: str, source: str, questionnaires: Lookup = find_questionnaire) -> LabelDefinition:
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "a key is written twice in the same mapping"
        raise LabelFileError(source, [Issue("", f"not valid YAML: {problem}", mark.line + 1 if mark else None)]) from None
    if not isinstance(data, dict):
        raise LabelFileError(source, [Issue("", "the file must be a YAML mapping (id, version, name, …)", 1)])
    try:
        definition = LabelDefinition.model_validate(data)
    except ValidationError as exc:
        node = yaml.compose(text, Loader=_LineLoader)
        issues = []
        for error in exc.errors():
            loc = _clean(tuple(error["loc"]))
            if error["type"] == "union_tag_invalid":
                message = f"unknown criterion kind '{error['ctx'].get('tag')}': use one of {', '.join(KINDS)}"
                loc += ("kind",)
            elif error["type"] == "union_tag_not_found":
                message = f"the criterion has no 'kind' ({', '.join(KINDS)})"
            else:
                message = _plain_message(error, loc)
            issues.append(Issue(format_path(loc), message.replace("questionnaires/schema.json", "docs/label-format.md"), _locate(node, loc)[0]))
        raise LabelFileError(source, issues) from None
    try:
        questionnaire = questionnaires(definition.questionnaire)
    except (LookupError, QuestionnaireError):
        node = yaml.compose(text, Loader=_LineLoader)
        issue = Issue("questionnaire", f"no valid questionnaire has the id '{definition.questionnaire}'", _locate(node, ("questionnaire",))[0])
        raise LabelFileError(source, [issue]) from None
    problems = check_label(definition, questionnaire)
    if problems:
        node = yaml.compose(text, Loader=_LineLoader)
        raise LabelFileError(source, [Issue(path, message, _locate(node, _parse_path(path))[0]) for path, message in problems])
    return definition


def load_label(path: str | Path, questionnaires: Lookup = find_questionnaire) -> LabelDefinition:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelFileError(str(path), [Issue("", f"cannot read the file: {exc}")]) from None
    return parse_label(text, str(path), questionnaires)


def load_labels(
    folder: Path = LABELS_DIR, questionnaires: Lookup = find_questionnaire
) -> tuple[list[LabelDefinition], list[tuple[Path, LabelFileError]]]:
    """Every label file of the folder: (the valid ones, (path, error) of the others); a repeated id
    is refused (a network names its label by id)."""
    valid: list[LabelDefinition] = []
    invalid: list[tuple[Path, LabelFileError]] = []
    by_id: dict[str, Path] = {}
    for path in sorted(p for p in folder.glob("*.yaml") if p.is_file()):
        try:
            definition = load_label(path, questionnaires)
        except LabelFileError as exc:
            invalid.append((path, exc))
            continue
        if definition.id in by_id:
            issue = Issue("id", f"the id '{definition.id}' is already used by {by_id[definition.id].name}")
            invalid.append((path, LabelFileError(str(path), [issue])))
            continue
        by_id[definition.id] = path
        valid.append(definition)
    return valid, invalid
