"""Every text the app, the PDF, the workbook and the command line show, in French (default) and English.

The texts live in one catalogue file per language, diagnostic/locales/fr.yaml and en.yaml: a flat
mapping key -> text, loaded once at import. Pages call t(key, lang) and never hard-code text. An
entry may instead map CLDR plural categories ("one", "many", "other") to texts: t(key, lang, count=n)
picks the category with Babel. Dates and numbers are written by Babel too (format_date, format_number…).
Domain errors (diagnostic/core/errors.py) carry a catalogue key and its parameters; error_text
translates one at the edge, where the user's language is known.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType

import yaml
from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from diagnostic.core.errors import DomainError, Message

LANGS = ("fr", "en")
LOCALES_DIR = Path(__file__).with_name("locales")
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")  # CLDR's, in its order

Entry = str | dict[str, str]  # a text, or a plural entry: CLDR category -> text


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "fr"  # as always: English when asked for, French otherwise


def _load(lang: str) -> Mapping[str, Entry]:
    path = LOCALES_DIR / f"{lang}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a mapping of keys to texts")
    for key, entry in data.items():
        plural = isinstance(entry, dict) and bool(entry) and all(c in PLURAL_CATEGORIES for c in entry)
        if not isinstance(key, str) or not (isinstance(entry, str) or plural):
            raise ValueError(f"{path}: {key!r} is neither a text nor a mapping of plural categories to texts")
        if plural and ("other" not in entry or not all(isinstance(text, str) for text in entry.values())):
            raise ValueError(f"{path}: the plural entry {key!r} needs an \"other\" text, and texts only")
    return MappingProxyType(data)


# read once, at import: a broken catalogue stops the app at once, not on the first page that uses it
_CATALOGUES = {lang: _load(lang) for lang in LANGS}


def catalogue(lang: str) -> Mapping[str, Entry]:
    """The catalogue of `lang` (French for anything but "en"), as diagnostic/locales/<lang>.yaml holds it."""
    return _CATALOGUES[_lang(lang)]


@cache
def plural_form(lang: str) -> Callable[[float | Decimal], str]:
    """Babel's CLDR plural rule of `lang` (French for anything but "en"): a number -> "one", "many", "other"…"""
    return Locale.parse(_lang(lang)).plural_form


def t(key: str, lang: str, **values: object) -> str:
    """The text for `key` in `lang` ("fr" or "en"), with {placeholders} filled in.

    An unknown key raises KeyError, as does a placeholder without its value. A plural entry needs
    `count=`: the CLDR category of the count in `lang` picks its text ("other" when the entry has no
    text for that category)."""
    entry = catalogue(lang)[key]
    if isinstance(entry, dict):
        if "count" not in values:
            raise KeyError(f"{key} is a plural entry: t() needs count=")
        entry = entry.get(plural_form(lang)(values["count"]), entry["other"])  # type: ignore[arg-type]
    return entry.format(**values) if values else entry


class _Texts(Mapping[str, tuple[str, str]]):
    """Read-only view key -> (French, English) of the catalogues, as the old TEXTS dict was.
    A plural entry shows its "other" texts."""

    def __getitem__(self, key: str) -> tuple[str, str]:
        fr, en = catalogue("fr")[key], catalogue("en")[key]
        return (fr["other"] if isinstance(fr, dict) else fr, en["other"] if isinstance(en, dict) else en)

    def __iter__(self) -> Iterator[str]:
        return iter(catalogue("fr"))

    def __len__(self) -> int:
        return len(catalogue("fr"))


TEXTS: Mapping[str, tuple[str, str]] = _Texts()


def error_text(exc: BaseException, lang: str) -> str:
    """What an error says to the user, in `lang`: its catalogue key (`code`) with its `params`.

    A DomainError (diagnostic/core/errors.py) is always read so, and an unknown code is as loud as in
    t(). Another exception is read so when its `code` (or the older `message_key`, with `details`: the
    import's ImportRefused) is a key of the catalogue; anything else carries no message for users and
    reads as "error.unexpected" (a library's own codes, such as SQLAlchemy's, are not ours).
    A parameter that is itself a Message (e.g. "someone else" for a conflict by nobody named) is
    translated too."""
    code = getattr(exc, "code", None)
    if not isinstance(code, str) or not code:
        code = getattr(exc, "message_key", None)
    if not isinstance(exc, DomainError) and not (isinstance(code, str) and code in catalogue(lang)):
        return t("error.unexpected", lang)
    params = getattr(exc, "params", None)
    if not isinstance(params, Mapping):
        details = getattr(exc, "details", None)
        params = {"details": details} if isinstance(details, str) else {}
    return message_text(Message(str(code), params), lang)


def message_text(message: Message, lang: str) -> str:
    """A Message (catalogue key + parameters) in `lang`; Message parameters are translated first."""
    values = {
        name: message_text(value, lang) if isinstance(value, Message) else value
        for name, value in message.params.items()
    }
    return t(message.code, lang, **values)


_HEADCOUNT_BANDS = ("0", "1-10", "11-19", "20-49", "50-249", "250+")


def headcount_label(band: str | None, lang: str) -> str:
    if band is None:
        return t("company.unknown", lang)
    if band not in _HEADCOUNT_BANDS:
        raise KeyError(band)
    return t(f"headcount.{band}", lang)


# Numbers and dates are written the way each language writes them, by Babel (CLDR data): French
# "1 234,5" (narrow no-break space, decimal comma), "42 %", "30 nov. 2026"; English "1,234.5",
# "42%", "30 Nov 2026". English is British English: day before month, as the French reader expects.
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def _locale(lang: str) -> str:
    return _LOCALES.get(lang, "fr_FR")


def _exact(value: float) -> Decimal:
    # the float's exact value: Babel then rounds half-even as Python's own formatting does
    return value if isinstance(value, Decimal) else Decimal(value)


def format_date(moment: object, lang: str, width: str = "long") -> str:
    """"20 novembre 2026" / "20 November 2026" (width "long"); "20 nov. 2026" / "20 Nov 2026"
    (width "medium", for narrow places); "—" for no date. A datetime is shown by its date."""
    if moment is None:
        return "—"
    return babel_dates.format_date(moment, format=width, locale=_locale(lang))  # type: ignore[arg-type]


def format_number(value: float | None, lang: str, decimals: int = 0) -> str:
    """4 → "4,00" (fr) / "4.00" (en) with decimals=2; 1234.5 → "1 234,5" / "1,234.5" with decimals=1."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return babel_numbers.format_decimal(_exact(value), format=pattern, locale=_locale(lang))


def format_decimal(value: float | None, lang: str, most: int = 3) -> str:
    """A figure as typed back: up to `most` decimals, none added (1234.5 → "1 234,5" / "1,234.5")."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "#" * most if most > 0 else "")
    return babel_numbers.format_decimal(Decimal(str(value)), format=pattern, locale=_locale(lang))


def format_score(value: float | None, lang: str = "fr") -> str:
    """Scores are rounded once, here, at display (a whole number out of 100)."""
    return format_number(value, lang, 0)


def format_percent(value: float | None, lang: str = "fr") -> str:
    """0.42 → "42 %" (fr, with a no-break space) / "42%" (en)."""
    if value is None:
        return "—"
    return babel_numbers.format_percent(_exact(value), locale=_locale(lang))
