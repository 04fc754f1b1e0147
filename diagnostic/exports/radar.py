"""A static radar of the dimension scores (current, target, previous) for the PDF report.

Drawn with matplotlib's object API on an Agg canvas: no pyplot global state, so it is safe to call
from several threads (Streamlit runs sessions in threads). The colours follow plotly's default
palette so that the PDF matches the charts on screen.
"""

from __future__ import annotations

import io
import math
import textwrap

import matplotlib

matplotlib.use("Agg")  # no display: never pick an interactive backend

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image as PILImage  # noqa: E402  (Pillow: a dependency of matplotlib)

from diagnostic.core.markup import to_plain  # noqa: E402
from diagnostic.core.palette import COLORS  # noqa: E402
from diagnostic.core.reading import NOT_CONCERNED, NOT_FILLED, cyclic_runs, dimension_state  # noqa: E402
from diagnostic.exports.report_data import ReportData  # noqa: E402
from diagnostic.i18n import t  # noqa: E402

# the same colours as the screen radar (ui/charts.py)
CURRENT = COLORS["current"]
TARGET = COLORS["target"]
PREVIOUS = COLORS["previous"]
GRID = "#c9d3d1"
TEXT = "#2b3a38"

# the note under an axis without a score, by why it has none (texts: the catalogues, keys radar.*)
MISSING_KEYS = {NOT_FILLED: "radar.not_filled", NOT_CONCERNED: "radar.not_concerned"}
NO_SCORE = "—"
MISSING_TEXT = "#8a6d00"  # the note of an axis without a score (the same dark amber as the screen radar)
RADAR_RATIO = 0.85  # height / width of the image
LEGEND_Y = -1.64  # in data units: the radar's outer ring has radius 1


def _label(title: str, score: float | None, missing: str = NO_SCORE) -> str:
    """A dimension's title on at most three short lines (an ellipsis says when it is cut: the whole
    title is in the report beside the chart), then its score, or `missing` (why there is none).
    Characters the font cannot draw and right-to-left scripts are handled as in the report's text."""
    from diagnostic.exports.pdf import _plain  # here: the PDF module imports this one

    lines = textwrap.wrap(" ".join(title.split()), width=15, break_long_words=False) or [""]
    if len(lines) > 3:
        lines = [*lines[:2], textwrap.shorten(" ".join(lines[2:]), width=15, placeholder="…")]
    lines = [_plain(line) for line in lines]
    return "\n".join([*lines, missing if score is None else f"{score:.0f}"])


WIDTH_PX = 660
DPI = 160  # 660 px at 160 dpi: a 4.1 in figure, printed at about 10 cm in the report


def radar_png(data: ReportData, width_px: int = WIDTH_PX, dpi: int = DPI) -> bytes:
    """PNG bytes of the radar: current scores filled, targets dashed, previous assessment dotted."""
    buffer = io.BytesIO()
    radar_image(data, width_px, dpi).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def radar_image(data: ReportData, width_px: int = WIDTH_PX, dpi: int = DPI) -> PILImage.Image:
    """The radar as an RGB Pillow image (what the PDF embeds, without a PNG round trip)."""
    canvas = _draw(data, width_px, dpi)
    width, height = canvas.get_width_height()
    return PILImage.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")


def _draw(data: ReportData, width_px: int, dpi: int) -> FigureCanvasAgg:
    """Draw the radar on an Agg canvas.

    Plain axes (polygons, spokes and texts placed by hand) rather than a polar projection, which
    costs several times more to set up and draw.
    """
    lang = "en" if data.lang == "en" else "fr"
    dimensions = data.questionnaire.dimensions
    results = {d.id: d for d in data.result.dimensions}
    count = len(dimensions)
    # clockwise from the top, like the screen radar
    angles = [math.pi / 2 - 2 * math.pi * i / count for i in range(count)]
    cos = [math.cos(a) for a in angles]
    sin = [math.sin(a) for a in angles]

    def polygon(values: list[float]) -> tuple[list[float], list[float]]:
        xs = [v / 100 * c for v, c in zip(values, cos, strict=True)]
        ys = [v / 100 * s for v, s in zip(values, sin, strict=True)]
        return [*xs, xs[0]], [*ys, ys[0]]

    def runs(values: list[float | None]) -> list[tuple[list[float], list[float], bool]]:
        """The lines of a series with gaps: (xs, ys, closed) for each run of adjacent axes with a
        value; a missing value is a gap, never a 0."""
        parts = []
        for run in cyclic_runs([v is not None for v in values]):
            closed = len(run) == count
            indices = [*run, run[0]] if closed else run
            xs = [(values[i] or 0.0) / 100 * cos[i] for i in indices]
            ys = [(values[i] or 0.0) / 100 * sin[i] for i in indices]
            parts.append((xs, ys, closed))
        return parts

    width_in = width_px / dpi
    fig = Figure(figsize=(width_in, width_in * RADAR_RATIO), dpi=dpi, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_axis_off()
    ax.set_xlim(-2.0, 2.0)
    ax.set_ylim(LEGEND_Y - 0.12, LEGEND_Y - 0.12 + 4.0 * RADAR_RATIO)
    ax.set_aspect("equal")

    outer_x, outer_y = polygon([100.0] * count)
    ax.fill(outer_x, outer_y, color="#fbfdfd", zorder=0)
    for ring in (20, 40, 60, 80, 100):
        xs, ys = polygon([float(ring)] * count)
        ax.plot(xs, ys, color=GRID, linewidth=0.9 if ring == 100 else 0.6, zorder=1)
        ax.text(0.03, ring / 100 + 0.015, str(ring), fontsize=6, color="#7a8886", va="bottom", zorder=1)
    spokes = [[(0.0, 0.0), (c, s)] for c, s in zip(cos, sin, strict=True)]
    ax.add_collection(LineCollection(spokes, colors=GRID, linewidths=0.6, zorder=1))

    scores = [results[d.id].score if d.id in results else None for d in dimensions]
    states = [dimension_state(results[d.id]) if d.id in results else NOT_FILLED for d in dimensions]
    for dimension, value, state, c, s in zip(dimensions, scores, states, cos, sin, strict=True):
        ha = "center" if abs(c) < 0.3 else "left" if c > 0 else "right"
        va = "center" if abs(s) < 0.3 else "bottom" if s > 0 else "top"
        missing = t(MISSING_KEYS[state], lang) if state in MISSING_KEYS else NO_SCORE
        label = _label(to_plain(dimension.title.get(lang)), value, missing)
        ax.text(
            1.1 * c, 1.1 * s, label, fontsize=7.5, color=TEXT if value is not None else MISSING_TEXT,
            ha=ha, va=va, multialignment=ha, linespacing=1.15, style="normal" if value is not None else "italic",
        )

    # series, and their legend: (label, colour, line style)
    legend: list[tuple[str, str, str]] = [(t("radar.current", lang), CURRENT, "-")]
    if data.previous is not None:
        previous = {d.id: d.score for d in data.previous.dimensions}
        for xs, ys, _ in runs([previous.get(d.id) for d in dimensions]):
            ax.plot(xs, ys, color=PREVIOUS, linewidth=1.6, linestyle=":", marker="o" if len(xs) == 1 else None,
                    markersize=2.4, zorder=3)
        legend.append((t("radar.previous", lang), PREVIOUS, ":"))
    if data.targets:
        target_values = [data.targets.get(d.id) for d in dimensions]
        for xs, ys, _ in runs([float(v) if v is not None else None for v in target_values]):
            ax.plot(xs, ys, color=TARGET, linewidth=1.6, linestyle="--", zorder=3)
        legend.append((t("radar.target", lang), TARGET, "--"))
    # the area: the whole polygon, or with gaps the shape from the centre through each run of
    # adjacent scored axes (the sectors beside a dimension without a score stay empty)
    for xs, ys, closed in runs(scores):
        ax.fill(xs if closed else [0.0, *xs, 0.0], ys if closed else [0.0, *ys, 0.0], color=CURRENT, alpha=0.22,
                linewidth=0, zorder=2)
        ax.plot(xs, ys, color=CURRENT, linewidth=2.0, marker="o", markersize=3.2 if closed else 4.2, zorder=4)

    # a hand-placed legend (matplotlib's legend machinery costs as much as the rest of the chart)
    char_w, line_w, gap, sep = 0.048, 0.2, 0.07, 0.2
    sizes = [line_w + gap + char_w * len(text) for text, _, _ in legend]
    x = -(sum(sizes) + sep * (len(sizes) - 1)) / 2
    y = LEGEND_Y
    for (text, colour, style), size in zip(legend, sizes, strict=True):
        ax.plot([x, x + line_w], [y, y], color=colour, linewidth=2.0 if style == "-" else 1.6, linestyle=style)
        ax.text(x + line_w + gap, y, text, fontsize=7, color=TEXT, va="center")
        x += size + sep

    canvas.draw()
    return canvas
