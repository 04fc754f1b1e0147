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

from diagnostic.core.loading import (
    Issue,
    LoadedQuestionnaire,
)
from diagnostic.core.readiness import CHECK_KINDS, Framework, references
from diagnostic.data_files import DataFileError, located, validated
from diagnostic.questionnaire_files import find_questionnaire

READINESS_DIR = Path(__file__).resolve().parent.parent / "readiness"
REFERENCE_QUESTIONNAIRE = "rse-performance-globale"  # the ids of the files are checked against it


class ReadinessFileError(DataFileError):
    """A readiness file that cannot be used; `issues` lists every problem found."""


def _clean(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # pydantic puts the check's kind into the path of its errors: it is not a key of the file
    return tuple(key for i, key in enumerate(loc) if not (key in CHECK_KINDS and i and loc[i - 1] == "check"))


def parse_framework(
    text: str, source: str, questionnaire: Callable[[], LoadedQuestionnaire] | None = None
) -> Framework:
    """The framework of a file's text, its ids checked against `questionnaire()` (the full shipped one)."""
    framework = validated(
        text, source, Framework, ReadinessFileError, keys="id, name, sources, conditions, …",
        doc="diagnostic/core/readiness.py", clean=_clean, kinds=CHECK_KINDS, kind_word="check",
    )  # fmt: skip
    reference = questionnaire() if questionnaire is not None else find_questionnaire(REFERENCE_QUESTIONNAIRE)
    problems = references(framework, reference)
    if problems:
        raise located(text, source, problems, ReadinessFileError)
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
