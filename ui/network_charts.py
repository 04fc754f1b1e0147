"""Plotly figures of a network's dashboard: levels, scores by dimension, progress over time."""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from diagnostic.core.palette import COLORS
from diagnostic.i18n import format_score, t
from diagnostic.services.networks import DimensionScores, LevelCount, PeriodMedian
from ui.charts import CHART_TEXT


def _layout(figure: go.Figure, height: int = 360) -> go.Figure:
    figure.update_layout(
        height=height, margin={"l": 40, "r": 20, "t": 30, "b": 40}, font={"color": CHART_TEXT}, showlegend=False
    )
    return figure


def levels_figure(levels: list[LevelCount], lang: str) -> go.Figure:
    """How many sharing members stand at each level (their latest completed assessment)."""
    names = [f"{c.rank} · {c.level}" if c.level else t("network.no_level", lang) for c in levels]
    figure = go.Figure(
        go.Bar(
            x=names, y=[c.count for c in levels], marker_color=COLORS["current"], text=[c.count for c in levels],
            textposition="auto", hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )  # fmt: skip
    few = max((c.count for c in levels), default=0) < 10
    figure.update_yaxes(title=t("network.members_axis", lang), rangemode="tozero", dtick=1 if few else None)
    return _layout(figure)


def dimensions_figure(dimensions: list[DimensionScores]) -> go.Figure:
    """A box per dimension, lying down (the names stay readable on a phone): the spread of the
    sharing members' scores (0..100), the first dimension on top."""
    figure = go.Figure()
    for d in reversed(dimensions):
        figure.add_trace(
            go.Box(
                x=d.scores, name="<br>".join(textwrap.wrap(d.title, 22)), marker_color=COLORS["current"],
                boxpoints="outliers", orientation="h", hovertemplate="%{x:.0f}/100<extra></extra>",
            )
        )  # fmt: skip
    figure.update_xaxes(range=[0, 100], title="/100")
    figure.update_yaxes(automargin=True)  # room for the dimensions' names
    return _layout(figure, 70 + 60 * len(dimensions))


def period_label(p: PeriodMedian, lang: str) -> str:
    """The period in words: "T2 2025" / "Q2 2025", or the year alone."""
    return t("network.quarter", lang, quarter=p.quarter, year=p.year) if p.quarter else str(p.year)


def progress_figure(periods: list[PeriodMedian], lang: str) -> go.Figure:
    """The median overall score of the completed assessments of each period."""
    names = [period_label(p, lang) for p in periods]
    figure = go.Figure(
        go.Scatter(
            x=names, y=[p.median for p in periods], mode="lines+markers", line={"color": COLORS["current"], "width": 3},
            text=[t("network.progress_hover", lang, median=format_score(p.median, lang), count=p.assessments) for p in periods],
            hovertemplate="%{x}<br>%{text}<extra></extra>",
        )
    )  # fmt: skip
    figure.update_xaxes(type="category")
    figure.update_yaxes(range=[0, 100], title="/100")
    return _layout(figure)
