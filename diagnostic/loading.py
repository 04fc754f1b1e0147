"""Load questionnaire files: YAML -> pydantic models -> whole-file checks, with clear errors.

Every error names the file, the path inside it (``dimensions[2].questions[4].weight``), the line
where it can, and says what is wrong in plain words. All errors of a file are reported at once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from diagnostic.schema import (
    AllCondition,
    AnswerCondition,
    AnyCondition,
    AnyQuestion,
    Dimension,
    MultipleQuestion,
    NotCondition,
    NumberQuestion,
    Option,
    ProfileCondition,
    Questionnaire,
    SingleQuestion,
    Text,
    TextQuestion,
    YesNoQuestion,
)
from diagnostic.values import question_max

QUESTIONNAIRES_DIR = Path(__file__).resolve().parent.parent / "questionnaires"

# Union tags that pydantic inserts in error locations; they are not keys of the file.
_UNION_TAGS = {"maturity", "single", "multiple", "yes_no", "number", "text", "profile", "answer", "all", "any", "not"}


_FAST_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~20x faster when present


class _Loader(_FAST_SAFE_LOADER):  # type: ignore[misc,valid-type]
    """YAML 1.2 booleans: only true/false, so that an option id `yes`, `no` or `on` stays a string."""


class _LineLoader(yaml.SafeLoader):
    """The same rules, in pure Python: its node tree gives the line of an error."""


_RESOLVERS = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
for _first in "tTfF":
    _RESOLVERS.setdefault(_first, []).append(
        ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"))
    )
_Loader.yaml_implicit_resolvers = _RESOLVERS
_LineLoader.yaml_implicit_resolvers = _RESOLVERS


@dataclass(frozen=True)
class Issue:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path or "(file)"
        if self.line is not None:
            where += f" (line {self.line})"
        return f"{where}: {self.message}"


class QuestionnaireError(Exception):
    """A questionnaire file that cannot be used; `issues` lists every problem found."""

    def __init__(self, source: str, issues: list[Issue]):
        self.source = source
        self.issues = issues
        count = len(issues)
        lines = [f"{source}: {count} error{'s' if count > 1 else ''}"]
        lines += [f"  {issue}" for issue in issues]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class LoadedQuestionnaire:
    """A checked questionnaire with the indexes the rest of the code needs."""

    model: Questionnaire
    source: str
    content_hash: str
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def version(self) -> str:
        return self.model.version

    @property
    def dimensions(self) -> list[Dimension]:
        return self.model.dimensions

    @cached_property
    def questions(self) -> dict[str, AnyQuestion]:
        return {q.id: q for d in self.model.dimensions for q in d.questions}

    @cached_property
    def dimension_of(self) -> dict[str, Dimension]:
        return {q.id: d for d in self.model.dimensions for q in d.questions}

    @cached_property
    def dimension_by_id(self) -> dict[str, Dimension]:
        return {d.id: d for d in self.model.dimensions}

    def options(self, question: AnyQuestion) -> list[Option]:
        return question_options(self.model, question)

    def option_label(self, question: AnyQuestion, option_id: str, lang: str) -> str:
        for option in self.options(question):
            if option.id == option_id:
                return option.label.get(lang)
        return option_id


def question_options(model: Questionnaire, question: AnyQuestion) -> list[Option]:
    if isinstance(question, (SingleQuestion, MultipleQuestion)):
        if question.options is not None:
            return question.options
        return model.choice_lists.get(question.choices or "", [])
    return []


# --- YAML with line numbers -------------------------------------------------------------------


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the deepest node along `loc` that exists in the YAML tree."""
    line = None if node is None else node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(key):
                    node, line = v, k.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the union tags pydantic adds to locations (a question's type, a condition's kind)."""
    out: list[Any] = []
    tag_expected = False
    for key in loc:
        if tag_expected and isinstance(key, str) and key in _UNION_TAGS:
            tag_expected = False
            continue
        out.append(key)
        tag_expected = key in ("applies_when", "not") or (
            isinstance(key, int) and len(out) >= 2 and out[-2] in ("questions", "all", "any")
        )
    return tuple(out)


def format_path(loc: tuple[Any, ...]) -> str:
    text = ""
    for key in loc:
        if isinstance(key, int):
            text += f"[{key}]"
        else:
            text += ("." if text else "") + str(key)
    return text


_LANG = {"fr": "French", "en": "English"}


def _plain_message(error: dict[str, Any], loc: tuple[Any, ...]) -> str:
    kind = error["type"]
    last = loc[-1] if loc else ""
    if kind == "missing":
        if last in _LANG:
            return f"the {_LANG[last]} text ({last}) is missing: every text needs fr and en"
        return f"'{last}' is required but missing"
    if kind == "extra_forbidden":
        return f"unknown field '{last}' (check its spelling; see questionnaires/schema.json)"
    if kind == "string_too_short" and last in _LANG:
        return f"the {_LANG[last]} text ({last}) is empty"
    if kind == "string_pattern_mismatch":
        return (
            f"'{error.get('input')}' is not a valid id: use lowercase letters, digits, '.', '-' or '_',"
            " starting with a letter or digit"
        )
    if kind == "greater_than":
        return f"must be greater than {error['ctx']['gt']:g} (got {error.get('input')})"
    if kind in ("less_than_equal", "greater_than_equal", "less_than"):
        word = {"less_than_equal": "at most", "greater_than_equal": "at least", "less_than": "below"}[kind]
        bound = next(iter(error["ctx"].values()))
        return f"must be {word} {bound:g} (got {error.get('input')})"
    if kind == "union_tag_invalid":
        expected = error.get("ctx", {}).get("expected_tags", "")
        return f"unknown question type '{error['ctx'].get('tag')}': use one of {expected}"
    if kind == "union_tag_not_found":
        return "the question has no 'type' (maturity, single, multiple, yes_no, number or text)"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "literal_error":
        return f"{str(error['msg']).replace('Input should be', 'must be')} (got {error.get('input')!r})"
    if kind == "too_short":
        return f"must not be empty ({error['msg']})"
    return str(error["msg"])


# --- whole-file checks ------------------------------------------------------------------------


def _texts(value: Any, path: str) -> Iterator[tuple[str, Text]]:
    if isinstance(value, Text):
        yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            key = info.alias or name
            yield from _texts(getattr(value, name), f"{path}.{key}" if path else key)


def _conditions(cond: Any, path: str) -> Iterator[tuple[str, AnswerCondition | ProfileCondition]]:
    if isinstance(cond, (AnswerCondition, ProfileCondition)):
        yield path, cond
    elif isinstance(cond, AllCondition):
        for i, sub in enumerate(cond.all):
            yield from _conditions(sub, f"{path}.all[{i}]")
    elif isinstance(cond, AnyCondition):
        for i, sub in enumerate(cond.any):
            yield from _conditions(sub, f"{path}.any[{i}]")
    elif isinstance(cond, NotCondition):
        yield from _conditions(cond.not_, f"{path}.not")


def _allowed_values(model: Questionnaire, question: AnyQuestion) -> set[str] | None:
    if isinstance(question, YesNoQuestion):
        return {"yes", "no"}
    if isinstance(question, (SingleQuestion, MultipleQuestion)):
        return {o.id for o in question_options(model, question)}
    return None


def check_questionnaire(model: Questionnaire) -> list[tuple[str, str]]:
    """Rules the models cannot check alone; returns (path, message) pairs."""
    problems: list[tuple[str, str]] = []

    for path, text in _texts(model, ""):
        for lang in ("fr", "en"):
            if not getattr(text, lang).strip():
                problems.append((f"{path}.{lang}", f"the {_LANG[lang]} text ({lang}) is blank"))

    seen_dims: dict[str, str] = {}
    seen_questions: dict[str, str] = {}
    seen_recs: dict[str, str] = {}
    earlier: dict[str, AnyQuestion] = {}

    for name, options in model.choice_lists.items():
        _check_options(options, f"choice_lists.{name}", problems)

    for d_index, dim in enumerate(model.dimensions):
        d_path = f"dimensions[{d_index}]"
        if dim.id in seen_dims:
            problems.append((f"{d_path}.id", f"dimension id '{dim.id}' is already used at {seen_dims[dim.id]}"))
        seen_dims[dim.id] = d_path
        if dim.applies_when is not None:
            _check_condition(model, dim.applies_when, f"{d_path}.applies_when", earlier, problems)
        for q_index, question in enumerate(dim.questions):
            q_path = f"{d_path}.questions[{q_index}]"
            if question.id in seen_questions:
                problems.append(
                    (f"{q_path}.id", f"question id '{question.id}' is already used at {seen_questions[question.id]}")
                )
            seen_questions[question.id] = q_path
            if question.applies_when is not None:
                _check_condition(model, question.applies_when, f"{q_path}.applies_when", earlier, problems)
            _check_question(model, question, q_path, problems)
            for r_index, rec in enumerate(question.recommendations):
                r_path = f"{q_path}.recommendations[{r_index}]"
                if rec.id in seen_recs:
                    problems.append((f"{r_path}.id", f"recommendation id '{rec.id}' is already used at {seen_recs[rec.id]}"))
                seen_recs[rec.id] = r_path
                _check_recommendation(model, question, rec, r_path, problems)
            earlier[question.id] = question

    _check_levels(model, problems, has_critical=any(q.critical for d in model.dimensions for q in d.questions))
    values = sorted(level.value for level in model.maturity_scale)
    if values != [0, 1, 2, 3, 4]:
        problems.append(("maturity_scale", f"the scale must define each value 0 to 4 once (got {values})"))
    return problems


def _check_options(options: list[Option], path: str, problems: list[tuple[str, str]]) -> None:
    seen: set[str] = set()
    for i, option in enumerate(options):
        if option.id in seen:
            problems.append((f"{path}[{i}].id", f"option id '{option.id}' appears twice"))
        seen.add(option.id)
        if option.id in ("na", "dont_know"):
            problems.append((f"{path}[{i}].id", f"'{option.id}' is reserved for the special answers"))
    if not options:
        problems.append((path, "a choice list needs at least one option"))


def _check_question(model: Questionnaire, q: AnyQuestion, path: str, problems: list[tuple[str, str]]) -> None:
    if isinstance(q, (SingleQuestion, MultipleQuestion)):
        if q.choices is not None and q.choices not in model.choice_lists:
            problems.append((f"{path}.choices", f"no choice list named '{q.choices}' in choice_lists"))
        elif q.options is not None:
            _check_options(q.options, f"{path}.options", problems)
    if isinstance(q, NumberQuestion):
        if q.minimum is not None and q.maximum is not None and q.minimum >= q.maximum:
            problems.append((f"{path}.maximum", "maximum must be greater than minimum"))
        for i, band in enumerate(q.score_bands or []):
            if band.min is not None and band.max is not None and band.min >= band.max:
                problems.append((f"{path}.score_bands[{i}]", "a band's max must be greater than its min"))
    maximum = question_max(q, question_options(model, q))
    has_options = not isinstance(q, (SingleQuestion, MultipleQuestion)) or bool(question_options(model, q))
    if maximum is not None and maximum <= 0 and has_options:
        problems.append((path, "no answer can score above 0: give at least one option a positive score"))
    if q.critical is not None:
        if maximum is None:
            problems.append((f"{path}.critical", "only a scored question can be critical"))
        elif q.critical.min > maximum:
            problems.append((f"{path}.critical.min", f"{q.critical.min:g} is above the question's maximum ({maximum:g})"))
    if isinstance(q, TextQuestion) and q.recommendations:
        problems.append((f"{path}.recommendations", "a free-text question is not scored and cannot carry recommendations"))
    levels = getattr(q, "levels", None)
    if levels is not None and sorted(levels) != [0, 1, 2, 3, 4]:
        problems.append((f"{path}.levels", f"describe every level 0 to 4 (got {sorted(levels)})"))


def _check_recommendation(model: Questionnaire, q: AnyQuestion, rec: Any, path: str, problems: list[tuple[str, str]]) -> None:
    maximum = question_max(q, question_options(model, q))
    if maximum is None:
        problems.append((path, "recommendations need a scored question"))
        return
    when = rec.when
    if when.in_ is not None:
        allowed = _allowed_values(model, q)
        if allowed is None:
            problems.append((f"{path}.when.in", "'in' needs a choice or yes/no question; use min/max"))
        else:
            for value in when.in_:
                if value not in allowed:
                    problems.append((f"{path}.when.in", f"'{value}' is not an option of '{q.id}' ({', '.join(sorted(allowed))})"))
    for key in ("min", "max"):
        value = getattr(when, key)
        if value is not None and not 0 <= value <= maximum:
            problems.append((f"{path}.when.{key}", f"{value:g} is outside the question's range 0–{maximum:g}"))
    if when.min is not None and when.max is not None and when.min > when.max:
        problems.append((f"{path}.when", "min is above max: the recommendation could never show"))


def _check_condition(
    model: Questionnaire, cond: Any, path: str, earlier: dict[str, AnyQuestion], problems: list[tuple[str, str]]
) -> None:
    for sub_path, sub in _conditions(cond, path):
        if isinstance(sub, AnswerCondition):
            target = earlier.get(sub.answer)
            if target is None:
                problems.append(
                    (f"{sub_path}.answer", f"'{sub.answer}' is not an earlier question: a condition can only use answers given before")
                )
                continue
            if sub.in_ is not None:
                allowed = _allowed_values(model, target)
                if allowed is None:
                    problems.append((f"{sub_path}.in", f"'{sub.answer}' has no options; use min/max or answered"))
                else:
                    for value in sub.in_:
                        if value not in allowed:
                            problems.append((f"{sub_path}.in", f"'{value}' is not an option of '{sub.answer}' ({', '.join(sorted(allowed))})"))
            if isinstance(target, TextQuestion) and (sub.min is not None or sub.max is not None):
                problems.append((sub_path, f"'{sub.answer}' is free text; only 'answered' can be tested"))


def _check_levels(model: Questionnaire, problems: list[tuple[str, str]], has_critical: bool) -> None:
    levels = model.results.levels
    ids: set[str] = set()
    for i, level in enumerate(levels):
        if level.id in ids:
            problems.append((f"results.levels[{i}].id", f"level id '{level.id}' appears twice"))
        ids.add(level.id)
        if i == 0 and level.min_overall != 0:
            problems.append(("results.levels[0].min_overall", "the first level must start at 0 so that every score has a level"))
        if i > 0:
            previous = levels[i - 1]
            if level.min_overall <= previous.min_overall:
                problems.append(
                    (f"results.levels[{i}].min_overall", f"thresholds must go up: {level.min_overall:g} is not above {previous.min_overall:g}")
                )
            if (previous.min_dimension or 0) > (level.min_dimension if level.min_dimension is not None else 0):
                problems.append((f"results.levels[{i}].min_dimension", "a higher level cannot have a lower dimension floor"))
    cap = model.results.critical_cap
    if cap is not None and cap not in ids:
        problems.append(("results.critical_cap", f"'{cap}' is not one of the level ids ({', '.join(ids)})"))
    if has_critical and cap is None:
        problems.append(("results.critical_cap", "the file has critical questions: say which level they cap the result at"))


# --- entry points -----------------------------------------------------------------------------


def parse_questionnaire(text: str, source: str) -> LoadedQuestionnaire:
    """Parse and check a questionnaire's YAML text; raise QuestionnaireError listing every problem."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise QuestionnaireError(source, [Issue("", f"not valid YAML: {problem}", line)]) from None
    if not isinstance(data, dict):
        raise QuestionnaireError(source, [Issue("", "the file must be a YAML mapping (schema_version, id, version, …)", 1)])
    try:
        model = Questionnaire.model_validate(data)
    except ValidationError as exc:
        node = yaml.compose(text, Loader=_LineLoader)  # only now: the lines of the errors
        issues = []
        for error in exc.errors():
            loc = _clean_loc(tuple(error["loc"]))
            if error["type"] == "union_tag_invalid":
                loc += ("type",)
            issues.append(Issue(format_path(loc), _plain_message(error, loc), _line_of(node, loc)))
        raise QuestionnaireError(source, issues) from None
    problems = check_questionnaire(model)
    if problems:
        node = yaml.compose(text, Loader=_LineLoader)
        raise QuestionnaireError(
            source, [Issue(path, message, _line_of(node, _parse_path(path))) for path, message in problems]
        )
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return LoadedQuestionnaire(model=model, source=source, content_hash=digest)


def _parse_path(path: str) -> tuple[Any, ...]:
    loc: list[Any] = []
    for part in path.replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("["):
            loc.append(int(part[1:-1]))
        else:
            loc.append(part)
    return tuple(loc)


def load_questionnaire(path: str | Path) -> LoadedQuestionnaire:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionnaireError(str(path), [Issue("", f"cannot read the file: {exc}")]) from None
    return parse_questionnaire(text, str(path))


def shipped_paths(folder: Path = QUESTIONNAIRES_DIR) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.is_file())


def find_questionnaire(id_or_path: str, folder: Path = QUESTIONNAIRES_DIR) -> LoadedQuestionnaire:
    """A questionnaire by file path, or by id among the shipped files."""
    candidate = Path(id_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return load_questionnaire(candidate)
    for path in shipped_paths(folder):
        if path.stem == id_or_path:
            loaded = load_questionnaire(path)
            if loaded.id == id_or_path:
                return loaded
    for path in shipped_paths(folder):
        loaded = load_questionnaire(path)
        if loaded.id == id_or_path:
            return loaded
    known = ", ".join(p.stem for p in shipped_paths(folder))
    raise LookupError(f"no questionnaire '{id_or_path}' (shipped: {known})")
