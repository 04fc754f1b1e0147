"""The evidence-backed score: the declared answers scored again, an unproven answer counting less.

The rule is data (`results.evidence_rule` of the questionnaire file, see EvidenceRule): an answer
whose value, read on the 0..4 maturity scale, is at or above `from_value` counts fully only when its
question has evidence; without, it counts as `otherwise`. Only the values change: which questions
apply stays as the declared answers say (a follow-up question does not vanish because the answer
that opened it is not proven yet), so the evidence-backed score never exceeds the declared one.
What follows from the values (dimension scores, overall, levels, floors, the critical cap) is computed
by scoring.result_of, as for the declared score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from diagnostic.core.answers import Answer
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.schema import MATURITY_MAX, AnyQuestion, EvidenceRule
from diagnostic.core.scoring import EPSILON, QuestionResult, Result, result_of, score


def backed_value(rule: EvidenceRule, question: AnyQuestion, row: QuestionResult, evidenced: bool) -> float | None:
    """What a question's value counts in the evidence-backed score (None when it is not counted)."""
    if evidenced or row.value is None or not row.max or question.type not in rule.types:
        return row.value
    scale = row.max / MATURITY_MAX  # the question's own scale, over the maturity scale's
    if row.value < rule.from_value * scale - EPSILON:
        return row.value
    return min(row.value, rule.otherwise * scale)


def lacking_evidence(questionnaire: LoadedQuestionnaire, declared: Result, evidenced: frozenset[str]) -> list[str]:
    """The ids of the answers the rule counts lower for want of evidence, in questionnaire order;
    empty when the questionnaire has no rule."""
    rule = questionnaire.model.results.evidence_rule
    if rule is None:
        return []
    return [
        qid
        for qid, row in declared.questions.items()
        if backed_value(rule, questionnaire.questions[qid], row, qid in evidenced) != row.value
    ]


def lowered(declared: Result, backed: Result) -> list[str]:
    """The ids of the answers the evidence-backed result counts lower than the declared one: the same
    as lacking_evidence, read from the two results (what a report holds)."""
    return [qid for qid, row in declared.questions.items() if backed.questions[qid].value != row.value]


def backed_result(questionnaire: LoadedQuestionnaire, declared: Result, evidenced: frozenset[str]) -> Result | None:
    """The evidence-backed result from the declared one; None when the questionnaire has no rule.

    Recommendations are left empty: they follow the declared answers (the declared result's)."""
    rule = questionnaire.model.results.evidence_rule
    if rule is None:
        return None
    questions: dict[str, QuestionResult] = {}
    for qid, row in declared.questions.items():
        question = questionnaire.questions[qid]
        value = backed_value(rule, question, row, qid in evidenced)
        if value != row.value:
            unmet = question.critical is not None and value is not None and value < question.critical.min - EPSILON
            row = replace(row, value=value, critical_unmet=unmet)
        questions[qid] = row
    return result_of(questionnaire, questions, [], declared.modules)


def evidence_backed(
    questionnaire: LoadedQuestionnaire, profile: Profile, answers: Mapping[str, Answer], evidenced: frozenset[str]
) -> Result | None:
    """The evidence-backed result of the answers, `evidenced` naming the questions with evidence;
    None when the questionnaire has no evidence rule."""
    if questionnaire.model.results.evidence_rule is None:
        return None
    return backed_result(questionnaire, score(questionnaire, profile, answers), evidenced)
