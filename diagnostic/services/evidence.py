"""Evidence per answer: attach a file or a link to an answer, verify it, remove it, download it.

Who may do what: whoever may edit the company attaches and removes evidence of its answers (only to
an answer that has a value: evidence backs an answer); coaches — the actors who may edit the company
and are not its company manager (consultant, admin, owner, the local owner) — mark a piece of
evidence verified, with their name and the time; whoever may view the company reads and downloads
it. Out of reach is "not found", as a missing id. Every change is in the workspace's audit log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from diagnostic.core.answers import check_question
from diagnostic.core.evidence import MAX_PER_ANSWER, EvidenceRefused, check_description, check_link, status
from diagnostic.core.roles import NotAllowed, NotFound, Permission
from diagnostic.evidence_files import inspect
from diagnostic.services import access
from diagnostic.services.coaching import is_coach_of
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import questionnaire_of
from diagnostic.storage.evidence import EvidenceRecord
from diagnostic.storage.uow import UnitOfWork


@dataclass(frozen=True)
class Download:
    name: str
    media_type: str
    content: bytes


def list_evidence(ctx: Context, assessment_id: int) -> dict[str, list[EvidenceRecord]]:
    """The assessment's evidence by question id, oldest first; NotFound out of reach."""
    with ctx.uow:
        access.assessment(ctx, assessment_id)
        found: dict[str, list[EvidenceRecord]] = {}
        for record in ctx.uow.evidence.of_assessment(access.scope(ctx), assessment_id):
            found.setdefault(record.question_id, []).append(record)
        return found


def evidence_status(ctx: Context, assessment_id: int) -> dict[str, str]:
    """question id -> "attached" | "verified" for the answers with evidence (the others are declared)."""
    return {qid: status(r.verified_at for r in records) for qid, records in list_evidence(ctx, assessment_id).items()}


def summary(ctx: Context, assessment_id: int) -> dict[str, tuple[int, str]]:
    """question id -> (pieces of evidence, status) for the answers that have evidence."""
    return {
        qid: (len(records), status(r.verified_at for r in records)) for qid, records in list_evidence(ctx, assessment_id).items()
    }


def evidenced_questions(ctx: Context, assessment_id: int) -> frozenset[str]:
    """The questions whose answer has at least one piece of evidence (attached or verified)."""
    return frozenset(list_evidence(ctx, assessment_id))


def may_verify(ctx: Context, assessment_id: int) -> bool:
    """May the actor mark this assessment's evidence verified? (False when out of reach)"""
    try:
        with ctx.uow:
            _, company = access.assessment(ctx, assessment_id)
            return is_coach_of(access.grants(ctx), company)
    except NotFound:
        return False


def _attach(ctx: Context, assessment_id: int, question_id: str, **fields: object) -> EvidenceRecord:
    def work(uow: UnitOfWork) -> EvidenceRecord:
        assessment, company = access.assessment(ctx, assessment_id, Permission.EDIT)
        check_question(questionnaire_of(uow, assessment), question_id)
        if not uow.evidence.answered(access.scope(ctx, Permission.EDIT), assessment_id, question_id):
            raise EvidenceRefused("evidence.not_answered")
        if uow.evidence.count_for(assessment_id, question_id) >= MAX_PER_ANSWER:
            raise EvidenceRefused("evidence.too_many", params={"max": MAX_PER_ANSWER})
        new_id = uow.evidence.add(assessment_id, question_id, added_by=ctx.actor.label, **fields)  # type: ignore[arg-type]
        what = fields.get("file_name") or fields.get("url")
        access.audit(ctx, company.workspace_id, "evidence.add", f"assessment:{assessment_id}", f"{question_id}: {what}")
        record = uow.evidence.get(access.scope(ctx), new_id)
        assert record is not None
        return record

    return ctx.uow.run(work)


def attach_file(
    ctx: Context, assessment_id: int, question_id: str, name: str, content: bytes, description: str = ""
) -> EvidenceRecord:
    """Keep a file as evidence of one answer; EvidenceRefused (nothing stored) for a file that is not
    what it may be, NotAllowed without the right to edit, NotFound out of reach."""
    inspected = inspect(content, name)  # before any transaction: refusing a file costs no lock
    return _attach(
        ctx, assessment_id, question_id, kind="file", file_name=inspected.name, media_type=inspected.media_type,
        sha256=hashlib.sha256(content).hexdigest(), content=content, description=check_description(description),
    )  # fmt: skip


def attach_link(ctx: Context, assessment_id: int, question_id: str, url: str, description: str = "") -> EvidenceRecord:
    """Keep a link (http or https) as evidence of one answer."""
    return _attach(
        ctx, assessment_id, question_id, kind="link", url=check_link(url), description=check_description(description)
    )


def _own(ctx: Context, evidence_id: int) -> EvidenceRecord:
    record = ctx.uow.evidence.get(access.scope(ctx), evidence_id)
    if record is None:
        raise NotFound(f"evidence {evidence_id}")
    return record


def set_verified(ctx: Context, evidence_id: int, verified: bool) -> EvidenceRecord:
    """Mark a piece of evidence verified by the actor now, or take the mark off (coaches only)."""

    def work(uow: UnitOfWork) -> EvidenceRecord:
        record = _own(ctx, evidence_id)
        _, company = access.assessment(ctx, record.assessment_id)
        if not is_coach_of(access.grants(ctx), company):
            raise NotAllowed(Permission.EDIT)
        if (record.verified_at is not None) != verified:
            uow.evidence.set_verified(evidence_id, ctx.actor.label if verified else None)
            detail = f"{record.question_id}: {'verified' if verified else 'unverified'}"
            access.audit(ctx, company.workspace_id, "evidence.verify", f"assessment:{record.assessment_id}", detail)
        return _own(ctx, evidence_id)

    return ctx.uow.run(work)


def remove(ctx: Context, evidence_id: int) -> None:
    """Delete a piece of evidence (and its file): whoever may edit the company."""

    def work(uow: UnitOfWork) -> None:
        record = _own(ctx, evidence_id)
        _, company = access.assessment(ctx, record.assessment_id, Permission.EDIT)
        uow.evidence.remove(evidence_id)
        detail = f"{record.question_id}: {record.file_name or record.url}"
        access.audit(ctx, company.workspace_id, "evidence.remove", f"assessment:{record.assessment_id}", detail)

    ctx.uow.run(work)


def download(ctx: Context, evidence_id: int) -> Download:
    """A file's name, media type and bytes; NotFound out of reach or for a link."""
    with ctx.uow:
        record = _own(ctx, evidence_id)
        content = ctx.uow.evidence.content(access.scope(ctx), evidence_id)
    if record.kind != "file" or content is None:
        raise NotFound(f"evidence file {evidence_id}")
    return Download(record.file_name, record.media_type, content)
