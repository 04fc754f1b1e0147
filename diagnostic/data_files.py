"""What every data file of the project (labels, label readiness, public aid, VSME datapoints) shares when
it is read: a YAML mapping read with the loader that refuses a key written twice, validated by a
pydantic model, each problem named by its YAML path and line, as a questionnaire file's are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from diagnostic.core.loading import Issue, _LineLoader, _Loader, _locate, _parse_path, _plain_message, format_path

Model = TypeVar("Model", bound=BaseModel)


class DataFileError(Exception):
    """A data file that cannot be used; `issues` lists every problem found."""

    def __init__(self, source: str, issues: list[Issue]):
        self.source = source
        self.issues = issues
        count = len(issues)
        lines = [f"{source}: {count} error{'s' if count > 1 else ''}"] + [f"  {issue}" for issue in issues]
        super().__init__("\n".join(lines))


def validated(
    text: str,
    source: str,
    model: type[Model],
    error: type[DataFileError],
    *,
    keys: str,
    doc: str,
    clean: Callable[[tuple[Any, ...]], tuple[Any, ...]] = lambda loc: loc,
    kinds: tuple[str, ...] = (),
    kind_word: str = "kind",
) -> Model:
    """The model of a YAML file's text. `keys` names the top-level keys (for a file that is not a
    mapping), `doc` where the format is described; `clean` drops from an error's path what is not a
    key of the file; `kinds` are the tags of a discriminated union (what a wrong tag is told)."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a safe loader that refuses a key written twice)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "a key is written twice in the same mapping"
        raise error(source, [Issue("", f"not valid YAML: {problem}", mark.line + 1 if mark else None)]) from None
    if not isinstance(data, dict):
        raise error(source, [Issue("", f"the file must be a YAML mapping ({keys})", 1)])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        node = yaml.compose(text, Loader=_LineLoader)
        issues = []
        for found in exc.errors():
            loc = clean(tuple(found["loc"]))
            if kinds and found["type"] == "union_tag_invalid":
                message = f"unknown {kind_word} kind '{found['ctx'].get('tag')}': use one of {', '.join(kinds)}"
                loc += ("kind",)
            elif kinds and found["type"] == "union_tag_not_found":
                message = f"the {kind_word} has no 'kind' ({', '.join(kinds)})"
            else:
                message = _plain_message(found, loc).replace("questionnaires/schema.json", doc)
            issues.append(Issue(format_path(loc), message, _locate(node, loc)[0]))
        raise error(source, issues) from None


def located(text: str, source: str, problems: Iterable[tuple[str, str]], error: type[DataFileError]) -> DataFileError:
    """The error for problems found after validation ((YAML path, message) pairs), each with its line."""
    node = yaml.compose(text, Loader=_LineLoader)
    return error(source, [Issue(path, message, _locate(node, _parse_path(path))[0]) for path, message in problems])
