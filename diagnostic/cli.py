"""Command line for questionnaire authors and batch work: python -m diagnostic --help."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from diagnostic.core import limits
from diagnostic.core.answers import Answer
from diagnostic.core.loading import LoadedQuestionnaire, QuestionnaireError, find_questionnaire, load_questionnaire
from diagnostic.core.schema import Questionnaire
from diagnostic.core.scoring import Result, score
from diagnostic.core.values import question_max
from diagnostic.exports.assessment_json import AssessmentFile, ImportPlan, ImportRefused, parse_file, plan_import


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
                "text": r.text.get(lang),
            }
            for r in result.recommendations
        ],
    }


def _fmt(value: float | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.0f}{suffix}"


def result_text(loaded: LoadedQuestionnaire, result: Result, lang: str) -> str:
    fr = lang == "fr"
    lines = [loaded.model.title.get(lang) + f" ({loaded.id} {loaded.version})", ""]
    level = result.level.label.get(lang) if result.level else "—"
    lines.append(
        f"{'Score global' if fr else 'Overall score'}: {_fmt(result.overall, '/100')}   "
        f"{'Niveau' if fr else 'Level'}: {level}   "
        f"{'Couverture' if fr else 'Coverage'}: {_fmt(None if result.coverage is None else 100 * result.coverage, ' %')}"
    )
    if result.capped_by_critical:
        lines.append(
            ("Niveau plafonné par une exigence légale non remplie : " if fr else "Level capped by an unmet legal basic: ")
            + ", ".join(result.critical_unmet)
        )
    lines.append("")
    width = max(len(d.title.get(lang)) for d in loaded.dimensions)
    for d in result.dimensions:
        title = loaded.dimension_by_id[d.id].title.get(lang)
        flag = ("  (confiance faible)" if fr else "  (low confidence)") if d.low_confidence else ""
        cov = _fmt(None if d.coverage is None else 100 * d.coverage, " %")
        lines.append(f"  {title:<{width}}  {_fmt(d.score):>4}  {cov:>6}{flag}")
    if result.recommendations:
        lines += ["", "Priorités :" if fr else "Priorities:"]
        for r in result.recommendations[:10]:
            tag = ("[gain rapide] " if fr else "[quick win] ") if r.quick_win else ""
            lines.append(f"  {r.priority:5.2f}  {tag}{r.text.get(lang)}")
    return "\n".join(lines)


class FileRefused(Exception):
    """An answers file the command line cannot use: main() prints `error: FILE: what and where`, exit 2."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def read_answers_file(path: str) -> AssessmentFile:
    """An answers file or an exported assessment, checked exactly as the import of the app checks it
    (parse_file: size, encoding, depth, JSON, limits), or FileRefused."""
    try:
        with open(path, "rb") as stream:
            raw = stream.read(limits.IMPORT_BYTES + 1)  # enough to know it is too big
    except OSError as exc:
        raise FileRefused(path, f"cannot read the file: {exc.strerror or exc}") from None
    try:
        return parse_file(raw, answers_file=True)
    except ImportRefused as exc:
        raise FileRefused(path, exc.line()) from None


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
    paths: list[Path] = []
    for item in args.paths:
        path = Path(item)
        if path.is_dir():
            paths += sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml"))
        else:
            paths.append(path)
    if not paths:
        print("error: no questionnaire file found", file=sys.stderr)
        return 1
    failed = 0
    for path in paths:
        try:
            loaded = load_questionnaire(path)
        except QuestionnaireError as exc:
            failed += 1
            print(exc)
        else:
            count = len(loaded.questions)
            print(f"{path}: ok ({loaded.id} {loaded.version}, {len(loaded.dimensions)} dimensions, {count} questions)")
    return 1 if failed else 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    loaded = _load(args.questionnaire)
    if args.json:
        print(json.dumps(questionnaire_json(loaded), indent=2, ensure_ascii=False))
    else:
        print(f"{loaded.model.title.get(args.lang)} ({loaded.id} {loaded.version})")
        for d in loaded.dimensions:
            print(f"  {d.id}: {d.title.get(args.lang)} — {len(d.questions)} questions")
    return 0


def _scored_file(args: argparse.Namespace) -> tuple[LoadedQuestionnaire, AssessmentFile, ImportPlan, dict[str, Answer], Result]:
    """Read, check (plan_import: the same rules as the import of the app) and score an answers file."""
    loaded = _load(args.questionnaire)
    path = args.answers
    document = read_answers_file(path)
    if document.questionnaire != loaded.id:
        raise FileRefused(path, f"questionnaire: the answers are for '{document.questionnaire}', not '{loaded.id}'")
    try:
        plan = plan_import(document, loaded)
    except ImportRefused as exc:
        raise FileRefused(path, exc.line()) from None
    if not plan.same_version:
        print(f"warning: {path}: answers given for version {document.version}, scored with {loaded.version}", file=sys.stderr)
        for where, (_, reason) in zip(plan.dropped_paths, plan.dropped, strict=True):
            print(f"warning: {path}: {where}: not carried over: {reason}", file=sys.stderr)
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
    if args.format == "json":
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
        raise SystemExit(f"error: cannot write {args.output}: {exc.strerror}") from None
    print(f"{args.output}: {args.format} report written ({len(content)} bytes)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m diagnostic", description="Autodiag RSE command line")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check questionnaire files or folders")
    p.add_argument("paths", nargs="+")
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

    p = sub.add_parser("report", help="produce the PDF report, the Excel workbook or the JSON file of an answers file")
    p.add_argument("questionnaire", help="id of a shipped questionnaire or path to a file")
    p.add_argument("answers", help="answers file (JSON, see docs/formats.md), or an exported assessment")
    p.add_argument("--format", choices=("pdf", "xlsx", "json"), required=True)
    p.add_argument("-o", "--output", required=True, help="file to write")
    p.add_argument("--lang", choices=("fr", "en"), default="fr")
    p.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except FileRefused as exc:  # one line, never a traceback: the same refusal as the import of the app
        print(f"error: {exc}", file=sys.stderr)
        return 2
