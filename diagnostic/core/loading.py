"""Load questionnaire files: YAML -> pydantic models -> whole-file checks, with clear errors.

Every error names the file, the path inside it (``dimensions[2].questions[4].weight``), the line
where it can, and says what is wrong in plain words. All errors of a file are reported at once.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from diagnostic.core import markup
from diagnostic.core.profile import naf_condition_problem
from diagnostic.core.schema import (
    HEADCOUNT_BAND_MAX,
    HEADCOUNT_BAND_MIN,
    HEADCOUNT_BANDS,
    AllCondition,
    AnswerCondition,
    AnyCondition,
    AnyQuestion,
    AudienceGroup,
    Dimension,
    Group,
    Module,
    MultipleQuestion,
    NotCondition,
    NumberQuestion,
    Option,
    ProfileCondition,
    Questionnaire,
    RecommendationWhen,
    SingleQuestion,
    Text,
    TextQuestion,
    YesNoQuestion,
)
from diagnostic.core.values import question_max

# Union tags that pydantic inserts in error locations; they are not keys of the file.
_UNION_TAGS = {"maturity", "single", "multiple", "yes_no", "number", "text", "profile", "answer", "all", "any", "not", "condition"}


_FAST_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~20x faster when present


_MERGE_TAG = "tag:yaml.org,2002:merge"


class _DuplicateKey(yaml.YAMLError):
    """A mapping repeats a key; `parse_questionnaire` then finds every repeat with its path."""


class _Loader(_FAST_SAFE_LOADER):  # type: ignore[misc,valid-type]
    """YAML 1.2 booleans: only true/false, so that an option id `yes`, `no` or `on` stays a string.

    A repeated key is an error (plain YAML keeps the last one and silently drops the first).
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [key for key, _ in node.value]
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        # Fewer entries than keys: a key repeats, or a key overrides one brought by a merge (<<),
        # which is allowed. Compare the mapping's own keys (already built: construct_object caches).
        if len(mapping) < len(keys) or any(key.tag == _MERGE_TAG for key in keys):
            own = [self.construct_object(key) for key in keys if key.tag != _MERGE_TAG]
            if len(set(own)) < len(own):
                raise _DuplicateKey()
        return mapping


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
    text: str = field(default="", compare=False, repr=False)  # the YAML read, whose SHA-256 is content_hash
    warnings: tuple[str, ...] = field(default=(), compare=False)  # what an author should know, not fatal
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

    @cached_property
    def core_questions(self) -> list[AnyQuestion]:
        """The questions every company may be asked (those of no sector module)."""
        return [q for q in self.questions.values() if q.module is None]

    @cached_property
    def module_by_id(self) -> dict[str, Module]:
        return {m.id: m for m in self.model.modules}

    @cached_property
    def group_by_id(self) -> dict[str, Group]:
        return {g.id: g for g in self.model.groups}

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


def _locate(node: yaml.Node | None, loc: tuple[Any, ...]) -> tuple[int | None, yaml.Node | None]:
    """The 1-based line of the deepest node along `loc` in the YAML tree, and the node at `loc`
    itself when it exists (None otherwise)."""
    line = None if node is None else node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(key):
                    node, line = v, k.start_mark.line + 1
                    break
            else:
                return line, None
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line, None
    return line, node


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    return _locate(node, loc)[0]


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the union tags pydantic adds to locations (a question's type, a condition's kind)
    and the '[key]' marker of a bad mapping key (the path then ends at the key)."""
    out: list[Any] = []
    tag_expected = False
    for key in loc:
        if tag_expected and isinstance(key, str) and key in _UNION_TAGS:
            tag_expected = key == "condition"  # a recommendation's condition: its kind follows
            continue
        if key == "[key]":
            continue
        out.append(key)
        tag_expected = key in ("applies_when", "not", "when") or (
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


def _shown(value: Any) -> str:
    """A value quoted in a message, cut short: a mistaken value can be a whole page of text."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _as_written(raw: str | None, value: Any) -> str:
    return raw if raw is not None else str(value)


def _plain_message(error: ErrorDetails, loc: tuple[Any, ...], raw: str | None = None) -> str:
    """What pydantic found, in an author's words; `raw` is the value as written in the file."""
    kind = error["type"]
    last = loc[-1] if loc else ""
    given = error.get("input")
    if "audience" in loc[-2:] and kind in ("too_short", "literal_error"):
        if kind == "too_short":
            return "must name at least one group; leave out 'audience' to ask every group"
        groups = ", ".join(get_args(AudienceGroup))
        return f"{_shown(given)} is not a respondent group: use {groups}"
    if error["loc"] and error["loc"][-1] == "[key]":
        if "levels" in loc[-2:-1]:
            return f"a level key must be 0, 1, 2, 3 or 4 (got {_shown(given)})"
        if kind == "string_pattern_mismatch":
            return f"'{given}' is not a valid name: use lowercase letters, digits, '.', '-' or '_'"
    if kind == "missing":
        return f"'{last}' is required but missing"
    if kind == "extra_forbidden":
        return f"unknown field '{last}' (check its spelling; see questionnaires/schema.json)"
    if kind == "string_too_short":
        return f"the {_LANG[last]} text ({last}) is empty" if last in _LANG else "must not be empty"
    if kind == "string_too_long":
        length = len(given) if isinstance(given, str) else "?"
        return f"is too long: at most {error['ctx']['max_length']} characters (got {length})"
    if kind == "string_type" and isinstance(given, (int, float)):  # YAML read a number (or true/false)
        written = _as_written(raw, given)
        if last == "id":
            noun = "an option id" if any(k in ("options", "choice_lists") for k in loc) else "an id"
            return f"{noun} must be text; write it in quotes: '{written}'"
        return f"must be text; write it in quotes: '{written}'"
    if kind == "string_type":
        return f"must be text (got {_shown(given)})"
    if kind == "string_pattern_mismatch":
        return (
            f"'{given}' is not a valid id: use lowercase letters, digits, '.', '-' or '_',"
            " starting with a letter or digit"
        )
    if kind == "finite_number":
        return f"must be a finite number (got {_as_written(raw, given)})"
    if kind == "int_from_float":
        return f"must be a whole number (got {_as_written(raw, given)})"
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing", "int_parsing_size"):
        return f"must be a number (got {_shown(given)})"
    if kind == "greater_than":
        return f"must be greater than {error['ctx']['gt']:g} (got {_shown(given)})"
    if kind in ("less_than_equal", "greater_than_equal", "less_than"):
        word = {"less_than_equal": "at most", "greater_than_equal": "at least", "less_than": "below"}[kind]
        bound = next(iter(error["ctx"].values()))
        return f"must be {word} {bound:g} (got {_shown(given)})"
    if kind == "union_tag_invalid":
        expected = error.get("ctx", {}).get("expected_tags", "")
        return f"unknown question type '{error['ctx'].get('tag')}': use one of {expected}"
    if kind == "union_tag_not_found":
        return "the question has no 'type' (maturity, single, multiple, yes_no, number or text)"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "literal_error":
        return f"{str(error['msg']).replace('Input should be', 'must be')} (got {_shown(given)})"
    if kind == "too_short":
        return f"must not be empty ({error['msg']})"
    if kind == "model_type" and error.get("ctx", {}).get("class_name") == "Text":
        return f"a text is a mapping with fr and en, such as {{fr: \"…\", en: \"…\"}} (got {_shown(given)})"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a mapping of keys and values (got {_shown(given)})"
    if kind == "list_type":
        return f"must be a list (got {_shown(given)})"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false (got {_shown(given)})"
    return f"{error['msg']} (got {_shown(given)})" if "input" in error else str(error["msg"])


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

    default = model.default_locale
    for path, text in _texts(model, ""):
        if text.missing == default:
            problems.append(
                (path, f"the {_LANG[default]} text ({default}) is missing: it is the questionnaire's default_locale, required everywhere")
            )
        for lang in ("fr", "en"):
            if lang != text.missing and not getattr(text, lang).strip():
                problems.append((f"{path}.{lang}", f"the {_LANG[lang]} text ({lang}) is blank"))
            if lang != text.missing:
                problems += [(f"{path}.{lang}", problem) for problem in markup.problems(getattr(text, lang))]

    group_ids = _unique_ids(model.groups, "groups", "group", problems)
    module_ids = _unique_ids(model.modules, "modules", "module", problems)
    module_checked: set[str] = set()
    if all(dim.weight == 0 for dim in model.dimensions):
        problems.append(("dimensions", "every dimension has weight 0: at least one must count in the overall"))

    seen_dims: dict[str, str] = {}
    seen_questions: dict[str, str] = {}
    seen_recs: dict[str, str] = {}
    earlier: dict[str, AnyQuestion] = {}
    # (what, language, normalised text) -> path: two dimensions or questions that read the same
    # cannot be told apart on screen, and the Results page breaks on two equal dimension titles
    seen_texts: dict[tuple[str, str, str], str] = {}
    lists_in_single: set[str] = set()
    lists_in_multiple: set[str] = set()

    for name, options in model.choice_lists.items():
        _check_options(options, f"choice_lists.{name}", problems)

    for d_index, dim in enumerate(model.dimensions):
        d_path = f"dimensions[{d_index}]"
        if dim.id in seen_dims:
            problems.append((f"{d_path}.id", f"dimension id '{dim.id}' is already used at {seen_dims[dim.id]}"))
        seen_dims[dim.id] = d_path
        _check_same_text("dimension title", dim.title, f"{d_path}.title", seen_texts, problems)
        if dim.group is not None and dim.group not in group_ids:
            problems.append((f"{d_path}.group", f"no group named '{dim.group}' in groups"))
        if dim.applies_when is not None:
            _check_condition(model, dim.applies_when, f"{d_path}.applies_when", earlier, problems)
        for q_index, question in enumerate(dim.questions):
            q_path = f"{d_path}.questions[{q_index}]"
            if question.id in seen_questions:
                problems.append(
                    (f"{q_path}.id", f"question id '{question.id}' is already used at {seen_questions[question.id]}")
                )
            seen_questions[question.id] = q_path
            _check_same_text("question text", question.text, f"{q_path}.text", seen_texts, problems)
            _check_audience(dim, question, q_path, problems)
            if isinstance(question, SingleQuestion) and question.choices is not None:
                lists_in_single.add(question.choices)
            if isinstance(question, MultipleQuestion) and question.choices is not None:
                lists_in_multiple.add(question.choices)
            if question.module is not None:
                if question.module not in module_ids:
                    problems.append((f"{q_path}.module", f"no module named '{question.module}' in modules"))
                elif question.module not in module_checked:
                    # a module's condition may use the answers given before its first question
                    module_checked.add(question.module)
                    module = next(m for m in model.modules if m.id == question.module)
                    path = f"{module_ids[module.id]}.applies_when"
                    _check_condition(model, module.applies_when, path, earlier, problems)
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

    for module_id, m_path in module_ids.items():
        if module_id not in module_checked:
            problems.append((f"{m_path}.id", f"module '{module_id}' has no question: give questions `module: {module_id}`"))
    # a recommendation's condition is tested once every answer is known: it may use any question
    for d_index, dim in enumerate(model.dimensions):
        for q_index, question in enumerate(dim.questions):
            for r_index, rec in enumerate(question.recommendations):
                if not isinstance(rec.when, RecommendationWhen):
                    r_path = f"dimensions[{d_index}].questions[{q_index}].recommendations[{r_index}].when"
                    _check_condition(model, rec.when, r_path, earlier, problems, any_position=True)

    for name in sorted(lists_in_single - lists_in_multiple):
        for i, option in enumerate(model.choice_lists.get(name, [])):
            if option.exclusive:
                problems.append(
                    (f"choice_lists.{name}[{i}].exclusive", f"'{name}' is only used by single-choice questions, where 'exclusive' means nothing: remove it")
                )

    _check_levels(model, problems, has_critical=any(q.critical for d in model.dimensions for q in d.questions))
    values = sorted(level.value for level in model.maturity_scale)
    if values != [0, 1, 2, 3, 4]:
        problems.append(("maturity_scale", f"the scale must define each value 0 to 4 once (got {values})"))
    return problems


def _check_audience(dim: Dimension, question: AnyQuestion, path: str, problems: list[tuple[str, str]]) -> None:
    """A question is asked only to groups its dimension is asked to."""
    if dim.audience is None or question.audience is None:
        return
    outside = [group for group in question.audience if group not in dim.audience]
    if outside:
        names = ", ".join(f"'{group}'" for group in outside)
        verb = "is" if len(outside) == 1 else "are"
        groups = ", ".join(dim.audience)
        problems.append((
            f"{path}.audience",
            f"{names} {verb} not in the audience of its dimension '{dim.id}' ({groups}):"
            " a question can only be asked to groups its dimension is asked to",
        ))


def _unique_ids(items: Sequence[Group | Module], key: str, what: str, problems: list[tuple[str, str]]) -> dict[str, str]:
    """Item id -> its path; a repeated id is reported."""
    paths: dict[str, str] = {}
    for i, item in enumerate(items):
        if item.id in paths:
            problems.append((f"{key}[{i}].id", f"{what} id '{item.id}' is already used at {paths[item.id]}"))
        else:
            paths[item.id] = f"{key}[{i}]"
    return paths


def questionnaire_warnings(model: Questionnaire) -> list[str]:
    """What an author should know but the questionnaire works with: texts given in one language only."""
    other = "en" if model.default_locale == "fr" else "fr"
    missing = [path for path, text in _texts(model, "") if text.missing == other]
    if not missing:
        return []
    shown = ", ".join(missing[:3]) + (", …" if len(missing) > 3 else "")
    return [
        f"{len(missing)} text{'s' if len(missing) > 1 else ''} without {_LANG[other]} ({other}): {_LANG[other]} readers"
        f" see the {_LANG[model.default_locale]} words ({shown})"
    ]


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def _check_same_text(
    what: str, text: Text, path: str, seen: dict[tuple[str, str, str], str], problems: list[tuple[str, str]]
) -> None:
    for lang in ("fr", "en"):
        key = (what, lang, _normalised(getattr(text, lang)))
        if not key[2] or lang == text.missing:
            continue  # a blank text is reported on its own
        if key in seen:
            problems.append((f"{path}.{lang}", f"the same {_LANG[lang]} {what} as {seen[key]}: each must be different"))
        else:
            seen[key] = f"{path}.{lang}"


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
    if isinstance(q, SingleQuestion):
        for i, option in enumerate(q.options or []):
            if option.exclusive:
                problems.append(
                    (f"{path}.options[{i}].exclusive", "'exclusive' only means something in a multiple choice: remove it from this single choice")
                )
    if isinstance(q, NumberQuestion):
        if q.minimum is not None and q.maximum is not None and q.minimum >= q.maximum:
            problems.append((f"{path}.maximum", "maximum must be greater than minimum"))
        _check_bands(q, path, problems)
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


def _check_bands(q: NumberQuestion, path: str, problems: list[tuple[str, str]]) -> None:
    """Every allowed number falls in exactly one band: no overlap, no gap, the whole range covered."""
    bands = q.score_bands or []
    broken = False
    for i, band in enumerate(bands):
        if band.min is not None and band.max is not None and band.min >= band.max:
            problems.append((f"{path}.score_bands[{i}]", "a band's max must be greater than its min"))
            broken = True
    if broken or not bands:
        return
    spans = sorted(
        (-math.inf if b.min is None else b.min, math.inf if b.max is None else b.max, i) for i, b in enumerate(bands)
    )
    low, reach, first = spans[0]
    allowed_low = -math.inf if q.minimum is None else q.minimum
    if low > allowed_low:
        fix = "leave out its min" if q.minimum is None else f"start it at {q.minimum:g} or below"
        problems.append(
            (f"{path}.score_bands[{first}].min", f"numbers below {low:g} fall in no band: {fix} (or set the question's minimum)")
        )
    last = first
    for low, high, i in spans[1:]:
        if low < reach:
            problems.append(
                (f"{path}.score_bands[{i}]", f"overlaps score_bands[{last}]: numbers {_span(low, min(high, reach))} would be in both bands")
            )
        elif low > reach:
            problems.append(
                (f"{path}.score_bands[{i}].min", f"gap: numbers from {reach:g} to {low:g} fall in no band (a band's max is exclusive: start this band at {reach:g})")
            )
        if high > reach:
            reach, last = high, i
    allowed_high = math.inf if q.maximum is None else q.maximum
    if reach <= allowed_high and reach != math.inf:
        fix = "leave out its max" if q.maximum is None else f"raise it above {q.maximum:g}, or leave it out"
        problems.append(
            (f"{path}.score_bands[{last}].max", f"numbers from {reach:g} up fall in no band (max is exclusive): {fix}")
        )


def _span(low: float, high: float) -> str:
    if low == -math.inf:
        return f"below {high:g}"
    return f"from {low:g} up" if high == math.inf else f"from {low:g} to {high:g}"


def _check_recommendation(model: Questionnaire, q: AnyQuestion, rec: Any, path: str, problems: list[tuple[str, str]]) -> None:
    maximum = question_max(q, question_options(model, q))
    if maximum is None:
        problems.append((path, "recommendations need a scored question"))
        return
    when = rec.when
    if not isinstance(when, RecommendationWhen):
        return  # a full condition: checked once every question is known
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
    model: Questionnaire,
    cond: Any,
    path: str,
    earlier: dict[str, AnyQuestion],
    problems: list[tuple[str, str]],
    any_position: bool = False,
) -> None:
    for sub_path, sub in _conditions(cond, path):
        if isinstance(sub, ProfileCondition):
            _check_profile_condition(sub, sub_path, problems)
        if isinstance(sub, AnswerCondition):
            target = earlier.get(sub.answer)
            if target is None:
                message = (
                    f"'{sub.answer}' is not a question of this file"
                    if any_position
                    else f"'{sub.answer}' is not an earlier question: a condition can only use answers given before"
                )
                problems.append((f"{sub_path}.answer", message))
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


_BAND_STARTS = sorted(set(HEADCOUNT_BAND_MIN.values()))
_BAND_ENDS = sorted({end for end in HEADCOUNT_BAND_MAX.values() if end is not None})


def _numbers(values: list[int]) -> str:
    return ", ".join(map(str, values[:-1])) + f" or {values[-1]}"


def _check_profile_condition(cond: ProfileCondition, path: str, problems: list[tuple[str, str]]) -> None:
    if cond.profile == "sector":
        for i, code in enumerate(cond.in_ or []):
            problem = naf_condition_problem(code)
            if problem:
                problems.append((f"{path}.in[{i}]", problem))
    if cond.profile == "headcount":
        # only the band is known: a threshold inside a band (15 in 11-19) cannot be decided
        bands = ", ".join(HEADCOUNT_BANDS)
        if cond.min is not None and cond.min not in _BAND_STARTS:
            problems.append(
                (f"{path}.min", f"the headcount is known by band ({bands}): min {cond.min:g} falls inside a band; use the start of a band: {_numbers(_BAND_STARTS)}")
            )
        if cond.max is not None and cond.max not in _BAND_ENDS:
            problems.append(
                (f"{path}.max", f"the headcount is known by band ({bands}): max {cond.max:g} falls inside a band; use the end of a band: {_numbers(_BAND_ENDS)}")
            )


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
    except _DuplicateKey:
        raise QuestionnaireError(source, _duplicate_keys(text)) from None
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
            line, found = _locate(node, loc)
            raw = found.value if isinstance(found, yaml.ScalarNode) else None
            issues.append(Issue(format_path(loc), _plain_message(error, loc, raw), line))
        raise QuestionnaireError(source, issues) from None
    problems = check_questionnaire(model)
    if problems:
        node = yaml.compose(text, Loader=_LineLoader)
        raise QuestionnaireError(
            source, [Issue(path, message, _line_of(node, _parse_path(path))) for path, message in problems]
        )
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    warnings = tuple(questionnaire_warnings(model))
    return LoadedQuestionnaire(model=model, source=source, content_hash=digest, text=text, warnings=warnings)


def _duplicate_keys(text: str) -> list[Issue]:
    """Every key written twice in a mapping, with its path and line (the slow, line-numbered pass)."""
    loader = _LineLoader(text)
    issues: list[Issue] = []
    try:
        root = loader.get_single_node()  # None for an empty document: nothing to walk
        stack: list[tuple[yaml.Node, tuple[Any, ...]]] = [] if root is None else [(root, ())]
        visited: set[int] = set()
        while stack:
            node, loc = stack.pop()
            if id(node) in visited:  # an alias points back to a node already seen
                continue
            visited.add(id(node))
            if isinstance(node, yaml.MappingNode):
                first: dict[Any, int] = {}
                for key_node, value_node in node.value:
                    if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                        continue
                    key = loader.construct_object(key_node)
                    line = key_node.start_mark.line + 1
                    if key in first:
                        issues.append(Issue(
                            format_path((*loc, key)),
                            f"the key '{key}' is written twice in the same mapping (first at line {first[key]}):"
                            " YAML would keep only the last one; merge them into one",
                            line,
                        ))
                    else:
                        first[key] = line
                    stack.append((value_node, (*loc, key)))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend((item, (*loc, i)) for i, item in enumerate(node.value))
    finally:
        loader.dispose()
    issues.sort(key=lambda issue: issue.line or 0)
    return issues or [Issue("", "a key is written twice in the same mapping")]


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
