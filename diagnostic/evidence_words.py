"""The evidence rule in words, for the Results page, the PDF and the workbook (catalogue keys evscore.*)."""

from __future__ import annotations

from babel import numbers as babel_numbers

from diagnostic.core.schema import EvidenceRule
from diagnostic.i18n import t


def _number(value: float, lang: str) -> str:
    """2 -> "2", 2.5 -> "2,5" (fr) / "2.5" (en): a rule's values as written."""
    return babel_numbers.format_decimal(value, format="#,##0.##", locale="en_GB" if lang == "en" else "fr_FR")


def _type_names(lang: str) -> dict[str, str]:
    return {
        "maturity": t("evscore.type.maturity", lang),
        "yes_no": t("evscore.type.yes_no", lang),
        "single": t("evscore.type.single", lang),
        "multiple": t("evscore.type.multiple", lang),
        "number": t("evscore.type.number", lang),
    }


def rule_sentence(rule: EvidenceRule, lang: str) -> str:
    """The rule in one sentence: in levels when it reads maturity answers only, on the 0..4 scale otherwise."""
    values = {"from_value": _number(rule.from_value, lang), "otherwise": _number(rule.otherwise, lang)}
    if rule.types == ["maturity"]:
        return t("evscore.rule", lang, **values)
    names = _type_names(lang)
    return t("evscore.rule_scaled", lang, types=", ".join(names[kind] for kind in rule.types), **values)


def lacking_sentence(count: int, lang: str) -> str:
    """How many answers the rule counts lower, or that every answer it concerns has evidence."""
    return t("evscore.lacking", lang, count=count) if count else t("evscore.all_backed", lang)
