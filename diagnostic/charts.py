"""Plotly figures for the screen (the PDF draws the same radar with matplotlib)."""

from __future__ import annotations

import textwrap
from datetime import datetime

import plotly.graph_objects as go

from diagnostic.i18n import t
from diagnostic.loading import LoadedQuestionnaire
from diagnostic.palette import COLORS
from diagnostic.scoring import Result


def _labels(questionnaire: LoadedQuestionnaire, lang: str) -> list[str]:
    return ["<br>".join(textwrap.wrap(d.title.get(lang), 18)) for d in questionnaire.dimensions]


def _closed(values: list[float]) -> list[float]:
    return values + values[:1]


def radar_figure(
    questionnaire: LoadedQuestionnaire,
    result: Result,
    lang: str,
    targets: dict[str, float] | None = None,
    previous: Result | None = None,
    previous_on: datetime | None = None,
    previous_label: str | None = None,
) -> go.Figure:
    labels = _labels(questionnaire, lang)
    theta = _closed(labels)
    figure = go.Figure()
    if previous is not None:
        values = [(previous.dimension(d.id).score or 0) for d in questionnaire.dimensions]
        figure.add_trace(
            go.Scatterpolar(
                r=_closed(values), theta=theta, name=previous_label or t("results.previous", lang, date=""),
                line={"color": COLORS["previous"], "dash": "dot", "width": 2}, mode="lines+markers",
            )
        )
    if targets:
        values = [float(targets.get(d.id, 0)) for d in questionnaire.dimensions]
        figure.add_trace(
            go.Scatterpolar(
                r=_closed(values), theta=theta, name=t("results.target", lang),
                line={"color": COLORS["target"], "dash": "dash", "width": 2}, mode="lines",
            )
        )
    values = [(result.dimension(d.id).score or 0) for d in questionnaire.dimensions]
    figure.add_trace(
        go.Scatterpolar(
            r=_closed(values), theta=theta, name=t("results.current", lang), fill="toself",
            fillcolor="rgba(15,118,110,0.25)", line={"color": COLORS["current"], "width": 3}, mode="lines+markers",
            hovertemplate="%{theta}: %{r:.0f}/100<extra></extra>",
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
    )
    return figure


def history_figure(points: list[tuple[datetime, str, float | None]], lang: str, title: str) -> go.Figure:
    """Lines of scores over time: (date, series name, score) points."""
    figure = go.Figure()
    series: dict[str, list[tuple[datetime, float | None]]] = {}
    for moment, name, value in points:
        series.setdefault(name, []).append((moment, value))
    for index, (name, values) in enumerate(series.items()):
        figure.add_trace(
            go.Scatter(
                x=[m for m, _ in values], y=[v for _, v in values], name=name, mode="lines+markers",
                line={"width": 4 if index == 0 else 2},
            )
        )
    figure.update_layout(
        yaxis={"range": [0, 100], "title": "/100"}, height=420, margin={"l": 40, "r": 20, "t": 40, "b": 40}, title=title,
        legend={"orientation": "h", "y": -0.2},
    )
    return figure
