"""The command line, run as a user would: python -m diagnostic ..."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from diagnostic.core import limits
from diagnostic.core.errors import Message
from diagnostic.i18n import message_text, t
from tests.conftest import FIXTURES, ROOT

MINI = str(FIXTURES / "mini.yaml")


def at(where: str | Message, code: str, **params: object) -> Message:
    """What the command line says after the file's name: where (a JSON path) and what, as a Message."""
    return Message("import.detail.at", {"where": where, "problem": Message(code, params)})


def error_line(lang: str, path: object, problem: Message | str) -> str:
    """The one line of a refused answers file, in `lang`."""
    said = message_text(problem, lang) if isinstance(problem, Message) else problem
    return t("cli.error", lang, path=path, problem=said) + "\n"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "diagnostic", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def write_answers(tmp_path: Path, answers: dict, **extra) -> str:
    path = tmp_path / "answers.json"
    data = {"questionnaire": "mini", "version": "1.0", "profile": {"headcount_band": "1-10"}, "answers": answers, **extra}
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_validate_ok_and_failures() -> None:
    ok = cli("validate", MINI, "questionnaires")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert t("cli.validate_ok", "fr", path=MINI, id="mini", version="1.0", dimensions=2, questions=6) in ok.stdout
    assert "mini.yaml: ok (mini 1.0, 2 dimensions, 6 questions)" in cli("validate", MINI, "--lang", "en").stdout
    bad = cli("validate", MINI, "tests/malformed")
    assert bad.returncode == 1
    # the errors in a questionnaire file are for its authors: in English, as docs/questionnaire-format.md
    assert "tests/malformed/zero_weight.yaml: 1 error" in bad.stdout
    assert "dimensions[0].questions[0].weight (line 13): must be greater than 0" in bad.stdout
    assert "several_errors.yaml: 3 errors" in bad.stdout


def test_validate_missing_file() -> None:
    result = cli("validate", "nope.yaml")
    assert result.returncode == 1
    assert "cannot read the file" in result.stdout


def test_schema_is_json_and_committed_copy_is_up_to_date() -> None:
    result = cli("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Autodiag RSE questionnaire"
    assert "dimensions" in schema["properties"]
    committed = json.loads((ROOT / "questionnaires" / "schema.json").read_text(encoding="utf-8"))
    assert committed == schema, "questionnaires/schema.json is out of date: run `make schema`"


def test_show_lists_the_dimensions_in_the_language_asked() -> None:
    for lang, title in (("fr", "Capital humain"), ("en", "People")):
        result = cli("show", MINI, "--lang", lang)
        assert result.returncode == 0, result.stderr
        assert "  " + t("cli.show_dimension", lang, id="rh", title=title, count=3) in result.stdout.splitlines()
    assert "  rh: People — 3 questions" in result.stdout


def test_show_json_has_the_documented_fields() -> None:
    result = cli("show", MINI, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["id"] == "mini" and data["version"] == "1.0"
    dimension = data["dimensions"][0]
    assert dimension["id"] == "rh" and dimension["title"] == {"fr": "Capital humain", "en": "People"}
    assert dimension["weight"] == 2
    question = dimension["questions"][0]
    assert question["id"] == "rh.duerp" and question["type"] == "yes_no" and question["weight"] == 1
    assert question["allow_na"] is False
    assert question["text"]["fr"].startswith("Avez-vous rédigé")
    rec = question["recommendations"][0]
    assert rec["effort"] == 1 and rec["impact"] == 3 and rec["text"]["en"].startswith("Write the DUERP")
    # shared choice lists are expanded for the reader
    eco = data["dimensions"][1]["questions"][2]
    assert [o["id"] for o in eco["options"]] == ["jamais", "parfois", "toujours"]


def test_score_json_worked_example(tmp_path) -> None:
    answers = write_answers(
        tmp_path,
        {"rh.duerp": "no", "rh.formation": {"value": 3, "comment": "plan"}, "env.energie": "dont_know", "env.flotte": "yes", "env.eco-conduite": "parfois"},
    )
    result = cli("score", MINI, answers, "--json", "--lang", "en")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["overall"] == pytest.approx(125 / 3)
    assert data["level"] == {"id": "engage", "rank": 2, "label": "Committed"}
    assert data["coverage"] == 1
    dims = {d["id"]: d for d in data["dimensions"]}
    assert dims["rh"]["score"] == pytest.approx(50) and dims["env"]["score"] == pytest.approx(25)
    assert dims["env"]["low_confidence"] is True
    questions = {q["id"]: q for q in data["questions"]}
    assert questions["env.energie"]["dont_know"] is True and questions["env.energie"]["value"] == 0
    assert questions["rh.cse"]["counted"] is False and questions["rh.cse"]["value"] is None
    assert questions["rh.formation"]["max"] == 4 and questions["rh.formation"]["weight"] == 2
    recs = data["recommendations"]
    assert [r["question"] for r in recs] == ["rh.duerp", "env.energie", "rh.formation"]
    assert recs[0]["priority"] == 6 and recs[0]["quick_win"] is True
    assert recs[0]["text"] == "Write the DUERP with the INRS online tool."


def test_score_text_summary(tmp_path) -> None:
    answers = write_answers(tmp_path, {"rh.duerp": "yes", "rh.formation": 4})
    result = cli("score", MINI, answers)
    assert result.returncode == 0
    assert "Score global: 100/100" in result.stdout
    assert "Capital humain" in result.stdout


def test_score_null_where_nothing_counts(tmp_path) -> None:
    data = json.loads(cli("score", MINI, write_answers(tmp_path, {}), "--json").stdout)
    assert data["overall"] is None and data["level"] is None
    assert all(d["score"] is None for d in data["dimensions"])


@pytest.mark.parametrize(
    "answers, problem, english",
    [
        (
            {"rh.nope": 1},
            at("answers.rh.nope", "import.detail.unknown_question", question="'rh.nope'", questionnaire="mini", version="1.0"),
            "answers.rh.nope: unknown question id 'rh.nope' (not a question of mini 1.0)",
        ),
        (
            {"rh.formation": 7},
            at("answers.rh.formation", "answer.off_scale", value="7", low=0, high=4),
            "answers.rh.formation: 7 is off the scale 0 to 4",
        ),
        (
            {"rh.formation": "na"},
            at("answers.rh.formation", "answer.na_not_allowed"),
            "answers.rh.formation: N/A (non concerné) is not allowed for this question",
        ),
    ],
)
def test_score_refuses_bad_answers(tmp_path, answers, problem, english) -> None:
    path = write_answers(tmp_path, answers)
    result = cli("score", MINI, path)
    assert result.returncode == 2
    assert result.stderr == error_line("fr", path, problem)  # French by default
    result = cli("score", MINI, path, "--lang", "en")
    assert result.returncode == 2
    assert result.stderr == error_line("en", path, problem) == f"error: {path}: {english}\n"


def test_score_refuses_a_broken_file(tmp_path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"questionnaire": "mini", "answers": {', encoding="utf-8")
    result = cli("score", MINI, str(path))
    assert result.returncode == 2
    # where, in the user's language; what, in the JSON parser's own words
    where = Message("import.detail.position", {"line": 1, "column": 39})
    problem = Message("import.detail.at", {"where": where, "problem": "Expecting property name enclosed in double quotes"})
    assert result.stderr == error_line("fr", path, problem)


def test_answer_to_a_question_that_does_not_apply_is_kept_but_not_counted(tmp_path) -> None:
    answers = write_answers(tmp_path, {"rh.duerp": "yes", "rh.formation": 4, "rh.cse": 0})
    data = json.loads(cli("score", MINI, answers, "--json").stdout)
    cse = next(q for q in data["questions"] if q["id"] == "rh.cse")
    assert cse["applies"] is False and cse["counted"] is False
    assert data["overall"] == 100


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "json"])
def test_report_produces_each_format(tmp_path, fmt) -> None:
    answers = write_answers(tmp_path, {"rh.duerp": "no", "rh.formation": {"value": 3, "comment": "=1+1 plan"}, "env.energie": 2})
    out = tmp_path / f"report.{fmt}"
    result = cli("report", MINI, answers, "--format", fmt, "-o", str(out), "--lang", "en")
    assert result.returncode == 0, result.stderr
    content = out.read_bytes()
    assert result.stdout == t("cli.report_written", "en", path=out, format=fmt, count=len(content)) + "\n"
    assert result.stdout == f"{out}: {fmt} report written ({len(content)} bytes)\n"
    if fmt == "pdf":
        from io import BytesIO

        from pypdf import PdfReader

        assert content.startswith(b"%PDF")
        pdf_text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages)
        assert "People" in pdf_text and "Environment" in pdf_text
    elif fmt == "xlsx":
        from io import BytesIO

        from openpyxl import load_workbook

        book = load_workbook(BytesIO(content))
        cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
        assert not any(c.data_type == "f" for c in cells)
        assert any(c.value == "'=1+1 plan" or c.value == "=1+1 plan" for c in cells)
    else:
        document = json.loads(content)
        assert document["format"] == "autodiag-rse/assessment"
        assert document["answers"]["rh.formation"] == {"value": 3, "comment": "=1+1 plan"}
        # the JSON report is itself an answers file for score and report
        again = cli("score", MINI, str(out), "--json")
        assert again.returncode == 0, again.stderr
        first = json.loads(cli("score", MINI, answers, "--json").stdout)
        assert json.loads(again.stdout)["overall"] == first["overall"]
        pdf = tmp_path / "again.pdf"
        assert cli("report", MINI, str(out), "--format", "pdf", "-o", str(pdf)).returncode == 0
        assert pdf.read_bytes().startswith(b"%PDF")


def test_report_refuses_invalid_answers_without_writing(tmp_path) -> None:
    out = tmp_path / "report.pdf"
    path = write_answers(tmp_path, {"rh.formation": 12})
    result = cli("report", MINI, path, "--format", "pdf", "-o", str(out))
    problem = at("answers.rh.formation", "answer.off_scale", value="12", low=0, high=4)
    assert result.returncode == 2 and result.stderr == error_line("fr", path, problem)
    assert not out.exists()


# --- answers files are read like the import of the app reads them: one line, exit code 2 ----------


def score_in_process(capsys, path, *extra: str) -> tuple[int, str, str]:
    from diagnostic.cli import main

    code = main(["score", MINI, str(path), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


WHOLE_FILE = Message("import.detail.whole_file")


@pytest.mark.parametrize(
    "content, problem, english",
    [
        (
            b'{"questionnaire": "mini", "answers": {"rh.formation": NaN}}',
            at("answers.rh.formation", "import.detail.not_a_number_constant", name="NaN"),
            "answers.rh.formation: NaN is not a number",
        ),
        (
            b'{"questionnaire": "mini", "answers": {"rh.formation": 1, "rh.formation": 2}}',
            at("answers", "import.detail.duplicate_key", name="'rh.formation'"),
            "answers: the key 'rh.formation' appears more than once",
        ),
        (
            b'{"questionnaire": "mini", "answers": {"rh.formation": ' + b"9" * 5000 + b"}}",
            at("answers.rh.formation", "import.detail.huge_integer", digits=5000, max=limits.NUMBER_DIGITS),
            "answers.rh.formation: an integer of 5000 digits",
        ),
        (
            b'{"questionnaire": "mini", "answers": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            at(Message("import.detail.position", {"line": 1, "column": 57}), "import.detail.too_deep", max=20),
            "line 1, column 57: more than 20 levels of nesting",
        ),
        (
            b'{"questionnaire": "mini", "profile": {"sites": 2147483648}}',
            at("profile.sites", "answer.above_maximum", value="2147483648", maximum=100000),
            "profile.sites: 2147483648 is above the maximum 100000",
        ),
        (
            b'{"questionnaire": "mini", "answers": {"rh.formation": {"value": 2, "comment": "a\\u0000"}}}',
            at("answers.rh.formation.comment", "text.nul", position=2),
            "answers.rh.formation.comment: a NUL character",
        ),
        (
            b'{"questionnaire": "mini", "company": {"name": "   "}}',
            at("company.name", "import.detail.blank"),
            "company.name: empty or made only of spaces",
        ),
        (b'{"questionnaire": "mini", "answers": {}, "extra": 1}', at("extra", "import.detail.unknown_field"), "extra: unknown field"),
        (
            b'["questionnaire", "mini"]',
            at(WHOLE_FILE, "import.detail.not_an_object", type="list"),
            "(the whole file): a JSON list, not an object",
        ),
        (
            b'{"format": "autodiag-rse/assessment", "questionnaire": "mini"}',
            at("company", "import.detail.required"),
            "company: required but missing",
        ),
        (
            b'{"questionnaire": "other"}',
            Message("cli.other_questionnaire", {"given": "other", "expected": "mini"}),
            "questionnaire: the answers are for 'other', not 'mini'",
        ),
        (b"\xff", at(Message("import.detail.byte", {"position": 0}), "import.detail.not_utf8"), "byte 0: not UTF-8 text"),
    ],
)
def test_a_bad_answers_file_is_one_error_line_and_exit_code_2(tmp_path, capsys, content, problem, english) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(content)
    code, out, err = score_in_process(capsys, path)
    assert code == 2 and out == ""
    assert err == error_line("fr", path, problem), err  # French by default: one line
    code, out, err = score_in_process(capsys, path, "--lang", "en")
    assert code == 2 and out == ""
    assert err == error_line("en", path, problem) and err.startswith(f"error: {path}: {english}"), err


def test_a_missing_or_too_big_answers_file(tmp_path, capsys) -> None:
    code, _, err = score_in_process(capsys, tmp_path / "nope.json")
    assert code == 2 and err == error_line("fr", tmp_path / "nope.json", t("cli.cannot_read", "fr", details="No such file or directory"))
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (5 * 1024 * 1024 + 10))
    code, _, err = score_in_process(capsys, big, "--lang", "en")
    assert code == 2 and err == f"error: {big}: 5242881 bytes or more; the maximum is 5242880\n"
    code, _, err = score_in_process(capsys, big)
    too_big = Message("import.detail.too_big", {"size": 5 * 1024 * 1024 + 1, "max": 5 * 1024 * 1024})
    assert code == 2 and err == error_line("fr", big, too_big)


def test_a_plain_answers_file_with_a_bom_is_read(tmp_path, capsys) -> None:
    path = tmp_path / "answers.json"
    data = {"questionnaire": "mini", "profile": {"headcount_band": "1-10"}, "answers": {"rh.duerp": "yes", "rh.formation": 4}}
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(data).encode())
    code, out, err = score_in_process(capsys, path, "--json")
    assert code == 0 and err == ""
    assert json.loads(out)["overall"] == 100


def test_answers_of_another_version_are_scored_and_what_is_dropped_is_listed(tmp_path, capsys) -> None:
    path = write_answers(tmp_path, {"rh.duerp": "yes", "rh.formation": 7, "rh.ancienne": 2}, version="0.9")
    code, out, err = score_in_process(capsys, path, "--json", "--lang", "en")
    assert code == 0
    assert err.splitlines() == [
        f"warning: {path}: answers given for version 0.9, scored with 1.0",
        f"warning: {path}: answers.rh.formation: not carried over: 7 is off the scale 0 to 4 (in version 1.0 of mini)",
        f"warning: {path}: answers.rh.ancienne: not carried over: unknown question id 'rh.ancienne' (not a question of mini 1.0)",
    ]
    questions = {q["id"]: q for q in json.loads(out)["questions"]}
    assert questions["rh.duerp"]["value"] == 4 and questions["rh.formation"]["value"] is None
    # the same warnings in French, by default
    code, _, err = score_in_process(capsys, path, "--json")
    assert code == 0
    version = {"version": "1.0", "questionnaire": "mini"}
    off_scale = Message("answer.off_scale", {"value": "7", "low": 0, "high": 4})
    unknown = Message("import.detail.unknown_question", {"question": "'rh.ancienne'", **version})
    assert err.splitlines() == [
        t("cli.warning_version", "fr", path=path, given="0.9", used="1.0"),
        t("cli.warning_dropped", "fr", path=path, where="answers.rh.formation",
          reason=message_text(Message("import.detail.in_version", {"problem": off_scale, **version}), "fr")),
        t("cli.warning_dropped", "fr", path=path, where="answers.rh.ancienne", reason=message_text(unknown, "fr")),
    ]  # fmt: skip
    assert "7 est hors de l’échelle de 0 à 4 (dans la version 1.0 de mini)" in err  # what a French user reads


def test_the_same_version_refuses_what_another_version_would_drop(tmp_path, capsys) -> None:
    path = write_answers(tmp_path, {"rh.duerp": "yes", "rh.formation": 7})  # version 1.0, as the questionnaire
    code, _, err = score_in_process(capsys, path)
    assert code == 2 and err == error_line("fr", path, at("answers.rh.formation", "answer.off_scale", value="7", low=0, high=4))
