"""Label files on disk (labels/*.yaml): read, validate, check the ids against the questionnaire.

A bad file raises LabelFileError naming the file, the YAML path and what is wrong (with the line
where it can), as a questionnaire file does (diagnostic/questionnaire_files.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from diagnostic.core.label import KINDS, LabelDefinition, check_label
from diagnostic.core.loading import (
    Issue,
    LoadedQuestionnaire,
    QuestionnaireError,
    _LineLoader,
    _locate,
)
from diagnostic.data_files import DataFileError, located, validated
from diagnostic.questionnaire_files import find_questionnaire

LABELS_DIR = Path(__file__).resolve().parent.parent / "labels"

Lookup = Callable[[str], LoadedQuestionnaire]  # a questionnaire by id (LookupError when unknown)


class LabelFileError(DataFileError):
    """A label file that cannot be used; `issues` lists every problem found."""


def _clean(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # pydantic puts the criterion's kind into the path of its errors: it is not a key of the file
    return tuple(key for i, key in enumerate(loc) if not (key in KINDS and i and isinstance(loc[i - 1], int)))


def parse_label(text: str, source: str, questionnaires: Lookup = find_questionnaire) -> LabelDefinition:
    definition = validated(
        text, source, LabelDefinition, LabelFileError, keys="id, version, name, …", doc="docs/label-format.md",
        clean=_clean, kinds=KINDS, kind_word="criterion",
    )  # fmt: skip
    try:
        questionnaire = questionnaires(definition.questionnaire)
    except (LookupError, QuestionnaireError):
        node = yaml.compose(text, Loader=_LineLoader)
        issue = Issue("questionnaire", f"no valid questionnaire has the id '{definition.questionnaire}'", _locate(node, ("questionnaire",))[0])
        raise LabelFileError(source, [issue]) from None
    problems = check_label(definition, questionnaire)
    if problems:
        raise located(text, source, problems, LabelFileError)
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
