"""The radars of several companies overlaid (plotly), in the style of ui/charts.py's radar."""

from __future__ import annotations

import html
import textwrap

import plotly.graph_objects as go

from diagnostic.core.markup import to_plain
from diagnostic.core.palette import COLORS
from ui.charts import CHART_TEXT

# One colour and one line style per company (up to 6), so that a trace is told by its dash as well
# as its colour; the first is the palette's "current" teal. Each reads at 4.5:1 or more on white.
SERIES_COLORS = (COLORS["current"], "#c2410c", "#1d4ed8", "#a21caf", "#4d7c0f", "#57534e")
SERIES_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def compare_radar(axes: list[str], series: list[tuple[str, list[float | None]]]) -> go.Figure:
    """One trace per company: `series` is (name, one score 0..100 or None per axis). A dimension
    without a score is a gap in its line, never a 0. Names are user text: escaped for plotly."""
    labels = ["<br>".join(textwrap.wrap(html.escape(to_plain(a)), 18)) for a in axes]
    theta = labels + labels[:1]
    figure = go.Figure()
    for index, (name, values) in enumerate(series):
        figure.add_trace(
            go.Scatterpolar(
                r=values + values[:1], theta=theta, name=html.escape(name), mode="lines+markers",
                line={"color": SERIES_COLORS[index % len(SERIES_COLORS)], "dash": SERIES_DASHES[index % len(SERIES_DASHES)], "width": 3},
                marker={"size": 8}, hovertemplate="%{fullData.name}<br>%{theta}: %{r:.0f}/100<extra></extra>",
            )
        )  # fmt: skip
    figure.update_layout(
        polar={
            "radialaxis": {"range": [0, 100], "tickvals": [25, 50, 75, 100], "angle": 90, "tickfont": {"size": 10}},
            "angularaxis": {"rotation": 90, "direction": "clockwise", "tickfont": {"size": 12}},
        },
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "x": 0.5, "xanchor": "center"},
        margin={"l": 110, "r": 110, "t": 90, "b": 40},
        height=520,
        font={"color": CHART_TEXT},
    )
    return figure
