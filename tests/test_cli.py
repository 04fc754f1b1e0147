"""The command line, run as a user would: python -m diagnostic ..."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

MINI = str(FIXTURES / "mini.yaml")


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
    assert "mini.yaml: ok" in ok.stdout
    bad = cli("validate", MINI, "tests/malformed")
    assert bad.returncode == 1
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
    "answers, message",
    [
        ({"rh.nope": 1}, "answers.rh.nope: unknown question id 'rh.nope' (not a question of mini 1.0)"),
        ({"rh.formation": 7}, "answers.rh.formation: 7 is off the scale 0 to 4"),
        ({"rh.formation": "na"}, "answers.rh.formation: N/A (non concerné) is not allowed for this question"),
    ],
)
def test_score_refuses_bad_answers(tmp_path, answers, message) -> None:
    path = write_answers(tmp_path, answers)
    result = cli("score", MINI, path)
    assert result.returncode == 2
    assert result.stderr == f"error: {path}: {message}\n"


def test_score_refuses_a_broken_file(tmp_path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"questionnaire": "mini", "answers": {', encoding="utf-8")
    result = cli("score", MINI, str(path))
    assert result.returncode == 2
    assert result.stderr == f"error: {path}: line 1, column 39: Expecting property name enclosed in double quotes\n"


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
    result = cli("report", MINI, write_answers(tmp_path, {"rh.formation": 12}), "--format", "pdf", "-o", str(out))
    assert result.returncode == 2 and "answers.rh.formation: 12 is off the scale" in result.stderr
    assert not out.exists()


# --- answers files are read like the import of the app reads them: one line, exit code 2 ----------


def score_in_process(capsys, path, *extra: str) -> tuple[int, str, str]:
    from diagnostic.cli import main

    code = main(["score", MINI, str(path), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    "content, problem",
    [
        (b'{"questionnaire": "mini", "answers": {"rh.formation": NaN}}', "answers.rh.formation: NaN is not a number"),
        (b'{"questionnaire": "mini", "answers": {"rh.formation": 1, "rh.formation": 2}}', "answers: the key 'rh.formation' appears more than once"),
        (b'{"questionnaire": "mini", "answers": {"rh.formation": ' + b"9" * 5000 + b"}}", "answers.rh.formation: an integer of 5000 digits"),
        (b'{"questionnaire": "mini", "answers": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "line 1, column 57: more than 20 levels of nesting"),
        (b'{"questionnaire": "mini", "profile": {"sites": 2147483648}}', "profile.sites: 2147483648 is above the maximum 100000"),
        (b'{"questionnaire": "mini", "answers": {"rh.formation": {"value": 2, "comment": "a\\u0000"}}}', "answers.rh.formation.comment: a NUL character"),
        (b'{"questionnaire": "mini", "company": {"name": "   "}}', "company.name: empty or made only of spaces"),
        (b'{"questionnaire": "mini", "answers": {}, "extra": 1}', "extra: unknown field"),
        (b'["questionnaire", "mini"]', "(the whole file): a JSON list, not an object"),
        (b'{"format": "autodiag-rse/assessment", "questionnaire": "mini"}', "company: required but missing"),
        (b'{"questionnaire": "other"}', "questionnaire: the answers are for 'other', not 'mini'"),
        (b"\xff", "byte 0: not UTF-8 text"),
    ],
)
def test_a_bad_answers_file_is_one_error_line_and_exit_code_2(tmp_path, capsys, content, problem) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(content)
    code, out, err = score_in_process(capsys, path)
    assert code == 2 and out == ""
    assert err.startswith(f"error: {path}: {problem}") and err.count("\n") == 1, err


def test_a_missing_or_too_big_answers_file(tmp_path, capsys) -> None:
    code, _, err = score_in_process(capsys, tmp_path / "nope.json")
    assert code == 2 and err == f"error: {tmp_path / 'nope.json'}: cannot read the file: No such file or directory\n"
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (5 * 1024 * 1024 + 10))
    code, _, err = score_in_process(capsys, big)
    assert code == 2 and err == f"error: {big}: 5,242,881 bytes or more; the maximum is 5,242,880\n"


def test_a_plain_answers_file_with_a_bom_is_read(tmp_path, capsys) -> None:
    path = tmp_path / "answers.json"
    data = {"questionnaire": "mini", "profile": {"headcount_band": "1-10"}, "answers": {"rh.duerp": "yes", "rh.formation": 4}}
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(data).encode())
    code, out, err = score_in_process(capsys, path, "--json")
    assert code == 0 and err == ""
    assert json.loads(out)["overall"] == 100


def test_answers_of_another_version_are_scored_and_what_is_dropped_is_listed(tmp_path, capsys) -> None:
    path = write_answers(tmp_path, {"rh.duerp": "yes", "rh.formation": 7, "rh.ancienne": 2}, version="0.9")
    code, out, err = score_in_process(capsys, path, "--json")
    assert code == 0
    assert err.splitlines() == [
        f"warning: {path}: answers given for version 0.9, scored with 1.0",
        f"warning: {path}: answers.rh.formation: not carried over: 7 is off the scale 0 to 4 (in version 1.0 of mini)",
        f"warning: {path}: answers.rh.ancienne: not carried over: unknown question id 'rh.ancienne' (not a question of mini 1.0)",
    ]
    questions = {q["id"]: q for q in json.loads(out)["questions"]}
    assert questions["rh.duerp"]["value"] == 4 and questions["rh.formation"]["value"] is None


def test_the_same_version_refuses_what_another_version_would_drop(tmp_path, capsys) -> None:
    path = write_answers(tmp_path, {"rh.duerp": "yes", "rh.formation": 7})  # version 1.0, as the questionnaire
    code, _, err = score_in_process(capsys, path)
    assert code == 2 and err == f"error: {path}: answers.rh.formation: 7 is off the scale 0 to 4\n"
