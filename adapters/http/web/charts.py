"""Bar charts drawn on the server as SVG: no script, no charting library in the browser, nothing the CSP forbids.

``bar_chart`` only measures: each bar's place and length in the SVG's own units, from integer amounts (no float
reaches the page but the bar's length, a drawing coordinate). ``templates/_charts.html`` draws it with presentation
attributes (``x``, ``width``, ``fill``) and classes, never a ``style`` attribute, and gives it a title and a
description; every chart is followed by a table of the same figures, which is what a screen reader reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 600  # the SVG's viewBox width; CSS scales it to the column
ROW = 44  # each bar's row: its label above, the bar below
BAR = 16
LABEL_WIDTH = 420  # bars take the rest of the row after leaving room for the amount beside them


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    amount_minor: int
    currency: str
    href: str | None
    label_y: int
    bar_y: int
    length: int  # in viewBox units; at least 1 for a nonzero amount so that it is seen
    value_x: int


@dataclass(frozen=True, slots=True)
class BarChart:
    id: str
    bars: tuple[Bar, ...]
    height: int


def bar_chart(chart_id: str, items: Sequence[tuple[str, int, str, str | None]]) -> BarChart:
    """Items are (label, amount in minor units, currency, link or None), drawn in the order given."""
    largest = max((max(amount, 0) for _l, amount, _c, _h in items), default=0)
    bars = []
    for i, (label, amount, currency, href) in enumerate(items):
        length = (max(amount, 0) * LABEL_WIDTH) // largest if largest else 0
        if amount > 0:
            length = max(length, 1)
        top = i * ROW
        bars.append(Bar(label, amount, currency, href, top + 14, top + 20, length, length + 8))
    return BarChart(chart_id, tuple(bars), max(len(bars) * ROW, ROW))
