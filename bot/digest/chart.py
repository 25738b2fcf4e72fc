"""The digest's chart: participation per week, one line per program, drawn off-screen (Agg) to PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

WIDTH_PX, HEIGHT_PX, DPI = 900, 450, 100


@dataclass(frozen=True)
class Series:
    enrolled_label: str
    attended_label: str
    enrolled: dict[int, int]  # program week (0-based) -> members enrolled
    attended: dict[int, int]  # program week (0-based) -> attendees logged


@dataclass(frozen=True)
class Labels:
    title: str
    week: str  # x axis
    people: str  # y axis
    empty: str


def participation_png(series: Sequence[Series], labels: Labels) -> bytes:
    """A PNG of WIDTH_PX x HEIGHT_PX. A Figure with its own Agg canvas, not pyplot: no global state, thread-safe."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(labels.title)
    axes.set_xlabel(labels.week)
    axes.set_ylabel(labels.people)
    drawn = False
    for index, one in enumerate(series):
        colour = f"C{index % 10}"
        if one.enrolled:
            weeks = sorted(one.enrolled)
            axes.plot([w + 1 for w in weeks], [one.enrolled[w] for w in weeks], linestyle="--", color=colour,
                      label=one.enrolled_label)
            drawn = True
        if one.attended:
            weeks = sorted(one.attended)
            axes.plot([w + 1 for w in weeks], [one.attended[w] for w in weeks], marker="o", color=colour,
                      label=one.attended_label)
            drawn = True
    if drawn:
        axes.legend(loc="best", fontsize="small")
        axes.set_ylim(bottom=0)
        axes.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    else:
        axes.text(0.5, 0.5, labels.empty, ha="center", va="center", transform=axes.transAxes)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
