"""Skewed pages: level the words of a tilted scan before lines and columns are read.

Why: OCR boxes are in the coordinates of the image, and an old scan or a photo is tilted by
up to a few degrees. Over a page, 2° moves the end of a line by a dozen points and a column
edge by several ems, which breaks reading order (the right half of a line reads before the
left half of the next) and hides the gutter. The tilt is measured on the extractor's own
rows (the slope of their word centres), and every word is rotated about the page centre by
the opposite angle; the original boxes are kept for outlines. Rows that OCR cut in two on
the same baseline are joined again.

Units: points (the page's size); angles in radians.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import replace

from archive.models import Word

MIN_SLOPE = 0.002  # below about 0.1°, leave the page as it is


def page_slope(rows: list[list[Word]], width_pt: float, height_pt: float) -> float:
    """Median slope (dy/dx, points per point) of the rows with four words or more spread
    over a fifth of the page width; 0 when no row says."""
    slopes = []
    for row in rows:
        if len(row) < 4:
            continue
        xs = [(w.box[0] + w.box[2]) / 2 * width_pt for w in row]
        ys = [(w.box[1] + w.box[3]) / 2 * height_pt for w in row]
        if max(xs) - min(xs) < 0.2 * width_pt:
            continue
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        if sxx > 0:
            slopes.append(sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx)
    if len(slopes) < 3:
        return 0.0
    return statistics.median(slopes)


def level(words: list[Word], slope: float, width_pt: float, height_pt: float) -> list[Word]:
    """The words rotated about the page centre so that rows of ``slope`` run level."""
    theta = math.atan(slope)
    cos, sin = math.cos(theta), math.sin(theta)
    cx, cy = width_pt / 2, height_pt / 2
    out = []
    for w in words:
        x0, y0, x1, y1 = w.box
        mx, my = (x0 + x1) / 2 * width_pt - cx, (y0 + y1) / 2 * height_pt - cy
        nx = cx + mx * cos + my * sin
        ny = cy - mx * sin + my * cos
        dx, dy = nx / width_pt - (x0 + x1) / 2, ny / height_pt - (y0 + y1) / 2
        out.append(replace(w, box=(x0 + dx, y0 + dy, x1 + dx, y1 + dy)))
    return out


def join_rows(rows: list[list[Word]]) -> list[list[Word]]:
    """Rows on the same baseline, set alike, that share no horizontal space are one row (OCR
    cuts a line where a gap or a speck confuses it)."""
    def centre(row: list[Word]) -> float:
        return statistics.median((w.box[1] + w.box[3]) / 2 for w in row)

    def height(row: list[Word]) -> float:
        return statistics.median(w.box[3] - w.box[1] for w in row)

    ordered = sorted(rows, key=centre)
    out: list[list[Word]] = []
    for row in ordered:
        yc, h = centre(row), height(row)
        for target in reversed(out[-4:]):
            th = height(target)
            sizes = (target[0].size, row[0].size)
            alike = min(sizes) >= 0.8 * max(sizes)  # a title beside body text stays apart
            if alike and abs(centre(target) - yc) < 0.45 * min(h, th) and not _overlap(target, row):
                target.extend(row)
                break
        else:
            out.append(list(row))
    return out


def _overlap(a: list[Word], b: list[Word]) -> bool:
    for u in a:
        for v in b:
            if min(u.box[2], v.box[2]) > max(u.box[0], v.box[0]):
                return True
    return False
