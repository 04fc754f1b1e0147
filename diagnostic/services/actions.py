"""The action plan: list, add from a recommendation, edit in the table or the cards, delete."""

from __future__ import annotations

import hashlib
from datetime import date
from functools import partial
from typing import Any

from diagnostic.core import limits
from diagnostic.core.errors import Conflict, Gone
from diagnostic.core.markup import to_plain
from diagnostic.core.recommendations import RankedRecommendation
from diagnostic.core.roles import Permission, Scope
from diagnostic.services import access
from diagnostic.services.context import Context
from diagnostic.storage.records import ActionRecord
from diagnostic.storage.uow import UnitOfWork

EDITABLE = ("title", "owner", "due_date", "status", "notes")


def list_actions(ctx: Context, assessment_id: int) -> list[ActionRecord]:
    """The plan of the assessment ([] when it is out of reach)."""
    with ctx.uow:
        return ctx.uow.actions.list(access.scope(ctx), assessment_id)


def _edit_scope(ctx: Context, assessment_id: int) -> Scope:
    """The actor's edit scope, after checking the assessment may be edited (NotFound, NotAllowed)."""
    with ctx.uow:
        access.assessment(ctx, assessment_id, Permission.EDIT)
        return access.scope(ctx, Permission.EDIT)


def add_from_recommendation(ctx: Context, assessment_id: int, recommendation: RankedRecommendation) -> ActionRecord:
    """The recommendation as a new action of the plan."""

    def work(uow: UnitOfWork) -> ActionRecord:
        _, company = access.assessment(ctx, assessment_id, Permission.EDIT)
        added = uow.actions.add(
            access.scope(ctx, Permission.EDIT), assessment_id, to_plain(recommendation.text.get(ctx.lang)),
            recommendation_id=recommendation.id, question_id=recommendation.question,
        )  # fmt: skip
        access.audit(ctx, company.workspace_id, "action.create", f"assessment:{assessment_id}", added.title[:200])
        return added

    return ctx.uow.run(work)


def plan_digest(actions: list[ActionRecord]) -> str:
    """A fingerprint of the plan as stored: changes when any action is added, edited or deleted."""
    text = repr([(a.id, a.title, a.owner, a.due_date, a.status, a.notes, a.position) for a in actions])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def apply_action_edits(ctx: Context, assessment_id: int, shown: list[ActionRecord], changes: dict[str, Any]) -> list[str]:
    """Apply the edits of the action-plan table (edited, added, deleted rows) as soon as they are made.

    `shown[i]` is the action on the table's row i as the screen drew it. An edited cell is written
    only if nobody changed that cell meanwhile; a row is deleted only if nobody changed it meanwhile.
    Returns the problems met as message keys (a row without a title, an edit that met someone
    else's), each once; what could be applied is applied.
    """
    problems: list[str] = []
    edit_scope = _edit_scope(ctx, assessment_id)

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

    # each run with its row's values bound (partial, not a closure over the loop's variables)
    def update(uow: UnitOfWork, action_id: int, expected: dict[str, Any], fields: dict[str, Any]) -> ActionRecord:
        return uow.actions.update(edit_scope, action_id, expected=expected, **fields)

    def add(uow: UnitOfWork, fields: dict[str, Any]) -> ActionRecord:
        return uow.actions.add(edit_scope, assessment_id, **fields)

    def delete(uow: UnitOfWork, action_id: int, expected: dict[str, Any]) -> None:
        uow.actions.delete(edit_scope, action_id, expected=expected)

    for row, values in changes.get("edited_rows", {}).items():
        fields = clean(values)
        if not fields or int(row) >= len(shown):
            continue
        before = shown[int(row)]
        try:
            expected = {k: getattr(before, k) for k in fields}
            ctx.uow.run(partial(update, action_id=before.id, expected=expected, fields=fields))
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
            ctx.uow.run(partial(add, fields=fields))
        else:
            problem("plan.title_required")
    for row in changes.get("deleted_rows", []):
        if int(row) >= len(shown):
            continue
        before = shown[int(row)]
        try:
            expected = {k: getattr(before, k) for k in EDITABLE}
            ctx.uow.run(partial(delete, action_id=before.id, expected=expected))
        except Conflict:
            problem("plan.delete_conflict")
    counts = {k: len(changes.get(k) or ()) for k in ("edited_rows", "added_rows", "deleted_rows")}
    if any(counts.values()):

        def log(uow: UnitOfWork) -> None:
            _, company = access.assessment(ctx, assessment_id)
            detail = "modifiées {edited_rows}, ajoutées {added_rows}, supprimées {deleted_rows}".format(**counts)
            access.audit(ctx, company.workspace_id, "plan.update", f"assessment:{assessment_id}", detail)

        ctx.uow.run(log)
    return problems


def apply_action_form(ctx: Context, assessment_id: int, shown: ActionRecord, values: dict[str, Any]) -> list[str]:
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
    return apply_action_edits(ctx, assessment_id, [shown], {"edited_rows": {0: changed}})
