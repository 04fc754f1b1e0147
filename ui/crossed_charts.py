"""Plotly figures of the crossed views (app_pages/crossed.py): one radar polygon per shown group, and
heat maps of groups × dimensions (scores /100) and groups × questions (means on the 0..4 scale).

The figures take what to draw, already named and formatted: no translation, no scoring here."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence

import plotly.graph_objects as go

from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.markup import to_plain
from diagnostic.core.palette import COLORS
from diagnostic.core.scoring import Result
from ui.charts import CHART_TEXT

# Okabe–Ito colours (told apart with the common colour-vision deficiencies), without their orange:
# the target line is orange. Each group also has its own marker shape and line style.
GROUP_COLORS = ("#0072B2", "#009E73", "#CC79A7", "#8a6d00", "#56B4E9", "#000000")
GROUP_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")
GROUP_DASHES = ("solid", "solid", "solid", "dot", "dashdot", "longdash")
# white (low) to the app's teal (high): a cell's figure is written in it, the colour only repeats it
HEAT_SCALE = [[0.0, "#f7fbfa"], [0.5, "#7cc4bb"], [1.0, COLORS["current"]]]


def escaped(text: str) -> str:
    """A text shown as typed in a figure: plotly reads a subset of HTML (<b>, <a href>…) in its labels."""
    return html.escape(text, quote=False)


def wrap(text: str, width: int = 16) -> str:
    """A label escaped and broken into lines for a chart's axis (plotly writes <br> as a line break)."""
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    return "<br>".join(escaped(line) for line in lines) or escaped(text)


def group_radar(
    questionnaire: LoadedQuestionnaire,
    groups: Sequence[tuple[str, Result]],
    lang: str,
    targets: dict[str, float] | None = None,
    target_label: str = "",
) -> go.Figure:
    """One closed line per group (its dimension scores /100; a dimension without a score is a gap),
    the targets dashed. The legend sits under the chart, so that it keeps the width on a phone."""
    labels = [wrap(to_plain(d.title.get(lang)), 18) for d in questionnaire.dimensions]
    target_label = escaped(target_label)
    theta = labels + labels[:1]
    figure = go.Figure()
    if targets:
        values = [float(targets[d.id]) if targets.get(d.id) is not None else None for d in questionnaire.dimensions]
        figure.add_trace(
            go.Scatterpolar(
                r=values + values[:1], theta=theta, name=target_label, mode="lines",
                line={"color": COLORS["target"], "dash": "dash", "width": 2},
                hovertemplate="%{theta}: %{r:.0f}/100<extra>" + target_label + "</extra>",
            )
        )  # fmt: skip
    for index, (name, result) in enumerate(groups):
        values = [result.dimension(d.id).score for d in questionnaire.dimensions]
        colour = GROUP_COLORS[index % len(GROUP_COLORS)]
        figure.add_trace(
            go.Scatterpolar(
                r=values + values[:1], theta=theta, name=escaped(name), mode="lines+markers",
                line={"color": colour, "width": 2.5, "dash": GROUP_DASHES[index % len(GROUP_DASHES)]},
                marker={"size": 8, "symbol": GROUP_SYMBOLS[index % len(GROUP_SYMBOLS)], "color": colour},
                hovertemplate="%{theta}: %{r:.0f}/100<extra>%{fullData.name}</extra>",
            )
        )  # fmt: skip
    figure.update_layout(
        polar={
            "radialaxis": {"range": [0, 100], "tickvals": [25, 50, 75, 100], "angle": 90, "tickfont": {"size": 10}},
            "angularaxis": {"rotation": 90, "direction": "clockwise", "tickfont": {"size": 11}},
        },
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "x": 0.5, "xanchor": "center"},
        margin={"l": 90, "r": 90, "t": 30, "b": 30},
        height=500,
        font={"color": CHART_TEXT},
    )
    return figure


def heat_map(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    texts: Sequence[Sequence[str]],
    maximum: float,
) -> go.Figure:
    """A table of coloured cells (rows × columns, labels already escaped), each with its figure
    written in it; None is an empty cell (its text says why). Rows and columns are placed by their
    position: two groups of the same name stay two rows."""
    hover = [
        [f"{row} · {column}: {text}" for column, text in zip(columns, line, strict=True)]
        for row, line in zip(rows, texts, strict=True)
    ]
    figure = go.Figure(
        go.Heatmap(
            z=[list(line) for line in values], x=list(range(len(columns))), y=list(range(len(rows))),
            text=[list(line) for line in texts], texttemplate="%{text}", textfont={"size": 13},
            customdata=hover, hovertemplate="%{customdata}<extra></extra>",
            zmin=0, zmax=maximum, colorscale=HEAT_SCALE, showscale=False, xgap=2, ygap=2,
        )
    )  # fmt: skip
    figure.update_layout(
        height=max(160, 70 + 44 * len(rows)),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={
            "side": "top", "automargin": True, "tickfont": {"size": 11}, "fixedrange": True,
            "tickmode": "array", "tickvals": list(range(len(columns))), "ticktext": list(columns),
        },
        yaxis={
            "autorange": "reversed", "automargin": True, "tickfont": {"size": 12}, "fixedrange": True,
            "tickmode": "array", "tickvals": list(range(len(rows))), "ticktext": list(rows),
        },
        font={"color": CHART_TEXT},
    )  # fmt: skip
    return figure
