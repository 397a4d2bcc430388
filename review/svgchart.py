"""A :class:`review.charts.Chart` as hand-written SVG for the web pages.

Why by hand: the web app serves nothing from outside and runs no inline script or style
(its Content-Security-Policy forbids both), and each point must open the search behind it.
SVG presentation attributes (``fill``, ``stroke``, ``font-size``) are not styles, and an
``<a href>`` around a bar or a point makes it a link, so this needs neither. Every value is
also in the data table beside the chart, for screen readers and copying.
"""

from __future__ import annotations

import math
from html import escape

from review.charts import GREY, PALETTE, Chart, Panel, Serie, color_of

WIDTH = 860
PANEL_H = 230  # pixels for a panel of height 1
LEFT, RIGHT, TOP, BOTTOM = 64, 64, 34, 54
FONT = "DejaVu Sans, Arial, sans-serif"


def nice_max(value: float) -> float:
    """A round upper bound of an axis (1, 2, 2.5, 5 × 10^n) at or above ``value``."""
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * exp:
            return m * exp
    return 10 * exp


def _num(v: float) -> str:
    text = f"{v:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


LEGEND_ROW = 16  # pixels per row of legend above a panel


def _legend_rows(panel: Panel) -> list[list[tuple[str, int]]]:
    """The panel's series names laid out in rows that fit the width: (name, index) each."""
    rows: list[list[tuple[str, int]]] = [[]]
    x = LEFT + 4.0
    for k, s in enumerate(list(panel.left) + list(panel.right)):
        w = 24 + 6.4 * len(s.name)
        if rows[-1] and x + w > WIDTH - 8:
            rows.append([])
            x = LEFT + 4.0
        rows[-1].append((s.name, k))
        x += w
    return rows


def svg(chart: Chart, *, title_id: str = "") -> str:
    legends = [_legend_rows(p) for p in chart.panels]
    heights = [int(PANEL_H * p.height) + LEGEND_ROW * len(rows) for p, rows in zip(chart.panels, legends)]
    total_h = TOP + sum(heights) + 18 * (len(heights) - 1) + BOTTOM
    tid = title_id or f"chart-{chart.name}"
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {total_h}" '
           f'width="{WIDTH}" height="{total_h}" role="img" aria-labelledby="{tid}" '
           f'font-family="{FONT}" font-size="11">'),
           f'<title id="{tid}">{escape(chart.title)}</title>',
           f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">{escape(chart.title)}</text>']
    y0 = TOP
    k = 0
    n = len(chart.x)
    plot_w = WIDTH - LEFT - RIGHT
    step = plot_w / max(1, n)

    def cx(i: int) -> float:
        return LEFT + step * (i + 0.5)

    for panel, h, rows in zip(chart.panels, heights, legends):
        k = _legend(out, panel, rows, y0, k)
        pad = LEGEND_ROW * len(rows)
        _panel(out, panel, y0 + pad, h - pad, chart.x, cx, step, k - len(panel.left) - len(panel.right))
        y0 += h + 18
    base = y0 - 18
    every = max(1, math.ceil(n / 24))
    for i, label in enumerate(chart.x):
        if i % every:
            continue
        x = cx(i)
        if n > 12:
            out.append(f'<text x="{x:.1f}" y="{base + 12}" text-anchor="end" '
                       f'transform="rotate(-45 {x:.1f} {base + 12})">{escape(label)}</text>')
        else:
            out.append(f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _panel(out: list[str], panel: Panel, y0: float, h: float, labels: tuple[str, ...],  # type: ignore[no-untyped-def]
           cx, step: float, k: int) -> None:
    plot_w = WIDTH - LEFT - RIGHT
    left_max = nice_max(max((v for s in panel.left for v in s.values if v is not None), default=0))
    right_max = nice_max(max((v for s in panel.right for v in s.values if v is not None), default=0))
    if panel.percent_right:
        right_max = max(right_max, 100.0)
    if panel.percent_left:
        left_max = max(left_max, 10.0)
    out.append(f'<rect x="{LEFT}" y="{y0}" width="{plot_w}" height="{h}" fill="none" stroke="#e3e6e9"/>')
    for t in range(5):
        value = left_max * t / 4
        y = y0 + h - h * t / 4
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eef0f2"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_num(value)}</text>')
        if panel.right:
            rv = right_max * t / 4
            out.append(f'<text x="{LEFT + plot_w + 6}" y="{y + 4:.1f}">{_num(rv)}</text>')
    out.append(f'<text x="14" y="{y0 + h / 2:.1f}" text-anchor="middle" '
               f'transform="rotate(-90 14 {y0 + h / 2:.1f})">{escape(panel.left_label)}</text>')
    if panel.right:
        x = WIDTH - 12
        out.append(f'<text x="{x}" y="{y0 + h / 2:.1f}" text-anchor="middle" fill="{GREY}" '
                   f'transform="rotate(-90 {x} {y0 + h / 2:.1f})">{escape(panel.right_label)}</text>')
    # bars first (behind), right axis before left so the left curves stay on top
    order = [(s, right_max, True) for s in panel.right] + [(s, left_max, False) for s in panel.left]
    colors = {}
    for s, _m, _r in [(s, 0, 0) for s in panel.left] + [(s, 0, 0) for s in panel.right]:
        colors[id(s)] = color_of(s, k)
        k += 1
    bars = [s for s, _m, _r in order if s.style == "bar"]
    width = 0.8 * step / max(1, len(bars))
    b = 0
    for s, top, _right in sorted(order, key=lambda o: o[0].style != "bar"):
        color = colors[id(s)]
        if s.style == "bar":
            offset = (b - (len(bars) - 1) / 2) * width
            b += 1
            for i, v in enumerate(s.values):
                if v is None:
                    continue
                bh = h * v / top if top else 0
                rect = (f'<rect x="{cx(i) + offset - width / 2:.1f}" y="{y0 + h - bh:.1f}" '
                        f'width="{max(1.0, width - 1):.1f}" height="{bh:.1f}" fill="{color}">'
                        f'<title>{escape(s.name)}, {escape(labels[i])}: {_num(v)}</title></rect>')
                out.append(_link(s, i, rect))
        else:
            pts = [(cx(i), y0 + h - h * v / top if top else y0 + h, v, i)
                   for i, v in enumerate(s.values) if v is not None]
            dash = ' stroke-dasharray="5 3"' if s.style == "dashed" else ""
            for part in _runs(pts):
                if len(part) > 1:
                    d = " ".join(f"{x:.1f},{y:.1f}" for x, y, _v, _i in part)
                    out.append(f'<polyline points="{d}" fill="none" stroke="{color}" '
                               f'stroke-width="2"{dash}/>')
            if s.style != "dashed":
                for x, y, v, i in pts:
                    dot = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{color}">'
                           f'<title>{escape(s.name)}, {escape(labels[i])}: {_num(v)}</title></circle>')
                    out.append(_link(s, i, dot))


def _legend(out: list[str], panel: Panel, rows: list[list[tuple[str, int]]], y0: float, k: int) -> int:
    series = list(panel.left) + list(panel.right)
    for r, row in enumerate(rows):
        x = LEFT + 4.0
        y = y0 + LEGEND_ROW * r
        for name, i in row:
            s = series[i]
            color = color_of(s, k + i)
            if s.style == "bar":
                out.append(f'<rect x="{x}" y="{y + 2}" width="12" height="8" fill="{color}"/>')
            else:
                dashes = ' stroke-dasharray="4 2"' if s.style == "dashed" else ""
                out.append(f'<line x1="{x}" x2="{x + 12}" y1="{y + 6}" y2="{y + 6}" stroke="{color}" '
                           f'stroke-width="2"{dashes}/>')
            out.append(f'<text x="{x + 16}" y="{y + 10}">{escape(name)}</text>')
            x += 24 + 6.4 * len(name)
    return k + len(series)


def _runs(pts: list[tuple[float, float, float, int]]) -> list[list[tuple[float, float, float, int]]]:
    """Points split where a value is missing (a line does not bridge a gap)."""
    runs: list[list[tuple[float, float, float, int]]] = []
    for p in pts:
        if runs and p[3] == runs[-1][-1][3] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


def _link(s: Serie, i: int, element: str) -> str:
    href = s.links[i] if i < len(s.links) else None
    if not href:
        return element
    return f'<a href="{escape(href)}">{element}</a>'


__all__ = ["PALETTE", "nice_max", "svg"]
