"""The whole assessment in one JSON file, and its import (validated whole, then written at once).

The file is also an answers file: `python -m diagnostic score` and `report` accept it as is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from diagnostic.answers import Answer, check_value
from diagnostic.exports.report_data import ActionRow, CompanyInfo
from diagnostic.loading import LoadedQuestionnaire
from diagnostic.profile import Profile

FORMAT = "autodiag-rse/assessment"
FORMAT_VERSION = 1
MAX_BYTES = 5 * 1024 * 1024


class FileCompany(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    notes: str = ""


class FileAssessment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = ""
    status: Literal["in_progress", "completed"] = "in_progress"
    respondent: str = ""
    created_at: datetime | None = None
    completed_at: datetime | None = None


class FileAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1)
    owner: str = ""
    due_date: date | None = None
    status: Literal["todo", "in_progress", "done", "dropped"] = "todo"
    notes: str = ""
    recommendation_id: str | None = None
    question_id: str | None = None


class AssessmentFile(BaseModel):
    """An exported assessment (and, without the optional parts, an answers file)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["autodiag-rse/assessment"] | None = None
    format_version: Literal[1] | None = None
    exported_at: datetime | None = None
    questionnaire: str
    version: str | None = None
    content_hash: str | None = None
    company: FileCompany | None = None
    assessment: FileAssessment | None = None
    profile: Profile = Field(default_factory=Profile)
    answers: dict[str, Any] = Field(default_factory=dict)
    targets: dict[str, float] = Field(default_factory=dict)
    actions: list[FileAction] = Field(default_factory=list)


def build_document(
    questionnaire: LoadedQuestionnaire,
    company: CompanyInfo,
    profile: Profile,
    answers: dict[str, Answer],
    comments: dict[str, str] | None = None,
    targets: dict[str, float] | None = None,
    actions: list[ActionRow] | None = None,
    assessment: FileAssessment | None = None,
) -> dict[str, Any]:
    comments = dict(comments or {})
    answer_items: dict[str, Any] = {}
    for qid in questionnaire.questions:  # questionnaire order: stable, readable diffs
        answer = answers.get(qid)
        comment = comments.pop(qid, None) or (answer.comment if answer else None)
        if answer is not None:
            answer_items[qid] = {"value": answer.value, "comment": comment} if comment else answer.value
        elif comment:
            answer_items[qid] = {"value": None, "comment": comment}
    document = AssessmentFile(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        exported_at=datetime.now().astimezone(),
        questionnaire=questionnaire.id,
        version=questionnaire.version,
        content_hash=questionnaire.content_hash,
        company=FileCompany(name=company.name, notes=company.notes or ""),
        assessment=assessment or FileAssessment(),
        profile=profile,
        answers=answer_items,
        targets=dict(targets or {}),
        actions=[
            FileAction(
                title=a.title, owner=a.owner, due_date=a.due_date, status=a.status,  # type: ignore[arg-type]
                notes=a.notes, recommendation_id=a.recommendation_id, question_id=a.question_id,
            )
            for a in actions or []
        ],
    )
    return document.model_dump(mode="json", exclude_none=False)


def to_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


# --- import -------------------------------------------------------------------------------------


class ImportRefused(ValueError):
    """A file that cannot be imported; `message_key` and `details` say why, for the user's language."""

    def __init__(self, message_key: str, details: str = ""):
        self.message_key = message_key
        self.details = details
        super().__init__(f"{message_key}: {details}" if details else message_key)


@dataclass
class ImportPlan:
    """What an import will write, checked whole before anything is written."""

    document: AssessmentFile
    questionnaire: LoadedQuestionnaire
    same_content: bool  # the file was made with exactly this questionnaire
    answers: dict[str, tuple[Any, str]] = field(default_factory=dict)  # question id -> (value or None, comment)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (question id, reason) not carried over
    targets: dict[str, float] = field(default_factory=dict)


def parse_file(raw: bytes) -> AssessmentFile:
    if len(raw) > MAX_BYTES:
        raise ImportRefused("import.too_big")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ImportRefused("import.not_json", "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ImportRefused("import.not_json", f"line {exc.lineno}: {exc.msg}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused("import.foreign")
    try:
        document = AssessmentFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        raise ImportRefused("import.invalid", problems) from None
    if document.company is None:
        raise ImportRefused("import.invalid", "company: missing")
    return document


def plan_import(document: AssessmentFile, questionnaire: LoadedQuestionnaire) -> ImportPlan:
    """Check every answer against `questionnaire`; keep what fits, list what cannot be carried over."""
    if document.questionnaire != questionnaire.id:
        raise ImportRefused("import.unknown_questionnaire", document.questionnaire)
    plan = ImportPlan(document, questionnaire, same_content=document.content_hash == questionnaire.content_hash)
    for qid, item in document.answers.items():
        value, comment = (item.get("value"), item.get("comment") or "") if isinstance(item, dict) else (item, "")
        if not isinstance(comment, str):
            plan.dropped.append((qid, "comment is not text"))
            continue
        if qid not in questionnaire.questions:
            plan.dropped.append((qid, "no longer in the questionnaire"))
            continue
        if value is None:
            plan.answers[qid] = (None, comment)
            continue
        try:
            plan.answers[qid] = (check_value(questionnaire, qid, value), comment)
        except ValueError as exc:
            if plan.same_content:
                raise ImportRefused("import.invalid", str(exc)) from None  # a corrupt file, not a version change
            plan.dropped.append((qid, str(exc)))
    dimensions = {d.id for d in questionnaire.dimensions}
    for dim, target in document.targets.items():
        if dim in dimensions and 0 <= target <= 100:
            plan.targets[dim] = float(target)
        elif plan.same_content:
            raise ImportRefused("import.invalid", f"target for '{dim}' ({target})")
    return plan
