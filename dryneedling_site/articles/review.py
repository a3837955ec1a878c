"""Keeping review dates current: marking articles reviewed and reminding staff."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.utils import timezone

from .models import Article, default_next_review

SOON_DAYS = 30


def mark_reviewed(articles: QuerySet[Article], *, reviewer_name: str, today: date | None = None) -> int:
    """Set today's review, the next due date and the reviewer on each article; return the count.

    Each article is saved (not bulk-updated) so its history records who reviewed it.
    A new reviewer's name replaces the old one and the old reviewer's credentials are cleared.
    """
    today = today or timezone.localdate()
    count = 0
    for article in articles:
        article.last_reviewed = today
        article.next_review_due = default_next_review(today)
        if reviewer_name and reviewer_name != article.reviewer_name:
            article.reviewer_name = reviewer_name
            article.reviewer_credentials = ""
        article.save()
        count += 1
    return count


def reminder_text(today: date | None = None) -> tuple[str, str] | None:
    """Subject and body listing overdue and soon-due articles, or None when all are current."""
    today = today or timezone.localdate()
    overdue = list(Article.objects.review_overdue(today).order_by("next_review_due"))
    soon = list(Article.objects.review_due_within(SOON_DAYS, today).order_by("next_review_due"))
    if not overdue and not soon:
        return None
    lines = []
    if overdue:
        lines.append(f"Review overdue ({len(overdue)}):")
        lines += [f"  - {a.title} (was due {a.next_review_due:%B %-d, %Y})" for a in overdue]
    if soon:
        lines.append(f"Due within {SOON_DAYS} days ({len(soon)}):")
        lines += [f"  - {a.title} (due {a.next_review_due:%B %-d, %Y})" for a in soon]
    lines.append("")
    lines.append("Open the article in the admin, check its facts, and use 'Mark reviewed today'.")
    subject = f"{settings.SITE_NAME}: {len(overdue)} overdue, {len(soon)} due soon for review"
    return subject, "\n".join(lines)


def staff_emails() -> list[str]:
    """Active staff with an email address."""
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def send_review_reminders(today: date | None = None) -> tuple[str | None, int]:
    """Email the reminder to staff; return the text sent (None if nothing due) and recipients."""
    message = reminder_text(today)
    if message is None:
        return None, 0
    recipients = staff_emails()
    if recipients:
        send_mail(message[0], message[1], settings.DEFAULT_FROM_EMAIL, recipients)
    return f"{message[0]}\n\n{message[1]}", len(recipients)
