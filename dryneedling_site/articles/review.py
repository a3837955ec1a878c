"""Clinical review as a workflow: sign-off by a reviewer, status in words, reminders to reviewers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dryneedling_site.core.desk import DeskItem, DeskPanel
from dryneedling_site.core.siteurl import absolute_url

from .models import Article, Review, default_next_review

SOON_DAYS = 30
REVIEW_PERMISSION = "articles.review_article"
SIGN_OFF_REASON = "Review signed off by"
REVIEW_FIELDS = (
    "last_reviewed",
    "next_review_due",
    "reviewer_name",
    "reviewer_credentials",
    "reviewed_fingerprint",
)


def can_review(user: AbstractBaseUser) -> bool:
    """Only holders of `articles.review_article` (the "Clinical reviewers" group) may sign off."""
    return bool(user.is_active and user.has_perm(REVIEW_PERMISSION))


class TextChangedSinceShown(Exception):
    """The body or references changed after the reviewer was shown them."""


@transaction.atomic
def sign_off(
    article: Article,
    *,
    reviewer: AbstractBaseUser,
    name: str,
    credentials: str,
    note: str,
    shown_fingerprint: str | None = None,
    today: date | None = None,
) -> Review:
    """Record a clinician's review of the article as stored now and stamp the article with it.

    The row is locked and re-read, so the sign-off covers exactly the stored text; with
    `shown_fingerprint`, a text that differs from what the reviewer was shown is refused
    (TextChangedSinceShown). `article` gets the new review stamp too.
    """
    if not can_review(reviewer):
        raise PermissionError("Only clinical reviewers may sign off a review.")
    stored = Article.objects.select_for_update().get(pk=article.pk)
    fingerprint = stored.review_fingerprint()
    if shown_fingerprint is not None and shown_fingerprint != fingerprint:
        raise TextChangedSinceShown
    today = today or timezone.localdate()
    review = Review.objects.create(
        article=stored,
        reviewer=reviewer,
        reviewer_name=name,
        reviewer_credentials=credentials,
        note=note,
        reviewed_on=today,
        next_review_due=default_next_review(today),
        content_fingerprint=fingerprint,
    )
    stored.last_reviewed = review.reviewed_on
    stored.next_review_due = review.next_review_due
    stored.reviewer_name = name
    stored.reviewer_credentials = credentials
    stored.reviewed_fingerprint = fingerprint
    stored._change_reason = f"{SIGN_OFF_REASON} {name}"
    stored.save()
    for field in (*REVIEW_FIELDS, "updated_at"):
        setattr(article, field, getattr(stored, field))
    return review


def keep_review_stamp(article: Article) -> None:
    """Copy the stored review stamp onto `article`, so no form or revert can change it."""
    if article.pk is None:
        for field in REVIEW_FIELDS:
            setattr(article, field, Article._meta.get_field(field).get_default())
        return
    stored = Article.objects.filter(pk=article.pk).values(*REVIEW_FIELDS).first() or {}
    for field, value in stored.items():
        setattr(article, field, value)


@dataclass(frozen=True)
class ReviewStatus:
    """Where an article stands, in words a busy editor reads at a glance."""

    key: str  # "not-reviewed", "overdue", "due-soon" or "current"
    text: str


def review_status(article: Article, today: date | None = None) -> ReviewStatus:
    """Not yet reviewed, overdue, due within SOON_DAYS, or current: never an inverted icon."""
    today = today or timezone.localdate()
    if not article.is_reviewed:
        return ReviewStatus("not-reviewed", _("Not yet reviewed"))
    due = article.next_review_due
    if due and due < today:
        return ReviewStatus("overdue", _("Overdue since %(date)s") % {"date": f"{due:%b %-d, %Y}"})
    if due and (due - today).days <= SOON_DAYS:
        return ReviewStatus("due-soon", _("Due soon (%(date)s)") % {"date": f"{due:%b %-d, %Y}"})
    return ReviewStatus(
        "current", _("Reviewed; next due %(date)s") % {"date": f"{due:%b %-d, %Y}" if due else "-"}
    )


def not_yet_reviewed(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Articles no clinician has signed off (no date or no name), as the public page says."""
    return articles.filter(Q(last_reviewed__isnull=True) | Q(reviewer_name=""))


def changed_since_review(articles: QuerySet[Article]) -> list[Article]:
    """Articles whose body or references differ from their last sign-off (one query + prefetch)."""
    signed = articles.exclude(reviewed_fingerprint="").prefetch_related("references")
    return [article for article in signed if article.changed_since_review]


def edit_link(article: Article) -> str:
    """The article's edit screen, absolute when DJANGO_SITE_URL is configured."""
    return absolute_url(reverse("admin:articles_article_change", args=[article.pk]))


def reminder_text(today: date | None = None) -> tuple[str, str] | None:
    """Subject and body listing the published articles that need a reviewer, with edit links.

    Overdue, due within SOON_DAYS, changed since review, and not yet reviewed; None when
    nothing needs a reviewer. Drafts are left out: they are not in front of patients.
    """
    today = today or timezone.localdate()
    published = Article.objects.filter(published=True)
    overdue = list(published.review_overdue(today).order_by("next_review_due"))
    soon = list(published.review_due_within(SOON_DAYS, today).order_by("next_review_due"))
    changed = [a for a in changed_since_review(published.order_by("position")) if a not in overdue]
    never = list(not_yet_reviewed(published).order_by("position"))
    if not (overdue or soon or changed or never):
        return None
    sections = [
        ("Review overdue", overdue, lambda a: f"was due {a.next_review_due:%B %-d, %Y}"),
        (f"Due within {SOON_DAYS} days", soon, lambda a: f"due {a.next_review_due:%B %-d, %Y}"),
        ("Changed since its last review", changed, lambda a: "text or references edited"),
        ("Not yet reviewed", never, lambda a: "published without a sign-off"),
    ]
    lines = []
    for heading, articles, detail in sections:
        if articles:
            lines.append(f"{heading} ({len(articles)}):")
            for a in articles:
                lines += [f"  - {a.title} ({detail(a)})", f"    {edit_link(a)}"]
    lines.append("")
    lines.append("Open each link, check the facts and references, then use 'Sign off review'.")
    subject = (
        f"{settings.SITE_NAME}: {len(overdue)} overdue, {len(soon)} due soon, "
        f"{len(changed)} changed, {len(never)} not yet reviewed"
    )
    return subject, "\n".join(lines)


def reviewer_emails() -> list[str]:
    """Active users who may sign off reviews (group, own permission or superuser) with an email."""
    app_label, codename = REVIEW_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    holders = Q(is_superuser=True)
    if permission:
        holders |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    users = get_user_model().objects.filter(holders, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def send_review_reminders(today: date | None = None) -> tuple[str | None, int]:
    """Email the reminder to reviewers; return the text sent (None if nothing due) and recipients."""
    message = reminder_text(today)
    if message is None:
        return None, 0
    recipients = reviewer_emails()
    if recipients:
        send_mail(message[0], message[1], settings.DEFAULT_FROM_EMAIL, recipients)
    return f"{message[0]}\n\n{message[1]}", len(recipients)


def review_desk_panel(request: HttpRequest) -> DeskPanel | None:
    """The desk's review panel: what needs a clinician, with links to the filtered list."""
    if not request.user.has_perm("articles.view_article"):
        return None
    articles = Article.objects.all()
    changelist = reverse("admin:articles_article_changelist")
    counts = [
        (_("overdue for review"), articles.review_overdue().count(), "overdue"),
        (
            _("due for review within %(days)s days") % {"days": SOON_DAYS},
            articles.review_due_within(SOON_DAYS).count(),
            "soon",
        ),
        (_("changed since review"), len(changed_since_review(articles)), "changed"),
        (_("not yet reviewed"), not_yet_reviewed(articles).count(), "never"),
    ]
    items = [DeskItem(label, count, f"{changelist}?review={key}") for label, count, key in counts]
    return DeskPanel(_("Clinical review of articles"), items)


def only_signed_off_since(article: Article, loaded: datetime) -> bool:
    """True when every save after `loaded` was a review sign-off (which edits no text)."""
    since = article.history.filter(updated_at__gt=loaded)
    reasons = list(since.values_list("history_change_reason", flat=True))
    return bool(reasons) and all((reason or "").startswith(SIGN_OFF_REASON) for reason in reasons)
