"""What the pages ask for: assessments with their questionnaire, answers and results.

Pages call these functions and draw; no SQL and no scoring arithmetic lives in a page.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from diagnostic.core import limits
from diagnostic.core.answers import Answer, check_value, mixed_script_problem, text_problem
from diagnostic.core.conditions import applicability
from diagnostic.core.errors import Conflict, Gone, InputRefused
from diagnostic.core.loading import LoadedQuestionnaire, load_folder, parse_questionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.schema import MaturityQuestion, MultipleQuestion, NumberQuestion, TextQuestion, YesNoQuestion
from diagnostic.core.scoring import Result, score
from diagnostic.core.values import DONT_KNOW, NA
from diagnostic.exports.report_data import ActionRow, CompanyInfo, ReportData
from diagnostic.storage.repository import (
    ActionRecord,
    AnswerEdit,
    AnswerRecord,
    AssessmentRecord,
    CompanyRecord,
    Repository,
)

_lock = threading.Lock()
_by_hash: dict[str, LoadedQuestionnaire] = {}
_shipped: dict[str, tuple[LoadedQuestionnaire, str]] = {}
_skipped: list[tuple[str, str]] = []  # (file, errors) of the invalid files of questionnaires/


def shipped_questionnaires() -> list[LoadedQuestionnaire]:
    """The valid questionnaires of questionnaires/, loaded once per process (full first).

    An invalid file is skipped and logged, so that it cannot take the other questionnaires down;
    `questionnaire_problems()` lists it.
    """
    with _lock:
        if not _shipped and not _skipped:
            valid, invalid = load_folder()
            for loaded in valid:
                _shipped[loaded.id] = (loaded, loaded.text)
                _by_hash[loaded.content_hash] = loaded
            for path, error in invalid:
                logging.getLogger("autodiag").error("questionnaire file skipped: %s", error)
                _skipped.append((str(path), str(error)))
        return sorted((q for q, _ in _shipped.values()), key=lambda q: -len(q.questions))


def shipped_questionnaire(questionnaire_id: str) -> tuple[LoadedQuestionnaire, str]:
    """A valid shipped questionnaire and its YAML text; KeyError for an unknown (or skipped) id."""
    shipped_questionnaires()
    return _shipped[questionnaire_id]


def questionnaire_problems() -> list[tuple[str, str]]:
    """(file, errors) of each questionnaire file skipped because it is invalid."""
    shipped_questionnaires()
    with _lock:
        return list(_skipped)


def questionnaire_of(repo: Repository, assessment: AssessmentRecord) -> LoadedQuestionnaire:
    """The exact questionnaire the assessment was made with (from its stored snapshot)."""
    shipped_questionnaires()
    with _lock:
        cached = _by_hash.get(assessment.content_hash)
    if cached is not None:
        return cached
    text = repo.snapshot_text(assessment.content_hash)
    if text is None:
        raise LookupError(f"questionnaire {assessment.questionnaire_id} {assessment.questionnaire_version} is missing")
    loaded = parse_questionnaire(text, f"{assessment.questionnaire_id} {assessment.questionnaire_version}")
    with _lock:
        _by_hash[loaded.content_hash] = loaded
    return loaded


@dataclass(frozen=True)
class Evaluation:
    """An assessment with everything the pages show about it."""

    assessment: AssessmentRecord
    company: CompanyRecord
    questionnaire: LoadedQuestionnaire
    answers: dict[str, Answer]
    comments: dict[str, str]
    result: Result

    @property
    def applies(self) -> dict[str, bool]:
        return {qid: row.applies for qid, row in self.result.questions.items()}


def load_answers(repo: Repository, assessment_id: int) -> tuple[dict[str, Answer], dict[str, str]]:
    answers: dict[str, Answer] = {}
    comments: dict[str, str] = {}
    for qid, record in repo.load_answers(assessment_id).items():
        if record.comment:
            comments[qid] = record.comment
        if record.value is not None:
            answers[qid] = Answer(record.value, record.comment or None)
    return answers, comments


def evaluate(repo: Repository, assessment_id: int) -> Evaluation | None:
    assessment = repo.get_assessment(assessment_id)
    if assessment is None:
        return None
    company = repo.get_company(assessment.company_id)
    if company is None:
        return None
    questionnaire = questionnaire_of(repo, assessment)
    answers, comments = load_answers(repo, assessment_id)
    # answers to questions that no longer exist (an edited snapshot) are ignored, not fatal
    answers = {k: v for k, v in answers.items() if k in questionnaire.questions}
    result = score(questionnaire, company.profile, answers)
    return Evaluation(assessment, company, questionnaire, answers, comments, result)


def applicable_questions(questionnaire: LoadedQuestionnaire, profile: Profile, answers: dict[str, Answer]) -> dict[str, bool]:
    return applicability(questionnaire, profile, answers)


SHOWN_UNKNOWN: Any = object()  # the caller does not know what the screen showed: no check


def record_answer(
    repo: Repository,
    questionnaire: LoadedQuestionnaire,
    assessment_id: int,
    question_id: str,
    value: Any,
    answered_by: str = "",
    shown: Any = SHOWN_UNKNOWN,
) -> Any:
    """Check then save one answer as it is given; None clears it. Returns the value now stored.

    `shown` is the value the screen showed before this change (None: no answer). When someone else
    changed the answer meanwhile, nothing is written and Conflict carries their value — except for
    a multiple choice, merged option by option: what this person ticked or unticked is applied to
    the other's selection.
    """
    new_value = None if value is None or value == [] else check_value(questionnaire, question_id, value)
    multiple = isinstance(questionnaire.questions[question_id], MultipleQuestion)

    def edit(old: AnswerRecord | None) -> AnswerEdit:
        stored = old.value if old else None
        comment = old.comment if old else ""
        if shown is SHOWN_UNKNOWN or stored == shown:
            return AnswerEdit(new_value, comment)
        if multiple and _is_selection(stored) and _is_selection(shown) and _is_selection(new_value):
            merged = _merge_selection(stored, shown, new_value)
            return AnswerEdit(check_value(questionnaire, question_id, merged) if merged else None, comment)
        raise Conflict(stored, old.answered_by if old else "")

    saved = repo.edit_answer(assessment_id, question_id, edit, answered_by=answered_by)
    return saved.value if saved else None


def _is_selection(value: Any) -> bool:
    return value is None or isinstance(value, list)


def _merge_selection(stored: list[str] | None, shown: list[str] | None, chosen: list[str] | None) -> list[str]:
    """Apply the options ticked and unticked since `shown` to the `stored` selection, in order."""
    stored, shown, chosen = stored or [], shown or [], chosen or []
    added = [o for o in chosen if o not in shown]
    removed = {o for o in shown if o not in chosen}
    return [o for o in stored if o not in removed] + [o for o in added if o not in stored]


def record_comment(
    repo: Repository, assessment_id: int, question_id: str, comment: str, answered_by: str = "", shown: Any = SHOWN_UNKNOWN
) -> str:
    """Save the comment of one answer unless someone else changed it since `shown` (then Conflict)."""
    comment = comment.strip()
    if len(comment) > limits.COMMENT:
        raise ValueError(f"comment longer than {limits.COMMENT} characters")

    def edit(old: AnswerRecord | None) -> AnswerEdit:
        stored = old.comment if old else ""
        if shown is not SHOWN_UNKNOWN and stored != (shown or "") and stored != comment:
            raise Conflict(stored, old.answered_by if old else "")
        return AnswerEdit(old.value if old else None, comment)

    saved = repo.edit_answer(assessment_id, question_id, edit, answered_by=answered_by)
    return saved.comment if saved else ""


def start_assessment(
    repo: Repository, company_id: int, questionnaire_id: str, respondent: str = "", label: str = ""
) -> AssessmentRecord:
    loaded, text = shipped_questionnaire(questionnaire_id)
    return repo.create_assessment(company_id, loaded, text, label=label, respondent=respondent)


def previous_assessment(repo: Repository, assessment: AssessmentRecord) -> AssessmentRecord | None:
    """The latest earlier assessment of the same company (any questionnaire: dimensions are shared)."""
    earlier = [
        a
        for a in repo.list_assessments(assessment.company_id)
        if (a.created_at, a.id) < (assessment.created_at, assessment.id)
    ]
    return earlier[-1] if earlier else None


def report_data(repo: Repository, assessment_id: int, lang: str) -> ReportData | None:
    evaluation = evaluate(repo, assessment_id)
    if evaluation is None:
        return None
    previous = previous_assessment(repo, evaluation.assessment)
    previous_eval = evaluate(repo, previous.id) if previous else None
    respondents = sorted({r.answered_by for r in repo.load_answers(assessment_id).values() if r.answered_by})
    if evaluation.assessment.respondent and evaluation.assessment.respondent not in respondents:
        respondents.insert(0, evaluation.assessment.respondent)
    company = evaluation.company
    return ReportData(
        lang=lang,
        questionnaire=evaluation.questionnaire,
        company=CompanyInfo(
            name=company.name,
            sector=company.profile.sector,
            headcount_band=company.profile.headcount_band,
            sites=company.profile.sites,
            notes=company.notes,
        ),
        profile=company.profile,
        answers=evaluation.answers,
        result=evaluation.result,
        assessed_on=evaluation.assessment.updated_at,
        respondents=respondents,
        targets=evaluation.assessment.targets,
        previous=previous_eval.result if previous_eval else None,
        previous_on=previous_eval.assessment.updated_at if previous_eval else None,
        actions=[action_row(a) for a in repo.list_actions(assessment_id)],
    )


def action_row(action: ActionRecord) -> ActionRow:
    return ActionRow(
        title=action.title,
        owner=action.owner,
        due_date=action.due_date,
        status=action.status,
        notes=action.notes,
        recommendation_id=action.recommendation_id,
        question_id=action.question_id,
    )


# --- the demo company -----------------------------------------------------------------------

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


def create_demo(repo: Repository, lang: str = "fr") -> tuple[CompanyRecord, AssessmentRecord]:
    """A demo company with a previous and a completed current assessment, targets and actions."""
    profile = Profile(headcount_band="20-49", sector="16.23Z", sites=1, production_site=True, tertiary_area_1000m2=False)
    notes = {
        "fr": "Entreprise fictive de démonstration : menuiserie industrielle de 32 salariés.",
        "en": "Fictitious demo company: a 32-person industrial joinery.",
    }[lang]
    company = _mark_demo(repo, repo.create_company(DEMO_NAME[lang], profile, notes).id)
    loaded, _ = shipped_questionnaire("rse-performance-globale")
    assessments = []
    for shift, months_ago, who in ((-1, 8, "Claire Durand"), (0, 0, "Claire Durand")):
        assessment = start_assessment(repo, company.id, loaded.id, respondent=who)
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
        repo.replace_answers(assessment.id, rows, answered_by=who)
        created = datetime.now(assessment.created_at.tzinfo) - timedelta(days=30 * months_ago)
        assessments.append(repo.update_assessment(assessment.id, status="completed", created_at=created))
    current = assessments[-1]
    targets = {d.id: 60.0 for d in loaded.dimensions}
    repo.update_assessment(current.id, targets=targets)
    evaluation = evaluate(repo, current.id)
    assert evaluation is not None
    for rank, rec in enumerate(evaluation.result.recommendations[:3]):
        repo.add_action(
            current.id,
            rec.text.get(lang),
            recommendation_id=rec.id,
            question_id=rec.question,
            owner="Claire Durand",
            due_date=date.today() + timedelta(days=30 * (rank + 1)),
            status="in_progress" if rank == 0 else "todo",
        )
    return company, repo.get_assessment(current.id)  # type: ignore[return-value]


# The demo is marked by a reserved creation instant that no other company row can have: created_at
# is set to the current time when a company is created or imported, and no form or file sets it.
# So a company a user names "Menuiserie Durand (démo)", or an imported copy of the demo, is never
# taken for it. Names and notes can be typed; this cannot. (No schema change: docs/decisions.md.)
DEMO_MARK = datetime.fromisoformat("2000-01-01T00:00:00+00:00")


def _mark_demo(repo: Repository, company_id: int) -> CompanyRecord:
    from sqlalchemy import update

    from diagnostic.storage.models import Company

    with repo.session() as s, s.begin():
        s.execute(update(Company).where(Company.id == company_id).values(created_at=DEMO_MARK))
    marked = repo.get_company(company_id)
    assert marked is not None
    return marked


def is_demo(company: CompanyRecord | None) -> bool:
    """Whether `company` is the example company (created by the demo, whatever it is now called)."""
    return company is not None and company.created_at == DEMO_MARK


def demo_companies(repo: Repository) -> list[CompanyRecord]:
    return sorted((c for c in repo.list_companies() if is_demo(c)), key=lambda c: c.id)


def open_demo(repo: Repository, lang: str = "fr") -> tuple[CompanyRecord, AssessmentRecord]:
    """The example company and its latest assessment: the existing one if any, else a new one."""
    for company in demo_companies(repo):
        assessments = repo.list_assessments(company.id)
        if assessments:
            return company, assessments[-1]
    return reset_demo(repo, lang)  # no demo yet, or one whose assessments were all deleted


def reset_demo(repo: Repository, lang: str = "fr") -> tuple[CompanyRecord, AssessmentRecord]:
    """Delete every example company (with what was added to it) and create it afresh."""
    for company in demo_companies(repo):
        delete_company(repo, company.id)
    return create_demo(repo, lang)


@dataclass(frozen=True)
class Erasure:
    """What deleting a company or an assessment erases, for the confirmation and the message after."""

    company: str  # the company's name
    assessments: int
    answers: int  # answer rows (a comment alone counts as one)
    actions: int


def _erasure(repo: Repository, company_name: str, assessments: list[AssessmentRecord]) -> Erasure:
    return Erasure(
        company=company_name,
        assessments=len(assessments),
        answers=sum(len(repo.load_answers(a.id)) for a in assessments),
        actions=sum(len(repo.list_actions(a.id)) for a in assessments),
    )


def company_erasure(repo: Repository, company_id: int) -> Erasure | None:
    """What deleting the company would erase; None when it does not exist (any more)."""
    company = repo.get_company(company_id)
    return _erasure(repo, company.name, repo.list_assessments(company_id)) if company else None


def assessment_erasure(repo: Repository, assessment_id: int) -> Erasure | None:
    """What deleting the assessment would erase; None when it does not exist (any more)."""
    assessment = repo.get_assessment(assessment_id)
    if assessment is None:
        return None
    company = repo.get_company(assessment.company_id)
    return _erasure(repo, company.name if company else "", [assessment])


def delete_company(repo: Repository, company_id: int) -> Erasure | None:
    """Erase a company and everything of it: assessments, answers, comments, actions (one transaction).

    Returns what was erased (counted just before), None when the company no longer exists.
    Questionnaire snapshots stay: they hold a questionnaire's text, shared, nothing of the company.
    """
    from diagnostic.storage.repository import retrying

    erasure = company_erasure(repo, company_id)
    if erasure is not None:
        retrying(lambda: repo.delete_company(company_id))
    return erasure


def delete_assessment(repo: Repository, assessment_id: int) -> Erasure | None:
    """Erase one assessment with its answers, comments and actions; None when it no longer exists."""
    from diagnostic.storage.repository import retrying

    erasure = assessment_erasure(repo, assessment_id)
    if erasure is not None:
        retrying(lambda: repo.delete_assessment(assessment_id))
    return erasure


def clean_company_fields(name: str, notes: str) -> tuple[str, str]:
    """The name and notes of a company as they will be stored, or InputRefused saying why not.

    The same rules as a company read from an imported file: no blank or look-alike name, nothing a
    database cannot store, no text over its maximum.
    """
    name = unicodedata.normalize("NFC", name).strip()
    if not name:
        raise InputRefused("company.name_required")
    if len(name) > limits.COMPANY_NAME:
        raise InputRefused("company.too_long", f"{len(name)} > {limits.COMPANY_NAME}")
    problem = text_problem(name, single_line=True) or mixed_script_problem(name)
    if problem:
        raise InputRefused("company.name_invalid", problem)
    if len(notes) > limits.COMPANY_NOTES:
        raise InputRefused("company.too_long", f"{len(notes)} > {limits.COMPANY_NOTES}")
    problem = text_problem(notes)
    if problem:
        raise InputRefused("company.notes_invalid", problem)
    return name, notes


def save_company(repo: Repository, company_id: int | None, name: str, profile: Profile, notes: str = "") -> CompanyRecord:
    """Create (company_id None) or update a company after checking what was typed."""
    name, notes = clean_company_fields(name, notes)
    if company_id is None:
        return repo.create_company(name, profile, notes)
    return repo.update_company(company_id, name, profile, notes)


def plan_digest(actions: list[ActionRecord]) -> str:
    """A fingerprint of the plan as stored: changes when any action is added, edited or deleted."""
    text = repr([(a.id, a.title, a.owner, a.due_date, a.status, a.notes, a.position) for a in actions])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def apply_action_edits(repo: Repository, assessment_id: int, shown: list[ActionRecord], changes: dict[str, Any]) -> list[str]:
    """Apply the edits of the action-plan table (edited, added, deleted rows) as soon as they are made.

    `shown[i]` is the action on the table's row i as the screen drew it. An edited cell is written
    only if nobody changed that cell meanwhile; a row is deleted only if nobody changed it meanwhile.
    Returns the problems met as message keys (a row without a title, an edit that met someone
    else's), each once; what could be applied is applied.
    """
    problems: list[str] = []

    def problem(key: str) -> None:
        if key not in problems:
            problems.append(key)

    def clean(values: dict[str, Any]) -> dict[str, Any]:
        fields = {k: v for k, v in values.items() if k in ("title", "owner", "due_date", "status", "notes")}
        if "due_date" in fields:
            due = fields["due_date"]
            try:
                fields["due_date"] = date.fromisoformat(str(due)[:10]) if due else None
            except ValueError:
                problem("plan.bad_date")
                del fields["due_date"]
            else:
                if fields["due_date"] and not limits.FIRST_DATE <= fields["due_date"] <= limits.LAST_DATE:
                    problem("plan.bad_date")
                    del fields["due_date"]
        for key in ("owner", "notes", "title"):
            if key in fields:
                fields[key] = (fields[key] or "").strip()
        for key, limit in (("title", limits.ACTION_TITLE), ("owner", limits.ACTION_OWNER), ("notes", limits.ACTION_NOTES)):
            if key in fields and len(fields[key]) > limit:
                problem("plan.too_long")  # refused, not cut: the text stays on the screen to shorten
                del fields[key]
        if "status" in fields and fields["status"] not in ("todo", "in_progress", "done", "dropped"):
            fields["status"] = "todo"
        if "title" in fields and not fields["title"]:
            problem("plan.title_required")
            del fields["title"]
        return fields

    for row, values in changes.get("edited_rows", {}).items():
        fields = clean(values)
        if not fields or int(row) >= len(shown):
            continue
        before = shown[int(row)]
        try:
            repo.update_action(before.id, expected={k: getattr(before, k) for k in fields}, **fields)
        except Gone:
            problem("plan.gone")
        except Conflict:
            problem("plan.conflict")
    added = [clean(values) for values in changes.get("added_rows", [])]
    if len(shown) + len(added) > limits.ACTIONS_PER_ASSESSMENT:
        problem("plan.too_many")
        added = added[: max(0, limits.ACTIONS_PER_ASSESSMENT - len(shown))]
    for fields in added:
        if "title" in fields:
            repo.add_action(assessment_id, **fields)
        else:
            problem("plan.title_required")
    for row in changes.get("deleted_rows", []):
        if int(row) >= len(shown):
            continue
        before = shown[int(row)]
        try:
            repo.delete_action(before.id, expected={k: getattr(before, k) for k in ("title", "owner", "due_date", "status", "notes")})
        except Conflict:
            problem("plan.delete_conflict")
    return problems


def apply_action_form(repo: Repository, assessment_id: int, shown: ActionRecord, values: dict[str, Any]) -> list[str]:
    """Save the edit form of one action (the plan's cards).

    `shown` is the action as the form was filled in with, `values` what the form holds when saved.
    Only the fields whose value differs from `shown` are sent, and they are written together only
    if none of them changed meanwhile: the expected-values rule of `apply_action_edits`, which this
    calls with the form as an edited row. A field left as shown is not sent, so someone else's
    change to it is kept and is no conflict. Returns the problems as message keys (`plan.conflict`,
    `plan.gone`, `plan.too_long`, `plan.bad_date`, `plan.title_required`); [] when saved or unchanged.
    """

    def normal(key: str, value: Any) -> str:
        if key == "due_date":
            return str(value)[:10] if value else ""
        return str(value or "").strip()

    changed = {
        key: value
        for key, value in values.items()
        if key in ("title", "owner", "due_date", "status", "notes") and normal(key, value) != normal(key, getattr(shown, key))
    }
    if not changed:
        return []
    return apply_action_edits(repo, assessment_id, [shown], {"edited_rows": {0: changed}})


# --- JSON export and import -----------------------------------------------------------------


def export_document(repo: Repository, assessment_id: int) -> dict[str, Any] | None:
    from diagnostic.exports.assessment_json import FileAssessment, build_document

    evaluation = evaluate(repo, assessment_id)
    if evaluation is None:
        return None
    a = evaluation.assessment
    company = evaluation.company
    return build_document(
        evaluation.questionnaire,
        CompanyInfo(name=company.name, notes=company.notes),
        company.profile,
        evaluation.answers,
        evaluation.comments,
        a.targets,
        [action_row(x) for x in repo.list_actions(assessment_id)],
        FileAssessment(label=a.label, status=a.status, respondent=a.respondent, created_at=a.created_at, completed_at=a.completed_at),  # type: ignore[arg-type]
    )


def questionnaire_for_import(repo: Repository, questionnaire_id: str, content_hash: str | None) -> tuple[LoadedQuestionnaire, str]:
    """The exact questionnaire of the file when this machine knows it, else the shipped one of that id."""
    from diagnostic.exports.assessment_json import ImportRefused

    if content_hash:
        text = repo.snapshot_text(content_hash)
        if text is not None:
            loaded = parse_questionnaire(text, questionnaire_id)
            if loaded.id == questionnaire_id:  # a hash copied from another questionnaire's file is not trusted
                return loaded, text
    try:
        return shipped_questionnaire(questionnaire_id)
    except KeyError:
        raise ImportRefused("import.unknown_questionnaire", questionnaire_id) from None


def prepare_import(repo: Repository, raw: bytes):  # type: ignore[no-untyped-def]
    """Parse and check a whole file; nothing is written. Returns (plan, companies with the same name).

    Any file that cannot be imported raises ImportRefused (message key + what and where), never
    another exception; the command line reads answers files with the same parse_file and plan_import.
    """
    from diagnostic.exports.assessment_json import parse_file, plan_import

    document = parse_file(raw)
    questionnaire, _ = questionnaire_for_import(repo, document.questionnaire, document.content_hash)
    plan = plan_import(document, questionnaire)
    assert document.company is not None
    return plan, repo.find_companies_by_name(document.company.name)


def apply_import(repo: Repository, plan, company_id: int | None) -> AssessmentRecord:  # type: ignore[no-untyped-def]
    """Write a checked import in one transaction; company_id None creates the company."""
    document = plan.document
    _, source_text = questionnaire_for_import(repo, plan.questionnaire.id, plan.questionnaire.content_hash)
    meta = document.assessment
    return repo.import_assessment(
        company_id=company_id,
        company_name=document.company.name,
        company_notes=document.company.notes,
        profile=document.profile,
        loaded=plan.questionnaire,
        source_text=source_text,
        label=meta.label if meta else "",
        status=meta.status if meta else "in_progress",
        respondent=meta.respondent if meta else "",
        created_at=meta.created_at if meta else None,
        completed_at=meta.completed_at if meta else None,
        targets=plan.targets,
        answers=plan.answers,
        actions=[a.model_dump() for a in document.actions],
    )
