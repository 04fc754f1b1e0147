"""Questionnaire files: the malformed ones each fail with the expected, located message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from diagnostic.loading import QuestionnaireError, load_questionnaire
from diagnostic.schema import MaturityQuestion, YesNoQuestion

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
