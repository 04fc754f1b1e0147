"""The whole assessment in one JSON file, and its import (validated whole, then written at once).

The file is also an answers file: `python -m diagnostic score` and `report` accept it as is, and
read it with the same `parse_file` and `plan_import`, so that the page and the command line accept
and refuse exactly the same files. Every refusal is an ImportRefused: a message key of the
catalogues (diagnostic/locales/*.yaml) saying why, and details saying what and where, as a JSON path
(`answers.env.energie: ...`, `actions[3].title: ...`): a Message (keys import.detail.*, answer.*,
text.*) that the page and the command line translate, and its English text (`details`, for logs).
An answer dropped by an import of another version says why the same way (a Reason: English, and its
Message). The limits are in diagnostic/core/limits.py and docs/formats.md.

An assessment opened to respondent groups exports a `participation` part too (thresholds, groups, a
named group's people and answers, an anonymous group's aggregates only, nothing of a hidden group):
it is checked as strictly as the rest when a file is read, then ignored (an import recreates no
respondent).
"""

from __future__ import annotations

import codecs
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Any, Final, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from diagnostic.core import limits
from diagnostic.core.answers import (
    Answer,
    AnswerProblem,
    Reason,
    check_value,
    mixed_script_problem,
    shown,
    text_problem,
)
from diagnostic.core.audience import GROUPS
from diagnostic.core.consolidation import QuestionStats
from diagnostic.core.errors import DomainError, Message
from diagnostic.core.loading import LoadedQuestionnaire, format_path
from diagnostic.core.profile import Profile
from diagnostic.exports.report_data import ActionRow, CompanyInfo, CrossedViews
from diagnostic.i18n import message_text, t

FORMAT: Final = "autodiag-rse/assessment"
FORMAT_VERSION: Final = 1
MAX_BYTES = limits.IMPORT_BYTES
GROUP_LABEL = 100  # a respondent group's name (diagnostic/services/participation.py)


# --- field types --------------------------------------------------------------------------------
#
# The models both build an export (from data already stored: never refused, an export must not fail)
# and read a file. The limits apply when a file is read: parse_file validates with the context
# READING. Each refusal is a PydanticCustomError whose type picks the message key (_KEY_OF_ERROR);
# its context holds the details as a Message ("message"), read by _error_message.

READING = {"reading_a_file": True}


def _reading(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("reading_a_file"))


def _normalised(value: Any) -> Any:
    """NFC and no surrounding spaces, so that "Durand " and "Durand" (or a decomposed é) are one name."""
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value


def _checks(max_length: int, *, required: bool = False, one_line: bool = False, one_script: bool = False) -> Any:
    def check(value: str, info: ValidationInfo) -> str:
        if not _reading(info):
            return value
        if required and not value:
            raise PydanticCustomError("blank", "empty or made only of spaces", {"message": Message("import.detail.blank")})
        if len(value) > max_length:
            size = {"max": max_length, "length": len(value)}
            message = Message("text.too_long", size)
            raise PydanticCustomError("text_too_long", "longer than {max} characters ({length})", {**size, "message": message})
        problem = text_problem(value, single_line=one_line)
        if problem:
            raise PydanticCustomError("bad_character", "{problem}", {"problem": problem, "message": problem.message})
        problem = mixed_script_problem(value) if one_script else None
        if problem:
            raise PydanticCustomError("mixed_script", "{problem}", {"problem": problem, "message": problem.message})
        return value

    return AfterValidator(check)


def _in_range(first: Any, last: Any) -> Any:
    def check(value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)  # a time without offset is read as UTC, as the database stores it
        if _reading(info) and not first <= value <= last:
            span = {"value": value.isoformat(), "first": limits.FIRST_DATE.isoformat(), "last": limits.LAST_DATE.isoformat()}
            message = Message("import.detail.outside", span)
            raise PydanticCustomError("date_range", "{value} is outside {first} to {last}", {**span, "message": message})
        return value

    return AfterValidator(check)


_NFC = BeforeValidator(_normalised)


def _name(max_length: int, required: bool = False, one_script: bool = False) -> Any:
    """The checks of a single-line text a person reads as a name (after _NFC: NFC, stripped): no
    control or invisible character."""
    return _checks(max_length, required=required, one_line=True, one_script=one_script)


def _text(max_length: int, required: bool = False) -> Any:
    """The checks of a free text (notes, a title): line breaks allowed, no NUL or other control character."""
    return _checks(max_length, required=required)


def _identifier(max_length: int) -> Any:
    """The checks of an id compared as it is (not normalised), never empty."""
    return _checks(max_length, required=True, one_line=True)


# Each Annotated[str, ...] written out (not returned by a factory): a type checker reads these as str.
CompanyName = Annotated[str, _NFC, _name(limits.COMPANY_NAME, required=True, one_script=True)]
CompanyNotes = Annotated[str, _NFC, _text(limits.COMPANY_NOTES)]
Label = Annotated[str, _NFC, _name(limits.ASSESSMENT_LABEL)]
Respondent = Annotated[str, _NFC, _name(limits.RESPONDENT)]
ActionTitle = Annotated[str, _NFC, _text(limits.ACTION_TITLE, required=True)]
ActionOwner = Annotated[str, _NFC, _name(limits.ACTION_OWNER)]
ActionNotes = Annotated[str, _NFC, _text(limits.ACTION_NOTES)]
RecommendationId = Annotated[str, _identifier(limits.IDENTIFIER)]
QuestionId = Annotated[str, _identifier(limits.QUESTION_ID)]
QuestionnaireId = Annotated[str, _identifier(limits.QUESTIONNAIRE_ID)]
QuestionnaireVersion = Annotated[str, _identifier(limits.QUESTIONNAIRE_VERSION)]
ContentHash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Moment = Annotated[datetime, _in_range(limits.FIRST_MOMENT, limits.LAST_MOMENT)]
Day = Annotated[date, _in_range(limits.FIRST_DATE, limits.LAST_DATE)]
Target = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
GroupLabel = Annotated[str, _NFC, _name(GROUP_LABEL)]
PersonName = Annotated[str, _NFC, _name(limits.RESPONDENT)]
Count = Annotated[int, Field(ge=0, le=10**9)]
GroupKey = Literal["direction", "managers", "staff", "consultant", "stakeholders"]
assert get_args(GroupKey) == GROUPS, "the groups of a file are those of diagnostic/core/audience.py"
Figure = Annotated[float, Field(allow_inf_nan=False)]


class FileCompany(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: CompanyName
    notes: CompanyNotes = ""


class FileAssessment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: Label = ""
    status: Literal["in_progress", "completed"] = "in_progress"
    respondent: Respondent = ""
    created_at: Moment | None = None
    completed_at: Moment | None = None


class FileAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: ActionTitle
    owner: ActionOwner = ""
    due_date: Day | None = None
    status: Literal["todo", "in_progress", "done", "dropped"] = "todo"
    notes: ActionNotes = ""
    recommendation_id: RecommendationId | None = None
    question_id: QuestionId | None = None


class FileQuestionStats(BaseModel):
    """An anonymous group's aggregates for one question: counts and the figures of the 0..4 level
    scale (raw numbers for an unscored number question); never the answers themselves."""

    model_config = ConfigDict(extra="forbid")
    answers: Count
    dont_know: Count = 0
    na: Count = 0
    mean: Figure | None = None
    median: Figure | None = None
    min: Figure | None = None
    max: Figure | None = None
    consolidated: Any = None  # the group's consolidated answer


class FilePerson(BaseModel):
    """A respondent of a named group and their answers (question id -> stored value)."""

    model_config = ConfigDict(extra="forbid")
    name: PersonName
    answers: dict[QuestionId, Any] = Field(default_factory=dict)


class FileGroup(BaseModel):
    """A respondent group. A hidden group (not enough answers) has no figure at all; a shown named
    group its people's answers; a shown anonymous group its aggregates only."""

    model_config = ConfigDict(extra="forbid")
    key: GroupKey
    label: GroupLabel = ""  # "" for the group's default name
    anonymous: bool
    shown: bool
    respondents: Count | None = None  # completed respondents; null for a hidden group
    people: list[FilePerson] | None = None  # a shown named group
    questions: dict[QuestionId, FileQuestionStats] | None = None  # a shown anonymous group


class FileParticipation(BaseModel):
    """The participative diagnostic: its thresholds and groups. An import accepts it and ignores it
    (respondents are not recreated)."""

    model_config = ConfigDict(extra="forbid")
    k: Annotated[int, Field(ge=1, le=1000)]
    comment_k: Annotated[int, Field(ge=1, le=1000)]
    groups: Annotated[list[FileGroup], Field(max_length=100)] = Field(default_factory=list)


VsmeValue = str | int | float | bool


class FileVsme(BaseModel):
    """The VSME module's datapoints as entered (vsme/datapoints.yaml). An import restores them, each
    checked again (a value that no longer passes is left out and listed)."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    values: Annotated[dict[Annotated[str, Field(max_length=80)], VsmeValue], Field(max_length=500)] = Field(default_factory=dict)


class AssessmentFile(BaseModel):
    """An exported assessment (and, without the optional parts, an answers file)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["autodiag-rse/assessment"] | None = None
    format_version: Literal[1] | None = None
    exported_at: Moment | None = None
    questionnaire: QuestionnaireId
    version: QuestionnaireVersion | None = None
    content_hash: ContentHash | None = None
    company: FileCompany | None = None
    assessment: FileAssessment | None = None
    profile: Profile = Field(default_factory=Profile)
    answers: dict[str, Any] = Field(default_factory=dict)  # each answer is checked by plan_import
    targets: dict[str, Target] = Field(default_factory=dict)
    actions: list[FileAction] = Field(default_factory=list)
    participation: FileParticipation | None = None  # read, then ignored by an import
    vsme: FileVsme | None = None

    @field_validator("actions")
    @classmethod
    def _not_too_many(cls, actions: list[FileAction], info: ValidationInfo) -> list[FileAction]:
        if _reading(info) and len(actions) > limits.ACTIONS_PER_ASSESSMENT:
            size = {"max": limits.ACTIONS_PER_ASSESSMENT, "count": len(actions)}
            message = Message("import.detail.too_many", size)
            raise PydanticCustomError("too_many", "more than {max} items ({count})", {**size, "message": message})
        return actions


def build_document(
    questionnaire: LoadedQuestionnaire,
    company: CompanyInfo,
    profile: Profile,
    answers: dict[str, Answer],
    comments: dict[str, str] | None = None,
    targets: dict[str, float] | None = None,
    actions: list[ActionRow] | None = None,
    assessment: FileAssessment | None = None,
    participation: FileParticipation | None = None,
    vsme: FileVsme | None = None,
) -> dict[str, Any]:
    comments = dict(comments or {})
    answer_items: dict[str, Any] = {}
    for qid in questionnaire.questions:  # questionnaire order: stable, readable diffs
        answer = answers.get(qid)
        comment = comments.pop(qid, None) or (answer.comment if answer else None)
        if answer is not None:
            answer_items[qid] = {"value": answer.value, "comment": comment} if comment else answer.value
        elif comment:
            answer_items[qid] = {"value": None, "comment": comment}
    document = AssessmentFile(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        exported_at=datetime.now().astimezone(),
        questionnaire=questionnaire.id,
        version=questionnaire.version,
        content_hash=questionnaire.content_hash,
        company=FileCompany(name=company.name, notes=company.notes or ""),
        assessment=assessment or FileAssessment(),
        profile=profile,
        answers=answer_items,
        targets=dict(targets or {}),
        actions=[
            FileAction(
                title=a.title, owner=a.owner, due_date=a.due_date, status=a.status,  # type: ignore[arg-type]
                notes=a.notes, recommendation_id=a.recommendation_id, question_id=a.question_id,
            )
            for a in actions or []
        ],
        participation=participation,
        vsme=vsme,
    )
    dumped = document.model_dump(mode="json", exclude_none=False)
    if participation is None:
        del dumped["participation"]  # a file without groups is exactly what it always was
    if vsme is None:
        del dumped["vsme"]  # nor is one without VSME data
    return dumped


def _stats(stats: QuestionStats) -> FileQuestionStats:
    return FileQuestionStats(
        answers=stats.answers, dont_know=stats.dont_know, na=stats.na, mean=stats.mean, median=stats.median,
        min=stats.minimum, max=stats.maximum, consolidated=stats.consolidated,
    )  # fmt: skip


def participation_part(crossed: CrossedViews, named: list[tuple[str, int, dict[str, Any]]]) -> FileParticipation:
    """The `participation` part of an export: thresholds and groups; a shown named group's people
    with their answers, a shown anonymous group's aggregates per question (never one respondent's
    answers), nothing of a hidden group but its name and mode."""
    groups = []
    for group in crossed.groups:
        people, questions = None, None
        if group.shown and group.anonymous:
            questions = {qid: _stats(stats) for qid, stats in group.questions.items()}
        elif group.shown:
            people = [FilePerson(name=name, answers=answers) for name, group_id, answers in named if group_id == group.id]
        groups.append(
            FileGroup(
                key=group.key, label=group.label, anonymous=group.anonymous, shown=group.shown,  # type: ignore[arg-type]
                respondents=group.respondents if group.shown else None, people=people, questions=questions,
            )  # fmt: skip
        )
    return FileParticipation(k=crossed.k, comment_k=crossed.comment_k, groups=groups)


def to_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


# --- import -------------------------------------------------------------------------------------


class ImportRefused(DomainError, ValueError):
    """A file that cannot be imported: `message_key` says why, `details` what and where.

    `details` may be given as a Message (what and where, translatable: keys import.detail.* and the
    answers' codes) or as a plain text (a questionnaire id, an English text from elsewhere). `detail`
    is that Message (or None) and `details` its English text (logs, tests). As a DomainError, `code`
    is the message key and `params` {"details": the Message or the text}: error_text(refused, lang)
    is the page's sentence; line(lang) is the one line the command line prints. Every text in it is
    made printable (no control or invisible character) and cut.
    """

    def __init__(self, message_key: str, details: str | Message = ""):
        self.message_key = message_key
        self.detail = _printable_message(details) if isinstance(details, Message) else None
        self.details = _printable(message_text(self.detail, "en") if self.detail is not None else str(details))
        super().__init__(
            f"{message_key}: {self.details}" if self.details else message_key,
            code=message_key,
            params={"details": self.detail if self.detail is not None else self.details},
        )

    def line(self, lang: str) -> str:
        """What and where in `lang` ("fr" or "en"), for the command line: `python -m diagnostic score` prints
        "error: FILE: " and this."""
        if self.message_key == "import.unknown_questionnaire":
            return t("import.detail.no_questionnaire", lang, questionnaire=self.details)
        if self.detail is not None:
            return _printable(message_text(self.detail, lang))
        return self.details or t(self.message_key, lang, details="")


def _printable(text: str, width: int = 600) -> str:
    """A message safe to show and print: invisible, control and surrogate characters as \\uXXXX."""
    out = "".join(
        c if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn") else f"\\u{ord(c):04x}" for c in text[:width]
    )
    return out if len(text) <= width else out + "…"


def _printable_message(message: Message, width: int = 300) -> Message:
    """The Message with each of its texts (paths, values, the parser's words) made printable and cut."""

    def printable(value: object) -> object:
        if isinstance(value, Message):
            return _printable_message(value, width)
        return _printable(value, width) if isinstance(value, str) else value

    return Message(message.code, {name: printable(value) for name, value in message.params.items()})


def _at(where: str | Message, problem: str | Message) -> Message:
    """"where: what is wrong there": a JSON path (or "line 3, column 7") and a Message (or, for what a
    parser said, its own English words)."""
    return Message("import.detail.at", {"where": where, "problem": problem})


def _reason(message: Message) -> Reason:
    """A Reason for a Message of this module: its English text, from the catalogue, and the Message."""
    return Reason.of(message_text(message, "en"), message)


@dataclass
class ImportPlan:
    """What an import will write, checked whole before anything is written."""

    document: AssessmentFile
    questionnaire: LoadedQuestionnaire
    same_content: bool  # the file was made with exactly this questionnaire
    same_version: bool = True  # ... or at least says so: then every answer must fit (else: a corrupt file)
    answers: dict[str, tuple[Any, str]] = field(default_factory=dict)  # question id -> (value or None, comment)
    # (question id, reason) not carried over: the reason is a Reason, English (a str) with its Message
    # (reason.message) that the page and the command line show in the user's language
    dropped: list[tuple[str, Reason]] = field(default_factory=list)
    dropped_paths: list[str] = field(default_factory=list)  # where each of `dropped` is in the file
    targets: dict[str, float] = field(default_factory=dict)
    vsme: dict[str, Any] = field(default_factory=dict)  # the VSME datapoints to restore, checked (services/vsme.py)

    def drop(self, path: str, what: str, reason: Message) -> None:
        self.dropped.append((what, _reason(reason)))
        self.dropped_paths.append(path)


# --- reading the bytes: size, encoding, depth, JSON, then every value of the tree ----------------------


@dataclass(frozen=True)
class _Rejected:
    """Put in the tree by the JSON parser in place of a value it must not build (its path is known later)."""

    message_key: str
    reason: Message


class _Duplicated(dict[str, Any]):
    """A JSON object in which a key appears more than once (the parser would keep the last silently)."""

    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    duplicates = []
    for key, value in pairs:
        if key in result:
            duplicates.append(key)
        result[key] = value
    if duplicates:
        marked = _Duplicated(result)
        marked.duplicates = duplicates
        return marked
    return result


def _integer(text: str) -> int | _Rejected:
    digits = len(text.lstrip("-"))
    if digits > limits.NUMBER_DIGITS:  # int() of 4,300 digits or more raises ValueError inside json
        huge = Message("import.detail.huge_integer", {"digits": digits, "max": limits.NUMBER_DIGITS})
        return _Rejected("import.huge_number", huge)
    return int(text)


def _float(text: str) -> float | _Rejected:
    value = float(text)
    if not math.isfinite(value):
        return _Rejected("import.not_finite", Message("import.detail.infinite", {"value": shown(text, 40)}))
    return value


def _constant(name: str) -> _Rejected:
    return _Rejected("import.not_finite", Message("import.detail.not_a_number_constant", {"name": name}))


# a string (skipped whole) or a bracket; anything else is left to the JSON parser
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def _deepest(tokens: Any) -> tuple[int, int]:
    """(the deepest nesting, the index of the token that first goes deeper than JSON_DEPTH or -1)."""
    depth = deepest = 0
    for match in tokens:
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth > limits.JSON_DEPTH:
                    return deepest, match.start()
        elif token in "]}":
            depth -= 1
    return deepest, -1


_TOO_DEEP = Message("import.detail.too_deep", {"max": limits.JSON_DEPTH})


def _check_depth(text: str) -> None:
    """Refuse more than JSON_DEPTH nested arrays or objects, by counting brackets (no recursion:
    100,000 brackets cannot exhaust the stack). Strings are removed first (at C speed); only a
    file that is too deep is scanned again to say where."""
    deepest, _ = _deepest(_BRACKET.finditer(_STRING.sub("", text)))
    if deepest <= limits.JSON_DEPTH:
        return
    _, position = _deepest(_STRUCTURE.finditer(text))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    place = Message("import.detail.position", {"line": line, "column": column})
    raise ImportRefused("import.too_deep", _at(place, _TOO_DEEP))


def _path(loc: tuple[Any, ...]) -> str | Message:
    return format_path(loc) or Message("import.detail.whole_file")


def _check_leaf(loc: tuple[Any, ...], value: Any) -> None:
    if isinstance(value, _Rejected):
        raise ImportRefused(value.message_key, _at(_path(loc), value.reason))
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise ImportRefused("import.bad_character", _at(_path(loc), problem.message))


def _check_tree(data: Any) -> None:
    """Every value of the parsed tree, without recursion: what the parser set aside (NaN, huge
    numbers, duplicated keys) and texts that no database can store. Objects and arrays are
    visited in file order, the values of each before the ones nested in it."""
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value, _Duplicated):
                key = value.duplicates[0]
                duplicate = Message("import.detail.duplicate_key", {"name": shown(key)})
                raise ImportRefused("import.duplicate_key", _at(_path(loc), duplicate))
            items: Any = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            _check_leaf(loc, value)
            continue
        nested = []
        for key, child in items:
            if isinstance(key, str):
                problem = text_problem(key)
                if problem:
                    bad_key = Message("import.detail.key_character", {"name": shown(key), "problem": problem.message})
                    raise ImportRefused("import.bad_character", _at(_path(loc), bad_key))
            if isinstance(child, (dict, list)):
                nested.append(((*loc, key), child))
            elif isinstance(child, (str, _Rejected)):
                _check_leaf((*loc, key), child)
        stack.extend(reversed(nested))


_KEY_OF_ERROR = {
    "text_too_long": "import.too_long",
    "too_many": "import.too_long",
    "string_too_long": "import.too_long",
    "too_long": "import.too_long",
    "greater_than_equal": "import.out_of_range",
    "less_than_equal": "import.out_of_range",
    "greater_than": "import.out_of_range",
    "less_than": "import.out_of_range",
    "date_range": "import.out_of_range",
    "finite_number": "import.not_finite",
    "bad_character": "import.bad_character",
    "mixed_script": "import.mixed_script",
    "blank": "import.blank",
}


_CUSTOM_ERRORS = ("bad_character", "mixed_script", "blank", "date_range", "text_too_long", "too_many")  # raised above: a Message in ctx

# pydantic's error types, and the words that say what is wrong with the value
_ABOUT_THE_VALUE = {
    "literal_error": "import.detail.not_one_of",
    "string_pattern_mismatch": "import.detail.not_a_hash",
    "string_type": "import.detail.not_text",
    "int_": "import.detail.not_whole",
    "float_": "answer.not_a_number",
    "bool_": "import.detail.not_boolean",
    "datetime_": "import.detail.not_datetime",
    "date_": "import.detail.not_date",
    "dict_type": "import.detail.not_object",
    "model_type": "import.detail.not_object",
    "model_attributes_type": "import.detail.not_object",
    "list_type": "import.detail.not_list",
}


def _error_message(error: Any) -> str | Message:
    """What one pydantic error says (the path is added by the caller); pydantic's own words (English)
    for an error this module does not expect."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind in _CUSTOM_ERRORS:
        return ctx["message"]
    if kind == "missing":
        return Message("import.detail.required")
    if kind == "extra_forbidden":
        return Message("import.detail.unknown_field")
    if kind == "string_too_long" or (kind == "too_long" and isinstance(value, str)):
        return Message("text.too_long", {"max": ctx["max_length"], "length": len(value)})
    if kind in ("string_too_short", "too_short") and isinstance(value, str):
        return Message("import.detail.empty")
    if kind == "too_long":
        return Message("import.detail.too_many", {"max": ctx["max_length"], "count": ctx.get("actual_length", len(value))})
    if kind in ("greater_than_equal", "greater_than"):
        return Message("answer.below_minimum", {"value": shown(value), "minimum": next(iter(ctx.values()))})
    if kind in ("less_than_equal", "less_than"):
        return Message("answer.above_maximum", {"value": shown(value), "maximum": next(iter(ctx.values()))})
    for prefix, code in _ABOUT_THE_VALUE.items():  # a type ("list_type") or a family of them ("int_...")
        if kind == prefix or (prefix.endswith("_") and kind.startswith(prefix)):
            return Message(code, {"value": shown(value), "expected": ctx.get("expected", "")})
    return str(error["msg"]).removeprefix("Value error, ")


def _refusal(exc: ValidationError) -> ImportRefused:
    errors = exc.errors()
    key = _KEY_OF_ERROR.get(errors[0]["type"], "import.invalid")
    problems: list[Message] = [_at(_path(tuple(e["loc"])), _error_message(e)) for e in errors[:5]]
    if len(errors) > 5:
        problems.append(Message("import.detail.more", {"count": len(errors) - 5}))
    details = problems[-1]
    for problem in reversed(problems[:-1]):  # "first; second; ...; and 2 more"
        details = Message("import.detail.and", {"first": problem, "rest": details})
    return ImportRefused(key, details)


def parse_file(raw: bytes, *, answers_file: bool = False) -> AssessmentFile:
    """The checked content of an exported file, or ImportRefused saying what and where.

    `answers_file`: also accept a plain answers file (no `format` header), as the command line does.
    """
    if len(raw) > limits.IMPORT_BYTES:
        too_big = Message("import.detail.too_big", {"size": len(raw), "max": limits.IMPORT_BYTES})
        raise ImportRefused("import.too_big", too_big)
    raw = raw.removeprefix(codecs.BOM_UTF8)  # Windows editors add one: harmless
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = Message("import.detail.byte", {"position": exc.start})
        raise ImportRefused("import.not_json", _at(where, Message("import.detail.not_utf8"))) from None
    _check_depth(text)
    try:
        data = json.loads(
            text, object_pairs_hook=_object, parse_int=_integer, parse_float=_float, parse_constant=_constant
        )
    except json.JSONDecodeError as exc:
        position = Message("import.detail.position", {"line": exc.lineno, "column": exc.colno})
        raise ImportRefused("import.not_json", _at(position, exc.msg)) from None  # the parser's own words (English)
    except RecursionError:  # not reached after _check_depth; kept so that no file can crash the import
        raise ImportRefused("import.too_deep", _TOO_DEEP) from None
    except ValueError as exc:
        raise ImportRefused("import.not_json", str(exc)) from None  # the parser's own words (English)
    _check_tree(data)
    if not isinstance(data, dict):
        kind = Message("import.detail.not_an_object", {"type": type(data).__name__})
        raise ImportRefused("import.foreign", _at(Message("import.detail.whole_file"), kind))
    if data.get("format") != FORMAT and not (answers_file and "format" not in data):
        if "format" not in data:
            found = Message("import.detail.missing")
        else:
            found = Message("import.detail.instead_of", {"found": shown(data["format"]), "expected": FORMAT})
        raise ImportRefused("import.foreign", _at("format", found))
    try:
        document = AssessmentFile.model_validate(data, context=READING)
    except ValidationError as exc:
        raise _refusal(exc) from None
    if document.format is not None and document.company is None:
        raise ImportRefused("import.invalid", _at("company", Message("import.detail.required")))
    return document


def plan_import(document: AssessmentFile, questionnaire: LoadedQuestionnaire) -> ImportPlan:
    """Check every answer and target against `questionnaire`.

    A file that claims this questionnaire's version (or has its content hash, or names no version)
    must fit it entirely: an unknown question id or an answer off its question is a corrupt file,
    refused. Only a file of another version may lose answers, each listed in `dropped` with why.
    """
    if document.questionnaire != questionnaire.id:
        raise ImportRefused("import.unknown_questionnaire", document.questionnaire)
    same_content = document.content_hash == questionnaire.content_hash
    same_version = same_content or document.version in (None, questionnaire.version)
    plan = ImportPlan(document, questionnaire, same_content=same_content, same_version=same_version)
    version = {"version": questionnaire.version, "questionnaire": questionnaire.id}

    def elsewhere(problem: Message) -> Message:  # "... (in version 1.0 of mini)": why it is dropped
        return Message("import.detail.in_version", {"problem": problem, **version})

    for qid, item in document.answers.items():
        where = f"answers.{qid}"
        value, comment = item, ""
        if isinstance(item, dict):
            extra = sorted(set(item) - {"value", "comment"})
            if "value" not in item or extra:
                if extra:
                    shape = Message("import.detail.object_shape_found", {"keys": ", ".join(map(shown, extra))})
                else:
                    shape = Message("answer.object_shape")
                raise ImportRefused("import.invalid", _at(where, shape))
            value, given = item["value"], item.get("comment")
            if given is None:
                pass
            elif not isinstance(given, str):
                not_text = Message("import.detail.not_text", {"value": shown(given)})
                raise ImportRefused("import.invalid", _at(f"{where}.comment", not_text))
            elif len(given) > limits.COMMENT:
                too_long = Message("text.too_long", {"max": limits.COMMENT, "length": len(given)})
                raise ImportRefused("import.too_long", _at(f"{where}.comment", too_long))
            elif problem := text_problem(given):
                raise ImportRefused("import.bad_character", _at(f"{where}.comment", problem.message))
            else:
                comment = given
        if qid not in questionnaire.questions:
            unknown = Message("import.detail.unknown_question", {"question": shown(qid), **version})
            if same_version:
                raise ImportRefused("import.unknown_question", _at(where, unknown))
            plan.drop(where, qid, unknown)
            continue
        if value is None:  # a comment without an answer yet
            if comment:
                plan.answers[qid] = (None, comment)
            continue
        try:
            plan.answers[qid] = (check_value(questionnaire, qid, value), comment)
        except AnswerProblem as exc:
            if same_version:
                raise ImportRefused("import.invalid_answer", _at(where, exc.message)) from None
            plan.drop(where, qid, elsewhere(exc.message))
            if comment:
                plan.answers[qid] = (None, comment)  # the comment is still worth keeping
    dimensions = {d.id for d in questionnaire.dimensions}
    for dim, target in document.targets.items():
        if dim in dimensions:
            plan.targets[dim] = float(target)
            continue
        unknown = Message("import.detail.unknown_dimension", {"dimension": shown(dim)})
        if same_version:
            raise ImportRefused("import.invalid", _at(f"targets.{dim}", unknown))
        plan.drop(f"targets.{dim}", f"targets.{dim}", elsewhere(unknown))
    return plan
