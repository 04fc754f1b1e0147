"""Property: a damaged questionnaire file loads, or is refused with QuestionnaireError naming the file.

Valid files are parsed, damaged at random in their YAML tree (a key deleted, a value of the wrong
type, a huge number, NaN, a long string, None, a list item duplicated, ids swapped, a referenced id
renamed) and written back. Loading must never let another exception through (no traceback from
pydantic or yaml), and every message must name the file.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diagnostic.core.loading import QuestionnaireError, _Loader, parse_questionnaire
from tests.conftest import FIXTURES, ROOT

SOURCES = {"mini": FIXTURES / "mini.yaml", "rse-flash": ROOT / "questionnaires" / "rse-flash.yaml"}
TREES = {name: yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) for name, path in SOURCES.items()}  # noqa: S506
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

Path_ = tuple[Any, ...]

odd_values = st.one_of(
    st.sampled_from([None, True, False, 0, -1, 1.5, -1e9, 10**30, 10**400, 1e308, float("nan"), float("inf"),
                     float("-inf"), "", " ", "x" * 5000, "yes", "no", "1", "Env Energie", [], {}, [1, 2],
                     {"fr": "a"}, {"profile": "headcount", "min": 15}, {"answer": "nope", "in": ["x"]}]),
    st.integers(),
    st.floats(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
)  # fmt: skip


def paths(node: Any, here: Path_ = ()) -> Iterator[Path_]:
    """Every path below the root, depth first."""
    if isinstance(node, dict):
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, child in items:
        yield (*here, key)
        yield from paths(child, (*here, key))


def get(tree: Any, path: Path_) -> Any:
    for key in path:
        tree = tree[key]
    return tree


def put(tree: Any, path: Path_, value: Any) -> None:
    get(tree, path[:-1])[path[-1]] = value


def ids(tree: Any) -> list[Path_]:
    return [p for p in paths(tree) if p[-1] == "id" and isinstance(get(tree, p), str)]


@st.composite
def mutated(draw: st.DrawFn, name: str) -> str:
    tree = copy.deepcopy(TREES[name])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        every = list(paths(tree))
        if not every:
            break
        kind = draw(st.sampled_from(["delete", "replace", "duplicate", "swap", "rename"]))
        if kind == "delete":
            keys = [p for p in every if isinstance(get(tree, p[:-1]), dict)]
            if keys:
                path = draw(st.sampled_from(keys))
                del get(tree, path[:-1])[path[-1]]
        elif kind == "replace":
            put(tree, draw(st.sampled_from(every)), draw(odd_values))
        elif kind == "duplicate":
            lists = [p for p in every if isinstance(get(tree, p), list) and get(tree, p)]
            if lists:
                items = get(tree, draw(st.sampled_from(lists)))
                items.insert(draw(st.integers(0, len(items))), copy.deepcopy(draw(st.sampled_from(items))))
        elif kind == "swap":
            found = ids(tree)
            if len(found) >= 2:
                first, second = draw(st.lists(st.sampled_from(found), min_size=2, max_size=2, unique=True))
                a, b = get(tree, first), get(tree, second)
                put(tree, first, b)
                put(tree, second, a)
        else:  # rename one occurrence of an id: the definition or a reference to it
            names = {get(tree, p) for p in ids(tree)}
            uses = [p for p in every if isinstance(get(tree, p), str) and get(tree, p) in names]
            if uses:
                path = draw(st.sampled_from(uses))
                put(tree, path, get(tree, path) + draw(st.sampled_from(["-renamed", "x", ".2"])))
    return yaml.dump(tree, Dumper=DUMPER, allow_unicode=True, sort_keys=False)


def check(text: str, name: str) -> None:
    source = f"mutated/{name}.yaml"
    try:
        parse_questionnaire(text, source)
    except QuestionnaireError as error:
        message = str(error)
        assert error.source == source and message.startswith(f"{source}: ")
        assert error.issues and all(issue.message for issue in error.issues)
        assert "errors.pydantic.dev" not in message and "Traceback" not in message


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_unmutated_files_load(name: str) -> None:
    parse_questionnaire(yaml.dump(TREES[name], Dumper=DUMPER, allow_unicode=True, sort_keys=False), name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_mutated_mini_loads_or_says_why(data: st.DataObject) -> None:
    check(data.draw(mutated("mini")), "mini")


# 60 mutations of the flash questionnaire (0.4 s each): the suite's time (decision 126)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_mutated_flash_loads_or_says_why(data: st.DataObject) -> None:
    check(data.draw(mutated("rse-flash")), "rse-flash")


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: put(t, ("dimensions", 0, "weight"), float("nan")),
        lambda t: put(t, ("dimensions", 0, "questions", 0, "id"), 12),
        lambda t: put(t, ("dimensions", 0, "questions"), None),
        lambda t: put(t, ("results",), "x" * 5000),
        lambda t: put(t, ("version",), 10**400),
        lambda t: put(t, ("dimensions", 1, "questions", 0, "levels"), {7: {"fr": "a", "en": "b"}}),
        lambda t: put(t, ("choice_lists",), {"Bad List": []}),
    ],
)
def test_known_damage_is_refused_with_the_file_named(damage: Any) -> None:
    tree = copy.deepcopy(TREES["mini"])
    damage(tree)
    text = yaml.dump(tree, Dumper=DUMPER, allow_unicode=True, sort_keys=False)
    with pytest.raises(QuestionnaireError):
        parse_questionnaire(text, "mutated/mini.yaml")
    check(text, "mini")
