"""Données VSME: the basic module's datapoints (B1–B11) of the assessment, entered once and exported into
EFRAG's VSME Digital Template.

The module is optional: switched on per assessment. One tab per disclosure; each field is saved as it
is left (a refused value says why beside it and keeps nothing); the checks of plausibility are listed
on top and beside their field; under B3 the emissions proposed from the energy and fuels entered, with
the factors used, to take with one click. The export is a download of the filled template.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from diagnostic.core.roles import NotFound, Permission
from diagnostic.core.vsme import ERROR, Check, Datapoint
from diagnostic.i18n import error_text, format_decimal
from diagnostic.services import companies as company_service
from diagnostic.services import vsme as vsme_service
from diagnostic.services.context import Context
from ui import state
from ui.questions import failure_message
from ui.state import t
from ui.text import plain

REFUSED = "vsme_refused"  # datapoint id -> the message of the value just refused
TOGGLE = "vsme-enabled"


def _key(assessment_id: int, datapoint_id: str) -> str:
    return f"vsme-{assessment_id}-{datapoint_id}"


def _shown(d: Datapoint, value: Any, lang: str) -> Any:
    """What the widget shows for a stored value."""
    if value is None:
        return None
    if d.kind in ("number", "integer", "percent"):
        return format_decimal(value, lang)
    if d.kind == "date":
        return date.fromisoformat(str(value))
    return value


def _save(ctx: Context, assessment_id: int, d: Datapoint) -> None:
    """Widget callback: store what was entered, or say why not (nothing is stored)."""
    raw = st.session_state.get(_key(assessment_id, d.id))
    refused = st.session_state.setdefault(REFUSED, {})
    try:
        vsme_service.save_value(ctx, assessment_id, d.id, raw)
        refused.pop(d.id, None)
    except Exception as exc:  # noqa: BLE001 — said beside the field, in the user's language
        refused[d.id] = error_text(exc, ctx.lang) if hasattr(exc, "code") else failure_message(exc)


def _label(d: Datapoint, lang: str) -> str:
    unit = f" ({d.unit})" if d.unit else ""
    return f"{d.label.get(lang)}{unit}"


def _field(ctx: Context, assessment_id: int, d: Datapoint, value: Any, editable: bool, found: list[Check]) -> None:
    lang, key = ctx.lang, _key(assessment_id, d.id)
    if key not in st.session_state:
        st.session_state[key] = _shown(d, value, lang)
    common: dict[str, Any] = {
        "key": key, "help": d.help.get(lang), "disabled": not editable,
        "on_change": _save, "args": (ctx, assessment_id, d),
    }  # fmt: skip
    if d.kind == "choice":
        options = [None, *(o.id for o in d.options)]
        labels = {o.id: o.label.get(lang) for o in d.options}
        st.selectbox(_label(d, lang), options, format_func=lambda o: labels.get(o, "—") if o else "—", **common)
    elif d.kind == "boolean":
        words = {True: t("vsmepage.yes"), False: t("vsmepage.no")}
        st.selectbox(
            _label(d, lang),
            [None, True, False],
            format_func=lambda o: words.get(o, "—") if o is not None else "—",
            **common,
        )
    elif d.kind == "date":
        st.date_input(_label(d, lang), format="DD/MM/YYYY", **common)
    else:
        st.text_input(_label(d, lang), max_chars=d.max_length, **common)
    refused = st.session_state.get(REFUSED, {}).get(d.id)
    if refused:
        st.error(refused, icon=":material/error:")
    for check in found:
        text = t(check.code, **check.params)
        (st.error if check.severity == ERROR else st.warning)(text, icon=":material/warning:")


def _emissions(ctx: Context, assessment_id: int, emissions: Any, editable: bool) -> None:
    lang = ctx.lang
    with st.expander(t("vsmepage.emissions_title"), icon=":material/calculate:"):
        if not emissions.lines:
            st.caption(t("vsmepage.emissions_none"))
            return
        rows = [
            t(
                "vsmepage.emissions_line", name=line.factor.name.get(lang), quantity=format_decimal(line.quantity, lang),
                unit=line.factor.unit, factor=format_decimal(line.factor.kgco2e_per_unit, lang),
                tco2e=format_decimal(round(line.tco2e, 3), lang), source=line.factor.source,
            )
            for line in emissions.lines
        ]  # fmt: skip
        st.markdown("\n".join(f"- {plain(row)}" for row in rows))
        scope1 = format_decimal(round(emissions.scope1_tco2e, 3), lang) if emissions.scope1_tco2e is not None else "—"
        scope2 = (
            format_decimal(round(emissions.scope2_location_tco2e, 3), lang)
            if emissions.scope2_location_tco2e is not None
            else "—"
        )
        st.markdown(t("vsmepage.emissions_total", scope1=scope1, scope2=scope2))
        st.caption(t("vsmepage.emissions_caveat"))
        if editable and st.button(t("vsmepage.emissions_use"), key="vsme-use-emissions", icon=":material/input:"):
            try:
                vsme_service.use_computed_emissions(ctx, assessment_id)
                for datapoint in (
                    "b3.scope1_tco2e",
                    "b3.scope2_location_tco2e",
                    "b3.fuels_renewable_mwh",
                    "b3.fuels_non_renewable_mwh",
                ):
                    st.session_state.pop(_key(assessment_id, datapoint), None)  # drawn again from the database
            except Exception as exc:  # noqa: BLE001
                st.session_state[REFUSED] = {"b3.scope1_tco2e": failure_message(exc)}
            st.rerun()


def main(ctx: Context) -> None:
    st.title(t("vsmepage.title"))
    company, assessment = state.require_assessment(ctx)
    editable = company_service.may(ctx, Permission.EDIT, company.id)
    try:
        found = vsme_service.state(ctx, assessment.id)
    except NotFound:
        st.info(t("empty.no_assessment"))
        st.stop()
    st.caption(plain(company.name))
    st.markdown(t("vsmepage.intro"))

    def switch() -> None:
        try:
            vsme_service.set_enabled(ctx, assessment.id, bool(st.session_state[TOGGLE]))
        except Exception as exc:  # noqa: BLE001
            st.session_state[REFUSED] = {"": failure_message(exc)}

    st.session_state[TOGGLE] = found.enabled
    st.toggle(t("vsmepage.enable"), key=TOGGLE, on_change=switch, disabled=not editable, help=t("vsmepage.enable_help"))
    if not found.enabled:
        return

    definitions = vsme_service.definitions()
    by_datapoint: dict[str, list[Check]] = {}
    for check in found.checks:
        by_datapoint.setdefault(check.datapoint, []).append(check)
    errors = sum(1 for c in found.checks if c.severity == ERROR)
    warnings = len(found.checks) - errors
    filled = sum(1 for d in definitions.datapoints if found.values.get(d.id) not in (None, ""))
    with st.container(horizontal=True):
        st.metric(t("vsmepage.filled"), f"{filled} / {len(definitions.datapoints)}", border=True)
        st.metric(t("vsmepage.warnings"), warnings, border=True)
        st.metric(t("vsmepage.errors"), errors, border=True)

    st.download_button(
        t("vsmepage.export"), data=lambda: vsme_service.export_workbook(ctx, assessment.id),
        file_name=f"VSME-{company.name[:60]}.xlsx".replace("/", "-"), icon=":material/download:", on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", help=t("vsmepage.export_help"),
        key="vsme-export",
    )  # fmt: skip

    sections = [s for s in dict.fromkeys(d.section for d in definitions.datapoints)]
    for tab, section in zip(st.tabs([t(f"vsmepage.section.{s}") for s in sections]), sections, strict=True):
        with tab:
            for d in definitions.in_section(section):
                _field(ctx, assessment.id, d, found.values.get(d.id), editable, by_datapoint.get(d.id, []))
            if section == "B3":
                _emissions(ctx, assessment.id, found.emissions, editable)


if __name__ == "__main__":
    main(state.context())
