"""A consultant's portfolio (pure): its rows, lateness, follow-up reminders, filters, sorting, search,
and the questions where compared companies differ most."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

CLOSED_STATUSES = frozenset({"done", "dropped"})  # an action in these states is never late
SOON_DAYS = 7  # a follow-up within this many days is due soon
NO_ASSESSMENT = "none"  # the status filter's value for a company without an assessment
DIFFERING_LIMIT = 15


@dataclass(frozen=True)
class PortfolioRow:
    """One company of the portfolio with its latest assessment (the assessment fields are None when
    it has none)."""

    company_id: int
    name: str
    sector: str | None
    last_activity: datetime  # the latest of the company's and its latest assessment's updated_at
    next_follow_up: date | None
    assessment_id: int | None = None
    assessment_label: str = ""
    questionnaire_id: str | None = None
    assessment_created: datetime | None = None
    status: str | None = None  # in_progress | completed
    overall: float | None = None  # 0..100
    level: str | None = None  # level id
    level_rank: int | None = None
    level_label: str | None = None  # in the reader's language (questionnaire data)
    coverage: float | None = None  # 0..1
    actions_done: int = 0
    actions_total: int = 0
    actions_late: int = 0


def is_late(due: date | None, status: str, today: date) -> bool:
    """An action is late when its due date has passed and it is neither done nor dropped."""
    return due is not None and due < today and status not in CLOSED_STATUSES


class FollowUp(StrEnum):
    OVERDUE = "overdue"
    SOON = "soon"  # today or within SOON_DAYS days
    LATER = "later"


def follow_up_state(day: date | None, today: date) -> FollowUp | None:
    if day is None:
        return None
    if day < today:
        return FollowUp.OVERDUE
    if day <= today + timedelta(days=SOON_DAYS):
        return FollowUp.SOON
    return FollowUp.LATER


@dataclass(frozen=True)
class Reminders:
    overdue: list[PortfolioRow]  # follow-up date passed, earliest first
    soon: list[PortfolioRow]  # follow-up within SOON_DAYS days, earliest first
    late_actions: list[PortfolioRow]  # companies with late actions, most late first

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.soon or self.late_actions)


def reminders(rows: Iterable[PortfolioRow], today: date) -> Reminders:
    """What the consultant should not forget, shown at the top of the portfolio."""
    rows = list(rows)
    by_day = sorted((r for r in rows if r.next_follow_up is not None), key=lambda r: (r.next_follow_up, fold(r.name)))
    return Reminders(
        overdue=[r for r in by_day if follow_up_state(r.next_follow_up, today) is FollowUp.OVERDUE],
        soon=[r for r in by_day if follow_up_state(r.next_follow_up, today) is FollowUp.SOON],
        late_actions=sorted((r for r in rows if r.actions_late), key=lambda r: (-r.actions_late, fold(r.name))),
    )


# --- search, filters, sorting ------------------------------------------------------------------------


def fold(text: str) -> str:
    """Text as a search compares it: without accents, case or surrounding spaces ("Étoile" = "etoile")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def matches(name: str, query: str) -> bool:
    """Whether a company's name contains the query, accents and case aside (an empty query: all)."""
    return fold(query) in fold(name)


@dataclass(frozen=True)
class Filters:
    """What the portfolio shows; an empty choice lets everything through."""

    statuses: frozenset[str] = field(default_factory=frozenset)  # in_progress, completed, NO_ASSESSMENT
    levels: frozenset[str] = field(default_factory=frozenset)  # level ids
    late_only: bool = False  # companies with at least one late action
    follow_up_due: bool = False  # follow-up overdue or within SOON_DAYS days
    search: str = ""


def kept(row: PortfolioRow, filters: Filters, today: date) -> bool:
    if filters.statuses and (row.status or NO_ASSESSMENT) not in filters.statuses:
        return False
    if filters.levels and row.level not in filters.levels:
        return False
    if filters.late_only and not row.actions_late:
        return False
    if filters.follow_up_due and follow_up_state(row.next_follow_up, today) not in (FollowUp.OVERDUE, FollowUp.SOON):
        return False
    return matches(row.name, filters.search)


def filtered(rows: Iterable[PortfolioRow], filters: Filters, today: date) -> list[PortfolioRow]:
    """The rows the filters keep, in their order."""
    return [r for r in rows if kept(r, filters, today)]


class SortKey(StrEnum):
    NAME = "name"
    SCORE = "score"
    LEVEL = "level"
    COVERAGE = "coverage"
    LATE = "late"
    ACTIVITY = "activity"
    FOLLOW_UP = "follow_up"


def _value(row: PortfolioRow, key: SortKey) -> object:
    return {
        SortKey.NAME: fold(row.name),
        SortKey.SCORE: row.overall,
        SortKey.LEVEL: row.level_rank,
        SortKey.COVERAGE: row.coverage,
        SortKey.LATE: row.actions_late,
        SortKey.ACTIVITY: row.last_activity,
        SortKey.FOLLOW_UP: row.next_follow_up,
    }[key]


def sorted_rows(rows: Iterable[PortfolioRow], key: SortKey, descending: bool = False) -> list[PortfolioRow]:
    """The rows ordered by `key`; rows without a value (no score, no date) always last, then by name."""
    rows = list(rows)
    known = [r for r in rows if _value(r, key) is not None]
    unknown = [r for r in rows if _value(r, key) is None]
    by_name = sorted(known, key=lambda r: (fold(r.name), r.company_id))
    ordered = sorted(by_name, key=lambda r: _value(r, key), reverse=descending)  # type: ignore[arg-type, return-value]
    return ordered + sorted(unknown, key=lambda r: (fold(r.name), r.company_id))


# --- the questions where compared companies differ most ---------------------------------------------


@dataclass(frozen=True)
class Spread:
    question: str
    spread: float  # max - min of the normalised scores (value / max), 0..1
    values: dict[int, float]  # assessment id -> normalised score, for those whose answer counted


def differing(
    normalised: Mapping[int, Mapping[str, float]], order: Sequence[str], limit: int = DIFFERING_LIMIT
) -> list[Spread]:
    """The questions counted for at least two of the compared (assessment id -> question -> value / max), by
    spread of their normalised scores, widest first; ties in `order` (the questionnaire's), then by id."""
    position = {q: i for i, q in enumerate(order)}
    questions = sorted(
        {q for scores in normalised.values() for q in scores}, key=lambda q: (position.get(q, len(position)), q)
    )
    found: list[Spread] = []
    for question in questions:
        values = {who: scores[question] for who, scores in normalised.items() if question in scores}
        if len(values) >= 2:
            found.append(Spread(question, max(values.values()) - min(values.values()), values))
    found.sort(key=lambda s: -s.spread)  # stable: equal spreads keep the questionnaire's order
    return found[:limit]
