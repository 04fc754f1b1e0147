"""Label readiness (pure): the NECESSARY conditions of labels and ratings an SME is asked for,
checked against the answers and scores of one assessment.

A framework file (readiness/*.yaml, read by diagnostic/readiness_files.py) names a label or rating,
its sources and disclaimer, and its conditions. Each condition says how it is checked:

- answer: a question answered at or above a value (`min`, on the answer's score) or with one of
  the options `in`;
- dimension: a dimension's score is at least `min` (0..100);
- every_dimension: every dimension that counts (weight > 0) scores at least `min`;
- theme: a theme of the framework (a weighted mean of questions and dimensions, 0..100) scores at
  least its `min`; assessed only when at least half of the theme's weight is answered;
- legal_basics: every critical question (legal basic) that applies is answered and met;
- profile: the company's NAF sector is not one the framework excludes;
- company: not checkable from the diagnostic: the company checks it itself.

A condition may apply only to some sizes (`sizes`: ids of the framework's `size_bands`, read from
the company's headcount band) and may belong to a level of the framework (`level`). A condition
whose question is absent from the assessment's questionnaire, or not answered, is "not assessed":
never met by default. Meeting every necessary condition never grants a label: the words say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from math import fsum
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, Field, model_validator

from diagnostic.core.answers import Answer
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.schema import Id, Strict, Text
from diagnostic.core.scoring import EPSILON, Result
from diagnostic.core.values import DONT_KNOW, NA

# A condition's status
MET, MISSING, NOT_ASSESSED, TO_CHECK, NOT_APPLICABLE = "met", "missing", "not_assessed", "to_check", "not_applicable"
STATUSES = (MISSING, TO_CHECK, NOT_ASSESSED, MET, NOT_APPLICABLE)  # the order a reader needs them in

THEME_MIN_SHARE = 0.5  # a theme is estimated only when this share of its weight is answered

HeadcountBand = Literal["0", "1-10", "11-19", "20-49", "50-249", "250+"]


# --- the file's models ------------------------------------------------------------------------------


class Source(Strict):
    title: str = Field(min_length=1, max_length=300)
    url: AnyHttpUrl


class FrameworkLevel(Strict):
    id: Id
    name: Text


class SizeBand(Strict):
    """A size category of the framework, read from the company's headcount band."""

    id: Id
    name: Text
    headcount: list[HeadcountBand] = Field(min_length=1)


class ThemePart(Strict):
    """One part of a theme's weighted mean: a question (its score on 0..100) or a dimension's score."""

    question: Id | None = None
    dimension: Id | None = None
    weight: float = Field(default=1, gt=0, le=100)

    @model_validator(mode="after")
    def _one_target(self) -> ThemePart:
        if (self.question is None) == (self.dimension is None):
            raise ValueError("a theme part names either a question or a dimension")
        return self


class Theme(Strict):
    id: Id
    name: Text
    min: float = Field(ge=0, le=100, description="The theme's score must reach this (0..100)")
    parts: list[ThemePart] = Field(min_length=1)


class AnswerCheck(Strict):
    kind: Literal["answer"]
    question: Id
    min: float | None = Field(default=None, ge=0, description="The answer's score must reach this")
    in_: list[str] | None = Field(
        default=None, alias="in", min_length=1, description="Option ids (or yes/no) that meet it"
    )

    @model_validator(mode="after")
    def _one_test(self) -> AnswerCheck:
        if (self.min is None) == (self.in_ is None):
            raise ValueError("an answer check needs either min or in")
        return self


class DimensionCheck(Strict):
    kind: Literal["dimension"]
    dimension: Id
    min: float = Field(ge=0, le=100)


class EveryDimensionCheck(Strict):
    kind: Literal["every_dimension"]
    min: float = Field(ge=0, le=100)


class ThemeCheck(Strict):
    kind: Literal["theme"]
    theme: Id


class LegalBasicsCheck(Strict):
    kind: Literal["legal_basics"]


class ProfileCheck(Strict):
    kind: Literal["profile"]
    sector_not_in: list[str] = Field(min_length=1, description="NAF sections or code prefixes the framework excludes")


class CompanyCheck(Strict):
    kind: Literal["company"]


Check = Annotated[
    AnswerCheck | DimensionCheck | EveryDimensionCheck | ThemeCheck | LegalBasicsCheck | ProfileCheck | CompanyCheck,
    Field(discriminator="kind"),
]
CHECK_KINDS = ("answer", "dimension", "every_dimension", "theme", "legal_basics", "profile", "company")


class Condition(Strict):
    id: Id
    text: Text = Field(description="What is required, in plain words")
    basis: Text = Field(description="What the source says (its wording or section)")
    todo: Text | None = Field(default=None, description="What to do, when the diagnostic has no recommendation for it")
    level: Id | None = Field(default=None, description="The framework level this condition is needed for")
    sizes: list[Id] | None = Field(default=None, min_length=1, description="Size bands it applies to (all when absent)")
    check: Check


class Framework(Strict):
    id: Id
    name: Text
    publisher: str = Field(min_length=1, max_length=200)
    sources: list[Source] = Field(min_length=1)
    last_checked: date
    disclaimer: Text
    levels: list[FrameworkLevel] = Field(default_factory=list)
    size_bands: list[SizeBand] = Field(default_factory=list)
    size_note: Text | None = None
    themes: list[Theme] = Field(default_factory=list)
    conditions: list[Condition] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids(self) -> Framework:
        """Ids are unique and point inside the file; every headcount band has one size band at most."""
        for what, ids in (
            ("condition", [c.id for c in self.conditions]),
            ("level", [lv.id for lv in self.levels]),
            ("size band", [b.id for b in self.size_bands]),
            ("theme", [th.id for th in self.themes]),
        ):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(f"{what} id {', '.join(twice)} used twice")
        bands = [band for b in self.size_bands for band in b.headcount]
        if len(bands) != len(set(bands)):
            raise ValueError("a headcount band belongs to two size bands")
        levels, sizes, themes = (
            {lv.id for lv in self.levels},
            {b.id for b in self.size_bands},
            {th.id for th in self.themes},
        )
        for c in self.conditions:
            if c.level is not None and c.level not in levels:
                raise ValueError(f"condition {c.id}: unknown level '{c.level}'")
            for size in c.sizes or []:
                if size not in sizes:
                    raise ValueError(f"condition {c.id}: unknown size band '{size}'")
            if isinstance(c.check, ThemeCheck) and c.check.theme not in themes:
                raise ValueError(f"condition {c.id}: unknown theme '{c.check.theme}'")
        return self

    def size_of(self, profile: Profile) -> SizeBand | None:
        """The company's size band, from its headcount band (None when unknown or not banded)."""
        return next((b for b in self.size_bands if profile.headcount_band in b.headcount), None)


def references(framework: Framework, questionnaire: LoadedQuestionnaire) -> list[tuple[str, str]]:
    """(path in the file, problem) for each question, option or dimension id the questionnaire lacks."""
    problems: list[tuple[str, str]] = []
    dimensions = set(questionnaire.dimension_by_id)

    def question(qid: str, path: str) -> None:
        if qid not in questionnaire.questions:
            problems.append((path, f"unknown question '{qid}' in {questionnaire.id}"))

    for i, theme in enumerate(framework.themes):
        for j, part in enumerate(theme.parts):
            if part.question is not None:
                question(part.question, f"themes[{i}].parts[{j}].question")
            if part.dimension is not None and part.dimension not in dimensions:
                problems.append((f"themes[{i}].parts[{j}].dimension", f"unknown dimension '{part.dimension}'"))
    for i, condition in enumerate(framework.conditions):
        check, path = condition.check, f"conditions[{i}].check"
        if isinstance(check, AnswerCheck):
            question(check.question, f"{path}.question")
            q = questionnaire.questions.get(check.question)
            if q is not None and check.in_ is not None:
                known = {o.id for o in questionnaire.options(q)} | ({"yes", "no"} if q.type == "yes_no" else set())
                for option in check.in_:
                    if option not in known:
                        problems.append((f"{path}.in", f"'{option}' is not an option of {check.question}"))
        elif isinstance(check, DimensionCheck) and check.dimension not in dimensions:
            problems.append((f"{path}.dimension", f"unknown dimension '{check.dimension}'"))
    return problems


# --- the report -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConditionCheck:
    """One condition checked against one assessment; `reason` says why in data terms (a code and its
    values), to be put in words at the edge (diagnostic/readiness_text.py)."""

    condition: Condition
    status: str  # met | missing | not_assessed | to_check | not_applicable
    reason: str  # a code: answer_met, answer_below, unanswered, absent, score_met, …
    value: float | str | list[str] | None = None  # what the assessment has (an answer, a score)
    target: float | None = None  # the score asked, when there is one
    questions: tuple[str, ...] = ()  # the questions it reads or finds at fault (their recommendations help)


@dataclass(frozen=True)
class ThemeScore:
    theme: Theme
    score: float | None  # 0..100; None when too little of it is answered
    answered_share: float  # share of the theme's applicable weight answered (0..1)


@dataclass(frozen=True)
class LevelReadiness:
    """A framework level: its necessary conditions (its own and the lower levels') and how many are met."""

    level: FrameworkLevel
    met: int
    missing: int
    open: int  # not assessed or to check by the company

    @property
    def total(self) -> int:
        return self.met + self.missing + self.open


@dataclass(frozen=True)
class ReadinessReport:
    framework: Framework
    checks: list[ConditionCheck]
    size: SizeBand | None = None
    themes: list[ThemeScore] = field(default_factory=list)
    levels: list[LevelReadiness] = field(default_factory=list)

    def with_status(self, *statuses: str) -> list[ConditionCheck]:
        return [c for c in self.checks if c.status in statuses]

    @property
    def counted(self) -> int:
        """The conditions that apply to the company (y in "x met out of y")."""
        return sum(1 for c in self.checks if c.status != NOT_APPLICABLE)

    def count(self, status: str) -> int:
        return sum(1 for c in self.checks if c.status == status)

    @property
    def all_met(self) -> bool:
        """Every necessary condition that applies is met: still not a label (the words say so)."""
        return self.counted > 0 and self.count(MET) == self.counted


def _answer_check(
    check: AnswerCheck, questionnaire: LoadedQuestionnaire, answers: Mapping[str, Answer], result: Result
) -> tuple[str, str, object]:
    if check.question not in questionnaire.questions:
        return NOT_ASSESSED, "absent", None
    row = result.questions[check.question]
    if not row.applies:
        return NOT_APPLICABLE, "not_applicable", None
    answer = answers.get(check.question)
    if answer is None or not row.answered:
        return NOT_ASSESSED, "unanswered", None
    if answer.value == NA:
        return NOT_APPLICABLE, "na", NA
    if answer.value == DONT_KNOW:
        return MISSING, "dont_know", DONT_KNOW
    if check.in_ is not None:
        chosen = answer.value if isinstance(answer.value, list) else [str(answer.value)]
        ok = any(v in check.in_ for v in chosen)
    else:
        ok = row.value is not None and check.min is not None and row.value >= check.min - EPSILON
    return (MET, "answer_met", answer.value) if ok else (MISSING, "answer_below", answer.value)


def theme_score(theme: Theme, questionnaire: LoadedQuestionnaire, result: Result) -> ThemeScore:
    """The weighted mean of the theme's parts that count (0..100). A part absent from the
    questionnaire, unanswered or answered N/A weighs in the total but adds no score; a part that does
    not apply to the company (or a dimension with no applicable question) leaves the total."""
    scores = {d.id: d for d in result.dimensions}
    total, answered, weighted = 0.0, 0.0, []
    for part in theme.parts:
        if part.question is not None:
            row = result.questions.get(part.question)
            if row is not None and (not row.applies or row.max is None):
                continue
            total += part.weight
            if row is not None and row.counted and row.max:
                answered += part.weight
                weighted.append((part.weight, 100 * (row.value or 0) / row.max))
        else:
            dim = scores.get(part.dimension or "")
            if dim is not None and dim.applicable == 0:
                continue
            total += part.weight
            if dim is not None and dim.score is not None:
                answered += part.weight
                weighted.append((part.weight, dim.score))
    share = answered / total if total else 0.0
    if not weighted or share < THEME_MIN_SHARE - EPSILON:
        return ThemeScore(theme, None, share)
    mean = fsum(w * s for w, s in weighted) / fsum(w for w, _ in weighted)
    return ThemeScore(theme, min(100.0, max(0.0, mean)), share)


def _theme_questions(theme: Theme, questionnaire: LoadedQuestionnaire) -> tuple[str, ...]:
    ids: list[str] = []
    for part in theme.parts:
        if part.question is not None and part.question in questionnaire.questions:
            ids.append(part.question)
        elif part.dimension in questionnaire.dimension_by_id:
            ids += [q.id for q in questionnaire.dimension_by_id[part.dimension].questions]
    return tuple(dict.fromkeys(ids))


def _check(
    condition: Condition, framework: Framework, questionnaire: LoadedQuestionnaire, profile: Profile,
    answers: Mapping[str, Answer], result: Result, themes: Mapping[str, ThemeScore],
) -> ConditionCheck:  # fmt: skip
    check = condition.check
    if condition.sizes is not None:
        size = framework.size_of(profile)
        if size is None:
            return ConditionCheck(condition, NOT_ASSESSED, "size_unknown")
        if size.id not in condition.sizes:
            return ConditionCheck(condition, NOT_APPLICABLE, "not_for_size", size.id)
    if isinstance(check, CompanyCheck):
        return ConditionCheck(condition, TO_CHECK, "company")
    if isinstance(check, AnswerCheck):
        status, reason, value = _answer_check(check, questionnaire, answers, result)
        return ConditionCheck(condition, status, reason, value, check.min, (check.question,))  # type: ignore[arg-type]
    if isinstance(check, DimensionCheck):
        if check.dimension not in questionnaire.dimension_by_id:
            return ConditionCheck(condition, NOT_ASSESSED, "absent")
        dim = result.dimension(check.dimension)
        questions = tuple(q.id for q in questionnaire.dimension_by_id[check.dimension].questions)
        if dim.score is None:
            return ConditionCheck(condition, NOT_ASSESSED, "no_score", None, check.min, questions)
        ok = dim.score >= check.min - EPSILON
        return ConditionCheck(
            condition, MET if ok else MISSING, "score_met" if ok else "score_below", dim.score, check.min, questions
        )
    if isinstance(check, EveryDimensionCheck):
        judged = [d for d in result.dimensions if d.weight > 0 and d.applicable]
        below = [d.id for d in judged if d.score is not None and d.score < check.min - EPSILON]
        if below:
            questions = tuple(q.id for d in below for q in questionnaire.dimension_by_id[d].questions)
            return ConditionCheck(condition, MISSING, "dimensions_below", below, check.min, questions)
        if not judged or any(d.score is None for d in judged):  # a dimension without a score is not shown to reach it
            return ConditionCheck(condition, NOT_ASSESSED, "no_score", None, check.min)
        return ConditionCheck(condition, MET, "every_dimension_met", min(d.score or 0 for d in judged), check.min)
    if isinstance(check, ThemeCheck):
        found = themes[check.theme]
        questions = _theme_questions(found.theme, questionnaire)
        if found.score is None:
            return ConditionCheck(
                condition, NOT_ASSESSED, "theme_unanswered", found.answered_share, found.theme.min, questions
            )
        ok = found.score >= found.theme.min - EPSILON
        return ConditionCheck(
            condition,
            MET if ok else MISSING,
            "score_met" if ok else "score_below",
            found.score,
            found.theme.min,
            questions,
        )
    if isinstance(check, LegalBasicsCheck):
        applicable = [
            q for q in questionnaire.questions.values() if q.critical is not None and result.questions[q.id].applies
        ]
        if not applicable:
            return ConditionCheck(condition, NOT_APPLICABLE, "not_applicable")
        if result.critical_unmet:
            faults = tuple([*result.critical_unmet, *result.critical_unanswered])
            return ConditionCheck(condition, MISSING, "legal_unmet", list(faults), None, faults)
        if result.critical_unanswered:
            faults = tuple(result.critical_unanswered)
            return ConditionCheck(condition, NOT_ASSESSED, "legal_unanswered", list(faults), None, faults)
        return ConditionCheck(condition, MET, "legal_met")
    # profile: an excluded sector
    assert isinstance(check, ProfileCheck)
    if profile.sector is None:
        return ConditionCheck(condition, NOT_ASSESSED, "sector_unknown")
    if profile.sector_matches(check.sector_not_in):
        return ConditionCheck(condition, MISSING, "sector_excluded", profile.sector)
    return ConditionCheck(condition, MET, "sector_ok", profile.sector)


def _levels(framework: Framework, checks: list[ConditionCheck]) -> list[LevelReadiness]:
    ranks = {level.id: rank for rank, level in enumerate(framework.levels)}
    found = []
    for rank, level in enumerate(framework.levels):
        wanted = [
            c
            for c in checks
            if c.status != NOT_APPLICABLE and (c.condition.level is None or ranks[c.condition.level] <= rank)
        ]
        met = sum(1 for c in wanted if c.status == MET)
        missing = sum(1 for c in wanted if c.status == MISSING)
        found.append(LevelReadiness(level, met, missing, len(wanted) - met - missing))
    return found


def assess(
    framework: Framework,
    questionnaire: LoadedQuestionnaire,
    profile: Profile,
    answers: Mapping[str, Answer],
    result: Result,
) -> ReadinessReport:
    """Each necessary condition of the framework, checked against one assessment's answers and scores."""
    themes = {theme.id: theme_score(theme, questionnaire, result) for theme in framework.themes}
    checks = [_check(c, framework, questionnaire, profile, answers, result, themes) for c in framework.conditions]
    return ReadinessReport(
        framework, checks, framework.size_of(profile), list(themes.values()), _levels(framework, checks)
    )
