"""Pydantic models of a questionnaire file (the YAML format of `questionnaires/`).

The models check shapes and local rules; `loading.py` checks what needs the whole file
(unique ids, conditions pointing to earlier questions, thresholds in order).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    field_validator,
    model_validator,
)

from diagnostic.core import limits

SCHEMA_VERSION = 1
MATURITY_MAX = 4
HEADCOUNT_BANDS = ("0", "1-10", "11-19", "20-49", "50-249", "250+")
HEADCOUNT_BAND_MIN = {"0": 0, "1-10": 1, "11-19": 11, "20-49": 20, "50-249": 50, "250+": 250}
HEADCOUNT_BAND_MAX = {"0": 0, "1-10": 10, "11-19": 19, "20-49": 49, "50-249": 249, "250+": None}

ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
# Stored ids must fit their database columns (diagnostic/storage/models.py): the questionnaire id
# and question ids in String(80), recommendation ids in String(100).
STORED_ID_LENGTH = 80

Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=limits.IDENTIFIER)]
StoredId = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=STORED_ID_LENGTH)]


# The respondent groups an assessment can be opened to (diagnostic.core.audience.GROUPS, same order).
AudienceGroup = Literal["direction", "managers", "staff", "consultant", "stakeholders"]


def _distinct_groups(groups: list[str]) -> list[str]:
    twice = sorted({group for group in groups if groups.count(group) > 1})
    if twice:
        raise ValueError(f"{', '.join(repr(group) for group in twice)} listed twice: name each group once")
    return groups


Audience = Annotated[
    list[AudienceGroup],
    Field(min_length=1, json_schema_extra={"uniqueItems": True}),
    AfterValidator(_distinct_groups),
]
_GROUP_KEYS = "direction, managers, staff, consultant, stakeholders"


class Strict(BaseModel):
    # allow_inf_nan=False: a NaN or infinite weight, score or bound would poison every sum
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Text(Strict):
    """A user-facing text, in French and English.

    A questionnaire written in one language gives only that one: the other language then shows
    the same words (`missing` says which was absent; loading requires the file's default_locale
    and warns about the other).
    """

    fr: str = Field(default="", min_length=1)
    en: str = Field(default="", min_length=1)
    _missing: str | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _one_language_is_enough(cls, value: Any, handler: Any) -> Any:
        missing = None
        if isinstance(value, dict) and ("fr" in value) != ("en" in value):
            given = "fr" if "fr" in value else "en"
            missing = "en" if given == "fr" else "fr"
            if value[given]:  # an empty text is reported once, where it is written
                value = {**value, missing: value[given]}
        text = handler(value)
        if missing is not None:
            text._missing = missing
        return text

    @model_validator(mode="after")
    def _some_text(self) -> Text:
        if not self.fr and not self.en:
            raise ValueError("a text needs fr or en (or both)")
        return self

    @property
    def missing(self) -> str | None:
        """The language this text was not written in ("fr" or "en"), or None."""
        return self._missing

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr


class References(Strict):
    iso26000: list[str] = Field(default_factory=list, description="ISO 26000 clauses, e.g. 6.5.4")
    vsme: list[Literal["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9", "B10", "B11"]] = Field(
        default_factory=list, description="VSME basic-module disclosures"
    )
    sdg: list[Annotated[int, Field(ge=1, le=17)]] = Field(
        default_factory=list, description="UN Sustainable Development Goals (ODD)"
    )
    law: list[str] = Field(default_factory=list, description="Legal texts, e.g. Code du travail L4121-1")
    other: list[str] = Field(default_factory=list, description="Other frameworks, e.g. ISO 9001 9.1.2")


# --- Conditions (structured; never evaluated as code) -------------------------------------------

ProfileField = Literal["headcount", "sector", "sites", "production_site", "tertiary_area_1000m2"]


class ProfileCondition(Strict):
    """A condition on the company profile.

    `headcount` compares with the lower bound of the company's headcount band, so `min` must start a
    band and `max` end one; `sector` matches NAF sections (a letter, e.g. "C") or code prefixes
    (e.g. "10.7"); `sites` is the number of sites; `production_site` and `tertiary_area_1000m2` are
    yes/no facts. Loading checks the headcount thresholds and the NAF codes.
    """

    profile: ProfileField
    min: float | None = None
    max: float | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    equals: bool | None = None

    @model_validator(mode="after")
    def _one_test(self) -> ProfileCondition:
        tests = [t for t in (self.min, self.max, self.in_, self.equals) if t is not None]
        if not tests:
            raise ValueError("a profile condition needs one of min, max, in, equals")
        numeric = self.profile in ("headcount", "sites")
        if numeric and (self.in_ is not None or self.equals is not None):
            raise ValueError(f"'{self.profile}' is a number: use min and/or max")
        if self.profile == "sector" and self.in_ is None:
            raise ValueError("'sector' is tested with in: [NAF sections or code prefixes]")
        if self.profile in ("production_site", "tertiary_area_1000m2") and self.equals is None:
            raise ValueError(f"'{self.profile}' is yes/no: use equals: true or false")
        return self


class AnswerCondition(Strict):
    """A condition on the answer to an earlier question.

    `min`/`max` compare the answer's value (maturity level, number, or option score);
    `in` lists option ids (or yes/no); `answered: true` only needs an answer other than N/A.
    """

    answer: Id
    min: float | None = None
    max: float | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    answered: bool | None = None

    @model_validator(mode="after")
    def _one_test(self) -> AnswerCondition:
        if all(t is None for t in (self.min, self.max, self.in_, self.answered)):
            raise ValueError("an answer condition needs one of min, max, in, answered")
        return self


class AllCondition(Strict):
    all: list[Condition] = Field(min_length=1)


class AnyCondition(Strict):
    any: list[Condition] = Field(min_length=1)


class NotCondition(Strict):
    not_: Condition = Field(alias="not")


def _condition_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("profile", "answer", "all", "any", "not"):
            if key in value:
                return key
        return None
    if isinstance(value, BaseModel):
        return {
            ProfileCondition: "profile",
            AnswerCondition: "answer",
            AllCondition: "all",
            AnyCondition: "any",
            NotCondition: "not",
        }.get(type(value))
    return None


Condition = Annotated[
    Annotated[ProfileCondition, Tag("profile")] | Annotated[AnswerCondition, Tag("answer")] | Annotated[AllCondition, Tag("all")] | Annotated[AnyCondition, Tag("any")] | Annotated[NotCondition, Tag("not")],
    Discriminator(
        _condition_kind,
        custom_error_type="condition_kind",
        custom_error_message="a condition starts with one of: profile, answer, all, any, not",
    ),
]


# --- Recommendations ----------------------------------------------------------------------------


class RecommendationWhen(Strict):
    """When a recommendation is shown, tested on the answer's value (or option ids)."""

    min: float | None = None
    max: float | None = None
    in_: list[str] | None = Field(default=None, alias="in")


def _when_kind(value: Any) -> str:
    return "condition" if _condition_kind(value) is not None else "answer"


RecommendationCondition = Annotated[
    Annotated[RecommendationWhen, Tag("answer")] | Annotated[Condition, Tag("condition")],
    Discriminator(_when_kind),
]


class Recommendation(Strict):
    id: Id
    when: RecommendationCondition = Field(
        default_factory=RecommendationWhen,
        description=(
            "Shown when the answer matches: {min, max, in} on this question's answer, or a full condition"
            " (profile, answer, all, any, not); by default whenever the answer is below the maximum"
        ),
    )
    text: Text
    effort: Literal[1, 2, 3] = Field(default=2, description="1 light, 2 a project, 3 a programme")
    impact: Literal[1, 2, 3] = Field(default=2, description="1 a refinement, 2 a visible improvement, 3 a legal exposure closed or a material effect")
    references: References = Field(default_factory=References)


# --- Questions ----------------------------------------------------------------------------------


class Critical(Strict):
    """A legal basic: an answer whose value is below `min` caps the level (see results)."""

    min: float = Field(gt=0)
    reason: Text


class Option(Strict):
    id: Id
    label: Text
    score: float = Field(default=0, ge=0)
    exclusive: bool = Field(default=False, description="In a multiple choice, cannot be ticked with other options (e.g. 'none')")
    description: Text | None = None


class ScaleLevel(Strict):
    value: int = Field(ge=0, le=MATURITY_MAX)
    label: Text
    description: Text


class QuestionBase(Strict):
    id: StoredId
    text: Text
    help: Text | None = None
    weight: float = Field(default=1, gt=0)
    allow_na: bool = Field(default=False, description="N/A ('non concerné') allowed")
    allow_dont_know: bool = True
    scored: bool = Field(
        default=True, description="false for a filter or fact question that does not enter the score"
    )
    applies_when: Condition | None = None
    critical: Critical | None = None
    module: Id | None = Field(default=None, description="The optional module (modules) this question belongs to")
    audience: Audience | None = Field(
        default=None,
        description=(
            f"The respondent groups asked this question ({_GROUP_KEYS}), within its dimension's;"
            " absent: the dimension's groups (every group when the dimension has none)"
        ),
    )
    references: References = Field(default_factory=References)
    recommendations: list[Recommendation] = Field(default_factory=list)


class MaturityQuestion(QuestionBase):
    type: Literal["maturity"]
    levels: dict[Literal[0, 1, 2, 3, 4], Text] | None = Field(
        default=None, description="What each level 0..4 means for this question"
    )

    @field_validator("levels", mode="before")
    @classmethod
    def _quoted_levels(cls, value: Any) -> Any:
        """Accept '0'..'4' as the levels 0..4: editors and JSON tools write every key as text."""
        if not isinstance(value, dict):
            return value
        levels: dict[Any, Any] = {}
        for key, text in value.items():
            if isinstance(key, str) and key.strip() in ("0", "1", "2", "3", "4"):
                key = int(key.strip())
            if key in levels:
                raise ValueError(f"level {key} is described twice")
            levels[key] = text
        return levels


class SingleQuestion(QuestionBase):
    type: Literal["single"]
    options: list[Option] | None = None
    choices: Id | None = Field(default=None, description="Name of a shared list in choice_lists")

    @model_validator(mode="after")
    def _one_source(self) -> SingleQuestion:
        if (self.options is None) == (self.choices is None):
            raise ValueError("give either options or choices (a shared list), not both")
        return self


class MultipleQuestion(QuestionBase):
    type: Literal["multiple"]
    options: list[Option] | None = None
    choices: Id | None = None
    max_score: float | None = Field(
        default=None, gt=0, description="Cap of the summed option scores; default: their sum"
    )

    @model_validator(mode="after")
    def _one_source(self) -> MultipleQuestion:
        if (self.options is None) == (self.choices is None):
            raise ValueError("give either options or choices (a shared list), not both")
        return self


class YesNoScores(Strict):
    yes: float = Field(default=MATURITY_MAX, ge=0)
    no: float = Field(default=0, ge=0)


class YesNoQuestion(QuestionBase):
    type: Literal["yes_no"]
    scores: YesNoScores = Field(default_factory=YesNoScores)


class ScoreBand(Strict):
    min: float | None = None
    max: float | None = Field(default=None, description="exclusive upper bound")
    score: float = Field(ge=0)


class NumberQuestion(QuestionBase):
    type: Literal["number"]
    unit: Text | None = None
    minimum: float | None = None
    maximum: float | None = None
    score_bands: list[ScoreBand] | None = Field(
        default=None, description="Without bands, the number is collected but not scored"
    )


class TextQuestion(QuestionBase):
    type: Literal["text"]


Question = Annotated[
    MaturityQuestion | SingleQuestion | MultipleQuestion | YesNoQuestion | NumberQuestion | TextQuestion,
    Field(discriminator="type"),
]


class Dimension(Strict):
    id: Id
    title: Text
    description: Text | None = None
    weight: float = Field(default=1, ge=0, description="0: reported, but left out of the overall and the level floors")
    group: Id | None = Field(default=None, description="The group (groups) this dimension belongs to")
    applies_when: Condition | None = None
    audience: Audience | None = Field(
        default=None,
        description=f"The respondent groups asked this dimension's questions ({_GROUP_KEYS}); absent: every group",
    )
    references: References = Field(default_factory=References)
    questions: list[Question] = Field(min_length=1)


class Level(Strict):
    id: Id
    label: Text
    description: Text | None = None
    min_overall: float = Field(ge=0, le=100)
    min_dimension: float | None = Field(default=None, ge=0, le=100)


class Group(Strict):
    """A heading above dimensions (e.g. an impact area made of several topics)."""

    id: Id
    title: Text
    description: Text | None = None


class Module(Strict):
    """Optional questions a company sees only when `applies_when` holds (e.g. its sector).

    Unlike elsewhere, a profile fact that is not known counts as not met: a module adds depth for
    the companies it is written for and is not a legal basic that must be asked anyway.
    """

    id: Id
    title: Text
    description: Text | None = None
    applies_when: Condition


EvidenceType = Literal["maturity", "yes_no", "single", "multiple", "number"]


class EvidenceRule(Strict):
    """How much an answer without evidence counts in the evidence-backed score.

    Values are read on the maturity scale 0..4: a question's value is first brought to it
    (value × 4 ÷ the question's maximum, the identity for a maturity question). An answer of one of
    `types` at or above `from_value` counts fully only when the question has evidence (attached or
    verified); otherwise it counts as `otherwise`. Lower answers, N/A and "don't know" are unchanged.
    """

    from_value: float = Field(
        gt=0, le=MATURITY_MAX, description="On the 0..4 scale: from this value on, evidence is needed"
    )
    otherwise: float = Field(
        ge=0, le=MATURITY_MAX, description="On the 0..4 scale: what such an answer counts without evidence"
    )
    types: list[EvidenceType] = Field(
        default=["maturity"],  # pydantic copies a mutable default for each model
        min_length=1,
        json_schema_extra={"uniqueItems": True},
        description="The question types the rule applies to (default: maturity)",
    )

    @model_validator(mode="after")
    def _lower(self) -> EvidenceRule:
        if self.otherwise >= self.from_value:
            raise ValueError(f"otherwise ({self.otherwise:g}) must be below from_value ({self.from_value:g})")
        if len(set(self.types)) != len(self.types):
            raise ValueError("a question type is listed twice in types")
        return self


class Results(Strict):
    levels: list[Level] = Field(min_length=1, description="In ascending order")
    overall: Literal["dimensions", "pooled"] = Field(
        default="dimensions",
        description=(
            "dimensions: the weighted mean of dimension scores; pooled: Σ weight·value ÷ Σ weight·max over every"
            " counted question of the dimensions of weight > 0"
        ),
    )
    critical_cap: Id | None = Field(
        default=None, description="Level id that an unmet critical question caps the result at"
    )
    low_coverage: float = Field(default=0.8, ge=0, le=1, description="Below this, low confidence")
    high_dont_know: float = Field(
        default=0.25, ge=0, le=1, description="Share of 'don't know' answers above which, low confidence"
    )
    evidence_rule: EvidenceRule | None = Field(
        default=None, description="The rule of the evidence-backed score shown beside the declared one; absent: none"
    )


def default_scale() -> list[ScaleLevel]:
    rows = [
        ("Inexistant", "Not in place", "Rien n'est en place.", "Nothing is in place."),
        (
            "Initié / informel",
            "Initiated",
            "Des actions ponctuelles, qui dépendent d'une personne.",
            "Occasional actions that depend on one person.",
        ),
        (
            "Formalisé",
            "Defined",
            "Une démarche écrite, un responsable, un objectif.",
            "A written approach, an owner, an objective.",
        ),
        (
            "Déployé & mesuré",
            "Deployed & measured",
            "Appliqué sur tout le périmètre, avec un indicateur suivi.",
            "Applied across the scope, with an indicator followed.",
        ),
        (
            "Amélioré & exemplaire",
            "Improved & exemplary",
            "Revu et amélioré, résultats au niveau des objectifs ou au-delà, partagés.",
            "Reviewed and improved, results at or above target, shared.",
        ),
    ]
    return [
        ScaleLevel(value=i, label=Text(fr=fr, en=en), description=Text(fr=dfr, en=den))
        for i, (fr, en, dfr, den) in enumerate(rows)
    ]


class Questionnaire(Strict):
    """A questionnaire file."""

    schema_version: Literal[1]
    id: StoredId
    version: str = Field(min_length=1, max_length=limits.QUESTIONNAIRE_VERSION)
    default_locale: Literal["fr", "en"] = "fr"
    title: Text
    description: Text | None = None
    estimated_minutes: int | None = Field(default=None, gt=0)
    maturity_scale: list[ScaleLevel] = Field(default_factory=default_scale, min_length=5, max_length=5)
    choice_lists: dict[Id, list[Option]] = Field(default_factory=dict)
    groups: list[Group] = Field(default_factory=list)
    modules: list[Module] = Field(default_factory=list)
    dimensions: list[Dimension] = Field(min_length=1)
    results: Results


AllCondition.model_rebuild()
AnyCondition.model_rebuild()
NotCondition.model_rebuild()
Recommendation.model_rebuild()
QuestionBase.model_rebuild()
Module.model_rebuild()
Dimension.model_rebuild()
Questionnaire.model_rebuild()

QUESTION_TYPES = (MaturityQuestion, SingleQuestion, MultipleQuestion, YesNoQuestion, NumberQuestion, TextQuestion)
AnyQuestion = MaturityQuestion | SingleQuestion | MultipleQuestion | YesNoQuestion | NumberQuestion | TextQuestion
