"""What the "Is this content helpful?" widget says in each of its states.

The server renders these states without JavaScript; the JSON answers give the same texts to
static/js/feedback.js, so both paths read the same to visitors.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

QUESTION = _("Is this content helpful?")
THANKS = _("Thanks for the feedback!")
SENT = _("Thank you. Your feedback has been sent.")
COMMENT_HINT = _("Do not include your name, contact details or personal health information.")
COMMENT_LABELS = {"yes": _("What was helpful?"), "no": _("What was missing or unclear?")}


class State(models.TextChoices):
    INITIAL = "initial", "Asking"
    ANSWERED = "answered", "Answered, comment box open"
    COMMENTED = "commented", "Comment sent"


@dataclass(frozen=True)
class WidgetState:
    """One state of the widget; `comment` and `error` put a refused comment back on screen."""

    state: str = State.INITIAL
    answer: str = ""
    comment: str = ""
    error: str = ""

    @property
    def message(self) -> str:
        return str({State.ANSWERED: THANKS, State.COMMENTED: SENT}.get(self.state, ""))

    @property
    def comment_label(self) -> str:
        return str(COMMENT_LABELS.get(self.answer, ""))

    @property
    def comment_max_length(self) -> int:
        return settings.FEEDBACK_COMMENT_MAX_LENGTH

    @property
    def question(self) -> str:
        return str(QUESTION)

    @property
    def comment_hint(self) -> str:
        return str(COMMENT_HINT)
