"""Command line for questionnaire authors and batch work: python -m diagnostic --help."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from diagnostic.core import limits
from diagnostic.core.answers import Answer
from diagnostic.core.loading import LoadedQuestionnaire, QuestionnaireError
from diagnostic.core.markup import to_plain
from diagnostic.core.schema import Questionnaire
from diagnostic.core.scoring import Result, score
from diagnostic.core.values import question_max
from diagnostic.exports.assessment_json import AssessmentFile, ImportPlan, ImportRefused, parse_file, plan_import
from diagnostic.exports.audit import AUDIT_COLUMNS, audit_csv
from diagnostic.questionnaire_files import find_questionnaire, load_questionnaire


def json_schema() -> dict[str, Any]:
    schema = Questionnaire.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Autodiag RSE questionnaire"
    return schema


def questionnaire_json(loaded: LoadedQuestionnaire) -> dict[str, Any]:
    data = loaded.model.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["content_hash"] = loaded.content_hash
    for dimension in data["dimensions"]:
        for question in dimension["questions"]:
            q = loaded.questions[question["id"]]
            question["max"] = question_max(q, loaded.options(q))
            if "choices" in question:
                question["options"] = [o.model_dump(mode="json", exclude_none=True) for o in loaded.options(q)]
    return data


def result_json(loaded: LoadedQuestionnaire, result: Result, lang: str) -> dict[str, Any]:
    return {
        "questionnaire": loaded.id,
        "version": loaded.version,
        "content_hash": loaded.content_hash,
        "overall": result.overall,
        "coverage": result.coverage,
        "level": None
        if result.level is None
        else {"id": result.level.id, "rank": result.level_rank, "label": result.level.label.get(lang)},
        "capped_by_critical": result.capped_by_critical,
        "critical_unmet": result.critical_unmet,
        "dimensions": [
            {
                "id": d.id,
                "title": loaded.dimension_by_id[d.id].title.get(lang),
                "weight": d.weight,
                "score": d.score,
                "coverage": d.coverage,
                "low_confidence": d.low_confidence,
                "dont_know": d.dont_know,
            }
            for d in result.dimensions
        ],
        "questions": [
            {
                "id": q.id,
                "dimension": q.dimension,
                "applies": q.applies,
                "value": q.value,
                "max": q.max,
                "weight": q.weight,
                "counted": q.counted,
                "na": q.na,
                "dont_know": q.dont_know,
            }
            for q in result.questions.values()
        ],
        "recommendations": [
            {
                "id": r.id,
                "question": r.question,
                "dimension": r.dimension,
                "priority": r.priority,
                "effort": r.effort,
                "impact": r.impact,
                "quick_win": r.quick_win,
                "text": to_plain(r.text.get(lang)),
            }
            for r in result.recommendations
        ],
        "groups": [{"id": g.id, "score": g.score, "dimensions": g.dimensions} for g in result.groups],
        "modules": result.modules,
    }


def _fmt(value: float | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.0f}{suffix}"


def result_text(loaded: LoadedQuestionnaire, result: Result, lang: str) -> str:
    from diagnostic.i18n import t

    lines = [loaded.model.title.get(lang) + f" ({loaded.id} {loaded.version})", ""]
    level = result.level.label.get(lang) if result.level else "—"
    lines.append(
        f"{t('cli.overall', lang)}: {_fmt(result.overall, '/100')}   "
        f"{t('cli.level', lang)}: {level}   "
        f"{t('cli.coverage', lang)}: {_fmt(None if result.coverage is None else 100 * result.coverage, ' %')}"
    )
    if result.capped_by_critical:
        lines.append(t("cli.capped", lang, questions=", ".join(result.critical_unmet)))
    lines.append("")
    width = max(len(d.title.get(lang)) for d in loaded.dimensions)
    for d in result.dimensions:
        title = loaded.dimension_by_id[d.id].title.get(lang)
        flag = "  " + t("cli.low_confidence", lang) if d.low_confidence else ""
        cov = _fmt(None if d.coverage is None else 100 * d.coverage, " %")
        lines.append(f"  {title:<{width}}  {_fmt(d.score):>4}  {cov:>6}{flag}")
    if result.recommendations:
        lines += ["", t("cli.priorities", lang)]
        for r in result.recommendations[:10]:
            tag = t("cli.quick_win", lang) + " " if r.quick_win else ""
            lines.append(f"  {r.priority:5.2f}  {tag}{to_plain(r.text.get(lang))}")
    return "\n".join(lines)


class FileRefused(Exception):
    """An answers file the command line cannot use: main() prints `error: FILE: what and where`, exit 2."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def read_answers_file(path: str, lang: str = "fr") -> AssessmentFile:
    """An answers file or an exported assessment, checked exactly as the import of the app checks it
    (parse_file: size, encoding, depth, JSON, limits), or FileRefused saying why in `lang`."""
    from diagnostic.i18n import t

    try:
        with open(path, "rb") as stream:
            raw = stream.read(limits.IMPORT_BYTES + 1)  # enough to know it is too big
    except OSError as exc:
        raise FileRefused(path, t("cli.cannot_read", lang, details=exc.strerror or exc)) from None
    try:
        return parse_file(raw, answers_file=True)
    except ImportRefused as exc:
        raise FileRefused(path, exc.line(lang)) from None


def _load(id_or_path: str) -> LoadedQuestionnaire:
    """A questionnaire by path or id; exit 1 with its errors if it is invalid, 2 if the id is unknown."""
    try:
        return find_questionnaire(id_or_path)
    except QuestionnaireError as exc:
        raise SystemExit(str(exc)) from None
    except LookupError as exc:  # an unknown id: a usage error, like argparse's exit code 2
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_validate(args: argparse.Namespace) -> int:
    """The frame in the catalogue's words; a file's errors in English, as the questionnaire format guide."""
    from diagnostic.i18n import t

    paths: list[Path] = []
    for item in args.paths:
        path = Path(item)
        if path.is_dir():
            paths += sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml"))
        else:
            paths.append(path)
    if not paths:
        print(t("cli.no_questionnaire_file", args.lang), file=sys.stderr)
        return 1
    failed = 0
    for path in paths:
        try:
            loaded = load_questionnaire(path)
        except QuestionnaireError as exc:
            failed += 1
            print(exc)
        else:
            counts = {"dimensions": len(loaded.dimensions), "questions": len(loaded.questions)}
            print(t("cli.validate_ok", args.lang, path=path, id=loaded.id, version=loaded.version, **counts))
            for warning in loaded.warnings:  # in English, as the errors: they are for authors
                print(f"  warning: {warning}")
    return 1 if failed else 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from diagnostic.i18n import t

    loaded = _load(args.questionnaire)
    if args.json:
        print(json.dumps(questionnaire_json(loaded), indent=2, ensure_ascii=False))
    else:
        print(f"{loaded.model.title.get(args.lang)} ({loaded.id} {loaded.version})")
        for d in loaded.dimensions:
            print("  " + t("cli.show_dimension", args.lang, id=d.id, title=d.title.get(args.lang), count=len(d.questions)))
    return 0


def _scored_file(args: argparse.Namespace) -> tuple[LoadedQuestionnaire, AssessmentFile, ImportPlan, dict[str, Answer], Result]:
    """Read, check (plan_import: the same rules as the import of the app) and score an answers file.
    Refusals and warnings are in the language of --lang, as the page's are."""
    from diagnostic.i18n import message_text, t

    lang = args.lang
    loaded = _load(args.questionnaire)
    path = args.answers
    document = read_answers_file(path, lang)
    if document.questionnaire != loaded.id:
        raise FileRefused(path, t("cli.other_questionnaire", lang, given=document.questionnaire, expected=loaded.id))
    try:
        plan = plan_import(document, loaded)
    except ImportRefused as exc:
        raise FileRefused(path, exc.line(lang)) from None
    if not plan.same_version:
        print(t("cli.warning_version", lang, path=path, given=document.version, used=loaded.version), file=sys.stderr)
        for where, (_, reason) in zip(plan.dropped_paths, plan.dropped, strict=True):
            reason_text = message_text(reason.message, lang)
            print(t("cli.warning_dropped", lang, path=path, where=where, reason=reason_text), file=sys.stderr)
    # an exported file may hold a comment without an answer yet: the comment is kept, not scored
    answers = {qid: Answer(value, comment or None) for qid, (value, comment) in plan.answers.items() if value is not None}
    return loaded, document, plan, answers, score(loaded, document.profile, answers)


def cmd_score(args: argparse.Namespace) -> int:
    loaded, _, _, _, result = _scored_file(args)
    if args.json:
        print(json.dumps(result_json(loaded, result, args.lang), indent=2, ensure_ascii=False))
    else:
        print(result_text(loaded, result, args.lang))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from datetime import datetime

    from diagnostic.exports.assessment_json import build_document, to_json
    from diagnostic.exports.report_data import ActionRow, CompanyInfo, ReportData
    from diagnostic.i18n import t

    loaded, document, plan, answers, result = _scored_file(args)
    comments = {qid: comment for qid, (_, comment) in plan.answers.items() if comment}
    company = CompanyInfo(
        name=document.company.name if document.company else "—",
        sector=document.profile.sector,
        headcount_band=document.profile.headcount_band,
        sites=document.profile.sites,
        notes=document.company.notes if document.company else "",
    )
    actions = [ActionRow(**a.model_dump()) for a in document.actions]
    meta = document.assessment
    if args.format == "vsme":
        from diagnostic.i18n import message_text
        from diagnostic.services.vsme import plan_part, workbook_of_file

        if document.vsme is None or not document.vsme.values:
            raise SystemExit(t("cli.vsme_missing", args.lang, path=args.answers))
        already = len(plan.dropped)
        plan_part(plan)
        for where, (_, reason) in list(zip(plan.dropped_paths, plan.dropped, strict=True))[already:]:
            print(t("cli.warning_dropped", args.lang, path=args.answers, where=where, reason=message_text(reason.message, args.lang)), file=sys.stderr)
        content = workbook_of_file(document, plan.vsme, args.lang)
    elif args.format == "json":
        content = to_json(build_document(loaded, company, document.profile, answers, comments, plan.targets, actions, meta))
    else:
        data = ReportData(
            lang=args.lang,
            questionnaire=loaded,
            company=company,
            profile=document.profile,
            answers={k: Answer(a.value, comments.get(k) or a.comment) for k, a in answers.items()},
            result=result,
            assessed_on=(meta.created_at if meta and meta.created_at else None) or document.exported_at or datetime.now().astimezone(),
            respondents=[meta.respondent] if meta and meta.respondent else [],
            targets=plan.targets,
            actions=actions,
        )
        if args.format == "pdf":
            from diagnostic.exports.pdf import build_pdf

            content = build_pdf(data)
        else:
            from diagnostic.exports.excel import build_workbook

            content = build_workbook(data)
    try:
        Path(args.output).write_bytes(content)
    except OSError as exc:
        raise SystemExit(t("cli.cannot_write", args.lang, path=args.output, details=exc.strerror or exc)) from None
    print(t("cli.report_written", args.lang, path=args.output, format=args.format, count=len(content)))
    return 0


# --- operations: backup and restore -------------------------------------------------------------------


def cmd_backup(args: argparse.Namespace) -> int:
    from diagnostic.i18n import error_text, t
    from diagnostic.storage.backup import BackupFailed, backup
    from diagnostic.storage.database import database_url

    try:
        size = backup(args.database_url or database_url(), Path(args.file))
    except BackupFailed as exc:
        print(error_text(exc, args.lang), file=sys.stderr)
        return 1
    print(t("backup.written", args.lang, path=args.file, size=size))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from diagnostic.i18n import error_text, t
    from diagnostic.storage.backup import BackupFailed, restore
    from diagnostic.storage.database import database_url

    url = args.database_url or database_url()
    if not args.yes:
        print(t("backup.confirm", args.lang, path=args.file), file=sys.stderr)
        return 2
    try:
        restore(url, Path(args.file))
    except BackupFailed as exc:
        print(error_text(exc, args.lang), file=sys.stderr)
        return 1
    print(t("backup.restored", args.lang, path=args.file))
    return 0


# --- operations: python -m diagnostic admin ... ---------------------------------------------------
# On the database of DATABASE_URL (or --database-url), as the operator (every workspace, as its owner).
# Every text the operator reads is in the catalogues (keys cli.admin.*); a refusal is one line on
# stderr and exit code 2, with nothing written.

PUBLIC_URL = "http://localhost:8501"
EMAIL_MAX = 320  # the users table's column


class AdminRefused(Exception):
    """An admin command that cannot be done: its catalogue key and values, printed as one line."""

    def __init__(self, key: str, **values: object):
        super().__init__(key)
        self.key = key
        self.values = values


def _plain(value: object) -> str:
    """A stored text as the terminal shows it: control and invisible format characters (an escape
    sequence in a provider's user name, a bidi override) become U+FFFD, never instructions."""
    import unicodedata

    return "".join("\ufffd" if unicodedata.category(c) in ("Cc", "Cf", "Cs") else c for c in str(value))


def _number(value: str) -> int:
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18 or int(text) < 1:
        raise AdminRefused("cli.admin.bad_id", value=_plain(value))
    return int(text)


def _count(value: str) -> int:
    """A whole number (0 included: the service says which range it wants)."""
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise AdminRefused("cli.admin.bad_id", value=_plain(value))
    return int(text)


def _days(value: str | None) -> int:
    from diagnostic.services.workspaces import INVITATION_DAYS, MAX_INVITATION_DAYS

    if value is None:
        return INVITATION_DAYS
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 4 or not 1 <= int(text) <= MAX_INVITATION_DAYS:
        raise AdminRefused("cli.admin.bad_days", value=_plain(value), max=MAX_INVITATION_DAYS)
    return int(text)


def _email(value: str | None) -> str:
    """A plausible e-mail address (one @, something on each side, no space), lower-cased; "" for none."""
    if value is None:
        return ""
    email = value.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain.strip(".") or "@" in domain or len(email) > EMAIL_MAX or any(
        c.isspace() or not c.isprintable() for c in email
    ):
        raise AdminRefused("cli.admin.bad_email", email=_plain(value))
    return email


def _role(value: str) -> Any:
    from diagnostic.core.roles import Role

    try:
        return Role(value.strip().lower())
    except ValueError:
        raise AdminRefused("cli.admin.bad_role", role=_plain(value), roles=", ".join(r.value for r in Role)) from None


def _when(moment: Any, lang: str) -> str:
    """An expiry or an audit time: the date in the operator's language, and the time in UTC."""
    from datetime import UTC

    from diagnostic.i18n import format_date

    moment = moment.astimezone(UTC)
    return f"{format_date(moment, lang, 'medium')} {moment:%H:%M} UTC"


def _link(args: argparse.Namespace, token: str) -> str:
    import os

    base = (args.base_url or os.environ.get("AUTODIAG_PUBLIC_URL") or PUBLIC_URL).strip().rstrip("/")
    return f"{base}/?invite={token}"


def _workspace(ctx: Any, name_or_id: str) -> Any:
    """The workspace of the command line (an id or the exact name), or a refusal saying which is wrong."""
    from diagnostic.core.roles import NotFound
    from diagnostic.services import workspaces

    try:
        return workspaces.find_workspace(ctx, name_or_id.strip())
    except NotFound:
        same = [w.id for w, _ in workspaces.my_workspaces(ctx) if w.name.lower() == name_or_id.strip().lower()]
        if len(same) > 1:
            raise AdminRefused(
                "cli.admin.ambiguous_workspace", workspace=_plain(name_or_id), ids=", ".join(map(str, same))
            ) from None
        raise AdminRefused("cli.admin.unknown_workspace", workspace=_plain(name_or_id)) from None


def _company_names(ctx: Any) -> dict[int, Any]:
    from diagnostic.services import companies

    return {c.id: c for c in companies.list_companies(ctx)}


def _companies_text(ids: tuple[int, ...], known: dict[int, Any], lang: str) -> str:
    from diagnostic.i18n import t

    if not ids:
        return t("cli.admin.all_companies", lang)
    return ", ".join(f"{i} ({_plain(known[i].name)})" if i in known else str(i) for i in ids)


def _print_invitation(args: argparse.Namespace, ctx: Any, workspace: Any, issued: Any) -> None:
    from diagnostic.i18n import t

    lang = ctx.lang
    invitation = issued.invitation
    print(
        t("cli.admin.invitation", lang, id=invitation.id, role=invitation.role, workspace=_plain(workspace.name),
          expires=_when(invitation.expires_at, lang))
    )  # fmt: skip
    if invitation.company_ids:
        print(t("cli.admin.for_companies", lang, companies=_companies_text(invitation.company_ids, _company_names(ctx), lang)))
    if invitation.email:
        print(t("cli.admin.for_email", lang, email=_plain(invitation.email)))
    else:
        print(t("cli.admin.any_email", lang))
    print(_link(args, issued.token))
    print(t("cli.admin.shown_once", lang))


def _workspace_name(ctx: Any, name: str) -> str:
    """The name of a new workspace, checked: one line of printable text, unique, not a number."""
    import unicodedata

    from diagnostic.core.answers import text_problem
    from diagnostic.services import workspaces

    name = unicodedata.normalize("NFC", name).strip()
    if not name:
        raise AdminRefused("cli.admin.name_required")
    if len(name) > 200:
        raise AdminRefused("cli.admin.name_too_long", max=200)
    problem = text_problem(name, single_line=True)
    if problem:
        raise AdminRefused("cli.admin.name_invalid", details=problem)
    if name.isdigit():  # `admin invite 2024` means workspace n° 2024
        raise AdminRefused("cli.admin.name_digits", name=name)
    if any(w.name.lower() == name.lower() for w, _ in workspaces.my_workspaces(ctx)):
        raise AdminRefused("cli.admin.name_taken", name=_plain(name))
    return name


def admin_create_workspace(args: argparse.Namespace, ctx: Any) -> int:
    from diagnostic.i18n import t
    from diagnostic.services import workspaces

    if args.kind not in workspaces.KINDS:
        raise AdminRefused("cli.admin.bad_kind", kind=_plain(args.kind), kinds=", ".join(workspaces.KINDS))
    email = _email(args.owner)
    days = _days(args.expires_days)
    name = _workspace_name(ctx, args.name)

    # one transaction: no workspace without its owner's invitation
    workspace, issued = workspaces.create_workspace(ctx, name, args.kind, email, days=days)
    print(t("cli.admin.created", ctx.lang, name=_plain(workspace.name), id=workspace.id, kind=workspace.kind))
    _print_invitation(args, ctx, workspace, issued)
    return 0


def admin_invite(args: argparse.Namespace, ctx: Any) -> int:
    from diagnostic.core.roles import Role, roles_for
    from diagnostic.services import companies, workspaces

    role = _role(args.role)
    company_ids = tuple(sorted({_number(c) for c in args.company or ()}))
    email = _email(args.email)
    days = _days(args.expires_days)
    workspace = _workspace(ctx, args.workspace)
    if role not in roles_for(workspace.kind):  # a reviewer belongs to a network, a consultant does not
        raise AdminRefused(
            "cli.admin.role_not_for_kind", role=role.value, kind=workspace.kind, roles=", ".join(r.value for r in roles_for(workspace.kind))
        )
    if role is Role.COMPANY_MANAGER and not company_ids:
        raise AdminRefused("cli.admin.company_needed")
    if role is not Role.COMPANY_MANAGER and company_ids:
        raise AdminRefused("cli.admin.company_not_for_role", role=role.value)
    for company_id in company_ids:  # another workspace's company is told as one that does not exist
        found = companies.get_company(ctx, company_id)
        if found is None or found.workspace_id != workspace.id:
            raise AdminRefused("cli.admin.unknown_company", company=company_id, workspace=_plain(workspace.name))
    issued = workspaces.invite(ctx, workspace.id, role, company_ids, email=email, days=days)
    _print_invitation(args, ctx, workspace, issued)
    return 0


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def admin_list(args: argparse.Namespace, ctx: Any) -> int:
    from datetime import UTC, datetime

    from diagnostic.i18n import t
    from diagnostic.services import workspaces

    lang = ctx.lang

    def head(*keys: str) -> list[str]:
        return [t(f"cli.admin.column.{key}", lang) for key in keys]

    with ctx.uow:  # one snapshot of the database
        known = _company_names(ctx)
        if args.workspace is None:
            found = [w for w, _ in workspaces.my_workspaces(ctx)]
            if not found:
                print(t("cli.admin.no_workspaces", lang))
                return 0
            rows = [head("id", "name", "kind", "members", "companies")]
            for w in found:
                count = sum(c.workspace_id == w.id for c in known.values())
                rows.append([str(w.id), _plain(w.name), w.kind, str(len(workspaces.members(ctx, w.id))), str(count)])
            print("\n".join(_table(rows)))
            return 0
        workspace = _workspace(ctx, args.workspace)
        members = workspaces.members(ctx, workspace.id)
        invitations = workspaces.invitations(ctx, workspace.id)
    now = datetime.now(UTC)
    lines = [t("cli.admin.workspace", lang, name=_plain(workspace.name), id=workspace.id, kind=workspace.kind), ""]
    lines.append(t("cli.admin.members", lang))
    if members:
        rows = [head("user", "name", "role", "companies")]
        rows += [[str(m.user_id), _plain(m.user_label), m.role, _companies_text(m.company_ids, known, lang)] for m in members]
        lines += ["  " + line for line in _table(rows)]
    else:
        lines.append("  " + t("cli.admin.no_members", lang))
    lines += ["", t("cli.admin.invitations", lang)]
    if invitations:
        rows = [head("id", "role", "email", "state", "expires", "companies")]
        rows += [
            [str(i.id), i.role, _plain(i.email) or "—", t(f"cli.admin.state.{i.state(now)}", lang), _when(i.expires_at, lang),
             _companies_text(i.company_ids, known, lang)]
            for i in invitations
        ]  # fmt: skip
        lines += ["  " + line for line in _table(rows)]
    else:
        lines.append("  " + t("cli.admin.no_invitations", lang))
    print("\n".join(lines))
    return 0


def admin_revoke(args: argparse.Namespace, ctx: Any) -> int:
    from datetime import UTC, datetime

    from diagnostic.i18n import t
    from diagnostic.services import workspaces

    invitation_id = _number(args.invitation)

    def work(_: Any) -> Any:
        workspace = _workspace(ctx, args.workspace)
        found = next((i for i in workspaces.invitations(ctx, workspace.id) if i.id == invitation_id), None)
        if found is None:
            raise AdminRefused("cli.admin.unknown_invitation", invitation=invitation_id, workspace=_plain(workspace.name))
        state = found.state(datetime.now(UTC))
        if state != "pending":  # a used invitation stays "used" in the list, not "revoked"
            raise AdminRefused(
                "cli.admin.not_pending", invitation=invitation_id, state=t(f"cli.admin.state.{state}", ctx.lang)
            )
        workspaces.revoke_invitation(ctx, workspace.id, invitation_id)
        return workspace

    workspace = ctx.uow.run(work)
    print(t("cli.admin.revoked", ctx.lang, invitation=invitation_id, workspace=_plain(workspace.name)))
    return 0


def admin_remove_member(args: argparse.Namespace, ctx: Any) -> int:
    from diagnostic.core.roles import NotAllowed
    from diagnostic.i18n import t
    from diagnostic.services import workspaces

    user_id = _number(args.user)

    def work(_: Any) -> tuple[Any, Any]:
        workspace = _workspace(ctx, args.workspace)
        member = next((m for m in workspaces.members(ctx, workspace.id) if m.user_id == user_id), None)
        if member is None:
            raise AdminRefused("cli.admin.unknown_member", user=user_id, workspace=_plain(workspace.name))
        try:
            workspaces.remove_member(ctx, workspace.id, user_id)
        except NotAllowed as exc:
            if isinstance(exc, workspaces.LastOwner):
                raise AdminRefused("cli.admin.last_owner", user=user_id, workspace=_plain(workspace.name)) from None
            raise
        return workspace, member

    workspace, member = ctx.uow.run(work)
    print(t("cli.admin.removed", ctx.lang, user=user_id, name=_plain(member.user_label), workspace=_plain(workspace.name)))
    return 0


AUDIT_ALL = 2**31 - 1  # an export holds the whole log


def audit_json(workspace: Any, events: list[Any]) -> str:
    from datetime import UTC, datetime

    document = {
        "format": "autodiag-rse/audit",
        "workspace": {"id": workspace.id, "name": workspace.name, "kind": workspace.kind},
        "exported_at": datetime.now(UTC).isoformat(),
        "events": [
            {column: getattr(e, column).isoformat() if column == "at" else getattr(e, column) for column in AUDIT_COLUMNS}
            for e in events
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def admin_audit(args: argparse.Namespace, ctx: Any) -> int:
    from diagnostic.i18n import t
    from diagnostic.services import workspaces

    with ctx.uow:
        workspace = _workspace(ctx, args.workspace)
        events = sorted(workspaces.audit_log(ctx, workspace.id, AUDIT_ALL), key=lambda e: e.id)  # oldest first
    content = audit_csv(events) if args.format == "csv" else audit_json(workspace, events)
    if args.output is None:
        sys.stdout.write(content)
        return 0
    try:  # a CSV file opens in a spreadsheet: UTF-8 with its signature, so that accents read right
        Path(args.output).write_text(content, encoding="utf-8-sig" if args.format == "csv" else "utf-8", newline="")
    except OSError as exc:
        raise AdminRefused("cli.admin.cannot_write", path=args.output, details=exc.strerror or exc) from None
    print(t("cli.admin.audit_written", ctx.lang, workspace=_plain(workspace.name), path=args.output, count=len(events)))
    return 0


def _refusal(exc: BaseException) -> tuple[str, dict[str, object]]:
    """The catalogue key and values of a refusal by the services (checked again there)."""
    from diagnostic.core.errors import StorageUnavailable
    from diagnostic.core.roles import NotAllowed, NotFound
    from diagnostic.services.workspaces import InvitationRefused

    if isinstance(exc, AdminRefused):
        return exc.key, exc.values
    if isinstance(exc, NotFound):
        return "cli.admin.not_found", {"what": _plain(exc)}
    if isinstance(exc, NotAllowed):
        return "cli.admin.not_allowed", {"what": _plain(exc)}
    if isinstance(exc, InvitationRefused):
        return "cli.admin.refused", {"details": exc.code}
    if isinstance(exc, StorageUnavailable):
        cause = exc.__cause__
        return "cli.admin.database_busy" if exc.busy else "cli.admin.database", {
            "details": _database_problem(cause) if cause is not None else _plain(exc)
        }
    return "cli.admin.refused", {"details": _plain(exc)}


def _database_problem(exc: BaseException) -> str:
    """The first line of what the database driver said (never the URL, which may hold a password)."""
    from sqlalchemy.exc import DBAPIError

    said = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip()
    return _plain(said.splitlines()[0] if said else type(exc).__name__)


def cmd_admin(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from diagnostic.core.errors import StorageUnavailable
    from diagnostic.core.roles import NotAllowed, NotFound
    from diagnostic.i18n import t
    from diagnostic.services import workspaces
    from diagnostic.storage.uow import sql_unit_of_work

    lang = args.lang
    try:
        try:
            ctx = workspaces.operator_context(sql_unit_of_work(args.database_url), lang)
            return int(args.admin_func(args, ctx))
        except SQLAlchemyError as exc:  # a URL that cannot be used, a server that does not answer
            raise AdminRefused("cli.admin.database", details=_database_problem(exc)) from None
    except (AdminRefused, NotFound, NotAllowed, workspaces.InvitationRefused, StorageUnavailable, ValueError) as exc:
        key, values = _refusal(exc)
        print(t("cli.admin.error", lang, message=t(key, lang, **values)), file=sys.stderr)
        return 2


def cmd_invite(args: argparse.Namespace) -> int:
    """A respondent link for an assessment's group, printed as the page shows it (the assessment is
    opened to respondent groups first when it is not yet)."""
    import os

    from sqlalchemy.exc import SQLAlchemyError

    from diagnostic.core.audience import GROUPS
    from diagnostic.core.errors import DomainError, StorageUnavailable
    from diagnostic.core.roles import NotAllowed, NotFound
    from diagnostic.i18n import error_text, t
    from diagnostic.labels import group_name
    from diagnostic.services import participation, workspaces
    from diagnostic.storage.uow import sql_unit_of_work

    lang = args.lang
    try:
        try:
            assessment_id = _number(args.assessment)
            days = participation.EXPIRY_DEFAULT_DAYS if args.expires_days is None else _count(args.expires_days)
            max_uses = None if args.max_uses is None else _count(args.max_uses)
            ctx = workspaces.operator_context(sql_unit_of_work(args.database_url), lang)

            def work(uow: Any) -> tuple[Any, Any]:
                # one transaction: a refused link leaves the assessment as it was (not opened to groups)
                found = participation.participation(ctx, assessment_id)
                if found is None:
                    found = participation.open_participation(ctx, assessment_id)
                wanted = args.group.strip().lower()
                group = next((g.group for g in found.groups if wanted in (g.group.key, str(g.group.id))), None)
                if group is None:
                    raise AdminRefused("cli.invite.unknown_group", group=_plain(args.group), groups=", ".join(GROUPS))
                issued = participation.create_link(
                    ctx, assessment_id, group.id, name=args.name or "", expires_days=days, max_uses=max_uses
                )
                return group, issued

            group, issued = ctx.uow.run(work)
        except SQLAlchemyError as exc:
            raise AdminRefused("cli.admin.database", details=_database_problem(exc)) from None
    except DomainError as exc:
        print(t("cli.admin.error", lang, message=error_text(exc, lang)), file=sys.stderr)
        return 2
    except (AdminRefused, NotFound, NotAllowed, StorageUnavailable, ValueError) as exc:
        key, values = _refusal(exc)
        print(t("cli.admin.error", lang, message=t(key, lang, **values)), file=sys.stderr)
        return 2
    base = (args.base_url or os.environ.get("AUTODIAG_PUBLIC_URL") or PUBLIC_URL).strip().rstrip("/")
    label = group_name(group.key, group.label, lang)
    kind = "cli.invite.named" if issued.link.name else "cli.invite.group"
    print(t(kind, lang, group=_plain(label), name=_plain(issued.link.name), expires=_when(issued.link.expires_at, lang)))
    print(f"{base}/?repondre={issued.token}")
    print(t("participants.shown_once", lang))
    return 0


def _add_admin_parser(sub: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database-url", help="database to act on (default: $DATABASE_URL, else SQLite under data/)")
    common.add_argument("--lang", choices=("fr", "en"), default="fr")
    linked = argparse.ArgumentParser(add_help=False)
    linked.add_argument("--base-url", help="public address of the app (default: $AUTODIAG_PUBLIC_URL, else " + PUBLIC_URL + ")")
    linked.add_argument("--expires-days", metavar="N", help="days the link stays valid (1 to 90, default 7)")

    admin = sub.add_parser("admin", help="workspaces, invitations, members and audit log, on the database")
    admin.set_defaults(func=cmd_admin)
    actions = admin.add_subparsers(dest="admin_command", required=True)

    p = actions.add_parser("create-workspace", parents=[common, linked], help="create a workspace; print its owner's link")
    p.add_argument("name")
    p.add_argument("--kind", default="consultancy", help="consultancy (default), network or company")
    p.add_argument("--owner", required=True, metavar="EMAIL", help="e-mail of the owner (the only one who may use the link)")
    p.set_defaults(admin_func=admin_create_workspace)

    p = actions.add_parser("invite", parents=[common, linked], help="invite into a workspace; print the link")
    p.add_argument("workspace", help="workspace id or exact name")
    p.add_argument("--role", required=True, help="owner, admin, consultant, company_manager or viewer")
    p.add_argument("--company", nargs="+", action="extend", metavar="ID", help="company ids (company_manager only)")
    p.add_argument("--email", help="only this signed-in e-mail may use the link")
    p.set_defaults(admin_func=admin_invite)

    p = actions.add_parser("list", parents=[common], help="every workspace, or one's members and invitations")
    p.add_argument("workspace", nargs="?", help="workspace id or exact name")
    p.set_defaults(admin_func=admin_list)

    p = actions.add_parser("revoke", parents=[common], help="revoke a pending invitation")
    p.add_argument("workspace", help="workspace id or exact name")
    p.add_argument("invitation", metavar="INVITATION_ID")
    p.set_defaults(admin_func=admin_revoke)

    p = actions.add_parser("remove-member", parents=[common], help="take a member out of a workspace")
    p.add_argument("workspace", help="workspace id or exact name")
    p.add_argument("user", metavar="USER_ID")
    p.set_defaults(admin_func=admin_remove_member)

    p = actions.add_parser("audit", parents=[common], help="export a workspace's audit log")
    p.add_argument("workspace", help="workspace id or exact name")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("-o", "--output", metavar="FILE", help="file to write (default: standard output)")
    p.set_defaults(admin_func=admin_audit)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m diagnostic", description="Autodiag RSE command line")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check questionnaire files or folders")
    p.add_argument("paths", nargs="+")
    p.add_argument("--lang", choices=("fr", "en"), default="fr", help="language of the frame (a file's errors are in English)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of questionnaire files")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("show", help="a questionnaire after loading")
    p.add_argument("questionnaire", help="id of a shipped questionnaire or path to a file")
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", choices=("fr", "en"), default="fr")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("score", help="score an answers file")
    p.add_argument("questionnaire", help="id of a shipped questionnaire or path to a file")
    p.add_argument("answers", help="answers file (JSON, see docs/formats.md)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", choices=("fr", "en"), default="fr")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser(
        "report", help="produce the PDF report, the Excel workbook, the JSON file or the VSME template (EFRAG) of an answers file"
    )
    p.add_argument("questionnaire", help="id of a shipped questionnaire or path to a file")
    p.add_argument("answers", help="answers file (JSON, see docs/formats.md), or an exported assessment")
    p.add_argument("--format", choices=("pdf", "xlsx", "json", "vsme"), required=True, help="vsme: EFRAG's VSME Digital Template (.xlsx)")
    p.add_argument("-o", "--output", required=True, help="file to write")
    p.add_argument("--lang", choices=("fr", "en"), default="fr")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("invite", help="a respondent link for one group of an assessment; print the link")
    p.add_argument("assessment", metavar="ASSESSMENT_ID")
    p.add_argument("--group", required=True, help="direction, managers, staff, consultant, stakeholders (or the group id)")
    p.add_argument("--name", help="the person (named groups); without it, a group link (anonymous groups)")
    p.add_argument("--expires-days", metavar="N", help="days the link stays valid (1 to 365, default 30)")
    p.add_argument("--max-uses", metavar="N", help="how many people may open a group link (default: no limit)")
    p.add_argument("--base-url", help="public address of the app (default: $AUTODIAG_PUBLIC_URL, else " + PUBLIC_URL + ")")
    p.add_argument("--database-url", help="database to act on (default: $DATABASE_URL, else SQLite under data/)")
    p.add_argument("--lang", choices=("fr", "en"), default="fr")
    p.set_defaults(func=cmd_invite)

    p = sub.add_parser("backup", help="write a backup of the whole database (SQLite online backup, or pg_dump)")
    p.add_argument("file", help="the backup file to write")
    p.add_argument("--database-url", help="database to back up (default: $DATABASE_URL, else SQLite under data/)")
    p.add_argument("--lang", choices=("fr", "en"), default="fr")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace the whole database with a backup (then migrate it)")
    p.add_argument("file", help="a file written by `backup`")
    p.add_argument("--database-url", help="database to replace (default: $DATABASE_URL, else SQLite under data/)")
    p.add_argument("--yes", action="store_true", help="confirm: everything in the database is replaced")
    p.add_argument("--lang", choices=("fr", "en"), default="fr")
    p.set_defaults(func=cmd_restore)

    _add_admin_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except FileRefused as exc:  # one line, never a traceback: the same refusal as the import of the app
        from diagnostic.i18n import t

        print(t("cli.error", getattr(args, "lang", "fr"), path=exc.path, problem=exc.problem), file=sys.stderr)
        return 2
