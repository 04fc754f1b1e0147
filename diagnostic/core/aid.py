"""Public aid schemes, the pure rules: the catalogue's model (aid/catalogue.yaml), who a scheme is
open to, and which schemes are shown beside a recommendation (and in which order).

No I/O here: diagnostic/aid_files.py reads the file, the services hand the profile over.

Eligibility is a *necessary* condition only: a scheme is hidden when a fact the company gave rules it
out (its headcount band, NAF section or region is outside the scheme's lists). A fact the company
did not give excludes nothing: the scheme is shown with that fact "to check" (`AidMatch.to_check`),
because hiding a scheme for want of a profile field would hide help the company may well be owed.
Everything a profile cannot say (years of activity, turnover, legal form…) is in the scheme's
`conditions`, in words, to be read before applying.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from diagnostic.core.practices import fold
from diagnostic.core.profile import HeadcountBand, Profile, RegionCode, naf_condition_problem

ALL: Final = "all"
FACTS = ("headcount", "sector", "region")  # the profile facts a scheme may be restricted by
SCHEME_ID = r"^[a-z0-9][a-z0-9-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Strict):
    """A text shown to users: both languages are required (a scheme is described for everyone)."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr


def _distinct(values: list[str], what: str) -> list[str]:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"{what} written twice: {', '.join(repeated)}")
    return values


class Eligibility(_Strict):
    """Who may apply, as far as a profile can tell: "all", or the list of what is admitted."""

    headcount: list[HeadcountBand] | Literal["all"] = ALL  # the profile's bands (a band partly in is listed)
    sectors: list[str] | Literal["all"] = ALL  # NAF sections (C) or codes (10, 10.7, 10.71, 10.71C)
    regions: list[RegionCode] | Literal["all"] = ALL  # INSEE region codes
    conditions: Bilingual | None = None  # the rest, in words (exact headcount limit, years of activity…)

    @field_validator("headcount", "regions", "sectors")
    @classmethod
    def _not_empty(cls, value: list[str] | str) -> list[str] | str:
        if isinstance(value, list):
            if not value:
                raise ValueError('an empty list admits nobody: write "all" or list what is admitted')
            _distinct(value, "values")
        return value

    @field_validator("sectors")
    @classmethod
    def _naf(cls, value: list[str] | str) -> list[str] | str:
        for code in value if isinstance(value, list) else []:
            problem = naf_condition_problem(code)
            if problem:
                raise ValueError(problem)
        return value


class Matches(_Strict):
    """What a scheme funds: questions (beside their recommendations) and whole dimensions."""

    questions: list[str] = Field(default_factory=list)
    dimensions: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something(self) -> Matches:
        if not self.questions and not self.dimensions:
            raise ValueError("a scheme must match at least one question or dimension")
        _distinct(self.questions, "questions")
        _distinct(self.dimensions, "dimensions")
        return self


class Scheme(_Strict):
    id: str = Field(pattern=SCHEME_ID, max_length=80)
    name: Bilingual
    operator: str = Field(min_length=1, max_length=200)
    description: Bilingual  # what it pays or gives, and what it costs the company
    url: str = Field(
        pattern=r"^https://[^\s\"'<>()\[\]]+$", max_length=500
    )  # the official page (no quote, bracket or space: safe in markup)
    last_checked: date
    valid_until: date | None = None  # the last day it is open, when its operator says so
    unverified: Bilingual | None = None  # what could not be checked against the official page
    eligibility: Eligibility = Field(default_factory=Eligibility)
    matches: Matches


class Catalogue(_Strict):
    schema_version: Literal[1]
    last_checked: date
    sources: list[str] = Field(min_length=1)  # where the facts were checked (https URLs)
    schemes: list[Scheme]

    @field_validator("sources")
    @classmethod
    def _https(cls, sources: list[str]) -> list[str]:
        for source in sources:
            if not source.startswith("https://") or any(c.isspace() for c in source):
                raise ValueError(f"'{source[:80]}' is not an https:// address")
        return sources

    @field_validator("schemes")
    @classmethod
    def _unique_ids(cls, schemes: list[Scheme]) -> list[Scheme]:
        _distinct([s.id for s in schemes], "scheme ids")
        return schemes

    @property
    def by_id(self) -> dict[str, Scheme]:
        return {s.id: s for s in self.schemes}


def check_catalogue(
    catalogue: Catalogue, question_ids: Iterable[str], dimension_ids: Iterable[str]
) -> list[tuple[str, str]]:
    """(YAML path, problem) for every question or dimension a scheme names that does not exist."""
    questions, dimensions = set(question_ids), set(dimension_ids)
    problems = []
    for i, scheme in enumerate(catalogue.schemes):
        for j, qid in enumerate(scheme.matches.questions):
            if qid not in questions:
                problems.append((f"schemes[{i}].matches.questions[{j}]", f"no questionnaire has a question '{qid}'"))
        for j, did in enumerate(scheme.matches.dimensions):
            if did not in dimensions:
                problems.append((f"schemes[{i}].matches.dimensions[{j}]", f"no questionnaire has a dimension '{did}'"))
    return problems


# --- who a scheme is open to -----------------------------------------------------------------------


def _fact(scheme: Scheme, profile: Profile, fact: str) -> bool | None:
    """Does the profile's `fact` admit it (True / False), or is it unknown while the scheme restricts it (None)?"""
    rule = scheme.eligibility
    if fact == "headcount":
        if isinstance(rule.headcount, str):  # "all"
            return True
        return None if profile.headcount_band is None else profile.headcount_band in rule.headcount
    if fact == "sector":
        return True if isinstance(rule.sectors, str) else profile.sector_matches(rule.sectors)
    if isinstance(rule.regions, str):
        return True
    return None if profile.region is None else profile.region in rule.regions


def eligible(scheme: Scheme, profile: Profile) -> bool:
    """False only when a fact the profile gives rules the company out; an unknown fact does not."""
    return all(_fact(scheme, profile, fact) is not False for fact in FACTS)


def to_check(scheme: Scheme, profile: Profile) -> tuple[str, ...]:
    """The facts the scheme is restricted by that the profile does not give (in FACTS order)."""
    return tuple(fact for fact in FACTS if _fact(scheme, profile, fact) is None)


def is_open(scheme: Scheme, today: date) -> bool:
    return scheme.valid_until is None or today <= scheme.valid_until


# --- beside a recommendation ------------------------------------------------------------------------

Via = Literal["question", "dimension"]


@dataclass(frozen=True)
class AidMatch:
    """A scheme shown beside a recommendation: matched by its question or by its dimension, with the
    profile facts still to check."""

    scheme: Scheme
    via: Via
    to_check: tuple[str, ...] = ()


def schemes_for(
    catalogue: Catalogue,
    profile: Profile,
    question_id: str | None,
    dimension_id: str | None,
    *,
    today: date | None = None,
    lang: str = "fr",
) -> list[AidMatch]:
    """The open schemes the company is not ruled out of that fund this question (first) or its
    dimension; within each, by name in `lang` (accents and case ignored), then id.

    A scheme that names questions only is not shown beside the other questions of their dimension:
    it funds those questions' gaps, not the whole dimension."""
    ranked: list[tuple[tuple[int, str, str], AidMatch]] = []
    for scheme in catalogue.schemes:
        if today is not None and not is_open(scheme, today):
            continue
        if question_id is not None and question_id in scheme.matches.questions:
            via: Via = "question"
        elif dimension_id is not None and dimension_id in scheme.matches.dimensions:
            via = "dimension"
        else:
            continue
        if not eligible(scheme, profile):
            continue
        key = (0 if via == "question" else 1, fold(scheme.name.get(lang)), scheme.id)
        ranked.append((key, AidMatch(scheme, via, to_check(scheme, profile))))
    ranked.sort(key=lambda pair: pair[0])
    return [match for _, match in ranked]
