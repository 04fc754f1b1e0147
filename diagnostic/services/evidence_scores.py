"""The evidence-backed score of an assessment, beside the declared one (README "The evidence-backed score").

Whoever may view the assessment sees it: it is the declared result with the questionnaire's
evidence rule applied, the evidence read through the evidence service (out of reach: NotFound).
"""

from __future__ import annotations

from dataclasses import dataclass

from diagnostic.core.evidence_score import backed_result, lacking_evidence
from diagnostic.core.schema import EvidenceRule
from diagnostic.core.scoring import Result
from diagnostic.services.assessments import Evaluation
from diagnostic.services.context import Context
from diagnostic.services.evidence import evidenced_questions


@dataclass(frozen=True)
class EvidenceScore:
    rule: EvidenceRule
    result: Result  # the evidence-backed result
    lacking: list[str]  # the answers counted lower for want of evidence, in questionnaire order


def evidence_score(ctx: Context, evaluation: Evaluation) -> EvidenceScore | None:
    """The evidence-backed score of an evaluated assessment (services.assessments.evaluate); None when
    its questionnaire has no evidence rule."""
    questionnaire = evaluation.questionnaire
    rule = questionnaire.model.results.evidence_rule
    if rule is None:
        return None
    evidenced = evidenced_questions(ctx, evaluation.assessment.id)
    result = backed_result(questionnaire, evaluation.result, evidenced)
    assert result is not None  # the questionnaire has a rule
    return EvidenceScore(rule, result, lacking_evidence(questionnaire, evaluation.result, evidenced))
