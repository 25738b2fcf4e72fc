"""The digest's chart: rates per program week (circles that met, attendance, check-ins answered, pairs that met),
one panel per program, drawn off-screen (Agg) to a PNG sized for a phone.

`plotted` is what the PNG shows, as data: the tests assert on it, and `rates_png` draws exactly that.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.digest.activity import WeekRates

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_IN, PANEL_IN, HEADER_IN, DPI = 6.0, 4.6, 0.6, 180  # 1080 px wide: a phone shows it without zooming
FONT = 12
MAX_TICKS = 13  # a quarter's weeks still read at this width
RATES = ("circles_met", "attended", "checkins", "pairs_met")  # the lines, in the legend's order
STYLE = {"circles_met": ("C0", "o", "-"), "attended": ("C2", "s", "-"), "checkins": ("C1", "^", "--"),
         "pairs_met": ("C4", "D", "-")}


@dataclass(frozen=True)
class Panel:
    program: str  # the program's name, as its admin typed it
    weeks: dict[int, WeekRates]  # program week (0-based) -> its rates


@dataclass(frozen=True)
class Labels:
    title: str
    week: str  # x axis
    rate: str  # y axis
    lines: dict[str, str]  # RATES key -> legend label
    not_logged: str


@dataclass(frozen=True)
class Plotted:
    program: str
    lines: dict[str, list[tuple[int, float]]]  # RATES key -> (week, 1-based; percent); only lines with points
    not_logged: list[int]  # weeks (1-based) with sessions held and none logged: shaded, never a zero
    weeks: int  # the x axis runs 1..weeks


def _rate(rates: WeekRates, key: str) -> float | None:
    value = {"circles_met": rates.met_rate, "attended": rates.attendance_rate, "checkins": rates.checkin_rate,
             "pairs_met": rates.pairs_met_rate}[key]
    return None if value is None else round(value * 100, 1)


def plotted(panels: Sequence[Panel]) -> list[Plotted]:
    """What the chart shows: a panel for each program with anything held, its rates as percentages."""
    shown = []
    for panel in panels:
        if not any(r.sessions or r.meetings for r in panel.weeks.values()):
            continue
        lines: dict[str, list[tuple[int, float]]] = {}
        for key in RATES:
            points = [(week + 1, value) for week, rates in sorted(panel.weeks.items())
                      if (value := _rate(rates, key)) is not None]
            if points:
                lines[key] = points
        shown.append(Plotted(program=panel.program, lines=lines,
                             not_logged=[w + 1 for w, r in sorted(panel.weeks.items()) if r.not_logged],
                             weeks=max(panel.weeks) + 1))
    return shown


def _plain(text: str) -> str:
    """A name typed by a person, drawn as typed: `$` would otherwise start matplotlib's maths."""
    return text.replace("$", r"\$")


def _draw(axes: Axes, shown: Plotted, labels: Labels) -> None:
    # Imported here for memory, not to dodge a cycle (docs/architecture.md): see rates_png.
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    axes.set_title(_plain(shown.program), fontsize=FONT + 1, loc="left", fontweight="bold")
    for week in shown.not_logged:
        axes.axvspan(week - 0.4, week + 0.4, facecolor="0.88", hatch="//", edgecolor="0.6", linewidth=0)
        axes.text(week, 103, labels.not_logged, rotation=90, ha="center", va="top", fontsize=FONT - 1,
                  color="0.25")
    weeks = list(range(1, shown.weeks + 1))
    for key, points in shown.lines.items():
        colour, marker, style = STYLE[key]
        values = dict(points)  # a week without a value is a gap in the line, never a slope through it
        axes.plot(weeks, [values.get(w, math.nan) for w in weeks], color=colour, marker=marker, linestyle=style,
                  linewidth=2, markersize=7, label=labels.lines[key])
    axes.set_xlim(0.5, shown.weeks + 0.5)
    axes.set_ylim(0, 105)
    if shown.weeks <= MAX_TICKS:  # every week named, even a first week alone (never 0.96 ... 1.04)
        axes.set_xticks(weeks)
    else:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=MAX_TICKS))
    axes.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    axes.set_xlabel(labels.week, fontsize=FONT)
    axes.set_ylabel(labels.rate, fontsize=FONT)
    axes.tick_params(labelsize=FONT - 1)
    axes.grid(alpha=0.3)
    handles, names = axes.get_legend_handles_labels()
    if shown.not_logged:
        handles.append(Patch(facecolor="0.85", hatch="//", edgecolor="0.6"))
        names.append(labels.not_logged)
    axes.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1, fontsize=FONT - 1,
                frameon=False)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def rates_png(panels: Sequence[Panel], labels: Labels) -> bytes | None:
    """None when nothing was held yet: the digest says so in a sentence rather than drawing empty axes.
    A Figure with its own Agg canvas, not pyplot: no global state, thread-safe."""
    shown = plotted(panels)
    if not shown:
        return None
    # matplotlib costs ~40 MB resident: imported on the first drawing, so a server that never draws a digest
    # chart never holds it (docs/architecture.md, "lazy imports"). Not to dodge an import cycle.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEADER_IN + PANEL_IN * len(shown)), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(labels.title, fontsize=FONT + 3)
    for axes, one in zip(figure.subplots(len(shown), 1, squeeze=False)[:, 0], shown, strict=True):
        _draw(axes, one, labels)
    return _png(figure)

