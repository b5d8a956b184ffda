"""The pictures of the HTML report as inline SVG, drawn in Python (no JavaScript, no library).

The elements are built with ``xml.etree.ElementTree``, which escapes every text and attribute, and
the result is handed to the template as markup. Each picture has a ``<title>`` and a ``<desc>``
that say in words what it shows, and the numbers behind it are also in the report's tables, so
nothing is told by colour or shape alone. Coordinates are rounded to one decimal: the same data
gives the same bytes.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from markupsafe import Markup

from exportscreen.models import Category

__all__ = ["CATEGORY_COLOURS", "category_chart", "score_chart"]

#: Fill colours per category (each also written as a word wherever it is shown).
CATEGORY_COLOURS = {Category.SENSITIVE: "#b3261e", Category.REVIEW: "#9a5b00", Category.LESS_RISKY: "#2e6b30"}
_LABELS = {Category.SENSITIVE: "sensitive", Category.REVIEW: "review", Category.LESS_RISKY: "less risky"}
_INK = "#1f1f1f"
_GRID = "#c8c8c8"
_BIN = 2.0


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, ident: str, title: str, desc: str) -> ET.Element:
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {width} {height}",
            "width": str(width),
            "height": str(height),
            "role": "img",
            "aria-labelledby": f"{ident}-title {ident}-desc",
            "class": "chart",
        },
    )
    ET.SubElement(svg, "title", {"id": f"{ident}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{ident}-desc"}).text = desc
    return svg


def _text(parent: ET.Element, x: float, y: float, text: str, anchor: str = "start", size: int = 12) -> None:
    ET.SubElement(
        parent,
        "text",
        {"x": _n(x), "y": _n(y), "text-anchor": anchor, "font-size": str(size), "fill": _INK},
    ).text = text


def _markup(svg: ET.Element) -> Markup:
    # markup only because ElementTree escaped every text and attribute while serialising
    return Markup(ET.tostring(svg, encoding="unicode"))


def category_chart(counts: Mapping[Category, int], *, ident: str = "chart-categories") -> Markup:
    """Horizontal bars: orders per category, most severe first, each bar labelled with its count."""
    order = (Category.SENSITIVE, Category.REVIEW, Category.LESS_RISKY)
    total = sum(counts.get(c, 0) for c in order)
    width, left, right, row = 460, 90, 50, 30
    height = row * len(order) + 10
    desc = ", ".join(f"{_LABELS[c]}: {counts.get(c, 0)}" for c in order) + f" (of {total} orders)"
    svg = _svg(width, height, ident, "Orders per category", desc)
    span = width - left - right
    top = max(counts.values(), default=0) or 1
    for i, cat in enumerate(order):
        y = 5 + i * row
        value = counts.get(cat, 0)
        _text(svg, left - 8, y + 19, _LABELS[cat], anchor="end")
        bar = span * value / top
        ET.SubElement(
            svg,
            "rect",
            {"x": str(left), "y": _n(y + 4), "width": _n(max(bar, 1.0)), "height": "20", "fill": CATEGORY_COLOURS[cat]},
        )
        _text(svg, left + max(bar, 1.0) + 6, y + 19, str(value))
    return _markup(svg)


def _bins(scores: Sequence[float], low: float) -> list[int]:
    count = math.ceil((100.0 - low) / _BIN)
    out = [0] * count
    for s in scores:
        out[min(int((s - low) // _BIN), count - 1)] += 1
    return out


def score_chart(scores: Sequence[float], *, review: float, hit: float, ident: str = "chart-scores") -> Markup:
    """A histogram of match scores (2-point bins) with the review and hit thresholds drawn across it."""
    low = math.floor(min([review, *scores]) / 10.0) * 10.0
    bins = _bins(scores, low)
    n_hit = sum(1 for s in scores if s >= hit)
    n_review = sum(1 for s in scores if review <= s < hit)
    desc = (
        f"{len(scores)} list match(es) scored from {_n(low)} to 100: {n_hit} at or above the hit threshold "
        f"{_n(hit)}, {n_review} between the review threshold {_n(review)} and the hit threshold"
    )
    width, height = 460, 210
    left, right, top, bottom = 40, 16, 26, 36
    svg = _svg(width, height, ident, "Scores of the list matches", desc)
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(bins, default=0) or 1

    def x_of(score: float) -> float:
        return left + plot_w * (score - low) / (100.0 - low)

    def y_of(count: float) -> float:
        return top + plot_h - plot_h * count / peak

    ticks = sorted({0, peak, *((peak // 2,) if peak >= 4 else ())})
    for t in ticks:
        ET.SubElement(
            svg,
            "line",
            {"x1": str(left), "x2": str(width - right), "y1": _n(y_of(t)), "y2": _n(y_of(t)), "stroke": _GRID},
        )
        _text(svg, left - 6, y_of(t) + 4, str(t), anchor="end", size=11)
    for i, value in enumerate(bins):
        if not value:
            continue
        start = low + i * _BIN
        colour = CATEGORY_COLOURS[Category.SENSITIVE if start >= hit else Category.REVIEW]
        ET.SubElement(
            svg,
            "rect",
            {
                "x": _n(x_of(start) + 0.5),
                "y": _n(y_of(value)),
                "width": _n(plot_w * _BIN / (100.0 - low) - 1),
                "height": _n(plot_h * value / peak),
                "fill": colour,
            },
        )
    step = 10.0
    tick = low
    while tick <= 100.0:
        _text(svg, x_of(tick), height - bottom + 16, _n(tick), anchor="middle", size=11)
        tick += step
    _text(svg, left + plot_w / 2, height - 4, "match score", anchor="middle", size=11)
    for threshold, label in ((review, "review"), (hit, "hit")):
        x = x_of(threshold)
        ET.SubElement(
            svg,
            "line",
            {
                "x1": _n(x),
                "x2": _n(x),
                "y1": str(top - 6),
                "y2": _n(top + plot_h),
                "stroke": _INK,
                "stroke-dasharray": "4 3",
            },
        )
        _text(svg, x, top - 10, f"{label} {_n(threshold)}", anchor="middle", size=11)
    if not scores:
        _text(svg, left + plot_w / 2, top + plot_h / 2, "no list match", anchor="middle")
    return _markup(svg)
