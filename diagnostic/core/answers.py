"""Answers: their shape, and the check of raw answers against a questionnaire.

A raw answer is 0..4 (maturity), an option id or a list of them (choices), "yes"/"no", a number,
a string, "na" or "dont_know" — or {"value": ..., "comment": "..."} to carry a comment.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from diagnostic.core import limits
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.schema import (
    MATURITY_MAX,
    MaturityQuestion,
    MultipleQuestion,
    NumberQuestion,
    SingleQuestion,
    TextQuestion,
    YesNoQuestion,
)
from diagnostic.core.values import DONT_KNOW, NA

AnswerValue = int | float | str | list[str]


@dataclass(frozen=True)
class Answer:
    value: AnswerValue
    comment: str | None = None


class AnswerProblem(ValueError):
    """One answer that does not fit its question: `reason` says why, without the question id.

    `unknown` is True when the question id itself is not in the questionnaire. str() keeps the
    "'question id': reason" form that the messages have always had.
    """

    def __init__(self, question_id: str, reason: str, unknown: bool = False):
        self.question_id = question_id
        self.reason = reason
        self.unknown = unknown
        super().__init__(reason if unknown else f"'{question_id}': {reason}")


def shown(value: Any, width: int = 60) -> str:
    """repr() of a value for a message, cut to `width` characters (a file may hold megabytes)."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


_ALLOWED_CONTROLS = {"\t", "\n", "\r"}
# control characters but tab and line breaks, and lone surrogates: what a multi-line text may not hold
_FORBIDDEN_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(text: str, *, single_line: bool = False) -> str | None:
    """Why a text cannot be stored, or None: NUL (PostgreSQL refuses it), control characters, lone
    surrogates (not UTF-8) and, in a single-line text such as a name, invisible format characters
    (zero-width spaces, bidi controls: Unicode category Cf), tabs and line breaks."""
    if not single_line:
        found = _FORBIDDEN_IN_TEXT.search(text)
        if found is None:
            return None
        text = text[: found.end()]  # the loop below names the first one
    for position, char in enumerate(text, start=1):
        category = unicodedata.category(char)
        if category == "Cc" and (single_line or char not in _ALLOWED_CONTROLS):
            what = "a NUL character" if char == "\x00" else f"the control character U+{ord(char):04X}"
        elif category == "Cs":
            what = f"a lone surrogate U+{ord(char):04X} (not UTF-8)"
        elif category == "Cf" and single_line:
            name = unicodedata.name(char, "format character")
            what = f"the invisible character U+{ord(char):04X} ({name})"
        else:
            continue
        return f"{what} at character {position}"
    return None


_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def mixed_script_problem(text: str) -> str | None:
    """Why a name is a look-alike, or None: a word mixing Latin with Cyrillic or Greek letters
    ("Durаnd" with a Cyrillic а) looks like another name and is not one. Words wholly in one
    script (a Russian or Greek name) are fine."""
    for word in re.split(r"\W+", text):
        scripts: dict[str, str] = {}
        for char in word:
            if char.isalpha():
                script = unicodedata.name(char, "").split(" ")[0]
                if script in _SCRIPTS:
                    scripts.setdefault(script, char)
        if len(scripts) > 1:
            names = " and ".join(s.capitalize() for s in scripts)
            odd = next(c for s, c in scripts.items() if s != "LATIN")
            return f"the word {shown(word)} mixes {names} letters ({odd!r} is {unicodedata.name(odd)}): a look-alike of another name"
    return None


class AnswersError(ValueError):
    """Answers that do not fit the questionnaire; `problems` names each question at fault."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def check_value(questionnaire: LoadedQuestionnaire, question_id: str, value: Any) -> AnswerValue:
    """The normalised value of one answer, or AnswerProblem (a ValueError) saying what is wrong (in English)."""
    question = questionnaire.questions.get(question_id)
    if question is None:
        raise AnswerProblem(
            question_id, f"'{question_id}' is not a question of {questionnaire.id} {questionnaire.version}", unknown=True
        )

    def problem(reason: str) -> AnswerProblem:
        return AnswerProblem(question_id, reason)

    if value == NA and isinstance(value, str):
        if not question.allow_na:
            raise problem("N/A (non concerné) is not allowed for this question")
        return NA
    if value == DONT_KNOW and isinstance(value, str):
        if not question.allow_dont_know:
            raise problem("'don't know' is not allowed for this question")
        return DONT_KNOW
    if isinstance(question, MaturityQuestion):
        if not _is_number(value) or value != int(value):
            raise problem(f"{shown(value)} is not a level 0 to {MATURITY_MAX}")
        if not 0 <= int(value) <= MATURITY_MAX:
            raise problem(f"{shown(value)} is off the scale 0 to {MATURITY_MAX}")
        return int(value)
    if isinstance(question, YesNoQuestion):
        if value is True or value == "yes":
            return "yes"
        if value is False or value == "no":
            return "no"
        raise problem(f"{shown(value)} is not yes or no")
    if isinstance(question, SingleQuestion):
        ids = [o.id for o in questionnaire.options(question)]
        if not isinstance(value, str) or value not in ids:
            raise problem(f"{shown(value)} is not one of its options ({', '.join(ids)})")
        return value
    if isinstance(question, MultipleQuestion):
        ids = [o.id for o in questionnaire.options(question)]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise problem(f"give a list of option ids ({', '.join(ids)})")
        unknown = [v for v in value if v not in ids]
        if unknown:
            raise problem(f"{', '.join(shown(v) for v in unknown[:5])} not among its options ({', '.join(ids)})")
        exclusive = [o.id for o in questionnaire.options(question) if o.exclusive and o.id in value]
        if exclusive and len(set(value)) > 1:
            raise problem(f"'{exclusive[0]}' cannot be combined with other options")
        return [i for i in ids if i in set(value)]
    if isinstance(question, NumberQuestion):
        if not _is_number(value):
            raise problem(f"{shown(value)} is not a number")
        if abs(value) > limits.NUMBER_ANSWER:
            raise problem(f"{value:g} is beyond ±{limits.NUMBER_ANSWER:g}")
        if question.minimum is not None and value < question.minimum:
            raise problem(f"{value:g} is below the minimum {question.minimum:g}")
        if question.maximum is not None and value > question.maximum:
            raise problem(f"{value:g} is above the maximum {question.maximum:g}")
        return value
    if isinstance(question, TextQuestion):
        if not isinstance(value, str):
            raise problem("a text answer must be a string")
        if len(value) > limits.TEXT_ANSWER:
            raise problem(f"longer than {limits.TEXT_ANSWER} characters ({len(value)})")
        bad = text_problem(value)
        if bad:
            raise problem(bad)
        return value
    raise problem("unsupported question type")


def _is_number(value: Any) -> bool:
    """An int or a finite float (not a bool, not NaN or infinity, not an int too big for a float)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def comment_problem(comment: Any) -> str | None:
    """Why a comment cannot be stored, or None."""
    if not isinstance(comment, str):
        return "the comment must be text"
    if len(comment) > limits.COMMENT:
        return f"the comment is longer than {limits.COMMENT} characters ({len(comment)})"
    bad = text_problem(comment)
    return f"the comment has {bad}" if bad else None


def parse_answers(questionnaire: LoadedQuestionnaire, raw: dict[str, Any]) -> dict[str, Answer]:
    """Check every raw answer; raise AnswersError listing every problem (never a silent zero)."""
    answers: dict[str, Answer] = {}
    problems: list[str] = []
    for question_id, item in raw.items():
        comment = None
        value = item
        if isinstance(item, dict):
            extra = set(item) - {"value", "comment"}
            if "value" not in item or extra:
                problems.append(f"'{question_id}': an answer object has 'value' and an optional 'comment'")
                continue
            value, comment = item["value"], item.get("comment")
            bad = None if comment is None else comment_problem(comment)
            if bad:
                problems.append(f"'{question_id}': {bad}")
                continue
        try:
            answers[question_id] = Answer(check_value(questionnaire, question_id, value), comment or None)
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise AnswersError(problems)
    return answers

