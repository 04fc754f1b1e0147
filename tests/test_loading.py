"""Questionnaire files: the malformed ones each fail with the expected, located message."""

from __future__ import annotations

import hashlib
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from diagnostic.core.loading import QuestionnaireError, parse_questionnaire
from diagnostic.core.profile import NAF_DIVISIONS, naf_condition_problem, naf_section
from diagnostic.core.schema import MaturityQuestion, ProfileCondition, YesNoQuestion
from diagnostic.questionnaire_files import (
    QUESTIONNAIRES_DIR,
    UnknownQuestionnaireError,
    find_questionnaire,
    load_folder,
    load_questionnaire,
)

MALFORMED = sorted((Path(__file__).parent / "malformed").glob("*.yaml"))


def expectations(path: Path) -> list[tuple[str, str]]:
    found = re.findall(r"^# expect: (.*?) :: (.*)$", path.read_text(encoding="utf-8"), flags=re.M)
    assert found, f"{path.name} states no expected error"
    return found


def test_there_are_at_least_15_malformed_files() -> None:
    assert len(MALFORMED) >= 15


@pytest.mark.parametrize("path", MALFORMED, ids=[p.stem for p in MALFORMED])
def test_malformed_file_fails_with_expected_message(path: Path) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    error = caught.value
    assert error.source == str(path)
    assert str(path) in str(error)
    for expected_path, fragment in expectations(path):
        matching = [i for i in error.issues if i.path == expected_path and fragment in i.message]
        assert matching, f"expected {expected_path!r}: {fragment!r}; got {[str(i) for i in error.issues]}"
        assert matching[0].line is not None, "the error should give the line"


def test_all_errors_of_a_file_are_reported_at_once() -> None:
    error = pytest.raises(QuestionnaireError, load_questionnaire, Path(__file__).parent / "malformed" / "several_errors.yaml")
    assert len(error.value.issues) == 3
    assert "3 errors" in str(error.value)


def test_error_line_points_at_the_faulty_key() -> None:
    path = Path(__file__).parent / "malformed" / "zero_weight.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    issue = pytest.raises(QuestionnaireError, load_questionnaire, path).value.issues[0]
    assert lines[issue.line - 1].strip() == "weight: 0"


def test_yes_and_no_stay_strings(mini) -> None:
    # YAML 1.1 would read an unquoted `no` as false; option ids and conditions must keep the word.
    question = mini.questions["rh.duerp"]
    assert isinstance(question, YesNoQuestion)
    assert mini.questions["env.eco-conduite"].applies_when.in_ == ["yes"]


def test_mini_loads_with_indexes(mini) -> None:
    assert mini.id == "mini"
    assert list(mini.questions) == ["rh.duerp", "rh.formation", "rh.cse", "env.energie", "env.flotte", "env.eco-conduite"]
    assert mini.dimension_of["env.energie"].id == "env"
    assert isinstance(mini.questions["rh.formation"], MaturityQuestion)
    assert [o.id for o in mini.options(mini.questions["env.eco-conduite"])] == ["jamais", "parfois", "toujours"]
    assert len(mini.content_hash) == 64


def test_content_hash_follows_the_content(tmp_path, mini) -> None:
    source = Path(mini.source).read_text(encoding="utf-8")
    copy = tmp_path / "copy.yaml"
    copy.write_text(source, encoding="utf-8")
    assert load_questionnaire(copy).content_hash == mini.content_hash
    copy.write_text(source.replace("Mini-diagnostic", "Mini diagnostic RSE"), encoding="utf-8")
    assert load_questionnaire(copy).content_hash != mini.content_hash


# --- what the format accepts on purpose -------------------------------------------------------

MINI_TEXT = (Path(__file__).parent / "fixtures" / "mini.yaml").read_text(encoding="utf-8")


def test_quoted_level_keys_are_the_levels() -> None:
    levels = "".join(f"\n          '{i}': {{fr: 'Niveau {i}', en: 'Level {i}'}}" for i in range(5))
    text = MINI_TEXT.replace(
        "        text: {fr: \"Avez-vous un plan de formation ?\"",
        f"        levels:{levels}\n        text: {{fr: \"Avez-vous un plan de formation ?\"",
    )
    question = parse_questionnaire(text, "quoted.yaml").questions["rh.formation"]
    assert isinstance(question, MaturityQuestion)
    assert question.levels is not None and sorted(question.levels) == [0, 1, 2, 3, 4]
    assert question.levels[3].en == "Level 3"


def test_a_merge_key_may_be_overridden() -> None:
    # `<<: *anchor` then the same key is YAML's way to reuse a mapping: not a repeated key
    text = MINI_TEXT.replace(
        "title: {fr: \"Mini-diagnostic\", en: \"Mini diagnostic\"}",
        "title: &t {fr: \"Mini-diagnostic\", en: \"Mini diagnostic\"}\ndescription: {<<: *t, en: \"A small one\"}",
    )
    loaded = parse_questionnaire(text, "merge.yaml")
    assert loaded.model.description is not None
    assert (loaded.model.description.fr, loaded.model.description.en) == ("Mini-diagnostic", "A small one")


def test_a_repeated_key_inside_a_merged_mapping_is_refused() -> None:
    text = MINI_TEXT.replace(
        "title: {fr: \"Mini-diagnostic\", en: \"Mini diagnostic\"}",
        "title: &t {fr: \"Mini-diagnostic\", en: \"Mini diagnostic\"}\ndescription: {<<: *t, en: \"A\", en: \"B\"}",
    )
    issues = pytest.raises(QuestionnaireError, parse_questionnaire, text, "merge.yaml").value.issues
    assert [(i.path, i.line) for i in issues] == [("description.en", 6)]


def test_shipped_sector_codes_pass_the_naf_check() -> None:
    # the shipped file loads, so its codes passed; make sure the check did see them
    loaded = load_questionnaire(QUESTIONNAIRES_DIR / "rse-performance-globale.yaml")
    codes = [
        code
        for q in loaded.questions.values()
        if isinstance(q.applies_when, ProfileCondition) and q.applies_when.profile == "sector"
        for code in q.applies_when.in_ or []
    ]
    assert "49.1" in codes and all(naf_condition_problem(code) is None for code in codes)


@pytest.mark.parametrize(
    "code, ok",
    [("C", True), ("U", True), ("01", True), ("10", True), ("10.7", True), ("10.71", True), ("10.71C", True),
     ("99", True), ("04", False), ("34", False), ("89", False), ("V", False), ("c", False), ("10.7C", False),
     ("1071", False), ("10.711", False), ("", False), ("10-7", False)],
)  # fmt: skip
def test_naf_codes_in_conditions(code: str, ok: bool) -> None:
    assert (naf_condition_problem(code) is None) == ok


def test_naf_divisions_are_the_88_of_nace_rev2() -> None:
    divisions = [d for section in NAF_DIVISIONS.values() for d in section]
    assert len(divisions) == len(set(divisions)) == 88
    assert {4, 34, 40, 44, 48, 54, 57, 67, 76, 83, 89}.isdisjoint(divisions)
    assert naf_section("25.62A") == "C" and naf_section("34.10") is None


# --- a folder of questionnaires: one bad file does not hide the others ------------------------

BROKEN = "schema_version: 1\nid: broken\nversion: '1'\ntitle: {fr: Titre}\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "a-broken.yaml").write_text(BROKEN, encoding="utf-8")  # sorts first
    (tmp_path / "mini.yaml").write_text(MINI_TEXT, encoding="utf-8")
    (tmp_path / "other-name.yaml").write_text(MINI_TEXT.replace("id: mini", "id: renamed"), encoding="utf-8")
    return tmp_path


def test_load_folder_skips_and_reports_an_invalid_file(folder: Path) -> None:
    valid, invalid = load_folder(folder)
    assert [q.id for q in valid] == ["mini", "renamed"]
    assert [(path.name, type(error)) for path, error in invalid] == [("a-broken.yaml", QuestionnaireError)]
    assert "a-broken.yaml" in str(invalid[0][1]) and "'dimensions' is required" in str(invalid[0][1])
    assert valid[0].text == MINI_TEXT


def test_load_folder_refuses_a_second_file_with_the_same_id(folder: Path) -> None:
    (folder / "z-copy.yaml").write_text(MINI_TEXT, encoding="utf-8")
    valid, invalid = load_folder(folder)
    assert [q.source for q in valid if q.id == "mini"] == [str(folder / "mini.yaml")]
    issue = dict((p.name, e) for p, e in invalid)["z-copy.yaml"].issues[0]
    assert (issue.path, issue.line) == ("id", 3) and "already used by mini.yaml" in issue.message


def test_find_questionnaire_despite_an_invalid_file(folder: Path) -> None:
    assert find_questionnaire("mini", folder).id == "mini"
    assert find_questionnaire("renamed", folder).source == str(folder / "other-name.yaml")


def test_an_unknown_id_is_not_another_files_errors(folder: Path) -> None:
    with pytest.raises(UnknownQuestionnaireError) as caught:
        find_questionnaire("nope", folder)
    message = str(caught.value)
    assert message.startswith("unknown questionnaire id 'nope'; known ids: mini, renamed")
    assert "1 invalid file skipped: a-broken.yaml" in message
    assert "dimensions" not in message and "\n" not in message
    assert isinstance(caught.value, LookupError)


def test_the_file_named_after_the_id_reports_its_own_errors(folder: Path) -> None:
    with pytest.raises(QuestionnaireError, match="a-broken.yaml: 2 errors"):
        find_questionnaire("a-broken", folder)


def test_cli_unknown_id_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text('{"questionnaire": "nope", "answers": {}}', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "diagnostic", "score", "nope", str(answers)],
        cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: unknown questionnaire id 'nope'; known ids: ")
    assert "rse-flash" in result.stderr and "rse-performance-globale" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_services_skip_and_log_an_invalid_shipped_file(folder: Path, monkeypatch, caplog) -> None:
    from diagnostic.services import questionnaires

    monkeypatch.setattr(questionnaires, "load_folder", lambda: load_folder(folder))
    monkeypatch.setattr(questionnaires, "_shipped", {})
    monkeypatch.setattr(questionnaires, "_skipped", [])
    monkeypatch.setattr(questionnaires, "_by_hash", {})
    with caplog.at_level(logging.ERROR, logger="autodiag"):
        assert {q.id for q in questionnaires.shipped_questionnaires()} == {"mini", "renamed"}
    assert "a-broken.yaml" in caplog.text
    problems = questionnaires.questionnaire_problems()
    assert [Path(path).name for path, _ in problems] == ["a-broken.yaml"]
    assert "'dimensions' is required" in problems[0][1]
    loaded, text = questionnaires.shipped_questionnaire("mini")
    assert text == MINI_TEXT and loaded.content_hash == hashlib.sha256(text.encode()).hexdigest()
    with pytest.raises(KeyError):
        questionnaires.shipped_questionnaire("broken")
