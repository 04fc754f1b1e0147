"""Answers: their shape, and the check of raw answers against a questionnaire.

A raw answer is 0..4 (maturity), an option id or a list of them (choices), "yes"/"no", a number,
a string, "na" or "dont_know" — or {"value": ..., "comment": "..."} to carry a comment.

Every problem found here is a Reason: an English sentence (for logs, str() and the callers that have
always printed it) that carries the same as a catalogue Message (a code of ANSWER_CODES and its
parameters), for the edge to translate in the user's language (diagnostic.i18n.message_text). The
parameters are data (ids, values as repr() shows them, numbers), shown as they are.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from diagnostic.core import limits
from diagnostic.core.errors import DomainError, Message
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.schema import (
    MATURITY_MAX,
    AnyQuestion,
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


# Every code a Reason of this module may carry: each is a key of both catalogues (tests/test_scoring.py).
ANSWER_CODES = (
    "answer.unknown_question",
    "answer.na_not_allowed",
    "answer.dont_know_not_allowed",
    "answer.not_a_level",
    "answer.off_scale",
    "answer.not_yes_no",
    "answer.not_an_option",
    "answer.not_a_list",
    "answer.unknown_options",
    "answer.exclusive",
    "answer.not_a_number",
    "answer.too_large",
    "answer.below_minimum",
    "answer.above_maximum",
    "answer.not_text",
    "answer.unsupported_type",
    "answer.object_shape",
    "answer.of_question",
    "answer.invalid",
    "text.too_long",
    "text.nul",
    "text.control",
    "text.surrogate",
    "text.invisible",
    "text.mixed_script",
    "text.scripts",
    "text.script.latin",
    "text.script.cyrillic",
    "text.script.greek",
    "comment.not_text",
    "comment.too_long",
    "comment.bad_character",
)


class Reason(str):
    """Why a value is refused: the English sentence itself (a str, for logs and older callers), and
    `message`, the same as a catalogue key and its parameters, to translate at the edge."""

    message: Message  # (a copy or a pickle of a Reason keeps it: str subclasses keep their __dict__)

    def __new__(cls, english: str, *, code: str = "answer.invalid", **params: object) -> Reason:
        reason = super().__new__(cls, english)
        reason.message = Message(code, params)
        return reason

    @classmethod
    def of(cls, english: str, message: Message) -> Reason:
        """A Reason for a Message built elsewhere (its English text given)."""
        return cls(english, code=message.code, **message.params)


def message_of(reason: str) -> Message:
    """The Message a reason carries; a plain English str (from elsewhere) is shown as it is."""
    return reason.message if isinstance(reason, Reason) else Message("answer.invalid", {"reason": reason})


class AnswerProblem(DomainError, ValueError):
    """One answer that does not fit its question: `reason` says why, without the question id.

    `unknown` is True when the question id itself is not in the questionnaire. str() keeps the
    "'question id': reason" form that the messages have always had (English, for logs). `code` and
    `params` (a DomainError's) are the reason's, without the question id: error_text(exc, lang) reads
    it in the user's language, and `message` is the same as a Message.
    """

    code = "answer.invalid"

    def __init__(self, question_id: str, reason: str, unknown: bool = False):
        self.question_id = question_id
        self.reason = reason
        self.unknown = unknown
        message = message_of(reason)
        super().__init__(reason if unknown else f"'{question_id}': {reason}", code=message.code, params=message.params)

    @property
    def message(self) -> Message:
        return Message(self.code, self.params)


def shown(value: Any, width: int = 60) -> str:
    """repr() of a value for a message, cut to `width` characters (a file may hold megabytes)."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


_ALLOWED_CONTROLS = {"\t", "\n", "\r"}
# control characters but tab and line breaks, and lone surrogates: what a multi-line text may not hold
_FORBIDDEN_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(text: str, *, single_line: bool = False) -> Reason | None:
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
        codepoint = f"U+{ord(char):04X}"
        if category == "Cc" and char == "\x00":
            return Reason(f"a NUL character at character {position}", code="text.nul", position=position)
        if category == "Cc" and (single_line or char not in _ALLOWED_CONTROLS):
            english = f"the control character {codepoint} at character {position}"
            return Reason(english, code="text.control", codepoint=codepoint, position=position)
        if category == "Cs":
            english = f"a lone surrogate {codepoint} (not UTF-8) at character {position}"
            return Reason(english, code="text.surrogate", codepoint=codepoint, position=position)
        if category == "Cf" and single_line:
            name = unicodedata.name(char, "format character")
            english = f"the invisible character {codepoint} ({name}) at character {position}"
            return Reason(english, code="text.invisible", codepoint=codepoint, name=name, position=position)
    return None


_SCRIPTS = {
    "LATIN": Message("text.script.latin"),
    "CYRILLIC": Message("text.script.cyrillic"),
    "GREEK": Message("text.script.greek"),
}


def mixed_script_problem(text: str) -> Reason | None:
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
            found = [_SCRIPTS[s] for s in scripts]
            listed = found[-1]
            for first in reversed(found[:-1]):  # "Latin and Cyrillic (and Greek)", in the catalogue's words
                listed = Message("text.scripts", {"first": first, "second": listed})
            name = unicodedata.name(odd)
            english = f"the word {shown(word)} mixes {names} letters ({odd!r} is {name}): a look-alike of another name"
            return Reason(english, code="text.mixed_script", word=shown(word), scripts=listed, letter=repr(odd), name=name)
    return None


class AnswersError(ValueError):
    """Answers that do not fit the questionnaire; `problems` names each question at fault (English
    Reasons), `messages` says the same as catalogue Messages."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        self.messages = [message_of(p) for p in problems]  # the same, to translate at the edge
        super().__init__("\n".join(problems))


def check_question(questionnaire: LoadedQuestionnaire, question_id: str) -> AnyQuestion:
    """The question, or AnswerProblem when the questionnaire has no such question."""
    question = questionnaire.questions.get(question_id)
    if question is None:
        english = f"'{question_id}' is not a question of {questionnaire.id} {questionnaire.version}"
        reason = Reason(
            english, code="answer.unknown_question",
            question=question_id, questionnaire=questionnaire.id, version=questionnaire.version,
        )  # fmt: skip
        raise AnswerProblem(question_id, reason, unknown=True)
    return question


def check_value(questionnaire: LoadedQuestionnaire, question_id: str, value: Any) -> AnswerValue:
    """The normalised value of one answer, or AnswerProblem (a ValueError) saying what is wrong: in
    English (str, `reason`) and as a catalogue code with its parameters (`code`, `params`)."""
    question = check_question(questionnaire, question_id)

    def problem(english: str, code: str, **params: object) -> AnswerProblem:
        return AnswerProblem(question_id, Reason(english, code=code, **params))

    if value == NA and isinstance(value, str):
        if not question.allow_na:
            raise problem("N/A (non concerné) is not allowed for this question", "answer.na_not_allowed")
        return NA
    if value == DONT_KNOW and isinstance(value, str):
        if not question.allow_dont_know:
            raise problem("'don't know' is not allowed for this question", "answer.dont_know_not_allowed")
        return DONT_KNOW
    if isinstance(question, MaturityQuestion):
        if not _is_number(value) or value != int(value):
            english = f"{shown(value)} is not a level 0 to {MATURITY_MAX}"
            raise problem(english, "answer.not_a_level", value=shown(value), low=0, high=MATURITY_MAX)
        if not 0 <= int(value) <= MATURITY_MAX:
            english = f"{shown(value)} is off the scale 0 to {MATURITY_MAX}"
            raise problem(english, "answer.off_scale", value=shown(value), low=0, high=MATURITY_MAX)
        return int(value)
    if isinstance(question, YesNoQuestion):
        if value is True or value == "yes":
            return "yes"
        if value is False or value == "no":
            return "no"
        raise problem(f"{shown(value)} is not yes or no", "answer.not_yes_no", value=shown(value))
    if isinstance(question, SingleQuestion):
        ids = [o.id for o in questionnaire.options(question)]
        options = ", ".join(ids)
        if not isinstance(value, str) or value not in ids:
            english = f"{shown(value)} is not one of its options ({options})"
            raise problem(english, "answer.not_an_option", value=shown(value), options=options)
        return value
    if isinstance(question, MultipleQuestion):
        ids = [o.id for o in questionnaire.options(question)]
        options = ", ".join(ids)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise problem(f"give a list of option ids ({options})", "answer.not_a_list", options=options)
        unknown = [v for v in value if v not in ids]
        if unknown:
            values = ", ".join(shown(v) for v in unknown[:5])
            english = f"{values} not among its options ({options})"
            raise problem(english, "answer.unknown_options", values=values, options=options)
        exclusive = [o.id for o in questionnaire.options(question) if o.exclusive and o.id in value]
        if exclusive and len(set(value)) > 1:
            english = f"'{exclusive[0]}' cannot be combined with other options"
            raise problem(english, "answer.exclusive", option=exclusive[0])
        return [i for i in ids if i in set(value)]
    if isinstance(question, NumberQuestion):
        if not _is_number(value):
            raise problem(f"{shown(value)} is not a number", "answer.not_a_number", value=shown(value))
        number, bound = f"{value:g}", f"{limits.NUMBER_ANSWER:g}"
        if abs(value) > limits.NUMBER_ANSWER:
            raise problem(f"{number} is beyond ±{bound}", "answer.too_large", value=number, limit=bound)
        if question.minimum is not None and value < question.minimum:
            bound = f"{question.minimum:g}"
            raise problem(f"{number} is below the minimum {bound}", "answer.below_minimum", value=number, minimum=bound)
        if question.maximum is not None and value > question.maximum:
            bound = f"{question.maximum:g}"
            raise problem(f"{number} is above the maximum {bound}", "answer.above_maximum", value=number, maximum=bound)
        return value
    if isinstance(question, TextQuestion):
        if not isinstance(value, str):
            raise problem("a text answer must be a string", "answer.not_text")
        if len(value) > limits.TEXT_ANSWER:
            english = f"longer than {limits.TEXT_ANSWER} characters ({len(value)})"
            raise problem(english, "text.too_long", max=limits.TEXT_ANSWER, length=len(value))
        bad = text_problem(value)
        if bad:
            raise AnswerProblem(question_id, bad)
        return value
    raise problem("unsupported question type", "answer.unsupported_type")


def _is_number(value: Any) -> bool:
    """An int or a finite float (not a bool, not NaN or infinity, not an int too big for a float)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def comment_problem(comment: Any) -> Reason | None:
    """Why a comment cannot be stored, or None."""
    if not isinstance(comment, str):
        return Reason("the comment must be text", code="comment.not_text")
    if len(comment) > limits.COMMENT:
        english = f"the comment is longer than {limits.COMMENT} characters ({len(comment)})"
        return Reason(english, code="comment.too_long", max=limits.COMMENT, length=len(comment))
    bad = text_problem(comment)
    return Reason(f"the comment has {bad}", code="comment.bad_character", problem=bad.message) if bad else None


def _of_question(question_id: str, reason: str) -> Reason:
    """"'question id': reason", as parse_answers lists its problems."""
    return Reason(f"'{question_id}': {reason}", code="answer.of_question", question=question_id, problem=message_of(reason))


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
                shape = Reason("an answer object has 'value' and an optional 'comment'", code="answer.object_shape")
                problems.append(_of_question(question_id, shape))
                continue
            value, comment = item["value"], item.get("comment")
            bad = None if comment is None else comment_problem(comment)
            if bad:
                problems.append(_of_question(question_id, bad))
                continue
        try:
            answers[question_id] = Answer(check_value(questionnaire, question_id, value), comment or None)
        except AnswerProblem as exc:
            problems.append(exc.reason if exc.unknown else _of_question(question_id, exc.reason))
        except ValueError as exc:  # not raised by check_value today: kept so that no problem goes unlisted
            problems.append(str(exc))
    if problems:
        raise AnswersError(problems)
    return answers

