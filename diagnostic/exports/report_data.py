"""Everything a report needs, gathered once: the exports draw from this and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from diagnostic.core.aid import AidMatch
from diagnostic.core.answers import Answer
from diagnostic.core.benchmark import Benchmark
from diagnostic.core.consolidation import Divergence, QuestionStats
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.readiness import ReadinessReport
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
class CrossedGroup:
    """One respondent group as the reports show it: what the consolidation lets through, nothing more.

    A hidden group (an anonymous one below the threshold k, or a named one nobody has answered for
    yet) carries its name and its mode only: no figure at all, not even how many have answered."""

    id: int
    key: str  # one of audience.GROUPS
    label: str  # as stored: "" for the group's default name
    name: str  # the label, or the default name in the report's language
    anonymous: bool
    shown: bool
    respondents: int | None = None  # completed respondents; None for a hidden group
    result: Result | None = None  # the group's consolidated answers scored; None for a hidden group
    questions: dict[str, QuestionStats] = field(default_factory=dict)  # its shown questions, questionnaire order


@dataclass(frozen=True)
class CrossedViews:
    """The "crossed views" of an assessment opened to respondent groups (the participative diagnostic)."""

    k: int  # an anonymous group shows from k completed respondents
    comment_k: int  # its comments from comment_k
    groups: list[CrossedGroup]  # the groups of the campaign (invited or answered), shown or not
    divergences: list[Divergence] = field(default_factory=list)  # largest first, between shown groups

    @property
    def shown(self) -> list[CrossedGroup]:
        return [group for group in self.groups if group.shown]

    def group(self, group_id: int) -> CrossedGroup | None:
        return next((group for group in self.groups if group.id == group_id), None)


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
    # the groups' views, when the assessment is opened to groups and at least one group is shown
    crossed: CrossedViews | None = None
    # the networks' anonymous benchmarks the company gets (it shares with them), with figures to show
    benchmarks: list[Benchmark] = field(default_factory=list)
    # the evidence-backed result (diagnostic.core.evidence_score); None when the questionnaire has no rule
    evidence_result: Result | None = None
    # question id -> "attached" | "verified" (diagnostic.core.evidence); a question absent is declared
    evidence_status: dict[str, str] = field(default_factory=dict)
    # recommendation id -> the public aid schemes that fund it (diagnostic.core.aid), for the action plan
    aid: dict[str, list[AidMatch]] = field(default_factory=dict)
    # the necessary conditions of labels and ratings (diagnostic.core.readiness), one report per framework
    readiness: list[ReadinessReport] = field(default_factory=list)
