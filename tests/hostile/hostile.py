"""Hostile assessment files, made from a valid export: one kind per way outside testers broke the import.

Each kind turns the bytes of a valid exported file into a hostile file and says what the import must
answer: the message key of diagnostic/locales/*.yaml and the place the details must name. `ACCEPTED` are
the lenient cases that must go through (on the page and on the command line alike).

Values that `json.dumps` cannot write (NaN, a 5,000-digit integer, 100,000 brackets, a duplicated
key, a lone surrogate) are put in as a marker string, then the marker is replaced in the text.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from diagnostic.core import limits

MATURITY = "gov.engagement-direction"  # maturity 0..4, "don't know" allowed, N/A not
SINGLE = "gov.pilotage-rse"  # single choice
NUMBER = "rh.formation-taux"  # number 0..100
DIMENSION = "gov"
MARK = "@@hostile@@"


@dataclass(frozen=True)
class Kind:
    name: str
    make: Callable[[bytes], bytes]
    key: str | None  # the message key of the refusal; None: the file is accepted
    where: str = ""  # a fragment the details must hold (the JSON path, and what)

    def __str__(self) -> str:
        return self.name


def edit(change: Callable[[dict[str, Any]], Any], raw_text: str | None = None) -> Callable[[bytes], bytes]:
    """A mutation of the parsed document; `raw_text`, if given, replaces the marker string "@@hostile@@"."""

    def make(raw: bytes) -> bytes:
        document = copy.deepcopy(json.loads(raw))
        change(document)
        text = json.dumps(document, ensure_ascii=False, indent=2)
        if raw_text is not None:
            assert f'"{MARK}"' in text
            text = text.replace(f'"{MARK}"', raw_text, 1)
        return text.encode("utf-8", "surrogatepass")

    return make


def keys_of(path: str) -> list[Any]:
    """"company.name" -> ["company", "name"], "actions.0" -> ["actions", 0]; with "/" (keys that hold
    dots): "answers/gov.x" -> ["answers", "gov.x"]."""
    parts = path.split("/") if "/" in path else path.split(".")
    return [int(p) if p.isdigit() else p for p in parts if p]


def setting(path: str, value: Any, raw_text: str | None = None) -> Callable[[bytes], bytes]:
    """Set the value at a path (see keys_of)."""

    def change(document: dict[str, Any]) -> None:
        keys = keys_of(path)
        target = document
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return edit(change, raw_text)


def raw_value(path: str, text: str) -> Callable[[bytes], bytes]:
    """Put JSON text that json.dumps cannot write (NaN, huge numbers, brackets) at `path`."""
    return setting(path, MARK, text)


def deleting(path: str) -> Callable[[bytes], bytes]:
    def change(document: dict[str, Any]) -> None:
        *parents, last = keys_of(path)
        target = document
        for key in parents:
            target = target[key]
        del target[last]

    return edit(change)


def answer(question: str, value: Any) -> Callable[[bytes], bytes]:
    return setting(f"answers/{question}", value)


def with_wrong_hash(make: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """The same mutation in a file that claims the same version but carries another content hash."""

    def wrong(raw: bytes) -> bytes:
        document = json.loads(make(raw))
        document["content_hash"] = "0" * 64
        return json.dumps(document, ensure_ascii=False).encode()

    return wrong


def duplicate(where: str, key: str, value: str) -> Callable[[bytes], bytes]:
    """A second `key` in the object at `where` ("" for the top level), written before the first one."""

    def change(document: dict[str, Any]) -> None:
        target = document
        for key in keys_of(where):
            target = target[key]
        items = list(target.items())
        target.clear()
        target[MARK] = None
        target.update(items)

    return _duplicate_text(change, key, value)


def _duplicate_text(change: Callable[[dict[str, Any]], None], key: str, value: str) -> Callable[[bytes], bytes]:
    def make(raw: bytes) -> bytes:
        document = copy.deepcopy(json.loads(raw))
        change(document)
        text = json.dumps(document, ensure_ascii=False, indent=2)
        return text.replace(f'"{MARK}": null', f'"{key}": {value}', 1).encode()

    return make


def many_actions(count: int) -> Callable[[bytes], bytes]:
    def change(document: dict[str, Any]) -> None:
        first = document["actions"][0]
        document["actions"] = [dict(first, title=f"Action {i}") for i in range(count)]

    return edit(change)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def too_big(raw: bytes) -> bytes:
    document = json.loads(raw)
    document["company"]["notes"] = "x" * 100
    text = json.dumps(document).encode()
    return text[:-1] + b" " * (limits.IMPORT_BYTES + 1 - len(text)) + b"}"


def bom(raw: bytes) -> bytes:
    return b"\xef\xbb\xbf" + raw


def not_utf8(raw: bytes) -> bytes:
    return raw.replace(b"Menuiserie", b"Menuiserie\xff", 1)


def _version_change(document: dict[str, Any]) -> None:
    document["version"], document["content_hash"] = "0.9.0", "1" * 64  # made elsewhere, with an older version
    document["answers"][MATURITY] = {"value": 7, "comment": "ancienne échelle 0–7"}
    document["answers"]["gov.ancienne-question"] = 3
    document["targets"]["ancienne-dimension"] = 50


def _decomposed_name(document: dict[str, Any]) -> None:
    document["company"]["name"] = "  Menuiserie Durand (de\u0301mo)  "


def _naive_dates(document: dict[str, Any]) -> None:
    document["assessment"]["created_at"] = "2024-03-01T10:00:00"


def _at_the_limits(document: dict[str, Any]) -> None:
    document["company"]["name"] = "N" * limits.COMPANY_NAME
    document["company"]["notes"] = "n" * limits.COMPANY_NOTES
    document["assessment"]["label"] = "L" * limits.ASSESSMENT_LABEL
    document["assessment"]["respondent"] = "R" * limits.RESPONDENT
    document["assessment"]["created_at"] = "1970-01-01T00:00:00+00:00"
    document["assessment"]["completed_at"] = "2100-12-31T23:59:59+00:00"
    document["profile"]["sites"] = limits.SITES
    document["targets"] = {"gov": 0, "env": 100}
    document["answers"][MATURITY] = {"value": 4, "comment": "c" * limits.COMMENT}
    document["answers"][NUMBER] = 100
    first = document["actions"][0]
    action = dict(
        first,
        title="T" * limits.ACTION_TITLE,
        owner="O" * limits.ACTION_OWNER,
        notes="n" * limits.ACTION_NOTES,
        recommendation_id="r" * limits.IDENTIFIER,
        question_id="q" * limits.QUESTION_ID,
        due_date="2100-12-31",
    )
    document["actions"] = [action] + [dict(first, due_date="1970-01-01") for _ in range(limits.ACTIONS_PER_ASSESSMENT - 1)]


def _nested_to_the_limit(raw: bytes) -> bytes:
    # the top object, "answers", the answer object: 3 levels; a list of lists up to JSON_DEPTH in total
    # is a bad answer, so it goes in a comment-free file of another version, where it is only dropped
    document = json.loads(raw)
    document["version"], document["content_hash"] = "0.9.0", "1" * 64
    document["answers"][MATURITY] = {"value": MARK}
    text = json.dumps(document, ensure_ascii=False)
    return text.replace(f'"{MARK}"', nested(limits.JSON_DEPTH - 3), 1).encode()


LONG = limits.COMPANY_NAME + 1

HOSTILE: list[Kind] = [
    # --- the bytes and the JSON itself
    Kind("not-utf8", not_utf8, "import.not_json", "not UTF-8"),
    Kind("truncated", lambda raw: raw.decode()[: len(raw) // 2].encode(), "import.not_json", "line "),
    Kind("trailing-garbage", lambda raw: raw + b"\n}{", "import.not_json", "Extra data"),
    Kind("empty-file", lambda raw: b"", "import.not_json", "line 1, column 1"),
    Kind("too-big", too_big, "import.too_big", "maximum is 5242880"),
    Kind("top-level-array", lambda raw: b"[" + raw + b"]", "import.foreign", "(the whole file): a JSON list"),
    Kind("wrong-format", setting("format", "autodiag-rse/other"), "import.foreign", "format: 'autodiag-rse/other'"),
    Kind("nan-answer", raw_value(f"answers/{MATURITY}", "NaN"), "import.not_finite", f"answers.{MATURITY}: NaN"),
    Kind("infinity-target", raw_value(f"targets.{DIMENSION}", "Infinity"), "import.not_finite", "targets.gov: Infinity"),
    Kind("minus-infinity-number", raw_value(f"answers/{NUMBER}", "-Infinity"), "import.not_finite", f"answers.{NUMBER}: -Infinity"),
    Kind("float-overflow-target", raw_value(f"targets.{DIMENSION}", "1e999"), "import.not_finite", "targets.gov: '1e999' is too large"),
    Kind("nan-sites", raw_value("profile.sites", "NaN"), "import.not_finite", "profile.sites: NaN"),
    Kind("5000-digit-answer", raw_value(f"answers/{MATURITY}", "9" * 5000), "import.huge_number", f"answers.{MATURITY}: an integer of 5000 digits"),
    Kind("5000-digit-sites", raw_value("profile.sites", "-" + "1" * 5000), "import.huge_number", "profile.sites: an integer of 5000 digits"),
    Kind("100000-brackets", raw_value(f"answers/{MATURITY}", nested(100_000)), "import.too_deep", "more than 20 levels"),
    Kind("21-levels", raw_value(f"answers/{MATURITY}", nested(limits.JSON_DEPTH - 1)), "import.too_deep", "more than 20 levels"),
    Kind("duplicate-top-key", duplicate("", "company", '{"name": "Autre"}'), "import.duplicate_key", "(the whole file): the key 'company'"),
    Kind("duplicate-answer", duplicate("answers", MATURITY, "0"), "import.duplicate_key", f"answers: the key '{MATURITY}'"),
    Kind("duplicate-in-action", duplicate("actions.0", "title", '"Autre"'), "import.duplicate_key", "actions[0]: the key 'title'"),
    Kind("nul-in-company-name", setting("company.name", "Menuiserie\x00Durand"), "import.bad_character", "company.name: a NUL character"),
    Kind("nul-in-comment", answer(MATURITY, {"value": 2, "comment": "ok\x00"}), "import.bad_character", f"answers.{MATURITY}.comment: a NUL"),
    Kind("nul-in-answer-key", answer("gov.x\x00", 1), "import.bad_character", "answers: the key 'gov.x\\x00' has a NUL"),
    Kind("nul-in-action-title", setting("actions.1.title", "\x00"), "import.bad_character", "actions[1].title: a NUL"),
    Kind("lone-surrogate", raw_value("company.notes", '"note \\ud800"'), "import.bad_character", "company.notes: a lone surrogate"),
    Kind("bell-in-notes", setting("actions.0.notes", "ding\x07"), "import.bad_character", "actions[0].notes: the control character U+0007"),
    # --- lengths (the database columns and the documented limits)
    Kind("company-name-201", setting("company.name", "N" * LONG), "import.too_long", "company.name: longer than 200 characters"),
    Kind("company-notes-20001", setting("company.notes", "n" * (limits.COMPANY_NOTES + 1)), "import.too_long", "company.notes: longer than 20000"),
    Kind("label-201", setting("assessment.label", "L" * (limits.ASSESSMENT_LABEL + 1)), "import.too_long", "assessment.label: longer than 200"),
    Kind("respondent-201", setting("assessment.respondent", "R" * (limits.RESPONDENT + 1)), "import.too_long", "assessment.respondent: longer than 200"),
    Kind("owner-201", setting("actions.0.owner", "O" * (limits.ACTION_OWNER + 1)), "import.too_long", "actions[0].owner: longer than 200"),
    Kind("title-1001", setting("actions.2.title", "T" * (limits.ACTION_TITLE + 1)), "import.too_long", "actions[2].title: longer than 1000 characters"),
    Kind("action-notes-10001", setting("actions.0.notes", "n" * (limits.ACTION_NOTES + 1)), "import.too_long", "actions[0].notes: longer than 10000"),
    Kind("recommendation-id-101", setting("actions.0.recommendation_id", "r" * (limits.IDENTIFIER + 1)), "import.too_long", "actions[0].recommendation_id: longer than 100"),
    Kind("question-id-81", setting("actions.0.question_id", "q" * (limits.QUESTION_ID + 1)), "import.too_long", "actions[0].question_id: longer than 80"),
    Kind("questionnaire-id-81", setting("questionnaire", "q" * (limits.QUESTIONNAIRE_ID + 1)), "import.too_long", "questionnaire: longer than 80"),
    Kind("version-41", setting("version", "1" * (limits.QUESTIONNAIRE_VERSION + 1)), "import.too_long", "version: longer than 40"),
    Kind("comment-10001", answer(MATURITY, {"value": 2, "comment": "c" * (limits.COMMENT + 1)}), "import.too_long", f"answers.{MATURITY}.comment: longer than 10000"),
    Kind("501-actions", many_actions(limits.ACTIONS_PER_ASSESSMENT + 1), "import.too_long", "actions: more than 500 items"),
    # --- ranges: numbers and dates
    Kind("sites-2^31", setting("profile.sites", 2**31), "import.out_of_range", "profile.sites: 2147483648 is above the maximum 100000"),
    Kind("sites-negative", setting("profile.sites", -3), "import.out_of_range", "profile.sites: -3 is below the minimum 1"),
    Kind("target-101", setting(f"targets.{DIMENSION}", 101), "import.out_of_range", "targets.gov: 101 is above the maximum 100"),
    Kind("target-negative", setting(f"targets.{DIMENSION}", -0.5), "import.out_of_range", "targets.gov: -0.5 is below the minimum 0"),
    Kind("created-9999", setting("assessment.created_at", "9999-12-31T23:59:59+00:00"), "import.out_of_range", "assessment.created_at: 9999-12-31"),
    Kind("completed-0001", setting("assessment.completed_at", "0001-01-01T00:00:00+00:00"), "import.out_of_range", "assessment.completed_at: 0001-01-01"),
    Kind("created-9999-minus-5h", setting("assessment.created_at", "9999-12-31T23:00:00-05:00"), "import.out_of_range", "assessment.created_at"),
    Kind("due-9999", setting("actions.0.due_date", "9999-12-31"), "import.out_of_range", "actions[0].due_date: 9999-12-31 is outside 1970-01-01 to 2100-12-31"),
    Kind("due-0001", setting("actions.1.due_date", "0001-01-01"), "import.out_of_range", "actions[1].due_date: 0001-01-01"),
    Kind("exported-9999", setting("exported_at", "9999-12-31T00:00:00Z"), "import.out_of_range", "exported_at: 9999-12-31"),
    # --- names: blank, invisible characters, look-alikes
    Kind("company-name-spaces", setting("company.name", "   \t "), "import.blank", "company.name: empty or made only of spaces"),
    Kind("title-spaces", setting("actions.0.title", "   "), "import.blank", "actions[0].title: empty"),
    Kind("zero-width-space", setting("company.name", "Menuiserie\u200bDurand (démo)"), "import.bad_character", "company.name: the invisible character U+200B (ZERO WIDTH SPACE) at character 11"),
    Kind("bidi-override", setting("company.name", "Menuiserie \u202eDurand"), "import.bad_character", "company.name: the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    Kind("latin-cyrillic", setting("company.name", "Menuiserie Dur\u0430nd (démo)"), "import.mixed_script", "company.name: the word 'Durаnd' mixes Latin and Cyrillic letters"),
    Kind("latin-greek", setting("company.name", "Menuiserie Durand (dém\u03bf)"), "import.mixed_script", "company.name: the word 'démο' mixes Latin and Greek letters"),
    Kind("newline-in-respondent", setting("assessment.respondent", "Claire\nDurand"), "import.bad_character", "assessment.respondent: the control character U+000A"),
    # --- answers: a file that claims this very version must fit it
    Kind("off-scale", answer(MATURITY, 7), "import.invalid_answer", f"answers.{MATURITY}: 7 is off the scale 0 to 4"),
    Kind("off-scale-wrong-hash", with_wrong_hash(answer(MATURITY, 7)), "import.invalid_answer", f"answers.{MATURITY}: 7 is off the scale 0 to 4"),
    Kind("unknown-question", answer("gov.nope", 2), "import.unknown_question", "answers.gov.nope: unknown question id 'gov.nope'"),
    Kind("unknown-question-wrong-hash", with_wrong_hash(answer("gov.nope", 2)), "import.unknown_question", "answers.gov.nope: unknown question id"),
    Kind("unknown-option", answer(SINGLE, "souvent"), "import.invalid_answer", f"answers.{SINGLE}: 'souvent' is not one of its options"),
    Kind("number-1e300", answer(NUMBER, 1e300), "import.invalid_answer", f"answers.{NUMBER}: 1e+300 is beyond"),
    Kind("bool-as-level", answer(MATURITY, True), "import.invalid_answer", f"answers.{MATURITY}: True is not a level 0 to 4"),
    Kind("na-not-allowed", answer(MATURITY, "na"), "import.invalid_answer", f"answers.{MATURITY}: N/A (non concerné) is not allowed"),
    Kind("comment-not-text", answer(MATURITY, {"value": 2, "comment": 5}), "import.invalid", f"answers.{MATURITY}.comment: 5 is not text"),
    Kind("answer-object-extra-key", answer(MATURITY, {"value": 2, "note": "x"}), "import.invalid", f"answers.{MATURITY}: an answer object has 'value'"),
    Kind("unknown-target-dimension", setting("targets.nope", 50), "import.invalid", "targets.nope: unknown dimension id 'nope'"),
    # --- structure
    Kind("extra-top-level-key", setting("surprise", 1), "import.invalid", "surprise: unknown field"),
    Kind("company-missing", deleting("company"), "import.invalid", "company: required but missing"),
    Kind("company-name-missing", deleting("company.name"), "import.invalid", "company.name: required but missing"),
    Kind("format-version-2", setting("format_version", 2), "import.invalid", "format_version: 2 is not one of 1"),
    Kind("status-archived", setting("assessment.status", "archived"), "import.invalid", "assessment.status: 'archived' is not one of"),
    Kind("content-hash-not-hex", setting("content_hash", "zz"), "import.invalid", "content_hash: 'zz' is not a content hash"),
    Kind("answers-a-list", setting("answers", [1, 2]), "import.invalid", "answers: [1, 2] is not a JSON object"),
    Kind("sector-not-naf", setting("profile.sector", "x" * 5000), "import.invalid", "profile.sector: 'XXXXXXXXXXXXXXXXXXX…' is not a NAF code"),
    Kind("sites-text", setting("profile.sites", "many"), "import.invalid", "profile.sites: 'many' is not a whole number"),
    Kind("february-30", setting("actions.0.due_date", "2026-02-30"), "import.invalid", "actions[0].due_date: '2026-02-30' is not a date"),
    Kind("unknown-questionnaire", setting("questionnaire", "iso-42"), "import.unknown_questionnaire", "iso-42"),
]

ACCEPTED: list[Kind] = [
    Kind("utf8-bom", bom, None),
    Kind("another-version-drops-and-lists", edit(_version_change), None),
    Kind("decomposed-name-normalised", edit(_decomposed_name), None),
    Kind("naive-date-read-as-utc", edit(_naive_dates), None),
    Kind("every-limit-reached", edit(_at_the_limits), None),
    Kind("20-levels", _nested_to_the_limit, None),
]
