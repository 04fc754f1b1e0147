"""A network's good practices, the pure rules: what a member may write, how a library is searched,
and which practices are shown beside a recommendation (and in which order).

No I/O here: the services read the rows and the questionnaire and hand them over.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from diagnostic.core.answers import text_problem
from diagnostic.core.errors import DomainError, Message
from diagnostic.core.profile import naf_section
from diagnostic.core.schema import HEADCOUNT_BANDS

TITLE_MAX = 200  # the practices.title column
TEXT_MAX = 4_000  # what was done, its results, a moderation note
CONTACT_MAX = 320  # the practices.contact column (an e-mail address)
LINKS_MAX = 20  # questions, and dimensions, a practice may be linked to
EFFORTS = (1, 2, 3)  # light, medium, heavy: the recommendations' scale
STATUSES = ("submitted", "published", "rejected", "withdrawn")
SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")  # NAF rév. 2 sections
# Plausible, not RFC 5322: one @, a dot in the domain, no spaces (what a person would type).
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


class PracticeRefused(DomainError):
    """What a member or a moderator wrote cannot be saved; `code` says why (catalogue key practice.*)."""

    code = "practice.refused"


@dataclass(frozen=True)
class PracticeInput:
    """What a member fills in to publish (or edit) a practice.

    `sector` may be a NAF code or a section letter, `size` a headcount band: None takes the
    company's own. `contact` is kept only when `may_contact` is ticked.
    """

    title: str
    done: str
    results: str = ""
    effort: int = 2
    question_ids: tuple[str, ...] = ()
    dimension_ids: tuple[str, ...] = ()
    sector: str | None = None
    size: str | None = None
    may_contact: bool = False
    contact: str = ""


@dataclass(frozen=True)
class CleanPractice:
    """A practice as stored: checked, trimmed, defaults filled in."""

    title: str
    done: str
    results: str
    effort: int
    question_ids: tuple[str, ...]
    dimension_ids: tuple[str, ...]
    sector: str | None
    size: str | None
    contact: str


FIELDS = {"title": "practice.field_title", "done": "practice.field_done", "results": "practice.field_results",
          "note": "practice.field_note"}  # fmt: skip


def _text(field: str, value: str, maximum: int, *, required: bool, single_line: bool = False) -> str:
    cleaned = unicodedata.normalize("NFC", value).strip()
    if single_line:
        cleaned = " ".join(cleaned.split())
    if required and not cleaned:
        raise PracticeRefused(code="practice.required", params={"field": Message(FIELDS[field])})
    if len(cleaned) > maximum:
        raise PracticeRefused(code="practice.too_long", params={"field": Message(FIELDS[field]), "max": maximum})
    problem = text_problem(cleaned, single_line=single_line)
    if problem is not None:
        raise PracticeRefused(code="practice.bad_text", params={"field": Message(FIELDS[field]), "reason": problem.message})
    return cleaned


def clean_note(note: str) -> str:
    """A moderator's note: optional, at most TEXT_MAX characters."""
    return _text("note", note, TEXT_MAX, required=False)


def clean_sector(value: str | None) -> str | None:
    """A NAF section letter from a code or a letter; None when not given; refused when not NAF."""
    if value is None or not value.strip():
        return None
    section = naf_section(value)
    if section is None:
        raise PracticeRefused(code="practice.bad_sector", params={"value": value.strip()[:20]})
    return section


def _distinct(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i.strip() for i in ids if i.strip()))


def clean_practice(
    given: PracticeInput,
    *,
    question_ids: Iterable[str],
    dimension_ids: Iterable[str],
    default_sector: str | None,
    default_size: str | None,
) -> CleanPractice:
    """The practice as stored, or PracticeRefused naming the first problem.

    `question_ids` and `dimension_ids`: those of the questionnaires (a link must point to one);
    `default_sector` (a NAF code) and `default_size` (a band): the company's profile.
    """
    title = _text("title", given.title, TITLE_MAX, required=True, single_line=True)
    done = _text("done", given.done, TEXT_MAX, required=True)
    results = _text("results", given.results, TEXT_MAX, required=False)
    if isinstance(given.effort, bool) or given.effort not in EFFORTS:
        raise PracticeRefused(code="practice.bad_effort")
    questions, dimensions = _distinct(given.question_ids), _distinct(given.dimension_ids)
    known_questions, known_dimensions = set(question_ids), set(dimension_ids)
    if len(questions) > LINKS_MAX or len(dimensions) > LINKS_MAX:
        raise PracticeRefused(code="practice.too_many_links", params={"max": LINKS_MAX})
    for qid in questions:
        if qid not in known_questions:
            raise PracticeRefused(code="practice.unknown_question", params={"id": qid[:80]})
    for did in dimensions:
        if did not in known_dimensions:
            raise PracticeRefused(code="practice.unknown_dimension", params={"id": did[:80]})
    sector = clean_sector(given.sector)
    if sector is None and default_sector:
        sector = naf_section(default_sector)
    size = given.size.strip() if given.size and given.size.strip() else default_size
    if size is not None and size not in HEADCOUNT_BANDS:
        raise PracticeRefused(code="practice.bad_size", params={"value": size[:20]})
    contact = ""
    if given.may_contact:
        contact = given.contact.strip().lower()
        if not contact:
            raise PracticeRefused(code="practice.contact_required")
        if len(contact) > CONTACT_MAX or not EMAIL.fullmatch(contact):
            raise PracticeRefused(code="practice.bad_contact", params={"value": given.contact.strip()[:80]})
    return CleanPractice(title, done, results, given.effort, questions, dimensions, sector, size, contact)


@dataclass(frozen=True)
class PracticeView:
    """A practice as one actor may see it: the author's name and the moderation only for the author
    and the moderators (empty otherwise), the contact only when the member agreed to it."""

    id: int
    network_id: int
    network_name: str
    member_name: str  # the member company's name ("" when it left the network)
    title: str
    done: str
    results: str
    effort: int
    sector: str | None  # NAF section letter
    size: str | None  # headcount band
    question_ids: tuple[str, ...]
    dimension_ids: tuple[str, ...]
    contact: str
    status: str
    submitted_at: datetime
    published_at: datetime | None  # when published (None unless published)
    submitted_by: str = ""
    moderated_by: str = ""
    moderation_note: str = ""
    mine: bool = False  # written by a company the actor may read (its author's side)
    editable: bool = False  # the actor may edit or withdraw it


# Catalogue keys of the values shown (literal, so that the catalogue check finds them).
STATUS_KEYS = {"submitted": "practice.status_submitted", "published": "practice.status_published",
               "rejected": "practice.status_rejected", "withdrawn": "practice.status_withdrawn"}  # fmt: skip
EFFORT_KEYS = {1: "practice.effort_1", 2: "practice.effort_2", 3: "practice.effort_3"}
SECTION_KEYS = {letter: "practice.naf_" + letter.lower() for letter in SECTIONS}


# --- search ----------------------------------------------------------------------------------------

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})


def fold(text: str) -> str:
    """`text` without accents or case, for searching: "Économie d’Énergie" -> "economie d'energie"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.replace("’", "'").casefold()


def search_terms(query: str) -> tuple[str, ...]:
    """The folded words of a search: every one must be found."""
    return tuple(fold(query).split())


def matches_terms(terms: Sequence[str], *texts: str) -> bool:
    """Does every term occur in one of the texts (accents and case ignored)?"""
    haystack = "\n".join(fold(text) for text in texts)
    return all(term in haystack for term in terms)


# --- matching beside a recommendation ------------------------------------------------------------


class Rankable(Protocol):
    """What ranking needs of a practice (the storage record has it)."""

    @property
    def id(self) -> int: ...
    @property
    def network_id(self) -> int: ...
    @property
    def company_id(self) -> int | None: ...
    @property
    def status(self) -> str: ...
    @property
    def question_ids(self) -> tuple[str, ...]: ...
    @property
    def dimension_ids(self) -> tuple[str, ...]: ...
    @property
    def sector(self) -> str | None: ...
    @property
    def size(self) -> str | None: ...
    @property
    def published_at(self) -> datetime: ...


P = TypeVar("P", bound=Rankable)


def practice_dimensions(question_ids: Iterable[str], dimension_ids: Iterable[str], dimension_of: Mapping[str, str]) -> set[str]:
    """The dimensions a practice concerns: those it names and those of the questions it names."""
    return set(dimension_ids) | {dimension_of[q] for q in question_ids if q in dimension_of}


@dataclass(frozen=True)
class Seeker:
    """The company a practice is looked for: its networks, its own NAF section and size band."""

    company_id: int
    network_ids: frozenset[int]
    sector: str | None  # NAF section letter
    size: str | None  # headcount band


def rank_practices(
    practices: Iterable[P],
    seeker: Seeker,
    question_id: str | None,
    dimension_id: str | None,
    dimension_of: Mapping[str, str],
    limit: int = 3,
) -> list[P]:
    """The published practices of the seeker's networks, not its own, that concern the question
    (first) or else its dimension; within each, same NAF section first, then same size band, then
    the most recently published. `dimension_id` None: the question's own dimension."""
    if limit <= 0:
        return []
    if dimension_id is None and question_id is not None:
        dimension_id = dimension_of.get(question_id)
    ranked: list[tuple[tuple[int, int, int, float, int], P]] = []
    for p in practices:
        if p.status != "published" or p.network_id not in seeker.network_ids:
            continue
        if p.company_id is None or p.company_id == seeker.company_id:  # its own, or a member gone
            continue
        if question_id is not None and question_id in p.question_ids:
            tier = 0
        elif dimension_id is not None and dimension_id in practice_dimensions(p.question_ids, p.dimension_ids, dimension_of):
            tier = 1
        else:
            continue
        same_sector = 0 if seeker.sector is not None and p.sector == seeker.sector else 1
        same_size = 0 if seeker.size is not None and p.size == seeker.size else 1
        ranked.append(((tier, same_sector, same_size, -p.published_at.timestamp(), -p.id), p))
    ranked.sort(key=lambda pair: pair[0])
    return [p for _, p in ranked[:limit]]
