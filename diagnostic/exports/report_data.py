"""Everything a report needs, gathered once: the exports draw from this and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from diagnostic.core.answers import Answer
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.scoring import Result


@dataclass(frozen=True)
class CompanyInfo:
    name: str
    sector: str | None = None
    headcount_band: str | None = None
    sites: int | None = None
    notes: str | None = None


@dataclass(frozen=True)
class ActionRow:
    title: str
    owner: str = ""
    due_date: date | None = None
    status: str = "todo"  # todo | in_progress | done | dropped
    notes: str = ""
    recommendation_id: str | None = None
    question_id: str | None = None


@dataclass(frozen=True)
class ReportData:
    lang: str  # "fr" or "en"
    questionnaire: LoadedQuestionnaire
    company: CompanyInfo
    profile: Profile
    answers: dict[str, Answer]
    result: Result
    assessed_on: datetime
    respondents: list[str] = field(default_factory=list)
    targets: dict[str, float] = field(default_factory=dict)  # dimension id -> target score 0..100
    previous: Result | None = None
    previous_on: datetime | None = None
    actions: list[ActionRow] = field(default_factory=list)
