"""A static radar of the dimension scores (current, target, previous) for the PDF report, and the
radar of the respondent groups' scores (the crossed views).

Drawn with matplotlib's object API on an Agg canvas: no pyplot global state, so it is safe to call
from several threads (Streamlit runs sessions in threads). The colours follow plotly's default
palette so that the PDF matches the charts on screen.
"""

from __future__ import annotations

import io
import math
import textwrap
from typing import Any

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


def _title_lines(title: str) -> list[str]:
    """A dimension's title on at most three short lines (an ellipsis says when it is cut: the whole
    title is in the report beside the chart). Characters the font cannot draw and right-to-left
    scripts are handled as in the report's text."""
    from diagnostic.exports.pdf import _plain  # here: the PDF module imports this one

    lines = textwrap.wrap(" ".join(title.split()), width=15, break_long_words=False) or [""]
    if len(lines) > 3:
        lines = [*lines[:2], textwrap.shorten(" ".join(lines[2:]), width=15, placeholder="…")]
    return [_plain(line) for line in lines]


def _label(title: str, score: float | None, missing: str = NO_SCORE) -> str:
    """A dimension's title (`_title_lines`), then its score, or `missing` (why there is none)."""
    return "\n".join([*_title_lines(title), missing if score is None else f"{score:.0f}"])


WIDTH_PX = 660
DPI = 160  # 660 px at 160 dpi: a 4.1 in figure, printed at about 10 cm in the report


def radar_png(data: ReportData, width_px: int = WIDTH_PX, dpi: int = DPI) -> bytes:
    """PNG bytes of the radar: current scores filled, targets dashed, previous assessment dotted."""
    buffer = io.BytesIO()
    radar_image(data, width_px, dpi).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def radar_image(data: ReportData, width_px: int = WIDTH_PX, dpi: int = DPI) -> PILImage.Image:
    """The radar as an RGB Pillow image (what the PDF embeds, without a PNG round trip)."""
    return _image(_draw(data, width_px, dpi))


def _image(canvas: FigureCanvasAgg) -> PILImage.Image:
    width, height = canvas.get_width_height()
    return PILImage.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")


_Entry = tuple[str, str, Any, str | None]  # a legend entry: text, colour, line style, marker
LEGEND_CHAR, LEGEND_LINE, LEGEND_GAP, LEGEND_SEP = 0.048, 0.2, 0.07, 0.2  # data units
LEGEND_ROW = 0.2  # between two rows of legend, in data units


class _Frame:
    """The radar's empty frame on plain axes: rings, spokes, and the helpers that place values.

    Plain axes (polygons, spokes and texts placed by hand) rather than a polar projection, which
    costs several times more to set up and draw. `extra_height`, in data units, makes room below
    for more rows of legend."""

    def __init__(self, count: int, width_px: int, dpi: int, extra_height: float = 0.0):
        self.count = count
        # clockwise from the top, like the screen radar
        angles = [math.pi / 2 - 2 * math.pi * i / count for i in range(count)]
        self.cos = [math.cos(a) for a in angles]
        self.sin = [math.sin(a) for a in angles]
        width_in = width_px / dpi
        height_units = 4.0 * RADAR_RATIO + extra_height
        self.fig = Figure(figsize=(width_in, width_in * height_units / 4.0), dpi=dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.fig)
        ax = self.ax = self.fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_axis_off()
        ax.set_xlim(-2.0, 2.0)
        bottom = LEGEND_Y - 0.12 - extra_height
        ax.set_ylim(bottom, bottom + height_units)
        ax.set_aspect("equal")

        outer_x, outer_y = self.polygon([100.0] * count)
        ax.fill(outer_x, outer_y, color="#fbfdfd", zorder=0)
        for ring in (20, 40, 60, 80, 100):
            xs, ys = self.polygon([float(ring)] * count)
            ax.plot(xs, ys, color=GRID, linewidth=0.9 if ring == 100 else 0.6, zorder=1)
            ax.text(0.03, ring / 100 + 0.015, str(ring), fontsize=6, color="#7a8886", va="bottom", zorder=1)
        spokes = [[(0.0, 0.0), (c, s)] for c, s in zip(self.cos, self.sin, strict=True)]
        ax.add_collection(LineCollection(spokes, colors=GRID, linewidths=0.6, zorder=1))

    def polygon(self, values: list[float]) -> tuple[list[float], list[float]]:
        xs = [v / 100 * c for v, c in zip(values, self.cos, strict=True)]
        ys = [v / 100 * s for v, s in zip(values, self.sin, strict=True)]
        return [*xs, xs[0]], [*ys, ys[0]]

    def runs(self, values: list[float | None]) -> list[tuple[list[float], list[float], bool]]:
        """The lines of a series with gaps: (xs, ys, closed) for each run of adjacent axes with a
        value; a missing value is a gap, never a 0."""
        parts = []
        for run in cyclic_runs([v is not None for v in values]):
            closed = len(run) == self.count
            indices = [*run, run[0]] if closed else run
            xs = [(values[i] or 0.0) / 100 * self.cos[i] for i in indices]
            ys = [(values[i] or 0.0) / 100 * self.sin[i] for i in indices]
            parts.append((xs, ys, closed))
        return parts

    def axis_label(self, index: int, label: str, missing: bool = False) -> None:
        c, s = self.cos[index], self.sin[index]
        ha = "center" if abs(c) < 0.3 else "left" if c > 0 else "right"
        va = "center" if abs(s) < 0.3 else "bottom" if s > 0 else "top"
        self.ax.text(
            1.1 * c, 1.1 * s, label, fontsize=7.5, color=MISSING_TEXT if missing else TEXT,
            ha=ha, va=va, multialignment=ha, linespacing=1.15, style="italic" if missing else "normal",
        )  # fmt: skip

    def legend(self, entries: list[_Entry], max_width: float = 3.8) -> None:
        """A hand-placed legend (matplotlib's legend machinery costs as much as the rest of the
        chart), centred, in as many rows as it needs (see `legend_rows`)."""
        for number, row in enumerate(legend_rows(entries, max_width)):
            sizes = [_entry_width(entry) for entry in row]
            x = -(sum(sizes) + LEGEND_SEP * (len(sizes) - 1)) / 2
            y = LEGEND_Y - LEGEND_ROW * number
            for (text, colour, style, marker), size in zip(row, sizes, strict=True):
                width = 2.0 if style == "-" else 1.6
                if marker is None:
                    self.ax.plot([x, x + LEGEND_LINE], [y, y], color=colour, linewidth=width, linestyle=style)
                else:  # the marker in the middle of the line
                    xs = [x, x + LEGEND_LINE / 2, x + LEGEND_LINE]
                    self.ax.plot(xs, [y] * 3, color=colour, linewidth=width, linestyle=style, marker=marker,
                                 markevery=[1], markersize=3.4)
                self.ax.text(x + LEGEND_LINE + LEGEND_GAP, y, text, fontsize=7, color=TEXT, va="center")
                x += size + LEGEND_SEP


def _entry_width(entry: _Entry) -> float:
    return LEGEND_LINE + LEGEND_GAP + LEGEND_CHAR * len(entry[0])


def legend_rows(entries: list[_Entry], max_width: float) -> list[list[_Entry]]:
    """The legend's entries in rows no wider than `max_width` (data units), in order."""
    rows: list[list[_Entry]] = []
    width = 0.0
    for entry in entries:
        size = _entry_width(entry)
        if rows and width + LEGEND_SEP + size <= max_width:
            rows[-1].append(entry)
            width += LEGEND_SEP + size
        else:
            rows.append([entry])
            width = size
    return rows


def _draw(data: ReportData, width_px: int, dpi: int) -> FigureCanvasAgg:
    """Draw the radar on an Agg canvas."""
    lang = "en" if data.lang == "en" else "fr"
    dimensions = data.questionnaire.dimensions
    results = {d.id: d for d in data.result.dimensions}
    frame = _Frame(len(dimensions), width_px, dpi)
    ax = frame.ax

    scores = [results[d.id].score if d.id in results else None for d in dimensions]
    states = [dimension_state(results[d.id]) if d.id in results else NOT_FILLED for d in dimensions]
    for index, (dimension, value, state) in enumerate(zip(dimensions, scores, states, strict=True)):
        missing = t(MISSING_KEYS[state], lang) if state in MISSING_KEYS else NO_SCORE
        frame.axis_label(index, _label(to_plain(dimension.title.get(lang)), value, missing), missing=value is None)

    # series, and their legend
    legend: list[_Entry] = [(t("radar.current", lang), CURRENT, "-", None)]
    if data.previous is not None:
        previous = {d.id: d.score for d in data.previous.dimensions}
        for xs, ys, _ in frame.runs([previous.get(d.id) for d in dimensions]):
            ax.plot(xs, ys, color=PREVIOUS, linewidth=1.6, linestyle=":", marker="o" if len(xs) == 1 else None,
                    markersize=2.4, zorder=3)
        legend.append((t("radar.previous", lang), PREVIOUS, ":", None))
    if data.targets:
        target_values = [data.targets.get(d.id) for d in dimensions]
        for xs, ys, _ in frame.runs([float(v) if v is not None else None for v in target_values]):
            ax.plot(xs, ys, color=TARGET, linewidth=1.6, linestyle="--", zorder=3)
        legend.append((t("radar.target", lang), TARGET, "--", None))
    # the area: the whole polygon, or with gaps the shape from the centre through each run of
    # adjacent scored axes (the sectors beside a dimension without a score stay empty)
    for xs, ys, closed in frame.runs(scores):
        ax.fill(xs if closed else [0.0, *xs, 0.0], ys if closed else [0.0, *ys, 0.0], color=CURRENT, alpha=0.22,
                linewidth=0, zorder=2)
        ax.plot(xs, ys, color=CURRENT, linewidth=2.0, marker="o", markersize=3.2 if closed else 4.2, zorder=4)
    frame.legend(legend, max_width=100.0)  # one row, as it always was

    frame.canvas.draw()
    return frame.canvas


# --- the groups' radar (the participative diagnostic) --------------------------------------------

# each group its colour, line style and marker: told apart in black and white too (the target keeps
# its orange dashes, which no group uses)
GROUP_STYLES: list[tuple[str, Any, str]] = [
    ("#0f766e", "-", "o"),
    ("#1d4ed8", "-.", "s"),
    ("#7c3aed", ":", "^"),
    ("#be185d", (0, (7, 2, 1, 2, 1, 2)), "D"),
    ("#374151", (0, (1.5, 1)), "v"),
]
GROUP_NAME_CHARS = 32  # a longer group name is cut in the legend (the whole name is in the report)


def group_style(index: int) -> tuple[str, Any, str]:
    return GROUP_STYLES[index % len(GROUP_STYLES)]


def groups_radar_image(data: ReportData, width_px: int = WIDTH_PX, dpi: int = DPI) -> PILImage.Image | None:
    """The radar of the crossed views: one line per shown group (its consolidated answers scored),
    and the targets dashed; None without a shown group."""
    from diagnostic.exports.pdf import _plain  # here: the PDF module imports this one

    crossed = data.crossed
    if crossed is None or not crossed.shown:
        return None
    lang = "en" if data.lang == "en" else "fr"
    dimensions = data.questionnaire.dimensions
    legend: list[_Entry] = []
    for index, group in enumerate(crossed.shown):
        colour, style, marker = group_style(index)
        name = textwrap.shorten(" ".join(group.name.split()), width=GROUP_NAME_CHARS, placeholder="…")
        legend.append((_plain(name), colour, style, marker))
    if data.targets:
        legend.append((t("radar.target", lang), TARGET, "--", None))
    max_width = 3.8
    rows = len(legend_rows(legend, max_width))
    frame = _Frame(len(dimensions), width_px, dpi, extra_height=LEGEND_ROW * (rows - 1))
    ax = frame.ax
    for index, dimension in enumerate(dimensions):
        frame.axis_label(index, "\n".join(_title_lines(to_plain(dimension.title.get(lang)))))

    if data.targets:
        target_values = [data.targets.get(d.id) for d in dimensions]
        for xs, ys, _ in frame.runs([float(v) if v is not None else None for v in target_values]):
            ax.plot(xs, ys, color=TARGET, linewidth=1.4, linestyle="--", zorder=3)
    for index, group in enumerate(crossed.shown):
        colour, style, marker = group_style(index)
        scores = {d.id: d.score for d in group.result.dimensions} if group.result is not None else {}
        for xs, ys, closed in frame.runs([scores.get(d.id) for d in dimensions]):
            ax.plot(
                xs, ys, color=colour, linewidth=1.7, linestyle=style, marker=marker,
                markersize=3.6 if closed else 4.4, zorder=4 + index,
            )  # fmt: skip
    frame.legend(legend, max_width)
    frame.canvas.draw()
    return _image(frame.canvas)
