"""The two catalogues (diagnostic/locales/fr.yaml and en.yaml): same keys, same placeholders, plurals by
Babel, every key the code names present, every text renderable; domain errors translated at the edge."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml
from babel import Locale
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.core.errors import Conflict, DomainError, Gone, InputRefused, Message, StorageUnavailable
from diagnostic.i18n import LANGS, LOCALES_DIR, TEXTS, catalogue, error_text, plural_form, t

ROOT = Path(__file__).resolve().parent.parent
RAW = {lang: yaml.safe_load((LOCALES_DIR / f"{lang}.yaml").read_text(encoding="utf-8")) for lang in LANGS}

# Keys the code builds at run time from a prefix and a value; each prefix must have keys in the catalogues.
DYNAMIC_PREFIXES = {
    "audit.action.",  # an audit line's action in words: app_pages/workspace.py (test_every_audit_action_has_words)
    "audit.target.",  # what an audit line is about: app_pages/workspace.py
    "role.",  # a member's role: app_pages/workspace.py (every Role, test_every_role_state_and_refusal_has_words)
    "invite.",  # an invitation refused: InvitationRefused(f"invite.{state}") in diagnostic/services/workspaces.py
    "invite.state.",  # an invitation's state on the workspace page
    "cli.admin.state.",  # the same states in `python -m diagnostic admin list`
    "cli.admin.column.",  # the columns of `admin list`
    "status.",  # the assessment's status: ui/state.py, app_pages/company.py ("status." + status)
    "nav.",  # the pages' titles: tests/test_pages.py
    "headcount.",  # headcount bands: diagnostic/i18n.py headcount_label
    "label.status.",  # action statuses: diagnostic/labels.py status_label
    "pdf.headcount.",  # headcount bands in the PDF: diagnostic/exports/pdf.py (_text_or)
    "pdf.effort.",  # a recommendation's effort (1-3) in the PDF
    "pdf.impact.",  # a recommendation's impact (1-3) in the PDF
    "group.",  # a respondent group's default name (test_every_group_and_link_state_has_words)
    "participants.link_",  # a respondent link's state on the participants page
    "evidence.status.",  # an answer's evidence status: app_pages/evidence.py (core.evidence.STATUSES)
    "vsmepage.section.",  # a VSME disclosure's tab: app_pages/vsme.py (core.vsme.SECTIONS)
    "participants.state_",  # a named respondent's progress on the participants page
}
CALL = r"\b(?:t|translate|Message|[A-Z]\w*Refused)\(\s*"  # t("key"…), InputRefused("key"…), ImportRefused…
LITERAL_KEY = re.compile(CALL + r"""(["'])([a-z][a-z0-9_]*\.[A-Za-z0-9_.+-]*)\1(\s*\+)?""")
FSTRING_KEY = re.compile(CALL + r"""f(["'])([a-z][a-z0-9_.]*)\{""")
CODE_KEY = re.compile(r"""\bcode\s*=\s*(["'])([a-z][a-z0-9_]*\.[a-z0-9_.]+)\1""")


def texts(entry: str | dict[str, str]) -> list[str]:
    return list(entry.values()) if isinstance(entry, dict) else [entry]


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def python_files() -> list[Path]:
    skip = {".venv", "node_modules", ".git"}
    return [p for p in ROOT.rglob("*.py") if not skip & set(p.relative_to(ROOT).parts)]


# --- the files --------------------------------------------------------------------------------------


def test_the_catalogues_are_what_t_reads() -> None:
    for lang in LANGS:
        assert dict(catalogue(lang)) == RAW[lang]
    assert catalogue("de") is catalogue("fr")  # any other language reads French, as always


def test_both_catalogues_have_the_same_keys_in_the_same_order() -> None:
    fr, en = list(RAW["fr"]), list(RAW["en"])
    assert set(fr) - set(en) == set() and set(en) - set(fr) == set()
    assert fr == en
    assert all(isinstance(key, str) and key == key.strip() and "." in key for key in fr)


def test_every_entry_is_a_text_or_a_plural_with_other() -> None:
    for lang in LANGS:
        categories = Locale.parse(lang).plural_form.tags | {"other"}
        for key, entry in RAW[lang].items():
            if isinstance(entry, dict):
                assert "other" in entry, (lang, key)
                assert set(entry) <= categories, (lang, key, set(entry) - categories)
                assert isinstance(RAW["en" if lang == "fr" else "fr"][key], dict), f"{key}: plural in one language only"
            for text in texts(entry):
                assert isinstance(text, str), (lang, key)
                assert text.strip(), f"{lang}: {key} is empty"


def test_every_pair_has_the_same_placeholders() -> None:
    for key in RAW["fr"]:
        found = {}
        for lang in LANGS:
            sets = [placeholders(text) for text in texts(RAW[lang][key])]
            assert all(s == sets[0] for s in sets), f"{lang}: {key}: plural categories differ in placeholders"
            found[lang] = sets[0]
        assert found["fr"] == found["en"], f"{key}: {found}"


def test_placeholders_are_plain_names() -> None:
    """{name} only: no positional {} or {0}, no format spec or conversion (t passes keyword values only)."""
    for lang in LANGS:
        for key, entry in RAW[lang].items():
            for text in texts(entry):
                for _, field, spec, conversion in string.Formatter().parse(text):
                    if field is not None:
                        assert field.isidentifier() and not spec and not conversion, (lang, key, field)


def test_the_files_keep_invisible_spaces_visible() -> None:
    """A no-break space is written \\u00a0 in the file, never as the bare character an editor hides."""
    for lang in LANGS:
        raw = (LOCALES_DIR / f"{lang}.yaml").read_text(encoding="utf-8")
        assert "\u00a0" not in raw and "\u202f" not in raw, lang
    assert "\u00a0" in t("company.next_step", "fr")


# --- the code ---------------------------------------------------------------------------------------


def test_every_key_the_code_names_exists() -> None:
    keys = set(RAW["fr"])
    missing, prefixes = [], set()
    for path in python_files():
        if path.name == Path(__file__).name:
            continue
        source = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        for match in LITERAL_KEY.finditer(source):
            key, concatenated = match.group(2), match.group(3)
            if concatenated:
                prefixes.add(key)
            elif key not in keys:
                missing.append(f"{where}: {key}")
        for match in CODE_KEY.finditer(source):
            if match.group(2) not in keys:
                missing.append(f"{where}: code={match.group(2)}")
        prefixes |= {match.group(2) for match in FSTRING_KEY.finditer(source)}
    assert not missing, "keys missing from the catalogues:\n" + "\n".join(missing)
    assert prefixes <= DYNAMIC_PREFIXES, f"new dynamic key prefixes, list them: {prefixes - DYNAMIC_PREFIXES}"
    for prefix in DYNAMIC_PREFIXES:
        assert any(key.startswith(prefix) for key in keys), prefix


def test_every_group_and_link_state_has_words() -> None:
    from diagnostic.core.audience import GROUPS

    wanted = [f"group.{g}" for g in GROUPS]
    wanted += [f"participants.link_{s}" for s in ("active", "revoked", "expired", "full")]
    wanted += [f"participants.state_{s}" for s in ("invited", "started", "completed")]
    wanted += [f"respond.{s}" for s in ("invalid", "expired", "full", "closed", "done")]  # RespondentRefused codes
    for lang in LANGS:
        assert [k for k in wanted if k not in RAW[lang]] == [], lang


def test_the_scan_finds_keys() -> None:
    """The regular expressions above do see the code's keys (a scan that finds nothing proves nothing)."""
    source = (ROOT / "diagnostic" / "exports" / "pdf.py").read_text(encoding="utf-8")
    assert {m.group(2) for m in LITERAL_KEY.finditer(source)} >= {"pdf.kicker", "pdf.critical_unanswered_count"}
    assert FSTRING_KEY.search('t(f"label.status.{status}", lang)').group(2) == "label.status."
    assert LITERAL_KEY.search("t('status.' + a.status)").group(3)


# --- t() ------------------------------------------------------------------------------------------


def test_a_missing_key_is_loud() -> None:
    missing = "no.such" + ".key"
    for lang in LANGS:
        with pytest.raises(KeyError):
            t(missing, lang)
    with pytest.raises(KeyError):
        t("import.dropped", "fr")  # a plural entry without count=
    with pytest.raises(KeyError):
        t("save.conflict", "fr", someone="x")  # a placeholder without its value


def test_plural_categories_by_babel() -> None:
    fr, en = plural_form("fr"), plural_form("en")
    assert [fr(0), fr(1), fr(2)] == ["one", "one", "other"]
    assert [en(0), en(1), en(2)] == ["other", "one", "other"]
    assert fr(1_000_000) == "many"  # CLDR French: "un million de réponses"


def test_plural_texts() -> None:
    key = "results.critical_unanswered_count"
    assert t(key, "fr", count=0) == "0 obligation légale n’est pas encore renseignée :"
    assert t(key, "fr", count=1) == "1 obligation légale n’est pas encore renseignée :"
    assert t(key, "fr", count=2) == "2 obligations légales ne sont pas encore renseignées :"
    assert t(key, "en", count=0) == "0 legal basics are not answered yet:"
    assert t(key, "en", count=1) == "1 legal basic is not answered yet:"
    assert t(key, "en", count=2) == "2 legal basics are not answered yet:"
    assert "1 réponse n’a pas pu être reprise" in t("import.dropped", "fr", count=1)
    assert "3 answers could not be carried over" in t("import.dropped", "en", count=3)
    # the old pair still answers, for the pages not yet moved to the plural entry
    assert t("results.critical_unanswered_one", "fr") == t(key, "fr", count=1)
    assert t("results.critical_unanswered_many", "en", count=5) == t(key, "en", count=5)


def test_texts_is_a_read_only_view_of_french_and_english() -> None:
    assert len(TEXTS) == len(RAW["fr"]) and list(TEXTS) == list(RAW["fr"])
    assert TEXTS["nav.plan"] == ("Plan d’action", "Action plan")
    assert TEXTS["import.dropped"][1] == RAW["en"]["import.dropped"]["other"]
    with pytest.raises(TypeError):
        TEXTS["nav.plan"] = ("x", "y")  # type: ignore[index]


ALL_NAMES = sorted({name for lang in LANGS for e in RAW[lang].values() for x in texts(e) for name in placeholders(x)})
DUMMY = st.one_of(st.integers(min_value=-(10**9), max_value=10**9), st.text(max_size=30), st.floats(allow_nan=True))
COUNT = st.one_of(st.sampled_from([0, 1, 2, 1_000_000]), st.integers(min_value=0, max_value=10**12))


@settings(max_examples=40, deadline=None)
@given(values=st.fixed_dictionaries({name: COUNT if name == "count" else DUMMY for name in ALL_NAMES}))
def test_every_key_renders_in_both_languages(values: dict[str, object]) -> None:
    for lang in LANGS:
        for key, entry in RAW[lang].items():
            names = placeholders(texts(entry)[0])
            needed = {name: values[name] for name in names}
            if isinstance(entry, dict):
                needed["count"] = values["count"]
            rendered = t(key, lang, **needed)
            assert isinstance(rendered, str) and rendered.strip()
            for name in names:
                assert str(values[name]) in rendered, (lang, key, name)


# --- domain errors, translated at the edge --------------------------------------------------------


def test_every_domain_error_has_a_code_and_params_that_render() -> None:
    errors: list[DomainError] = [
        Conflict("current", "Claire"),
        Conflict(),
        Conflict(None, "", code="save.conflict_comment", params={"mine": "mon texte"}),
        Gone("assessment 3"),
        InputRefused("company.too_long", "201 > 200"),
        InputRefused("company.name_required"),
        StorageUnavailable(True),
        StorageUnavailable(False, code="save.unreachable"),
    ]
    for exc in errors:
        assert exc.code in RAW["fr"] and isinstance(exc.params, dict)
        for lang in LANGS:
            assert error_text(exc, lang).strip()
    for cls in DomainError.__subclasses__():
        assert cls.code in RAW["fr"], cls


def test_error_text_says_it_in_the_users_language() -> None:
    assert error_text(Conflict(1, "Claire"), "fr").startswith("Claire a modifié cette réponse")
    assert error_text(Conflict(1), "fr").startswith("Une autre personne a modifié cette réponse")
    assert error_text(Conflict(1), "en").startswith("Someone else changed this answer")
    assert error_text(Gone("action 7"), "en") == t("save.gone", "en")
    assert "201 > 200" in error_text(InputRefused("company.too_long", "201 > 200"), "fr")
    refused = InputRefused("company.name_invalid", "U+200B at character 3")
    assert (refused.message_key, refused.details, refused.code) == ("company.name_invalid", "U+200B at character 3",
                                                                   "company.name_invalid")  # fmt: skip
    assert isinstance(refused, ValueError)  # the screens still catch it as one
    assert error_text(StorageUnavailable(True), "fr") == t("error.database", "fr")
    assert StorageUnavailable(True).busy and Conflict(5, "x").current == 5


def test_error_text_of_other_errors() -> None:
    class Refused(ValueError):  # the import's ImportRefused: message_key and details, no code yet
        message_key = "import.invalid"
        details = "answers.x: bad"

    assert "answers.x: bad" in error_text(Refused(), "en")
    assert error_text(RuntimeError("secret detail"), "fr") == t("error.unexpected", "fr")
    assert error_text(DomainError(code="save.merged", params={"who": Message("save.someone")}), "en") == (
        "Someone else also changed this question: your choices were combined with theirs."
    )


def test_error_text_ignores_codes_that_are_not_ours() -> None:
    class LibraryError(Exception):  # SQLAlchemy's errors carry a code of their own ("e3q8")
        code = "e3q8"

    assert error_text(LibraryError(), "en") == t("error.unexpected", "en")
    with pytest.raises(KeyError):
        error_text(DomainError(code="no.such" + ".key"), "fr")  # ours, and missing: as loud as t()


def test_every_role_state_and_refusal_has_words() -> None:
    """The keys built from a value at run time exist for every value the code can produce."""
    from diagnostic.core.roles import Role

    for lang in ("fr", "en"):
        keys = set(catalogue(lang))
        for role in Role:
            assert f"role.{role.value}" in keys
        for state in ("pending", "used", "revoked", "expired"):
            assert {f"invite.state.{state}", f"cli.admin.state.{state}"} <= keys
            assert state == "pending" or f"invite.{state}" in keys


def test_every_audit_action_has_words() -> None:
    """Each action the services write into the audit log is shown in words on the workspace page."""
    import re

    actions = set()
    for path in (ROOT / "diagnostic" / "services").glob("*.py"):
        actions |= set(re.findall(r'access\.audit\(\s*ctx,\s*[^,]+,\s*"([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert len(actions) >= 15, actions  # the scan does find them
    for lang in ("fr", "en"):
        assert {f"audit.action.{a}" for a in actions} <= set(catalogue(lang))
