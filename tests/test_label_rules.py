"""The label's pure rules: criteria checked by hand on a small questionnaire, the committee's outcome
(hand cases and properties), validity dates, and the loading of label files with clear errors."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.core.label import (
    CHECK_KEYS,
    DECISION_KEYS,
    LETTER_DECISION_KEYS,
    RECOMMENDATION_KEYS,
    STEP_KEYS,
    VALIDITY_KEYS,
    VOTES,
    CriterionCheck,
    LabelDefinition,
    add_years,
    blocking_unmet,
    committee_outcome,
    evaluate_criteria,
    validity_state,
)
from diagnostic.i18n import LANGS, catalogue
from diagnostic.label_files import LabelFileError, load_label, load_labels, parse_label
from tests.conftest import build, maturity, run

SMALL = build(
    [
        {
            "id": "a",
            "questions": [
                maturity("a1", critical={"min": 2, "reason": {"fr": "Loi", "en": "Law"}}),
                maturity("a2"),
            ],
        },
        {"id": "b", "questions": [maturity("b1"), maturity("b2")]},
    ],
    critical_cap="engage",
)


def lookup(questionnaire_id: str):
    if questionnaire_id != "test":
        raise KeyError(questionnaire_id)
    return SMALL


def text(words: str) -> dict[str, str]:
    return {"fr": words, "en": words}


CRITERIA = [
    {"id": "structure", "kind": "min_level", "level": "structure", "label": text("Structuré")},
    {"id": "maitrise", "kind": "min_level", "level": "maitrise", "label": text("Maîtrisé"), "blocking": False},
    {"id": "a-50", "kind": "dimension_floor", "dimension": "a", "min_score": 50, "label": text("A ≥ 50")},
    {"id": "b-60", "kind": "dimension_floor", "dimension": "b", "min_score": 60, "label": text("B ≥ 60")},
    {"id": "legal", "kind": "critical_met", "label": text("Obligations")},
    {"id": "cover-75", "kind": "min_coverage", "min_share": 0.75, "label": text("75 %")},
    {"id": "cover-80", "kind": "min_coverage", "min_share": 0.8, "label": text("80 %")},
    {"id": "evidence", "kind": "evidence_share", "min_share": 0.5, "label": text("Preuves")},
]


def definition(criteria=None, **changes) -> dict:
    return {
        "id": "label-test", "version": "1", "name": text("Label test"), "description": text("Un label."),
        "questionnaire": "test", "validity_years": 3, "renewal_notice_days": 90, "committee": {"quorum": 2},
        "criteria": CRITERIA if criteria is None else criteria, **changes,
    }  # fmt: skip


LABEL = LabelDefinition.model_validate(definition())


# --- the criteria, by hand --------------------------------------------------------------------------


def test_criteria_checked_by_hand() -> None:
    # a = (3 + 1) / 8 = 50; b = 2 / 4 = 50 (b2 unanswered); overall 50; coverage 3 / 4; level structure
    result = run(SMALL, {"a1": 3, "a2": 1, "b1": 2})
    assert (result.overall, result.coverage, result.level.id) == (50, 0.75, "structure")
    checks = {c.id: c for c in evaluate_criteria(LABEL, result)}
    assert {k: c.status for k, c in checks.items()} == {
        "structure": "met", "maitrise": "unmet", "a-50": "met", "b-60": "unmet", "legal": "met",
        "cover-75": "met", "cover-80": "unmet", "evidence": "not_measurable",
    }  # fmt: skip
    assert (checks["structure"].value, checks["structure"].target) == ("structure", "structure")
    assert (checks["b-60"].value, checks["b-60"].target) == (50, 60)
    assert (checks["cover-80"].value, checks["cover-80"].target) == (0.75, 0.8)
    assert checks["legal"].detail == []
    assert not checks["evidence"].blocking and not checks["maitrise"].blocking
    # the non-blocking "maitrise" and the unmeasurable evidence never block
    assert [c.id for c in blocking_unmet(checks.values())] == ["b-60", "cover-80"]


def test_an_unmet_or_unanswered_legal_basic_fails_critical_met() -> None:
    # a1 = 1 < 2: unmet, and the level is capped at "engage": a = 25, b = 50, overall 37.5
    unmet = {c.id: c for c in evaluate_criteria(LABEL, run(SMALL, {"a1": 1, "a2": 1, "b1": 2, "b2": 2}))}
    assert (unmet["legal"].status, unmet["legal"].detail) == ("unmet", ["a1"])
    assert (unmet["structure"].status, unmet["structure"].value) == ("unmet", "engage")
    unanswered = {c.id: c for c in evaluate_criteria(LABEL, run(SMALL, {"a2": 4, "b1": 4, "b2": 4}))}
    assert (unanswered["legal"].status, unanswered["legal"].detail) == ("unmet", ["a1"])


def test_nothing_answered_meets_nothing_measurable() -> None:
    checks = evaluate_criteria(LABEL, run(SMALL, {}))
    assert {c.id: c.status for c in checks if c.kind != "evidence_share"} == {
        "structure": "unmet", "maitrise": "unmet", "a-50": "unmet", "b-60": "unmet", "legal": "unmet",
        "cover-75": "unmet", "cover-80": "unmet",
    }  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries({}, optional={q: st.integers(0, 4) for q in ("a1", "a2", "b1", "b2")}))
def test_each_check_says_what_the_result_says(answers) -> None:
    result = run(SMALL, answers)
    checks = {c.id: c for c in evaluate_criteria(LABEL, result)}
    ranks = {c.level.id: c.rank for c in result.level_checks}
    assert (checks["structure"].status == "met") == (result.level_rank is not None and result.level_rank >= ranks["structure"])
    score_b = result.dimension("b").score
    assert (checks["b-60"].status == "met") == (score_b is not None and score_b >= 60)
    assert (checks["legal"].status == "met") == (not result.critical_unmet and not result.critical_unanswered)
    assert (checks["cover-80"].status == "met") == (result.coverage is not None and result.coverage >= 0.8)
    assert checks["evidence"].status == "not_measurable"
    for check in checks.values():
        assert CriterionCheck.from_dict(check.as_dict()) == check  # the JSON snapshot gives it back


# --- the committee ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("votes", "quorum", "outcome"),
    [
        ([], 1, None),
        (["granted", "granted"], 3, None),
        (["granted", "granted", "refused"], 3, "granted"),
        (["granted", "refused"], 2, "deferred"),  # a tie: deferred
        (["granted", "deferred", "refused"], 3, "deferred"),
        (["granted", "granted", "deferred", "refused"], 3, "deferred"),  # half is no majority
        (["refused", "refused", "refused", "granted"], 2, "refused"),
        (["deferred"], 1, "deferred"),
    ],
)
def test_committee_outcome_by_hand(votes, quorum, outcome) -> None:
    assert committee_outcome(votes, quorum) == outcome


VOTE_LISTS = st.lists(st.sampled_from(VOTES), max_size=12)


@settings(max_examples=200, deadline=None)
@given(VOTE_LISTS, st.integers(1, 8), st.randoms())
def test_committee_outcome_properties(votes, quorum, rng) -> None:
    outcome = committee_outcome(votes, quorum)
    if len(votes) < quorum:
        assert outcome is None
        return
    assert outcome in VOTES
    counts = Counter(votes)
    # the outcome is the strict majority's vote, and deferred whenever there is none
    majority = [v for v in VOTES if 2 * counts[v] > len(votes)]
    assert outcome == (majority[0] if majority else "deferred")
    shuffled = list(votes)
    rng.shuffle(shuffled)
    assert committee_outcome(shuffled, quorum) == outcome  # the order of the votes does not matter
    if outcome == "granted":  # one more granted vote keeps it granted; granted is never a minority
        assert committee_outcome([*votes, "granted"], quorum) == "granted"
        assert 2 * counts["granted"] > len(votes)


@given(st.lists(st.sampled_from(VOTES), min_size=1, max_size=9).map(lambda v: [v[0]] * len(v)))
def test_a_unanimous_committee_decides_its_vote(votes) -> None:
    assert committee_outcome(votes, len(votes)) == votes[0]


# --- validity -------------------------------------------------------------------------------------------


def test_validity_by_hand() -> None:
    assert add_years(date(2025, 3, 10), 3) == date(2028, 3, 10)
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    end = date(2028, 3, 10)
    assert validity_state(end, date(2027, 12, 10), 90) == "valid"  # 91 days before
    assert validity_state(end, date(2027, 12, 11), 90) == "renewal_due"  # 90 days before
    assert validity_state(end, end, 90) == "renewal_due"  # the last valid day
    assert validity_state(end, date(2028, 3, 11), 90) == "expired"


@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(1, 10), st.integers(-4000, 4000), st.integers(0, 365))
def test_validity_properties(start, years, offset, notice) -> None:
    end = add_years(start, years)
    assert end.year == start.year + years and end.month == start.month and end.day in (start.day, 28)
    assert 365 * years <= (end - start).days <= 366 * years
    today = end + timedelta(days=offset)
    state = validity_state(end, today, notice)
    assert (state == "expired") == (today > end)
    assert (state == "valid") == ((end - today).days > notice)


# --- the words of the label's states are in both catalogues -----------------------------------------------


def test_every_state_has_words() -> None:
    keys = [
        *CHECK_KEYS.values(), *DECISION_KEYS.values(), *LETTER_DECISION_KEYS.values(), *RECOMMENDATION_KEYS.values(),
        *STEP_KEYS.values(), *VALIDITY_KEYS.values(),
    ]  # fmt: skip
    for lang in LANGS:
        assert [k for k in keys if k not in catalogue(lang)] == []


# --- label files ---------------------------------------------------------------------------------------------


def write(tmp_path: Path, data: dict, name: str = "label.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def issues(path: Path) -> list[str]:
    with pytest.raises(LabelFileError) as error:
        load_label(path, lookup)
    assert str(path) in str(error.value)
    return [str(i) for i in error.value.issues]


def test_a_valid_file_loads(tmp_path) -> None:
    assert load_label(write(tmp_path, definition()), lookup) == LABEL


def test_a_bad_criterion_kind_is_named_with_its_path_and_line(tmp_path) -> None:
    bad = [CRITERIA[0], {"id": "x", "kind": "min_score", "label": text("X")}]
    [issue] = issues(write(tmp_path, definition(bad)))
    assert issue.startswith("criteria[1].kind (line ")
    assert "unknown criterion kind 'min_score'" in issue and "dimension_floor" in issue


def test_an_unknown_dimension_or_level_is_named(tmp_path) -> None:
    bad = [
        {"id": "d", "kind": "dimension_floor", "dimension": "nope", "min_score": 40, "label": text("D")},
        {"id": "l", "kind": "min_level", "level": "gold", "label": text("L")},
    ]
    found = issues(write(tmp_path, definition(bad)))
    assert len(found) == 2
    assert found[0].startswith("criteria[0].dimension (line ") and "unknown dimension 'nope': use one of a, b" in found[0]
    assert found[1].startswith("criteria[1].level (line ") and "unknown level 'gold'" in found[1]


def test_other_file_errors(tmp_path) -> None:
    assert any("unknown field 'colour'" in i for i in issues(write(tmp_path, definition(colour="vert"))))
    assert any(
        i.startswith("criteria[0].min_score") and "at most 100" in i
        for i in issues(write(tmp_path, definition([{**CRITERIA[2], "min_score": 140}])))
    )
    assert any("used twice" in i for i in issues(write(tmp_path, definition([CRITERIA[0], CRITERIA[0]]))))
    assert any(
        "cannot be blocking" in i for i in issues(write(tmp_path, definition([{**CRITERIA[-1], "blocking": True}])))
    )
    assert any("no valid questionnaire has the id 'other'" in i for i in issues(write(tmp_path, definition(questionnaire="other"))))
    assert any("'quorum' is required" in i for i in issues(write(tmp_path, definition(committee={}))))
    assert any("has no 'kind'" in i for i in issues(write(tmp_path, definition([{"id": "k", "label": text("K")}]))))
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    assert any("not valid YAML" in i for i in issues(broken))
    assert any("cannot read the file" in i for i in issues(tmp_path / "missing.yaml"))
    with pytest.raises(LabelFileError):
        parse_label("- a list\n", "<list>", lookup)


def test_a_folder_keeps_the_good_files_and_names_the_bad_ones(tmp_path) -> None:
    write(tmp_path, definition(), "a.yaml")
    write(tmp_path, definition(), "b.yaml")  # the same id again
    write(tmp_path, definition(colour="vert"), "c.yaml")
    valid, invalid = load_labels(tmp_path, lookup)
    assert [d.id for d in valid] == ["label-test"]
    assert [(p.name, "already used by a.yaml" in str(e) or "colour" in str(e)) for p, e in invalid] == [
        ("b.yaml", True), ("c.yaml", True),
    ]  # fmt: skip


def test_the_shipped_labels_load_against_the_shipped_questionnaires(full) -> None:
    valid, invalid = load_labels(questionnaires=lambda qid: full)
    assert invalid == [] and [d.id for d in valid] == ["label-performance-globale"]
    shipped = valid[0]
    assert shipped.questionnaire == full.id and shipped.committee.quorum == 3
    assert {c.kind for c in shipped.criteria} == {"min_level", "critical_met", "dimension_floor", "min_coverage", "evidence_share"}
