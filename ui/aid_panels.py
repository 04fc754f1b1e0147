"""Public aid schemes on screen: the folded block beside a recommendation, and the region's name.

`aid_hints` is called once per recommendation card; the catalogue behind it is read once and kept
while its file is unchanged (diagnostic/aid_files.py), so a card costs a filter, not a read.
"""

from __future__ import annotations

import streamlit as st

from diagnostic.core.aid import AidMatch
from diagnostic.core.profile import Profile
from diagnostic.i18n import format_date
from diagnostic.services import aid as aid_service
from diagnostic.services.context import Context
from ui.state import t
from ui.text import plain

# The regions' names (literal keys, so that the catalogue check finds them); None: not given.
REGION_KEYS = {
    "11": "company.region_11", "24": "company.region_24", "27": "company.region_27", "28": "company.region_28",
    "32": "company.region_32", "44": "company.region_44", "52": "company.region_52", "53": "company.region_53",
    "75": "company.region_75", "76": "company.region_76", "84": "company.region_84", "93": "company.region_93",
    "94": "company.region_94", "01": "company.region_01", "02": "company.region_02", "03": "company.region_03",
    "04": "company.region_04", "06": "company.region_06",
}  # fmt: skip
FACT_KEYS = {"headcount": "aid.fact_headcount", "sector": "aid.fact_sector", "region": "aid.fact_region"}


def region_label(code: str | None) -> str:
    return t(REGION_KEYS[code]) if code in REGION_KEYS else t("company.region_none")


def _scheme(match: AidMatch, lang: str) -> None:
    scheme = match.scheme
    st.markdown(f"**[{plain(scheme.name.get(lang))}]({scheme.url})** · {plain(scheme.operator)}")
    st.caption(plain(scheme.description.get(lang)))
    if scheme.eligibility.conditions is not None:
        st.caption(t("aid.conditions", text=plain(scheme.eligibility.conditions.get(lang))))
    if match.to_check:
        facts = ", ".join(t(FACT_KEYS[fact]) for fact in match.to_check)
        st.caption(f":material/help: {t('aid.to_check', facts=facts)}")
    checked = t("aid.checked", date=format_date(scheme.last_checked, lang, "medium"))
    if scheme.valid_until is not None:
        checked += " · " + t("aid.until", date=format_date(scheme.valid_until, lang, "medium"))
    if scheme.unverified is not None:
        checked += " · " + t("aid.unverified", text=plain(scheme.unverified.get(lang)))
    st.caption(checked)


def aid_hints(ctx: Context, profile: Profile, question_id: str | None, dimension_id: str | None) -> None:
    """ "Aides publiques mobilisables" for one recommendation: one folded block with the schemes
    that fund its question (first) or its dimension and that the company's profile does not rule
    out; nothing when none does. Not to be drawn inside an expander (Streamlit does not nest them)."""
    found = aid_service.schemes_for_profile(profile, question_id, dimension_id, ctx.lang)
    if not found:
        return
    with st.expander(f":material/euro: {t('aid.hints_title')} ({len(found)})"):
        st.caption(t("aid.intro"))
        for index, match in enumerate(found):
            if index:
                st.divider()
            _scheme(match, ctx.lang)
