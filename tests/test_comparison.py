"""The comparison of two results (diagnostic/core/comparison.py), by hand and as properties."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.core.comparison import comparable_questions, compare
from diagnostic.core.loading import parse_questionnaire
from tests.conftest import build, maturity, run

Q = build(
    [
        {"id": "gov", "questions": [maturity("g1", allow_na=True, allow_dont_know=True), maturity("g2", allow_na=True)]},
        {"id": "env", "questions": [maturity("e1", allow_na=True, allow_dont_know=True), {"id": "e2", "type": "yes_no", "text": {"fr": "e2", "en": "e2"}}]},
    ]
)


def test_by_hand():
    before = run(Q, {"g1": 1, "g2": 2, "e1": 4, "e2": "no"})
    after = run(Q, {"g1": 3, "g2": 2, "e1": 3, "e2": "yes"})
    moved = compare(before, after)
    by_dim = {c.dimension: c for c in moved.dimensions}
    # gov: (1+2)/8 = 37.5 -> (3+2)/8 = 62.5
    assert (by_dim["gov"].before, by_dim["gov"].after, by_dim["gov"].delta) == (37.5, 62.5, 25.0)
    # g1 rose 2 of 4 = +50 points; e2 no -> yes = +100; e1 fell 1 of 4 = -25; g2 did not move
    assert [(m.question, m.points) for m in moved.went_up] == [("e2", 100.0), ("g1", 50.0)]
    assert [(m.question, m.points) for m in moved.went_down] == [("e1", -25.0)]


def test_a_question_not_counted_on_one_side_did_not_move():
    before = run(Q, {"g1": 1})
    after = run(Q, {"g1": 1, "g2": 4, "e1": "na"})
    moved = compare(before, after)
    assert moved.went_up == [] and moved.went_down == []
    # gov: g1 alone 1/4 = 25 -> (1+4)/8 = 62.5; env: nothing counted before, e1 N/A after: no score
    assert {c.dimension: c.delta for c in moved.dimensions} == {"gov": 37.5, "env": None}


answer = st.sampled_from([None, 0, 1, 2, 3, 4, "na", "dont_know"])
answers = st.fixed_dictionaries({"g1": answer, "g2": st.sampled_from([None, 0, 2, 4, "na"]), "e1": answer}).map(
    lambda d: {k: v for k, v in d.items() if v is not None}
)


@settings(max_examples=60, deadline=None)
@given(answers, answers)
def test_properties(a, b):
    ra, rb = run(Q, a), run(Q, b)
    same = compare(ra, ra)
    assert same.went_up == [] and same.went_down == []
    assert all(c.delta in (0, None) for c in same.dimensions)
    forward, backward = compare(ra, rb), compare(rb, ra)
    assert {(m.question, m.points) for m in forward.went_up} == {(m.question, -m.points) for m in backward.went_down}
    assert {(m.question, m.points) for m in forward.went_down} == {(m.question, -m.points) for m in backward.went_up}
    for f, r in zip(forward.dimensions, backward.dimensions, strict=True):
        assert (f.delta is None) == (r.delta is None)
        if f.delta is not None:
            assert abs(f.delta + r.delta) < 1e-9
    assert all(m.points > 0 for m in forward.went_up) and all(m.points < 0 for m in forward.went_down)


# --- two versions of a questionnaire ------------------------------------------------------------


def test_a_question_measured_differently_in_another_version_is_not_compared() -> None:
    text = (Path(__file__).parent / "fixtures" / "mini.yaml").read_text(encoding="utf-8")
    v1 = parse_questionnaire(text, "v1")
    # v2 rewords a maturity question (still comparable) and rescores the shared list of
    # env.eco-conduite ("parfois" 2 -> 3: not comparable answer to answer)
    v2_text = text.replace(v1.questions["rh.formation"].text.fr, "Formez-vous vos salariés chaque année ?")
    v2_text = v2_text.replace('label: {fr: "Parfois", en: "Sometimes"}, score: 2', 'label: {fr: "Parfois", en: "Sometimes"}, score: 3')
    v2 = parse_questionnaire(v2_text, "v2")
    assert v2.questions["rh.formation"].text.fr != v1.questions["rh.formation"].text.fr
    assert comparable_questions(v1, v2) == set(v1.questions) - {"env.eco-conduite"}
    assert comparable_questions(v1, v1) == set(v1.questions)
    before = run(v1, {"env.eco-conduite": "parfois", "rh.formation": 1})
    after = run(v2, {"env.eco-conduite": "toujours", "rh.formation": 3})
    moved = compare(before, after, comparable_questions(v1, v2))
    assert [m.question for m in moved.went_up] == ["rh.formation"]  # (3 - 1) / 4 = 50 points
    assert moved.went_up[0].points == 50
