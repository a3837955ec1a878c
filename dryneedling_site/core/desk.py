"""The staff desk on the admin home page: each app registers small panels of what needs doing.

A panel is one function `(request) -> DeskPanel | None`; None hides it (no permission, or
nothing to say). Apps register theirs in AppConfig.ready(), so the admin home imports no app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest


@dataclass(frozen=True)
class DeskItem:
    """One line of a panel: a count of things waiting, or (count None) one thing to do."""

    label: str
    count: int | None
    url: str


@dataclass(frozen=True)
class DeskPanel:
    title: str
    items: list[DeskItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(1 if item.count is None else item.count for item in self.items)


DeskPanelFunction = Callable[[HttpRequest], DeskPanel | None]
_PANELS: list[DeskPanelFunction] = []
logger = logging.getLogger(__name__)


def register_desk_panel(panel: DeskPanelFunction) -> DeskPanelFunction:
    """Add a panel to the desk (usable as a decorator); registering twice is harmless."""
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def desk_panels(request: HttpRequest) -> list[DeskPanel]:
    """The panels this user may see; a panel that fails is left out, never the whole page."""
    shown = []
    for panel in _PANELS:
        try:
            result = panel(request)
        except Exception:  # noqa: BLE001 - one broken panel must not take the admin home down
            logger.exception("Desk panel %r failed", panel)
            continue
        if result is not None:
            shown.append(result)
    return shown
