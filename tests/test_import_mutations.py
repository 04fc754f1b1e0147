"""Property: whatever is done to a valid exported file, the import either succeeds or says why.

A valid export is mutated (values changed to other JSON types, huge or negative numbers, NaN,
strings up to and past the limits, NUL and invisible characters, dates out of range, keys deleted
and added); then prepare_import + apply_import either succeed or raise ImportRefused — never another
exception. After a refusal the database is unchanged; after a success the company and the
assessment read back (and export again into a file that imports). On SQLite, and on PostgreSQL
when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from diagnostic.core import limits
from diagnostic.exports.assessment_json import ImportRefused, to_json
from diagnostic.i18n import error_text, message_text
from diagnostic.services import actions, assessments, companies, reports, transfer
from diagnostic.services.context import Context
from tests.conftest import row_counts

Path = tuple[Any, ...]


@pytest.fixture(scope="module")
def exported(demo_export) -> tuple[Context, dict[str, Any]]:
    ctx, raw = demo_export
    return ctx, json.loads(raw)


def counts(ctx: Context) -> dict[str, int]:
    return row_counts(ctx.uow.engine)


def paths_of(document: Any) -> list[Path]:
    """Every place in the document, grouped later by its first key so that each part gets mutated."""
    found: list[Path] = []
    stack: list[tuple[Path, Any]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if path:
            found.append(path)
        if isinstance(value, dict):
            stack += [((*path, k), v) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [((*path, i), v) for i, v in enumerate(value)]
    return found


LENGTHS = sorted({0, 1, 39, 40, 41, 79, 80, 81, 99, 100, 101, 199, 200, 201, 999, 1000, 1001,
                  limits.TEXT_ANSWER, limits.TEXT_ANSWER + 1, limits.COMPANY_NOTES, limits.COMPANY_NOTES + 1})  # fmt: skip
CHARS = ["x", "é", " ", "😀", "\n", "\x00", "\x07", "\u200b", "\u202e", "\u0430", "\ud800"]  # fine first, then hostile
SPECIAL = [
    "", " ", "na", "dont_know", "yes", "no", "0", "NaN", "Infinity", "1e999", "Durand", "Dur\u0430nd", "Menuiserie Durand (démo)",
    "1970-01-01", "2100-12-31", "0001-01-01", "9999-12-31", "2026-02-30", "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00+00:00", "2100-12-31T23:59:59+00:00", "2101-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+14:00", "2025-06-01T10:00:00", "autodiag-rse/assessment", "rse-flash", "in_progress", "done",
]  # fmt: skip
NUMBERS = [0, 1, 4, 5, -1, 100, 101, 2**31 - 1, 2**31, 2**63, limits.SITES, limits.SITES + 1, 10**29, 10**30, 10**31, 10**400]

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(NUMBERS),
    st.integers(),
    st.floats(),  # NaN and infinities included: json.dumps writes them as NaN / Infinity
    st.builds(lambda char, n: char * n, st.sampled_from(CHARS), st.sampled_from(LENGTHS)),
    st.sampled_from(SPECIAL),
    st.text(max_size=20),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Cf"]), max_size=20),  # printable
)
json_values = st.recursive(
    leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6
)
KEYS = ["value", "comment", "title", "name", "notes", "format", "sites", "gov", "gov.engagement-direction", "gov.nope", "x"]


@st.composite
def mutations(draw, document: dict[str, Any]) -> list[tuple[str, Path, Any]]:
    groups: dict[Any, list[Path]] = {}
    for path in paths_of(document):  # the header fields (format, version, ...) as one part
        part = path[0] if isinstance(document[path[0]], (dict, list)) else "header"
        groups.setdefault(part, []).append(path)
    place = st.sampled_from(sorted(groups)).flatmap(lambda key: st.sampled_from(sorted(groups[key], key=repr)))
    changes = []
    for operation in draw(st.lists(st.sampled_from(["set", "similar", "similar", "delete", "add"]), min_size=1, max_size=3)):
        path = draw(place)
        if operation == "set":
            changes.append(("set", path, draw(json_values)))
        elif operation == "similar":  # a value of the same JSON type: more files get through, to the database
            changes.append(("set", path, draw(similar(value_at(document, path)))))
        elif operation == "delete":
            changes.append(("delete", path, None))
        else:
            changes.append(("add", path, (draw(st.sampled_from(KEYS) | st.text(max_size=8)), draw(json_values))))
    return changes


def value_at(document: Any, path: Path) -> Any:
    for key in path:
        document = document[key]
    return document


def similar(original: Any) -> st.SearchStrategy[Any]:
    if isinstance(original, bool):
        return st.booleans() | st.none()
    if isinstance(original, (int, float)):
        return st.sampled_from(NUMBERS) | st.integers(-10, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
    if isinstance(original, str):
        return st.one_of(
            st.builds(lambda char, n: char * n, st.sampled_from(CHARS[:4]), st.sampled_from(LENGTHS)),
            st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Cf"]), max_size=30),
            st.sampled_from(SPECIAL),
        )
    return json_values


def mutate(document: dict[str, Any], changes: list[tuple[str, Path, Any]]) -> dict[str, Any]:
    document = copy.deepcopy(document)
    for operation, path, value in changes:
        parent: Any = document
        try:
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]]  # noqa: B018 (still there after the earlier changes?)
        except (KeyError, IndexError, TypeError):
            continue
        if operation == "set":
            parent[path[-1]] = value
        elif operation == "delete":
            del parent[path[-1]]
        else:
            target = parent[path[-1]]
            if isinstance(target, dict):
                target[value[0]] = value[1]
            elif isinstance(target, list):
                target.append(value[1])
            else:
                parent[path[-1]] = value[1]
    return document


def check_one_import(ctx: Context, raw: bytes) -> str:
    """"imported" (and read back), or the message key of the refusal (and nothing was written)."""
    before = counts(ctx)
    try:
        plan, _ = transfer.prepare_import(ctx, raw)
        imported = transfer.apply_import(ctx, plan, None)
    except ImportRefused as refused:
        assert refused.message_key.startswith("import.") and (refused.details or refused.message_key == "import.foreign")
        assert counts(ctx) == before
        for lang in ("fr", "en"):  # every refusal reads in both languages: its codes exist, its values are given
            assert error_text(refused, lang) and refused.line(lang)
        return refused.message_key
    for lang in ("fr", "en"):
        assert all(message_text(reason.message, lang) for _, reason in plan.dropped)
    assert companies.get_company(ctx, imported.company_id) is not None
    evaluation = assessments.evaluate(ctx, imported.id)
    assert evaluation is not None
    actions.list_actions(ctx, imported.id)
    again, _ = transfer.prepare_import(ctx, to_json(reports.export_document(ctx, imported.id)))
    assert again.dropped == []
    return "imported"


# 40 mutations per database (each one a whole import, evaluation and export): the suite's time (decision 126)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_a_mutated_export_is_imported_or_refused_never_a_crash(exported, data) -> None:
    ctx, document = exported
    changes = data.draw(mutations(document), label="changes")
    ascii_only = data.draw(st.booleans(), label="ascii")
    mutated = mutate(document, changes)
    raw = json.dumps(mutated, ensure_ascii=ascii_only, indent=1).encode("utf-8", "surrogatepass")
    event(check_one_import(ctx, raw))


def test_the_unmutated_export_imports(exported) -> None:
    ctx, document = exported
    assert check_one_import(ctx, json.dumps(document).encode()) == "imported"
