"""Properties of the good-practice rules (diagnostic/core/practices.py): the ranking beside a
recommendation never shows the company's own practice, an unpublished one or another network's,
and keeps its order; the search ignores accents and case; validation keeps to its limits."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.core.practices import (
    STATUSES,
    TEXT_MAX,
    TITLE_MAX,
    PracticeInput,
    PracticeRefused,
    Seeker,
    clean_practice,
    fold,
    matches_terms,
    practice_dimensions,
    rank_practices,
    search_terms,
)

DIMENSION_OF = {"env.a": "env", "env.b": "env", "rh.a": "rh", "rh.b": "rh", "gov.a": "gov"}
QUESTIONS = sorted(DIMENSION_OF)
DIMENSIONS = sorted(set(DIMENSION_OF.values()))
BASE = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class P:
    id: int
    network_id: int
    company_id: int | None
    status: str
    question_ids: tuple[str, ...]
    dimension_ids: tuple[str, ...]
    sector: str | None
    size: str | None
    published_at: datetime


practices = st.lists(
    st.builds(
        P,
        id=st.integers(1, 10_000),
        network_id=st.integers(1, 3),
        company_id=st.one_of(st.none(), st.integers(1, 4)),
        status=st.sampled_from(STATUSES),
        question_ids=st.lists(st.sampled_from(QUESTIONS), max_size=3, unique=True).map(tuple),
        dimension_ids=st.lists(st.sampled_from(DIMENSIONS), max_size=2, unique=True).map(tuple),
        sector=st.sampled_from([None, "C", "F"]),
        size=st.sampled_from([None, "20-49", "250+"]),
        published_at=st.integers(0, 1000).map(lambda d: BASE + timedelta(days=d)),
    ),
    max_size=15,
    unique_by=lambda p: p.id,
)
seekers = st.builds(
    Seeker,
    company_id=st.integers(1, 4),
    network_ids=st.frozensets(st.integers(1, 3), max_size=3),
    sector=st.sampled_from([None, "C", "F"]),
    size=st.sampled_from([None, "20-49", "250+"]),
)


def concerns(p: P, question: str | None, dimension: str | None) -> bool:
    return (question is not None and question in p.question_ids) or (
        dimension is not None and dimension in practice_dimensions(p.question_ids, p.dimension_ids, DIMENSION_OF)
    )


@settings(max_examples=100, deadline=None)
@given(
    practices, seekers, st.sampled_from([None, *QUESTIONS]), st.sampled_from([None, *DIMENSIONS]), st.integers(0, 30)
)
def test_ranking_shows_only_published_practices_of_other_members_of_the_networks(
    found: list[P], seeker: Seeker, question: str | None, dimension: str | None, limit: int
) -> None:
    ranked = rank_practices(found, seeker, question, dimension, DIMENSION_OF, limit)
    wanted = dimension if dimension is not None or question is None else DIMENSION_OF[question]
    assert len(ranked) <= limit
    for p in ranked:
        assert p.status == "published", "never an unpublished practice"
        assert p.company_id != seeker.company_id and p.company_id is not None, "never the company's own"
        assert p.network_id in seeker.network_ids, "never another network's"
        assert concerns(p, question, wanted)
    eligible = [
        p for p in found
        if p.status == "published" and p.network_id in seeker.network_ids and p.company_id not in (None, seeker.company_id)
        and concerns(p, question, wanted)
    ]  # fmt: skip
    assert len(ranked) == min(limit, len(eligible)), "nothing eligible is left out below the limit"

    def key(p: P) -> tuple[object, ...]:
        return (
            question is None or question not in p.question_ids,  # the question first
            seeker.sector is None or p.sector != seeker.sector,  # then the same NAF section
            seeker.size is None or p.size != seeker.size,  # then the same size band
            -p.published_at.timestamp(),  # then the most recent
        )

    assert [key(p) for p in ranked] == sorted(key(p) for p in ranked), "in order"
    if ranked:
        assert all(key(p) >= key(ranked[-1]) for p in eligible if p not in ranked), "the best are kept"


@settings(max_examples=25, deadline=None)
@given(practices, seekers)
def test_without_question_or_dimension_nothing_is_shown(found: list[P], seeker: Seeker) -> None:
    assert rank_practices(found, seeker, None, None, DIMENSION_OF, 10) == []


# --- search -----------------------------------------------------------------------------------------------

FRENCH = "abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæ"
ACCENTS = str.maketrans("àâäçéèêëîïôöùûüÿ", "aaaceeeeiioouuuy")
words = st.text(alphabet=FRENCH, min_size=1, max_size=12)


@given(words)
def test_fold_ignores_accents_and_case(word: str) -> None:
    bare = word.translate(ACCENTS).replace("œ", "oe").replace("æ", "ae")
    assert fold(word) == fold(word.upper()) == fold(bare) == fold(bare.upper()) == bare
    assert fold(fold(word)) == fold(word)


@given(st.lists(words, min_size=1, max_size=6), st.data())
def test_every_word_of_a_text_finds_it_however_written(text_words: list[str], data: st.DataObject) -> None:
    text = " ".join(text_words)
    query = data.draw(st.lists(st.sampled_from(text_words), min_size=1, max_size=3))
    written = " ".join(q.translate(ACCENTS).upper() for q in query)
    assert matches_terms(search_terms(written), "", text)
    assert not matches_terms(search_terms(written + " 0"), text), "every word must be found"


# --- validation ---------------------------------------------------------------------------------------------

KNOWN = {"question_ids": QUESTIONS, "dimension_ids": DIMENSIONS, "default_sector": "25.62A", "default_size": "20-49"}
printable = st.text(alphabet=st.characters(whitelist_categories=("L", "N", "P", "Zs")), min_size=0, max_size=300)


@given(printable, st.integers(-2, 5), st.booleans(), st.sampled_from(["", "qualite@vallee.fr", "nope"]))
def test_validation_keeps_to_its_limits(title: str, effort: int, may_contact: bool, contact: str) -> None:
    given_input = PracticeInput(title, "Ce qui a été fait.", effort=effort, may_contact=may_contact, contact=contact)
    cleaned_title = " ".join(unicodedata.normalize("NFC", title).split())
    try:
        clean = clean_practice(given_input, **KNOWN)
    except PracticeRefused as refused:
        reasons = {
            "practice.required": not cleaned_title,
            "practice.too_long": len(cleaned_title) > TITLE_MAX,
            "practice.bad_effort": effort not in (1, 2, 3),
            "practice.contact_required": may_contact and not contact,
            "practice.bad_contact": may_contact and contact == "nope",
        }
        assert reasons.get(refused.code), (refused.code, title, effort, may_contact, contact)
        return
    assert clean.title == cleaned_title and 1 <= len(clean.title) <= TITLE_MAX
    assert clean.effort in (1, 2, 3)
    assert clean.contact == (contact if may_contact else ""), "a contact only when the member agrees"
    assert (clean.sector, clean.size) == ("C", "20-49"), "the company's own by default"


def test_texts_up_to_their_limit_pass() -> None:
    clean = clean_practice(PracticeInput("t" * TITLE_MAX, "d" * TEXT_MAX, "r" * TEXT_MAX), **KNOWN)
    assert (len(clean.title), len(clean.done), len(clean.results)) == (TITLE_MAX, TEXT_MAX, TEXT_MAX)
    with pytest.raises(PracticeRefused):
        clean_practice(PracticeInput("t", "d" * (TEXT_MAX + 1)), **KNOWN)
