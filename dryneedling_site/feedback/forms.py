"""Validation of everything a visitor sends to the feedback endpoint."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .redact import redact_personal_data
from .widget import COMMENT_LABELS

ANSWERS = [("yes", _("Yes")), ("no", _("No"))]
CHOOSE = _("Choose Yes or No.")
# No article version can be older than the site; anything outside the range is junk.
VERSION_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class FeedbackForm(forms.Form):
    """An answer (helpful = yes/no), optionally with a comment.

    A form that sends a `comment` field is a comment: it must not be empty. `version` is
    informational, so a value we cannot read is dropped rather than refused. Emails and phone
    numbers in a comment are replaced before it is stored (redact.py).
    """

    personal_data_removed = False  # set by clean_comment when an email or phone was taken out

    helpful = forms.ChoiceField(
        choices=ANSWERS, error_messages={"required": CHOOSE, "invalid_choice": CHOOSE}
    )
    comment = forms.CharField(required=False)
    version = forms.CharField(required=False, strip=True)
    # The honeypot: hidden from people, so only a bot fills it in.
    website = forms.CharField(required=False)

    @property
    def honeypot_filled(self) -> bool:
        return bool(str(self.data.get("website", "")).strip())

    @property
    def is_comment(self) -> bool:
        return "comment" in self.data

    @property
    def answer(self) -> str:
        """The answer sent, if it is a real one (also usable before validation)."""
        value = self.data.get("helpful", "")
        return value if value in COMMENT_LABELS else ""

    def clean_comment(self) -> str | None:
        if not self.is_comment:
            return None
        text = self.cleaned_data["comment"].replace("\r\n", "\n").strip()
        if not text:
            raise ValidationError(gettext("Write your comment before sending it."))
        limit = settings.FEEDBACK_COMMENT_MAX_LENGTH
        if len(text) > limit:
            raise ValidationError(
                gettext(
                    "Your comment is {length} characters long. "
                    "Please shorten it to {limit} characters or fewer."
                ).format(
                    length=number_format(len(text), force_grouping=True),
                    limit=number_format(limit, force_grouping=True),
                )
            )
        text, self.personal_data_removed = redact_personal_data(text)
        return text

    def clean_version(self) -> dt.datetime | None:
        """When the article shown was saved: an aware ISO time between 2000 and tomorrow.

        Anything else (year 9999 with a -14:00 offset, non-ASCII digits...) is dropped, so
        every stored value can be converted to UTC and shown in the admin.
        """
        value = self.cleaned_data["version"]
        if not value or len(value) > 40 or not value.isascii():
            return None
        try:
            shown = dt.datetime.fromisoformat(value)
            if shown.tzinfo is None:
                return None
            shown = shown.astimezone(dt.UTC)
        except (ValueError, OverflowError):
            return None
        if not VERSION_EARLIEST <= shown <= timezone.now() + dt.timedelta(days=1):
            return None
        return shown

    @property
    def first_error(self) -> str:
        return str(next(iter(error for errors in self.errors.values() for error in errors), ""))
