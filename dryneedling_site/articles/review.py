"""Clinical review as a workflow: sign-off by a reviewer, status in words, reminders to reviewers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Permission, PermissionsMixin
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dryneedling_site.core.desk import DeskItem, DeskPanel
from dryneedling_site.core.launch import LaunchStep
from dryneedling_site.core.siteurl import absolute_url

from .models import Article, Review, ReviewerProfile, default_next_review
from .revisions import snapshot

SOON_DAYS = 30
# A request's user or a stored account.
UserLike = AbstractBaseUser | AnonymousUser
REVIEW_PERMISSION = "articles.review_article"
SIGN_OFF_REASON = "Review signed off by"
REVIEW_FIELDS = (
    "last_reviewed",
    "next_review_due",
    "reviewer_name",
    "reviewer_credentials",
    "reviewed_fingerprint",
    "reviewed_version",
    "urgent_update_on",
)


def _has_perm(user: UserLike, permission: str) -> bool:
    # Accounts without Django's permissions (no PermissionsMixin) hold none.
    return isinstance(user, PermissionsMixin | AnonymousUser) and user.has_perm(permission)


def can_review(user: UserLike) -> bool:
    """Only holders of `articles.review_article` (the "Clinical reviewers" group) may sign off."""
    return bool(user.is_active and _has_perm(user, REVIEW_PERMISSION))


class TextChangedSinceShown(Exception):
    """The body or references changed after the reviewer was shown them."""


class SelfSignOff(Exception):
    """A reviewer tried to sign off a revision they wrote themselves."""


class NoReviewerProfile(Exception):
    """The reviewer has no profile (name as licensed, credentials) set by an administrator."""


def revision_authors(article: Article) -> dict[int, str]:
    """Accounts whose saves the waiting revision holds: every save since the last sign-off
    (all saves when never signed off), sign-off stamps themselves excluded."""
    saves = article.history.exclude(history_change_reason__startswith=SIGN_OFF_REASON)
    latest = article.reviews.first()
    if latest is not None:
        saves = saves.filter(history_date__gt=latest.signed_at)
    authors: dict[int, str] = {}
    for save in saves.select_related("history_user"):
        if save.history_user is not None:
            authors[save.history_user.pk] = save.history_user.get_username()
    return authors


def reviewer_licence(profile: ReviewerProfile) -> str:
    """State and number of a reviewer's licence, when the administrator recorded them."""
    return " ".join(filter(None, [profile.licence_state, profile.licence_number]))


@transaction.atomic
def sign_off(
    article: Article,
    *,
    reviewer: UserLike,
    note: str,
    shown_fingerprint: str | None = None,
    publish: bool = False,
    today: date | None = None,
) -> Review:
    """Record a clinician's review of the article as stored now; that text becomes the live one.

    The row is locked and re-read, so the sign-off covers exactly the stored text; with
    `shown_fingerprint`, a text that differs from what the reviewer was shown is refused
    (TextChangedSinceShown). The name shown to patients comes from the reviewer's profile
    (NoReviewerProfile without one), and nobody signs off their own edit (SelfSignOff).
    With `publish`, the article is published in the same step. `article` gets the new stamp.
    """
    if not can_review(reviewer):
        raise PermissionError("Only clinical reviewers may sign off a review.")
    profile = ReviewerProfile.objects.filter(user_id=reviewer.pk or 0).first()
    if profile is None:
        raise NoReviewerProfile
    stored = Article.objects.select_for_update().get(pk=article.pk)
    authors = revision_authors(stored)
    if reviewer.pk in authors:
        raise SelfSignOff
    fingerprint = stored.review_fingerprint()
    if shown_fingerprint is not None and shown_fingerprint != fingerprint:
        raise TextChangedSinceShown
    today = today or timezone.localdate()
    review = Review.objects.create(
        article=stored,
        reviewer_id=reviewer.pk,
        reviewer_name=profile.name_as_licensed,
        reviewer_credentials=profile.credentials,
        reviewer_licence=reviewer_licence(profile),
        written_by=", ".join(sorted(authors.values()))[:300],
        note=note,
        reviewed_on=today,
        next_review_due=default_next_review(today),
        content_fingerprint=fingerprint,
    )
    stored.last_reviewed = review.reviewed_on
    stored.next_review_due = review.next_review_due
    stored.reviewer_name = review.reviewer_name
    stored.reviewer_credentials = review.reviewer_credentials
    stored.reviewed_fingerprint = fingerprint
    stored.reviewed_version = snapshot(stored)
    stored.urgent_update_on = None
    if publish:
        stored.published = True
    stored._change_reason = f"{SIGN_OFF_REASON} {review.reviewer_name}"
    stored.save()
    for field in (*REVIEW_FIELDS, "published", "updated_at"):
        setattr(article, field, getattr(stored, field))
    return review


def check_translation(translation: Article, *, checker: UserLike) -> None:
    """Mark a translation current: `checker` (a reviewer) compared it with the English as it is now.

    Stamps the English fingerprint and who checked; the only way a translation becomes current.
    """
    if not can_review(checker):
        raise PermissionError("Only clinical reviewers may mark a translation as checked.")
    if translation.translation_of is None:
        raise ValueError("This article translates no English article.")
    translation.source_fingerprint = translation.translation_of.translation_source_fingerprint()
    translation.translation_checked_by = checker  # type: ignore[assignment]
    translation.translation_checked_at = timezone.now()
    reason = f"Translation checked against the English by {checker.get_username()}"
    translation._change_reason = reason  # type: ignore[attr-defined]  # simple_history reads it
    translation.save()


def review_required_to_publish(article: Article) -> bool:
    """REQUIRE_REVIEW_TO_PUBLISH: "care-card" (default: pages with a care card), "all" or "off"."""
    rule = settings.REQUIRE_REVIEW_TO_PUBLISH
    if rule == "all":
        return True
    if rule == "care-card":
        return bool(article.care_call_pt or article.care_urgent or article.care_emergency)
    return False


def publish_refusal(article: Article, user: UserLike) -> str | None:
    """Why `user` may not publish `article` (never reviewed, and the site requires it), or None."""
    if article.is_reviewed or can_review(user) or not review_required_to_publish(article):
        return None
    return _(
        "“%(title)s” has not been reviewed by a clinician, and this site publishes such pages only "
        "after review. Ask a clinical reviewer to sign it off with “Publish after review”."
    ) % {"title": article.title}


def may_publish_urgently(user: UserLike) -> bool:
    """Urgent corrections go live before review: ARTICLE_URGENT_CORRECTIONS or the permission."""
    return bool(
        user.is_active
        and (settings.ARTICLE_URGENT_CORRECTIONS or _has_perm(user, "articles.publish_urgent_correction"))
    )


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


def reviewer_step() -> LaunchStep | None:
    """Launch check: without a reviewer who has a profile, no page can ever be signed off."""
    users = get_user_model().objects.filter(is_active=True, reviewer_profile__isnull=False)
    if any(can_review(user) for user in users):
        return None
    return LaunchStep(
        "reviewer",
        "No clinical reviewer is set up yet",
        "Give your clinician a staff account in the \u201cClinical reviewers\u201d group (they set up "
        "their authenticator app at first sign-in), then add their reviewer profile: the name on "
        "their licence and their credentials, which patients see under \u201cReviewed by\u201d.",
        url=reverse("admin:articles_reviewerprofile_add"),
    )


def never_reviewed_step() -> LaunchStep | None:
    """Launch check: every shipped article goes public marked "not yet reviewed" until signed off."""
    count = not_yet_reviewed(Article.objects.all()).count()
    if not count:
        return None
    return LaunchStep(
        "never-reviewed",
        "articles no clinician has signed off",
        "Patients see these marked \u201cnot yet reviewed by a clinician\u201d. Your clinical reviewer "
        "reads each one and signs it off from its edit screen.",
        url=reverse("admin:articles_article_changelist") + "?review=never",
        count=count,
    )
