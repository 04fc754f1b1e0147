"""The demo company: an example to explore, the same on every machine, reset at will."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from diagnostic.core.answers import Answer, check_value
from diagnostic.core.conditions import applicability
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.roles import Permission
from diagnostic.core.schema import MaturityQuestion, MultipleQuestion, NumberQuestion, TextQuestion, YesNoQuestion
from diagnostic.core.values import DONT_KNOW, NA
from diagnostic.services import access, assessments, companies
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import shipped_questionnaire
from diagnostic.storage.records import AssessmentRecord, CompanyRecord
from diagnostic.storage.uow import UnitOfWork

DEMO_NAME = {"fr": "Menuiserie Durand (démo)", "en": "Durand Joinery (demo)"}


def _demo_value(questionnaire: LoadedQuestionnaire, question_id: str, shift: int) -> Any:
    """A plausible answer, the same on every machine (derived from the question id)."""
    question = questionnaire.questions[question_id]
    seed = int(hashlib.sha256(question_id.encode()).hexdigest(), 16)
    level = max(0, min(4, seed % 4 + shift))  # 0..3 before the shift
    if isinstance(question, MaturityQuestion):
        if seed % 17 == 0 and question.allow_dont_know:
            return DONT_KNOW
        if seed % 13 == 0 and question.allow_na:
            return NA
        return level
    if isinstance(question, YesNoQuestion):
        best = "yes" if question.scores.yes >= question.scores.no else "no"
        return best if level >= 2 or not question.scored else ("no" if best == "yes" else "yes")
    options = sorted(questionnaire.options(question), key=lambda o: o.score)
    if isinstance(question, MultipleQuestion):
        usable = [o.id for o in options if not o.exclusive and o.score > 0]
        return usable[: max(1, len(usable) * level // 4)]
    if options:
        return options[min(len(options) - 1, len(options) * level // 4)].id
    if isinstance(question, NumberQuestion):
        low = question.minimum or 0
        high = question.maximum if question.maximum is not None else low + 100
        return round(low + (high - low) * level / 4, 1)
    if isinstance(question, TextQuestion):
        return None
    return None


def create_demo(ctx: Context) -> tuple[CompanyRecord, AssessmentRecord]:
    """A demo company with a previous and a completed current assessment, targets and actions."""
    lang = ctx.lang
    profile = Profile(headcount_band="20-49", sector="16.23Z", sites=1, production_site=True, tertiary_area_1000m2=False)
    notes = {
        "fr": "Entreprise fictive de démonstration : menuiserie industrielle de 32 salariés.",
        "en": "Fictitious demo company: a 32-person industrial joinery.",
    }[lang]
    with ctx.uow:
        workspace = access.workspace(ctx, ctx.workspace_id, Permission.CREATE_COMPANY)
    created = companies.save_company(ctx, None, DEMO_NAME[lang], profile, notes, workspace_id=workspace)
    company = ctx.uow.run(lambda uow: uow.companies.update(
        access.scope(ctx, Permission.EDIT), created.id, created.name, profile, notes, created_at=DEMO_MARK
    ))  # fmt: skip
    loaded, _ = shipped_questionnaire("rse-performance-globale")
    current = None
    for shift, months_ago, who in ((-1, 8, "Claire Durand"), (0, 0, "Claire Durand")):
        assessment = assessments.start_assessment(ctx, company.id, loaded.id, respondent=who)
        answers: dict[str, Answer] = {}
        for qid in loaded.questions:
            if not applicability(loaded, profile, answers).get(qid, False):
                continue
            value = _demo_value(loaded, qid, shift)
            if value is not None:
                answers[qid] = Answer(value)
        rows = {qid: (check_value(loaded, qid, a.value), "") for qid, a in answers.items()}
        first = next(iter(rows))
        rows[first] = (rows[first][0], {"fr": "Vu en comité de direction.", "en": "Discussed by the management team."}[lang])
        created_on = datetime.now(assessment.created_at.tzinfo) - timedelta(days=30 * months_ago)

        current = ctx.uow.run(
            partial(_fill, ctx, assessment_id=assessment.id, rows=rows, created_on=created_on, who=who)
        )
    assert current is not None
    current = assessments.set_targets(ctx, current.id, {d.id: 60.0 for d in loaded.dimensions})
    evaluation = assessments.evaluate(ctx, current.id)
    assert evaluation is not None
    recommendations = evaluation.result.recommendations[:3]

    def plan(uow: UnitOfWork) -> None:
        edit = access.scope(ctx, Permission.EDIT)
        for rank, rec in enumerate(recommendations):
            uow.actions.add(
                edit, current.id, rec.text.get(lang), recommendation_id=rec.id, question_id=rec.question,
                owner="Claire Durand", due_date=date.today() + timedelta(days=30 * (rank + 1)),
                status="in_progress" if rank == 0 else "todo",
            )  # fmt: skip

    ctx.uow.run(plan)
    _participation(ctx, current.id, loaded, profile)
    return company, current


# The demo's respondent groups: (group, people, level shift, named people). Direction rates itself
# a little higher than staff see it, so that the crossed views show blind spots; managers stay below
# the anonymity threshold, to show how a small group is kept out.
DEMO_GROUPS = (
    ("direction", 2, 1, ("Claire Durand", "Marc Durand")),
    ("managers", 3, 0, ()),
    ("staff", 9, 0, ()),
)


DEMO_REMARKS = {
    "fr": ("Le tri marche bien à l’atelier.", "On manque d’informations sur les projets.", "Bonne ambiance d’équipe."),
    "en": ("Sorting works well in the workshop.", "We lack information about projects.", "Good team spirit."),
}


def _participation(ctx: Context, assessment_id: int, loaded: LoadedQuestionnaire, profile: Profile) -> None:
    """Open the demo assessment to groups and give it sent responses (one transaction)."""
    from diagnostic.core.audience import asked
    from diagnostic.services import participation

    groups = {g.group.key: g.group for g in participation.open_participation(ctx, assessment_id).groups}
    links: dict[str, list[int]] = {}
    for key, _, _, names in DEMO_GROUPS:
        made = [participation.create_link(ctx, assessment_id, groups[key].id, name=n).link.id for n in names]
        links[key] = made or [participation.create_link(ctx, assessment_id, groups[key].id, max_uses=50).link.id]

    def work(uow: UnitOfWork) -> None:
        today = date.today()
        for key, people, shift, names in DEMO_GROUPS:
            group = groups[key]
            questions = [q for q in loaded.questions if q in asked(loaded, key)]
            for person in range(people):
                named = bool(names)
                respondent = uow.participation.add_respondent(
                    hashlib.sha256(f"demo-{assessment_id}-{key}-{person}".encode()).hexdigest()[:32], group.id,
                    links[key][person] if named else None, None,
                )  # fmt: skip
                uow.participation.use_link(links[key][person] if named else links[key][0], named=named)
                given: dict[str, Answer] = {}
                for qid in questions:
                    # each person a little apart from the others: their own shift on some questions
                    own = shift + (1 if (person + len(qid)) % 3 == 0 else 0) - (1 if (person + len(qid)) % 5 == 0 else 0)
                    value = _demo_value(loaded, qid, own)
                    if value is not None:
                        given[qid] = Answer(value)
                applies = applicability(loaded, profile, given)  # once: the demo's answers open no other question
                for qid, answer in given.items():
                    if applies.get(qid, False):
                        uow.participation.put_respondent_answer(respondent.id, qid, check_value(loaded, qid, answer.value))
                if key == "staff" and questions:
                    remark = DEMO_REMARKS[ctx.lang][person % 3]
                    uow.participation.put_respondent_answer(respondent.id, questions[0], comment=remark)
                uow.participation.complete_respondent(respondent.id, today)

    ctx.uow.run(work)



def _fill(
    ctx: Context, uow: UnitOfWork, assessment_id: int, rows: dict[str, tuple[Any, str]], created_on: datetime, who: str
) -> AssessmentRecord:
    edit = access.scope(ctx, Permission.EDIT)
    uow.answers.replace(edit, assessment_id, rows, answered_by=who)
    return uow.assessments.update(edit, assessment_id, status="completed", created_at=created_on)


# The demo is marked by a reserved creation instant that no other company row can have: created_at
# is set to the current time when a company is created or imported, and no form or file sets it.
# So a company a user names "Menuiserie Durand (démo)", or an imported copy of the demo, is never
# taken for it. Names and notes can be typed; this cannot. (No schema change: docs/decisions.md.)
DEMO_MARK = datetime.fromisoformat("2000-01-01T00:00:00+00:00")


def is_demo(company: CompanyRecord | None) -> bool:
    """Whether `company` is the example company (created by the demo, whatever it is now called)."""
    return company is not None and company.created_at == DEMO_MARK


def demo_companies(ctx: Context) -> list[CompanyRecord]:
    """The example companies of the workspace the demo is made in (the chosen one, where the actor may
    create companies): another workspace's demo is neither opened nor reset from here."""
    with ctx.uow:
        workspace = access.workspace(ctx, ctx.workspace_id, Permission.CREATE_COMPANY)
    mine = (c for c in companies.list_companies(ctx) if c.workspace_id == workspace and is_demo(c))
    return sorted(mine, key=lambda c: c.id)


def open_demo(ctx: Context) -> tuple[CompanyRecord, AssessmentRecord]:
    """The example company and its latest assessment: the existing one if any, else a new one."""
    for company in demo_companies(ctx):
        found = assessments.list_assessments(ctx, company.id)
        if found:
            return company, found[-1]
    return reset_demo(ctx)  # no demo yet, or one whose assessments were all deleted


def reset_demo(ctx: Context) -> tuple[CompanyRecord, AssessmentRecord]:
    """Delete every example company (with what was added to it) and create it afresh."""
    for company in demo_companies(ctx):
        companies.delete_company(ctx, company.id)
    return create_demo(ctx)
