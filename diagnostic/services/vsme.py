"""The "Données VSME" module of an assessment: switch it on, enter the basic module's datapoints (each
checked as it is saved), take the emissions proposed from energy and fuel quantities, and export the
whole into EFRAG's VSME Digital Template.

Whoever may edit the company switches the module and enters values; whoever may view it reads them
and downloads the export. Out of reach is "not found", as a missing id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from diagnostic.core.errors import Message
from diagnostic.core.roles import Permission
from diagnostic.core.vsme import (
    ERROR,
    Check,
    Emissions,
    General,
    JsonValue,
    VsmeDefinitions,
    VsmeValueRefused,
    checks,
    computed_emissions,
    normalise,
    template_values,
)
from diagnostic.exports.vsme_template import build_vsme_workbook
from diagnostic.services import access
from diagnostic.services.context import Context
from diagnostic.storage.uow import UnitOfWork
from diagnostic.vsme_files import load_definitions, load_factors, nace_labels


@dataclass(frozen=True)
class VsmeState:
    enabled: bool
    values: dict[str, Any]  # datapoint id -> stored value
    changed: dict[str, tuple[str, datetime]]  # datapoint id -> (who, when)
    checks: list[Check]
    emissions: Emissions  # proposed from the quantities entered


def definitions() -> VsmeDefinitions:
    return load_definitions()


def state(ctx: Context, assessment_id: int) -> VsmeState:
    """The module's state for the assessment; NotFound out of reach."""
    with ctx.uow:
        access.assessment(ctx, assessment_id)
        scope = access.scope(ctx)
        enabled = bool(ctx.uow.vsme.enabled(scope, assessment_id))
        stored = ctx.uow.vsme.values(scope, assessment_id)
    values = {k: v for k, (v, _, _) in stored.items()}
    return VsmeState(
        enabled=enabled,
        values=values,
        changed={k: (who, when) for k, (_, who, when) in stored.items()},
        checks=checks(load_definitions(), values),
        emissions=computed_emissions(values, load_factors()),
    )


def set_enabled(ctx: Context, assessment_id: int, enabled: bool) -> None:
    def work(uow: UnitOfWork) -> None:
        _, company = access.assessment(ctx, assessment_id, Permission.EDIT)
        if uow.vsme.enabled(access.scope(ctx), assessment_id) != enabled:
            uow.vsme.set_enabled(access.scope(ctx, Permission.EDIT), assessment_id, enabled)
            access.audit(
                ctx, company.workspace_id, "vsme.module", f"assessment:{assessment_id}", "on" if enabled else "off"
            )

    ctx.uow.run(work)


def save_value(ctx: Context, assessment_id: int, datapoint_id: str, raw: object) -> JsonValue | None:
    """Check then store one datapoint (None or "" clears it); returns the value stored. VsmeValueRefused
    (nothing stored) for a value that cannot be, with the reason's catalogue key."""
    found = load_definitions().get(datapoint_id)
    if found is None:
        raise VsmeValueRefused(code="vsmepage.unknown_datapoint")
    value = None if raw is None or (isinstance(raw, str) and not raw.strip()) else normalise(found, raw)

    def work(uow: UnitOfWork) -> JsonValue | None:
        _, company = access.assessment(ctx, assessment_id, Permission.EDIT)
        if value is not None:  # an error that needs another value too (an end before the start)
            others = {k: v for k, (v, _, _) in uow.vsme.values(access.scope(ctx), assessment_id).items()}
            for check in checks(load_definitions(), {**others, datapoint_id: value}):
                if check.severity == ERROR and check.datapoint == datapoint_id:
                    raise VsmeValueRefused(code=check.code, params=check.params)
        uow.vsme.put(access.scope(ctx, Permission.EDIT), assessment_id, datapoint_id, value, ctx.actor.label)
        access.audit(ctx, company.workspace_id, "vsme.value", f"assessment:{assessment_id}", datapoint_id)
        return value

    return ctx.uow.run(work)


def use_computed_emissions(ctx: Context, assessment_id: int) -> Emissions:
    """Store the scope 1 and scope 2 (location-based) emissions and the fuels' energy as computed from the
    quantities entered (only the figures that can be computed); returns the computation."""
    proposed = state(ctx, assessment_id).emissions
    figures = {
        "b3.scope1_tco2e": proposed.scope1_tco2e,
        "b3.scope2_location_tco2e": proposed.scope2_location_tco2e,
        "b3.fuels_renewable_mwh": proposed.fuels_renewable_mwh,
        "b3.fuels_non_renewable_mwh": proposed.fuels_non_renewable_mwh,
    }
    known = load_definitions()

    def work(uow: UnitOfWork) -> None:
        _, company = access.assessment(ctx, assessment_id, Permission.EDIT)
        scope = access.scope(ctx, Permission.EDIT)
        for datapoint, value in figures.items():
            found = known.get(datapoint)
            if value is not None and found is not None:
                uow.vsme.put(scope, assessment_id, datapoint, normalise(found, round(value, 3)), ctx.actor.label)
        access.audit(ctx, company.workspace_id, "vsme.value", f"assessment:{assessment_id}", "emissions computed")

    ctx.uow.run(work)
    return proposed


def export_workbook(ctx: Context, assessment_id: int) -> bytes:
    """EFRAG's VSME Digital Template filled with the assessment's datapoints, in the context's language;
    NotFound out of reach."""
    with ctx.uow:
        _, company = access.assessment(ctx, assessment_id)
        stored = ctx.uow.vsme.values(access.scope(ctx), assessment_id)
    values = {k: v for k, (v, _, _) in stored.items()}
    general = General(entity_name=company.name, nace_code=company.profile.sector, lang=ctx.lang)
    return build_vsme_workbook(template_values(load_definitions(), values, general, nace_labels()), ctx.lang)


# --- moving an assessment: the JSON file's `vsme` part (docs/formats.md) --------------------------------


def file_part(ctx: Context, assessment_id: int) -> Any:
    """The `vsme` part of the assessment's export (None when the module was never used)."""
    from diagnostic.exports.assessment_json import FileVsme

    with ctx.uow:
        access.assessment(ctx, assessment_id)
        scope = access.scope(ctx)
        enabled = bool(ctx.uow.vsme.enabled(scope, assessment_id))
        values = {k: v for k, (v, _, _) in ctx.uow.vsme.values(scope, assessment_id).items()}
    if not enabled and not values:
        return None
    return FileVsme(enabled=enabled, values=values)


def plan_part(plan: Any) -> None:
    """Check the file's VSME values again (an ImportPlan): the good ones go to plan.vsme, each other one
    is dropped and listed with why."""
    part = plan.document.vsme
    if part is None:
        return
    known = load_definitions()
    for datapoint, raw in part.values.items():
        where = f"vsme.values.{datapoint}"
        found = known.get(datapoint)
        if found is None:
            plan.drop(where, datapoint, Message("vsmepage.unknown_datapoint"))
            continue
        try:
            plan.vsme[datapoint] = normalise(found, raw)
        except VsmeValueRefused as refused:
            plan.drop(where, datapoint, Message(refused.code, refused.params))


def restore(uow: UnitOfWork, ctx: Context, assessment_id: int, plan: Any) -> None:
    """Write an import's VSME part, in the import's transaction."""
    part = plan.document.vsme
    if part is None:
        return
    scope = access.scope(ctx, Permission.EDIT)
    uow.vsme.set_enabled(scope, assessment_id, part.enabled)
    for datapoint, value in plan.vsme.items():
        uow.vsme.put(scope, assessment_id, datapoint, value, ctx.actor.label)


def workbook_of_file(document: Any, values: dict[str, Any], lang: str) -> bytes:
    """The template filled from an exported assessment's `vsme` values, checked by plan_part (the command
    line's report)."""
    name = document.company.name if document.company else "—"
    general = General(entity_name=name, nace_code=document.profile.sector, lang=lang)
    return build_vsme_workbook(template_values(load_definitions(), values, general, nace_labels()), lang)
