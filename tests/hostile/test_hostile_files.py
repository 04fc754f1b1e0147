"""Every door refuses bad input clearly: the import of the Company page and the command line.

For each hostile kind (tests/hostile/hostile.py), made from a valid export: the import refuses it
with the expected message key and details naming the place, the database is unchanged (every
table), the message shows in French and English; and `python -m diagnostic score` refuses it too,
with exit code 2, one `error: FILE: what and where` line (the same details, in the language of
--lang: French by default) and no traceback.
On SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from diagnostic.cli import main
from diagnostic.exports.assessment_json import ImportRefused, to_json
from diagnostic.i18n import TEXTS, error_text, message_text, t
from diagnostic.questionnaire_files import find_questionnaire
from diagnostic.services import actions, assessments, companies, demo, reports, transfer
from diagnostic.services.context import Context
from tests.conftest import ROOT, fresh_engine, local_context, row_counts
from tests.hostile.hostile import ACCEPTED, HOSTILE, MATURITY, Kind

QUESTIONNAIRE = "rse-performance-globale"


@pytest.fixture(scope="module")
def database(demo_export) -> tuple[Context, bytes]:
    """A database holding the demo company, and the valid export every hostile file is made from."""
    return demo_export


@pytest.fixture(scope="module")
def valid_export(tmp_path_factory) -> bytes:
    """A valid export, for the tests of the command line alone (which uses no database)."""
    engine = fresh_engine(f"sqlite:///{tmp_path_factory.mktemp('export') / 'export.db'}")
    ctx = local_context(engine)
    _, assessment = demo.create_demo(ctx)
    raw = to_json(reports.export_document(ctx, assessment.id))
    engine.dispose()
    return raw


def counts(ctx: Context) -> dict[str, int]:
    return row_counts(ctx.uow.engine)


def error_prefix(path, lang: str = "fr") -> str:
    """How the command line's one error line starts: "erreur : FILE : " / "error: FILE: "."""
    return t("cli.error", lang, path=path, problem="")


def run_cli(path, capsys, *extra: str) -> tuple[int, str, str]:
    code = main(["score", QUESTIONNAIRE, str(path), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_there_are_enough_kinds_and_every_key_has_both_languages() -> None:
    assert len({k.name for k in HOSTILE}) == len(HOSTILE) >= 40
    for key in {k.key for k in HOSTILE}:
        fr, en = TEXTS[key]
        assert fr and en and fr != en


@pytest.mark.parametrize("kind", HOSTILE, ids=str)
def test_a_hostile_file_is_refused_clearly_and_changes_nothing(database, kind: Kind, tmp_path, capsys) -> None:
    ctx, raw = database
    hostile = kind.make(raw)
    before = counts(ctx)
    with pytest.raises(ImportRefused) as caught:
        plan, _ = transfer.prepare_import(ctx, hostile)
        transfer.apply_import(ctx, plan, None)
    refused = caught.value
    assert refused.message_key == kind.key, refused.details
    assert kind.where in refused.details
    assert counts(ctx) == before

    # what the Company page shows: error_text(refused, lang), why and (translated) what and where
    assert refused.detail is not None or kind.name == "unknown-questionnaire", refused.details
    for lang in ("fr", "en"):
        details = message_text(refused.detail, lang) if refused.detail is not None else refused.details
        assert error_text(refused, lang) == t(refused.message_key, lang, details=details)
        if "{details}" in TEXTS[refused.message_key][1]:
            assert details in error_text(refused, lang)
    if refused.detail is not None:  # `details`: the same in English (for logs), cut if very long
        assert message_text(refused.detail, "en").startswith(refused.details.removesuffix("…"))

    # the command line: the same decision, one line saying what and where, exit code 2, in either language
    path = tmp_path / f"{kind.name}.json"
    path.write_bytes(hostile)
    for lang in ("fr", "en"):
        code, out, err = run_cli(path, capsys, "--lang", lang)
        assert code == 2
        assert out == "" and "Traceback" not in err
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith(error_prefix(path, lang)), err
        if kind.name == "unknown-questionnaire":  # the command line is told which questionnaire to use
            problem = t("cli.other_questionnaire", lang, given="iso-42", expected=QUESTIONNAIRE)
        else:
            problem = refused.line(lang)
        assert lines[0] == t("cli.error", lang, path=path, problem=problem)
    assert lines[0].startswith(f"error: {path}: ")  # English, with --lang en


@pytest.mark.parametrize("kind", ACCEPTED, ids=str)
def test_lenient_cases_go_through_on_the_page_and_on_the_command_line(database, kind: Kind, tmp_path, capsys) -> None:
    ctx, raw = database
    accepted = kind.make(raw)
    plan, _ = transfer.prepare_import(ctx, accepted)
    imported = transfer.apply_import(ctx, plan, None)
    company = companies.get_company(ctx, imported.company_id)
    evaluation = assessments.evaluate(ctx, imported.id)
    assert company is not None and evaluation is not None
    assert actions.list_actions(ctx, imported.id) == actions.list_actions(ctx, imported.id)  # readable

    path = tmp_path / f"{kind.name}.json"
    path.write_bytes(accepted)
    code, out, err = run_cli(path, capsys, "--json")
    assert code == 0, err
    assert "error" not in err and out.startswith("{")
    warnings = err.splitlines()
    if plan.same_version:
        assert plan.dropped == [] and warnings == []
    else:  # another version: each answer not carried over is listed, on the page and on the command line
        assert len(warnings) == 1 + len(plan.dropped)
        for where, (_, reason) in zip(plan.dropped_paths, plan.dropped, strict=True):
            said = message_text(reason.message, "fr")
            assert t("cli.warning_dropped", "fr", path=path, where=where, reason=said) in warnings
        _, _, err = run_cli(path, capsys, "--json", "--lang", "en")
        for where, (_, reason) in zip(plan.dropped_paths, plan.dropped, strict=True):
            assert f"warning: {path}: {where}: not carried over: {reason}" in err.splitlines()


def test_another_version_lists_what_it_drops_and_keeps_the_rest(database) -> None:
    ctx, raw = database
    kind = next(k for k in ACCEPTED if k.name == "another-version-drops-and-lists")
    plan, _ = transfer.prepare_import(ctx, kind.make(raw))
    assert not plan.same_version
    dropped = dict(plan.dropped)
    # the file says 0.9.0: an answer is checked against, and the reason names, the version installed here
    shipped = find_questionnaire(QUESTIONNAIRE).version
    assert shipped != "0.9.0"
    assert dropped[MATURITY] == f"7 is off the scale 0 to 4 (in version {shipped} of rse-performance-globale)"
    # the same reason, as the page shows it in each language
    assert message_text(dropped[MATURITY].message, "en") == dropped[MATURITY]
    version = {"version": shipped, "questionnaire": QUESTIONNAIRE}
    off_scale = t("answer.off_scale", "fr", value="7", low=0, high=4)
    assert message_text(dropped[MATURITY].message, "fr") == t("import.detail.in_version", "fr", problem=off_scale, **version)
    assert dropped["gov.ancienne-question"].startswith("unknown question id 'gov.ancienne-question'")
    assert "targets.ancienne-dimension" in dropped
    assert plan.answers[MATURITY] == (None, "ancienne échelle 0–7")  # the comment is kept


def test_names_are_normalised_so_that_a_decomposed_name_finds_the_same_company(database) -> None:
    ctx, raw = database
    kind = next(k for k in ACCEPTED if k.name == "decomposed-name-normalised")
    plan, matches = transfer.prepare_import(ctx, kind.make(raw))
    assert plan.document.company.name == "Menuiserie Durand (démo)"
    assert matches and matches[0].name == "Menuiserie Durand (démo)"


def test_a_utf8_bom_is_accepted(database) -> None:
    ctx, raw = database
    plan, _ = transfer.prepare_import(ctx, b"\xef\xbb\xbf" + raw)
    assert plan.same_content and plan.dropped == []


def test_the_real_command_line_never_prints_a_traceback(valid_export, tmp_path) -> None:
    """A few of the nastiest files through `python -m diagnostic score`, as a user would run it."""
    raw = valid_export
    nasty = ["100000-brackets", "5000-digit-answer", "nan-answer", "lone-surrogate", "nul-in-answer-key", "too-big", "not-utf8"]
    processes = []
    for kind in (k for k in HOSTILE if k.name in nasty):
        path = tmp_path / f"{kind.name}.json"
        path.write_bytes(kind.make(raw))
        command = [sys.executable, "-m", "diagnostic", "score", QUESTIONNAIRE, str(path)]
        processes.append((path, subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    assert len(processes) == len(nasty)
    for path, process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 2, err
        assert out == "" and "Traceback" not in err
        assert err.count("\n") == 1 and err.startswith(error_prefix(path)), err
