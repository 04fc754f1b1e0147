"""The portfolio's pure rules (diagnostic/core/portfolio.py): lateness, follow-up reminders, filters,
sorting, accent- and case-insensitive search, and the questions where compared companies differ
most — hand-worked cases and hypothesis properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.core.portfolio import (
    NO_ASSESSMENT,
    Filters,
    FollowUp,
    PortfolioRow,
    SortKey,
    differing,
    filtered,
    fold,
    follow_up_state,
    is_late,
    matches,
    reminders,
    sorted_rows,
)

TODAY = date(2026, 5, 20)
STATUSES = ("todo", "in_progress", "done", "dropped")


def row(company_id: int, name: str, **fields: object) -> PortfolioRow:
    fields.setdefault("last_activity", datetime(2026, 5, 1, tzinfo=UTC))
    fields.setdefault("next_follow_up", None)
    return PortfolioRow(company_id=company_id, name=name, sector=None, **fields)  # type: ignore[arg-type]


# --- hand-worked cases -------------------------------------------------------------------------------


def test_lateness():
    yesterday = TODAY - timedelta(days=1)
    assert is_late(yesterday, "todo", TODAY) and is_late(yesterday, "in_progress", TODAY)
    assert not is_late(yesterday, "done", TODAY) and not is_late(yesterday, "dropped", TODAY)
    assert not is_late(TODAY, "todo", TODAY) and not is_late(None, "todo", TODAY)


def test_follow_up_states():
    assert follow_up_state(None, TODAY) is None
    assert follow_up_state(TODAY - timedelta(days=1), TODAY) is FollowUp.OVERDUE
    assert follow_up_state(TODAY, TODAY) is FollowUp.SOON
    assert follow_up_state(TODAY + timedelta(days=7), TODAY) is FollowUp.SOON
    assert follow_up_state(TODAY + timedelta(days=8), TODAY) is FollowUp.LATER


def test_reminders_list_overdue_then_soon_follow_ups_and_late_plans():
    rows = [
        row(1, "Zinc", next_follow_up=TODAY - timedelta(days=1)),
        row(2, "Acier", next_follow_up=TODAY - timedelta(days=9)),
        row(3, "Bois", next_follow_up=TODAY + timedelta(days=3), actions_late=1),
        row(4, "Cuivre", next_follow_up=TODAY + timedelta(days=30), actions_late=4),
        row(5, "Étain"),
    ]
    found = reminders(rows, TODAY)
    assert [r.name for r in found.overdue] == ["Acier", "Zinc"]
    assert [r.name for r in found.soon] == ["Bois"]
    assert [r.name for r in found.late_actions] == ["Cuivre", "Bois"]
    assert not found.empty and reminders([row(5, "Étain")], TODAY).empty


def test_search_ignores_accents_case_and_spaces():
    assert matches("Béton Normand", "beton") and matches("Béton Normand", "  NORMAND ")
    assert matches("ÉTOILE du Nord", "étoile") and not matches("Acier", "bois")
    assert fold("Œuvre  FIne") == "œuvre fine"


def test_filters():
    rows = [
        row(1, "Acier", status="completed", level="engage", actions_late=2),
        row(2, "Bois", status="in_progress", level="structure", next_follow_up=TODAY + timedelta(days=2)),
        row(3, "Cuivre"),
    ]
    names = lambda **f: [r.name for r in filtered(rows, Filters(**f), TODAY)]  # noqa: E731
    assert names() == ["Acier", "Bois", "Cuivre"]
    assert names(statuses=frozenset({"completed", NO_ASSESSMENT})) == ["Acier", "Cuivre"]
    assert names(levels=frozenset({"structure"})) == ["Bois"]
    assert names(late_only=True) == ["Acier"]
    assert names(follow_up_due=True) == ["Bois"]
    assert names(search="cuiv") == ["Cuivre"]


def test_sorting_puts_unknown_values_last_either_way():
    rows = [
        row(1, "Acier", overall=40.0),
        row(2, "Bois"),
        row(3, "Cuivre", overall=80.0),
        row(4, "Étain", overall=40.0),
    ]
    assert [r.name for r in sorted_rows(rows, SortKey.SCORE)] == ["Acier", "Étain", "Cuivre", "Bois"]
    assert [r.name for r in sorted_rows(rows, SortKey.SCORE, descending=True)] == ["Cuivre", "Acier", "Étain", "Bois"]
    assert [r.name for r in sorted_rows(rows, SortKey.NAME, descending=True)] == ["Étain", "Cuivre", "Bois", "Acier"]


def test_differing_questions_worked_by_hand():
    scores = {1: {"a": 0.0, "b": 0.5, "c": 1.0}, 2: {"a": 1.0, "b": 0.25}, 3: {"b": 0.75, "d": 0.0}}
    found = differing(scores, ["d", "c", "b", "a"])
    assert [(s.question, s.spread) for s in found] == [("a", 1.0), ("b", 0.5)]  # c, d: one answer each
    assert found[1].values == {1: 0.5, 2: 0.25, 3: 0.75}
    tied = differing({1: {"x": 0.0, "y": 0.0}, 2: {"x": 0.5, "y": 0.5}}, ["y", "x"])
    assert [s.question for s in tied] == ["y", "x"]  # equal spreads: the questionnaire's order
    assert len(differing({1: {f"q{i}": 0.0 for i in range(40)}, 2: {f"q{i}": i / 40 for i in range(40)}}, [])) == 15


# --- properties ---------------------------------------------------------------------------------------

names = st.text(alphabet="abcdeéèÉEàÀçÇ oO-&", min_size=1, max_size=12).filter(lambda s: s.strip())
days = st.one_of(st.none(), st.dates(min_value=TODAY - timedelta(days=40), max_value=TODAY + timedelta(days=40)))


@st.composite
def portfolio_rows(draw) -> list[PortfolioRow]:
    count = draw(st.integers(0, 12))
    rows = []
    for company_id in range(1, count + 1):
        assessed = draw(st.booleans())
        rows.append(
            row(
                company_id,
                draw(names),
                next_follow_up=draw(days),
                last_activity=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=draw(st.integers(0, 5000))),
                status=draw(st.sampled_from(["in_progress", "completed"])) if assessed else None,
                overall=draw(st.one_of(st.none(), st.floats(0, 100))) if assessed else None,
                level=draw(st.sampled_from(["decouverte", "engage", "structure"])) if assessed else None,
                level_rank=draw(st.one_of(st.none(), st.integers(1, 5))) if assessed else None,
                coverage=draw(st.one_of(st.none(), st.floats(0, 1))) if assessed else None,
                actions_late=draw(st.integers(0, 3)),
            )
        )
    return rows


filters = st.builds(
    Filters,
    statuses=st.frozensets(st.sampled_from(["in_progress", "completed", NO_ASSESSMENT])),
    levels=st.frozensets(st.sampled_from(["decouverte", "engage", "structure"])),
    late_only=st.booleans(),
    follow_up_due=st.booleans(),
    search=st.one_of(st.just(""), names),
)


@settings(max_examples=50, deadline=None)
@given(portfolio_rows(), filters)
def test_a_filter_never_adds_rows_and_keeps_their_order(rows, chosen):
    kept = filtered(rows, chosen, TODAY)
    assert [r.company_id for r in kept] == [r.company_id for r in rows if r in kept]
    narrower = Filters(chosen.statuses, chosen.levels, True, chosen.follow_up_due, chosen.search)
    assert set(r.company_id for r in filtered(rows, narrower, TODAY)) <= set(r.company_id for r in kept)
    assert filtered(rows, Filters(), TODAY) == rows


@settings(max_examples=50, deadline=None)
@given(portfolio_rows(), st.sampled_from(list(SortKey)), st.booleans())
def test_sorting_is_a_permutation_in_order(rows, key, descending):
    ordered = sorted_rows(rows, key, descending)
    assert sorted(r.company_id for r in ordered) == sorted(r.company_id for r in rows)
    values = {
        SortKey.NAME: lambda r: fold(r.name), SortKey.SCORE: lambda r: r.overall, SortKey.LEVEL: lambda r: r.level_rank,
        SortKey.COVERAGE: lambda r: r.coverage, SortKey.LATE: lambda r: r.actions_late,
        SortKey.ACTIVITY: lambda r: r.last_activity, SortKey.FOLLOW_UP: lambda r: r.next_follow_up,
    }[key]  # fmt: skip
    known = [values(r) for r in ordered if values(r) is not None]
    assert known == sorted(known, reverse=descending)
    assert all(values(r) is None for r in ordered[len(known) :])  # the unknown last


@settings(max_examples=50, deadline=None)
@given(portfolio_rows(), st.data())
def test_searching_a_company_s_exact_name_finds_it(rows, data):
    if not rows:
        return
    wanted = data.draw(st.sampled_from(rows))
    typed = data.draw(st.sampled_from([wanted.name, wanted.name.upper(), wanted.name.lower(), f" {wanted.name} "]))
    assert wanted in filtered(rows, Filters(search=typed), TODAY)
    assert matches(wanted.name, fold(wanted.name))


@settings(max_examples=50, deadline=None)
@given(portfolio_rows())
def test_reminders_hold_exactly_the_due_and_late(rows):
    found = reminders(rows, TODAY)
    assert {r.company_id for r in found.overdue} == {
        r.company_id for r in rows if r.next_follow_up and r.next_follow_up < TODAY
    }
    assert {r.company_id for r in found.soon} == {
        r.company_id for r in rows if r.next_follow_up and TODAY <= r.next_follow_up <= TODAY + timedelta(days=7)
    }
    assert {r.company_id for r in found.late_actions} == {r.company_id for r in rows if r.actions_late}
    assert [r.next_follow_up for r in found.overdue] == sorted(r.next_follow_up for r in found.overdue)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(STATUSES), st.dates())
def test_an_action_is_late_only_when_open_and_past_due(status, due):
    late = is_late(due, status, TODAY)
    assert late == (due < TODAY and status in ("todo", "in_progress"))


scores = st.dictionaries(
    st.integers(1, 6),
    st.dictionaries(st.sampled_from([f"q{i}" for i in range(25)]), st.floats(0, 1), max_size=25),
    max_size=6,
)


@settings(max_examples=80, deadline=None)
@given(scores, st.integers(1, 20))
def test_differing_keeps_the_widest_spreads_of_questions_answered_twice(normalised, limit):
    order = [f"q{i}" for i in range(25)]
    found = differing(normalised, order, limit)
    assert len(found) <= limit
    spreads = [s.spread for s in found]
    assert spreads == sorted(spreads, reverse=True)
    twice = {q for q in order if sum(q in s for s in normalised.values()) >= 2}
    assert {s.question for s in found} <= twice
    assert len(found) == min(limit, len(twice))
    for spread in found:
        assert len(spread.values) >= 2 and 0 <= spread.spread <= 1
        assert spread.spread == max(spread.values.values()) - min(spread.values.values())
    left_out = twice - {s.question for s in found}
    for question in left_out:  # nothing left out spreads wider than what was kept
        values = [s[question] for s in normalised.values() if question in s]
        assert max(values) - min(values) <= min(spreads)
