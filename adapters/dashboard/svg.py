"""Charts for the dashboard as inline SVG: the enrollment funnel, and the digest's rates per program week.

The data is the core's (bot.programs.funnel, bot.digest.chart.plotted: the same points the digest's PNG draws);
this module only draws it. Every text is escaped; each chart has a title and a description for screen readers,
and the page shows the same figures in a table, so nothing is said by the picture alone. Lines differ by dash
and marker as well as colour."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from bot.digest.chart import RATES, Plotted

# Colours at least 3:1 against white (graphics) and told apart by shape too.
LINE_STYLE = {"circles_met": ("#1f5fa8", "", "circle"), "attended": ("#1b7a3a", "", "square"),
              "checkins": ("#a04a00", "6 4", "triangle"), "pairs_met": ("#6b3fa0", "2 3", "diamond")}
BAR = "#1f5fa8"
INK = "#1a1a1a"
GRID = "#c8c8c8"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def funnel_svg(steps: Sequence[tuple[str, int]], *, title: str, desc: str, chart_id: str) -> Markup:
    """Horizontal bars, one per step (label, count), widths relative to the first step."""
    top = max([count for _, count in steps] + [1])
    row, label_w, bar_w = 34, 120, 230  # narrow: at 390 px it is drawn near its own size
    height = row * len(steps) + 8
    parts = [f'<svg class="chart" width="{label_w + bar_w + 60}" height="{height}" '
             f'viewBox="0 0 {label_w + bar_w + 60} {height}" role="img" '
             f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>']
    for index, (label, count) in enumerate(steps):
        y = 4 + index * row
        width = max(2.0, bar_w * count / top) if count else 0.0
        parts.append(f'<text x="{label_w - 8}" y="{y + 20}" text-anchor="end" fill="{INK}" '
                     f'font-size="16">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{_number(width)}" height="{row - 10}" fill="{BAR}"/>')
        parts.append(f'<text x="{label_w + width + 6:.1f}" y="{y + 20}" fill="{INK}" font-size="16">{count}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        return f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y + 4:.1f}L{x - 5:.1f} {y + 4:.1f}Z" fill="{colour}"/>'
    if shape == "diamond":
        return f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y:.1f}L{x:.1f} {y + 5:.1f}L{x - 5:.1f} {y:.1f}Z" ' \
               f'fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>'


def rates_svg(shown: Plotted, *, title: str, desc: str, labels: dict[str, str], week: str, not_logged: str,
              chart_id: str) -> Markup:
    """The digest's rates chart: a line per rate (percent, 0-100) over program weeks 1..N; a week with sessions
    held and none logged is shaded and named, never drawn as a zero."""
    left, right, top, bottom, width, height = 46, 12, 12, 44, 480, 260
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(shown.weeks, 1)

    def x_of(week_number: int) -> float:
        return left + (week_number - 0.5) * step

    def y_of(value: float) -> float:
        return top + plot_h * (1 - value / 100)

    parts = [f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>']
    for week_number in shown.not_logged:
        parts.append(f'<rect x="{x_of(week_number) - step * 0.4:.1f}" y="{top}" width="{step * 0.8:.1f}" '
                     f'height="{plot_h}" fill="#e6e6e6"><title>{escape(not_logged)}</title></rect>')
    for value in (0, 25, 50, 75, 100):
        y = y_of(value)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="14" '
                     f'fill="{INK}">{value}%</text>')
    every = max(1, shown.weeks // 12)  # a label a week while they fit, else every few
    for week_number in range(1, shown.weeks + 1, every):
        parts.append(f'<text x="{x_of(week_number):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                     f'font-size="14" fill="{INK}">{week_number}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="15" '
                 f'fill="{INK}">{escape(week)}</text>')
    for key in RATES:
        points = shown.lines.get(key)
        if not points:
            continue
        colour, dash, shape = LINE_STYLE[key]
        parts.append(f'<g><title>{escape(labels[key])}</title>')
        for run in _runs(points):  # a week without a value is a gap, never a slope through it
            path = " ".join(f"{x_of(w):.1f},{y_of(v):.1f}" for w, v in run)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"'
                         + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        parts.extend(_marker(shape, x_of(w), y_of(v), colour) for w, v in points)
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _runs(points: list[tuple[int, float]]) -> list[list[tuple[int, float]]]:
    runs: list[list[tuple[int, float]]] = []
    for week_number, value in points:
        if runs and runs[-1][-1][0] == week_number - 1:
            runs[-1].append((week_number, value))
        else:
            runs.append([(week_number, value)])
    return runs


def legend_swatch(key: str) -> Markup:
    """The small sample of a line drawn next to its name in the legend (an HTML list, so it wraps on a phone)."""
    colour, dash, shape = LINE_STYLE[key]
    return Markup(f'<svg class="swatch" width="28" height="12" viewBox="0 0 28 12" aria-hidden="true" '
                  f'focusable="false">'
                  f'<line x1="0" x2="28" y1="6" y2="6" stroke="{colour}" stroke-width="2.5"'
                  + (f' stroke-dasharray="{dash}"' if dash else "") + "/>"
                  + _marker(shape, 14, 6, colour) + "</svg>")


def not_logged_swatch() -> Markup:
    """The legend's sample of a week held and not logged: the chart's grey band."""
    return Markup('<svg class="swatch" width="28" height="12" viewBox="0 0 28 12" aria-hidden="true" '
                  'focusable="false"><rect x="6" y="0" width="16" height="12" fill="#e6e6e6" stroke="#767676"/></svg>')
