"""Plotly figures for the screen (the PDF draws the same radar with matplotlib)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

import plotly.graph_objects as go

from diagnostic.core.benchmark import Quartiles
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.markup import to_plain
from diagnostic.core.palette import COLORS
from diagnostic.core.reading import NOT_FILLED, SCORED, cyclic_runs, dimension_state
from diagnostic.core.scoring import Result
from diagnostic.i18n import format_date, format_score, t

# Tick, legend and axis text (Streamlit's plotly theme draws them at 3.7:1 on white; this is 8.6:1)
CHART_TEXT = "#4d4c4a"


def _labels(questionnaire: LoadedQuestionnaire, lang: str) -> list[str]:
    return ["<br>".join(textwrap.wrap(to_plain(d.title.get(lang)), 18)) for d in questionnaire.dimensions]


def _axis_labels(questionnaire: LoadedQuestionnaire, result: Result, lang: str) -> list[str]:
    """Each axis's title; a dimension without a score says why under its title (never drawn at 0)."""
    states = {d.id: dimension_state(d) for d in result.dimensions}
    labels = []
    for label, dimension in zip(_labels(questionnaire, lang), questionnaire.dimensions, strict=True):
        state = states.get(dimension.id, SCORED)
        if state != SCORED:
            word = t("results.not_filled" if state == NOT_FILLED else "results.not_concerned", lang)
            label += f"<br><i><span style='color:{MISSING_TEXT}'>({word})</span></i>"
        labels.append(label)
    return labels


MISSING_TEXT = "#8a6d00"  # the axis note of a dimension without a score: dark amber, readable on white


_T = TypeVar("_T")


def _closed(values: list[_T]) -> list[_T]:
    """The list with its first item again at the end: plotly's way of closing a radar's line."""
    return values + values[:1]


def _wedges(values: list[float | None], labels: list[str]) -> tuple[list[float | None], list[str]]:
    """The area of a radar with gaps: for each run of adjacent scored axes, the shape from the centre
    through its points and back (a gap between runs: plotly fills each segment on its own). The
    sectors beside a dimension without a score stay empty: nothing is drawn where nothing is known."""
    r: list[float | None] = []
    theta: list[str] = []
    for run in cyclic_runs([v is not None for v in values]):
        r += [0.0, *[values[i] for i in run], 0.0, None]
        theta += [labels[run[0]], *[labels[i] for i in run], labels[run[-1]], labels[run[-1]]]
    return r, theta


def radar_figure(
    questionnaire: LoadedQuestionnaire,
    result: Result,
    lang: str,
    targets: dict[str, float] | None = None,
    previous: Result | None = None,
    previous_on: datetime | None = None,
    previous_label: str | None = None,
    benchmark: Mapping[str, Quartiles] | None = None,
    benchmark_label: str | None = None,
) -> go.Figure:
    """Current scores filled, targets dashed, previous assessment dotted, a network's benchmark as its
    median line over the band from Q1 to Q3. A dimension without a score (or without a benchmark) is
    a gap in its line (not a 0) and its axis label says "not filled in" or "not concerned"."""
    labels = _axis_labels(questionnaire, result, lang)
    theta = _closed(labels)
    figure = go.Figure()
    if benchmark:
        _benchmark_traces(figure, [benchmark.get(d.id) for d in questionnaire.dimensions], labels, benchmark_label or "", lang)
    if previous is not None:
        values = [previous.dimension(d.id).score for d in questionnaire.dimensions]
        figure.add_trace(
            go.Scatterpolar(
                r=_closed(values), theta=theta, name=previous_label or t("results.previous", lang, date=""),
                line={"color": COLORS["previous"], "dash": "dot", "width": 2}, mode="lines+markers",
            )
        )
    if targets:
        values = [float(targets[d.id]) if targets.get(d.id) is not None else None for d in questionnaire.dimensions]
        figure.add_trace(
            go.Scatterpolar(
                r=_closed(values), theta=theta, name=t("results.target", lang),
                line={"color": COLORS["target"], "dash": "dash", "width": 2}, mode="lines",
            )
        )
    values = [result.dimension(d.id).score for d in questionnaire.dimensions]
    complete = all(v is not None for v in values)
    if not complete:
        area_r, area_theta = _wedges(values, labels)
        figure.add_trace(
            go.Scatterpolar(
                r=area_r, theta=area_theta, fill="toself", fillcolor=CURRENT_FILL, mode="none",
                hoverinfo="skip", showlegend=False,
            )
        )
    figure.add_trace(
        go.Scatterpolar(
            r=_closed(values), theta=theta, name=t("results.current", lang), fill="toself" if complete else "none",
            fillcolor=CURRENT_FILL, line={"color": COLORS["current"], "width": 3}, mode="lines+markers",
            marker={"size": 9}, hovertemplate="%{theta}: %{r:.0f}/100<extra></extra>",
        )
    )
    figure.update_layout(
        polar={
            "radialaxis": {"range": [0, 100], "tickvals": [25, 50, 75, 100], "angle": 90, "tickfont": {"size": 10}},
            "angularaxis": {"rotation": 90, "direction": "clockwise", "tickfont": {"size": 12}},
        },
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "x": 0.5, "xanchor": "center"},
        margin={"l": 110, "r": 110, "t": 40, "b": 30},
        height=480,
        font={"color": CHART_TEXT},
    )
    return figure


CURRENT_FILL = "rgba(15,118,110,0.25)"
BENCHMARK_FILL = "rgba(99,102,241,0.16)"


def _benchmark_traces(figure: go.Figure, figures: list[Quartiles | None], labels: list[str], label: str, lang: str) -> None:
    """The band from Q1 to Q3 (for each run of adjacent axes with a benchmark: Q3 outwards, Q1 back,
    so that the ring between them is filled) and the median line, with a gap where there is none."""
    r: list[float | None] = []
    theta: list[str] = []
    for run in cyclic_runs([q is not None for q in figures]):
        ring = run + run[:1] if len(run) == len(figures) else run  # the whole circle: close both lines
        outer = [figures[i].q3 for i in ring]  # type: ignore[union-attr]
        inner = [figures[i].q1 for i in reversed(ring)]  # type: ignore[union-attr]
        r += [*outer, *inner, None]
        theta += [*(labels[i] for i in ring), *(labels[i] for i in reversed(ring)), labels[ring[-1]]]
    figure.add_trace(
        go.Scatterpolar(
            r=r, theta=theta, fill="toself", fillcolor=BENCHMARK_FILL, mode="none", hoverinfo="skip",
            name=t("benchmark.band", lang),
        )
    )  # fmt: skip
    medians = [q.median if q is not None else None for q in figures]
    figure.add_trace(
        go.Scatterpolar(
            r=_closed(medians), theta=_closed(labels), name=label or t("benchmark.median", lang), mode="lines",
            line={"color": BENCHMARK_LINE, "width": 2, "dash": "dashdot"}, connectgaps=False,
            hovertemplate="%{theta}: %{r:.0f}/100<extra></extra>",
        )
    )  # fmt: skip


BENCHMARK_LINE = "#4f46e5"


def history_figure(points: list[tuple[datetime, str, float | None]], lang: str, title: str) -> go.Figure:
    """Lines of scores over time: (date, series name, score) points.

    The dates are written by us, in the page's language ("4 avr. 2026" / "4 Apr 2026", Babel), one
    tick per assessment day (at most HISTORY_TICKS, evenly picked), and so is the hover text:
    plotly.js names months in English unless a locale file is loaded, and Streamlit bundles none.
    """
    figure = go.Figure()
    series: dict[str, list[tuple[datetime, float | None]]] = {}
    for moment, name, value in points:
        series.setdefault(name, []).append((moment, value))
    for index, (name, values) in enumerate(series.items()):
        figure.add_trace(
            go.Scatter(
                x=[m for m, _ in values], y=[v for _, v in values], name=name, mode="lines+markers",
                line={"width": 4 if index == 0 else 2},
                text=[f"{format_date(m, lang, 'medium')} · {format_score(v, lang)}/100" for m, v in values],
                hovertemplate="%{fullData.name}<br>%{text}<extra></extra>",
            )
        )
    moments = sorted({moment for moment, _, _ in points})
    first_of_day: dict[object, datetime] = {}
    for moment in moments:
        first_of_day.setdefault(moment.date() if isinstance(moment, datetime) else moment, moment)
    ticks = list(first_of_day.values())
    if len(ticks) > HISTORY_TICKS:
        step = (len(ticks) - 1) / (HISTORY_TICKS - 1)
        ticks = [ticks[round(i * step)] for i in range(HISTORY_TICKS)]
    xaxis: dict[str, object] = {
        "tickmode": "array", "tickvals": ticks, "ticktext": [format_date(m, lang, "medium") for m in ticks],
        "showgrid": False,
    }  # fmt: skip
    if len(moments) > 1:  # room on both sides for the first and last date labels
        pad = (moments[-1] - moments[0]) * 0.08
        xaxis["range"] = [moments[0] - pad, moments[-1] + pad]
    figure.update_layout(
        xaxis=xaxis, yaxis={"range": [0, 100], "title": "/100"}, height=420,
        margin={"l": 40, "r": 20, "t": 40, "b": 40}, title=title, legend={"orientation": "h", "y": -0.2},
        font={"color": CHART_TEXT},
    )  # fmt: skip
    return figure


HISTORY_TICKS = 6  # date labels on the history chart's axis, at most
