"""Geometry of the "share helpful per article" bar chart, drawn as SVG by a Django template.

Computed here (pure, testable) so the template only places shapes: no chart library and no
JavaScript reach the staff pages.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
BAR_WIDTH = 520  # 100% helpful
ROW_HEIGHT = 64
TOP = 8
AXIS_HEIGHT = 28
LABEL_CHARACTERS = 80
TICKS = (0, 25, 50, 75, 100)
MIN_BAR = 3  # a 0% bar is still drawn, as a thin mark on its outlined track


@dataclass(frozen=True)
class Bar:
    label: str
    title: str
    value_text: str
    label_y: int
    bar_y: int
    width: float
    value_x: float
    value_y: int


def _shorten(text: str) -> str:
    return text if len(text) <= LABEL_CHARACTERS else text[: LABEL_CHARACTERS - 1].rstrip() + "…"


def share_helpful_chart(rows: list[dict]) -> dict:
    """Bars for rows of services.summary_by_article(): one per article, length = share helpful.

    Every row has an outlined track, so each bar is visible against it; a 0% bar is a thin
    mark. Articles nobody answered say so rather than show a misleading 0%.
    """
    bars = []
    for index, row in enumerate(rows):
        tally, title = row["all_time"], row["article"].title
        top = TOP + index * ROW_HEIGHT
        if tally.total:
            width = max(round(BAR_WIDTH * tally.share_helpful, 1), MIN_BAR)
            value = f"{tally.percent_helpful}% of {tally.total}"
            if row.get("too_few"):
                value += " (too few to judge)"
            full = f"{title}: {tally.percent_helpful}% found it helpful ({tally.yes} Yes, {tally.no} No)"
        else:
            width, value, full = 0, "No answers yet", f"{title}: no answers yet"
        bars.append(
            Bar(
                label=_shorten(title),
                title=full,
                value_text=value,
                label_y=top + 14,
                bar_y=top + 21,
                width=width,
                value_x=0,
                value_y=top + 56,
            )
        )
    axis_y = TOP + len(rows) * ROW_HEIGHT
    return {
        "width": WIDTH,
        "height": axis_y + AXIS_HEIGHT,
        "bar_width": BAR_WIDTH,
        "axis_y": axis_y,
        "tick_label_y": axis_y + 18,
        "bars": bars,
        "ticks": [{"label": f"{tick}%", "x": BAR_WIDTH * tick / 100} for tick in TICKS],
    }
