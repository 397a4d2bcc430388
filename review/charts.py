"""Charts of the review: one description (:class:`Chart`, :class:`HeatChart`), two drawings.

Why one description: the report (DOCX and HTML) and the web pages must show the same charts
of the same numbers. A chart is built from the same rows as its data table (by
``review/figures.py``), then drawn by matplotlib to PNG (:func:`png`, the report's images and
the web app's ``/coverage/chart.png``) or as hand-written SVG (:mod:`review.svgchart`, the
web pages: every point or bar is a link to its search). No JavaScript, nothing from outside.

A chart has one or more panels sharing the x axis (periods or years); each panel has series
on the left axis and, optionally, on the right axis (the share of low-confidence pages drawn
beside every trend, or the corpus volume drawn behind a curve).
"""

from __future__ import annotations

import io
import math
import threading
from dataclasses import dataclass
from typing import Any

PALETTE = ("#1f5f99", "#c0392b", "#2e8b57", "#8e44ad", "#d68910", "#17a2b8", "#7f8c8d", "#a0522d")
GREY = "#9aa0a6"
LIGHT = "#d9dde1"
FONT = "DejaVu Sans"  # has every Vietnamese letter; installed with fonts-dejavu
_LOCK = threading.Lock()  # pyplot's state is global: one drawing at a time


@dataclass(frozen=True)
class Serie:
    """Values along the x axis (None: no value), drawn as ``line``, ``bar`` or ``dashed``
    (a dashed line, for quality measures); ``links`` are paths opened by the SVG points."""

    name: str
    values: tuple[float | None, ...]
    style: str = "line"
    links: tuple[str | None, ...] = ()
    color: str = ""


@dataclass(frozen=True)
class Panel:
    left_label: str
    left: tuple[Serie, ...]
    right_label: str = ""
    right: tuple[Serie, ...] = ()
    height: float = 1.0  # relative height among the chart's panels
    percent_left: bool = False
    percent_right: bool = False


@dataclass(frozen=True)
class Chart:
    name: str  # file name stem: "structure-articles", "trends"
    title: str
    x: tuple[str, ...]  # labels of the x axis
    panels: tuple[Panel, ...]
    note: str = ""


@dataclass(frozen=True)
class HeatChart:
    """A topic × period matrix of one series: ``values`` shares in percent (None: no data),
    ``counts`` articles, ``flags`` per cell ("", "thin", "empty", "nodata")."""

    name: str
    title: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]
    counts: tuple[tuple[int, ...], ...]
    flags: tuple[tuple[str, ...], ...]
    note: str = ""
    unit: str = "% tin, bài"


def color_of(serie: Serie, k: int) -> str:
    return serie.color or PALETTE[k % len(PALETTE)]


def png(chart: Chart | HeatChart, *, dpi: int = 150, width_in: float = 7.5) -> bytes:
    """The chart as a PNG image (``width_in`` inches wide at ``dpi``)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import pyplot as plt

    with _LOCK, matplotlib.rc_context({"font.family": FONT, "font.size": 8,
                                       "axes.spines.top": False, "svg.hashsalt": "bantin",
                                       "pdf.fonttype": 42}):
        if isinstance(chart, HeatChart):
            fig = _heat_figure(plt, chart, width_in)
        else:
            fig = _figure(plt, chart, width_in)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        plt.close(fig)
    return buffer.getvalue()


def _figure(plt, chart: Chart, width_in: float):  # type: ignore[no-untyped-def]
    heights = [p.height for p in chart.panels]
    fig, axes = plt.subplots(len(chart.panels), 1, sharex=True, squeeze=False,
                             figsize=(width_in, 1.0 + 2.4 * sum(heights)),
                             gridspec_kw={"height_ratios": heights}, layout="constrained")
    xs = list(range(len(chart.x)))
    k = 0
    for ax, panel in zip(axes[:, 0], chart.panels):
        handles: list[Any] = []
        k = _draw(ax, panel.left, xs, k, handles)
        ax.set_ylabel(panel.left_label)
        ax.grid(axis="y", color=LIGHT, linewidth=0.6)
        ax.set_axisbelow(True)
        if panel.percent_left:
            ax.set_ylim(bottom=0, top=max(10.0, 1.1 * _top(panel.left)))
        if panel.right:
            ax2 = ax.twinx()
            k = _draw(ax2, panel.right, xs, k, handles)
            ax2.set_ylabel(panel.right_label)
            if panel.percent_right:
                ax2.set_ylim(bottom=0, top=max(100.0, _top(panel.right)))
            else:
                ax2.set_ylim(bottom=0)
            ax2.spines["top"].set_visible(False)
            ax.set_zorder(ax2.get_zorder() + 1)  # lines over the bars behind them
            ax.patch.set_visible(False)
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=7,
                  frameon=False, ncol=2 if len(handles) > 1 else 1)
    bottom = axes[-1, 0]
    step = max(1, len(xs) // 18)
    tilt = _tilted(chart.x, width_in)
    bottom.set_xticks(xs[::step], [chart.x[i] for i in xs[::step]],
                      rotation=40 if tilt else 0, ha="right" if tilt else "center")
    fig.suptitle(chart.title, fontsize=10)
    return fig


def _tilted(labels: tuple[str, ...], width_in: float) -> bool:
    """Whether x labels side by side would overlap (about 0.06 inch a character at 8 pt)."""
    return bool(labels) and max(len(x) for x in labels) * 0.065 * len(labels) > width_in * 0.85


def _top(series: tuple[Serie, ...]) -> float:
    return max((v for s in series for v in s.values if v is not None), default=0.0)


def _draw(ax, series: tuple[Serie, ...], xs: list[int], k: int, handles: list) -> int:  # type: ignore[no-untyped-def,type-arg]
    bars = [s for s in series if s.style == "bar"]
    width = 0.8 / max(1, len(bars))
    b = 0
    for s in series:
        color = color_of(s, k)
        k += 1
        ys = [v if v is not None else float("nan") for v in s.values]
        if s.style == "bar":
            offset = (b - (len(bars) - 1) / 2) * width
            b += 1
            h = ax.bar([x + offset for x in xs], [0.0 if math.isnan(v) else v for v in ys], width=width,
                       color=color, alpha=0.85 if color != LIGHT else 1.0, label=s.name)
        elif s.style == "dashed":
            (h,) = ax.plot(xs, ys, linestyle="--", color=color, linewidth=1.2, label=s.name)
        else:
            (h,) = ax.plot(xs, ys, marker="o", markersize=3, color=color, linewidth=1.6, label=s.name)
        handles.append(h)
    return k


def _heat_figure(plt, chart: HeatChart, width_in: float):  # type: ignore[no-untyped-def]
    import numpy as np
    from matplotlib.colors import LinearSegmentedColormap

    rows, cols = len(chart.rows), len(chart.columns)
    fig, ax = plt.subplots(figsize=(width_in, 1.2 + 0.32 * rows), layout="constrained")
    data = np.array([[v if v is not None else np.nan for v in row] for row in chart.values], dtype=float)
    cmap = LinearSegmentedColormap.from_list("bantin", ["#f4f8fb", "#1f5f99"]).with_extremes(bad="#eeeeee")
    top = max(10.0, float(np.nanmax(data)) if np.isfinite(data).any() else 10.0)
    image = ax.imshow(data, aspect="auto", cmap=cmap, vmin=0, vmax=top)
    for i in range(rows):
        for j in range(cols):
            flag = chart.flags[i][j]
            if flag == "nodata":
                continue
            text = str(chart.counts[i][j])
            color = "white" if data[i, j] > top * 0.6 else "black"
            if flag in ("empty", "thin"):
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///",
                                           edgecolor="#c0392b", linewidth=0))
                color = "#c0392b"
            ax.text(j, i, text, ha="center", va="center", fontsize=6.5, color=color)
    ax.set_yticks(range(rows), chart.rows, fontsize=7)
    tilt = _tilted(chart.columns, width_in * 0.6)
    ax.set_xticks(range(cols), chart.columns, fontsize=7, rotation=40 if tilt else 0,
                  ha="right" if tilt else "center")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.8, pad=0.01)
    bar.set_label(chart.unit, fontsize=7)
    fig.suptitle(chart.title, fontsize=10)
    return fig
