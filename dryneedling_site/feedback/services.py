"""What the feedback feature does: record an answer, summarise answers, forget old data.

Views, the admin and the purge command call these functions; none of them sees a raw
visitor cookie stored, an IP address or a user agent.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import secrets
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from typing import TextIO

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from dryneedling_site.articles.models import Article

from .models import Feedback

VISITOR_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
# Counted back from now; None means since the start.
PERIODS: dict[str, int | None] = {"all_time": None, "last_30_days": 30, "last_90_days": 90}
_WRITE_ATTEMPTS = 3


def new_visitor_token() -> str:
    """A random, meaningless value for the visitor's feedback cookie (256 bits)."""
    return secrets.token_urlsafe(32)


def is_visitor_token(value: str | None) -> bool:
    """Only tokens shaped like ours are used, so a crafted cookie cannot carry other data."""
    return bool(value and VISITOR_TOKEN.match(value))


def visitor_hash(token: str) -> str:
    """Keyed hash (HMAC-SHA256 with SECRET_KEY) of a visitor token.

    Stored instead of the token, so a database leak cannot be matched to anyone's browser.
    Changing SECRET_KEY starts de-duplication afresh.
    """
    return salted_hmac("dryneedling_site.feedback.visitor", token, algorithm="sha256").hexdigest()


def feedback_record(
    *,
    article: Article,
    helpful: bool,
    visitor: str,
    comment: str | None = None,
    article_version: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Feedback:
    """Save a visitor's answer (and comment, if given) for an article; one row per visitor.

    A second answer from the same visitor updates their row, so changing one's mind does not
    count twice. `comment=None` leaves an earlier comment alone; a new comment replaces it
    and goes back to "not reviewed". `visitor` is the cookie token; only its hash is kept.
    """
    now = now or timezone.now()
    values: dict = {"helpful": helpful, "answered_at": now, "article_version": article_version}
    if comment is not None:
        values |= {"comment": comment, "commented_at": now if comment else None, "reviewed": False}
    key = {"article": article, "visitor_hash": visitor_hash(visitor)}

    def write() -> Feedback:
        # update_or_create runs in its own transaction.atomic() and locks the row it updates.
        return Feedback.objects.update_or_create(
            **key, defaults=values, create_defaults={**values, "created_at": now}
        )[0]

    # Two requests from one visitor may race to create the row; the loser's retry updates it.
    for _ in range(_WRITE_ATTEMPTS - 1):
        with suppress(IntegrityError):
            return write()
    return write()


def visitor_answer(article: Article, visitor: str) -> Feedback | None:
    """This visitor's own answer on an article (found by the hash of their cookie token)."""
    return (
        Feedback.objects.filter(article=article, visitor_hash=visitor_hash(visitor))
        .only("helpful", "comment", "answered_at", "commented_at")
        .first()
    )


@dataclass(frozen=True)
class Tally:
    """Yes and No answers over some period, with the share that found the article helpful."""

    yes: int = 0
    no: int = 0

    @property
    def total(self) -> int:
        return self.yes + self.no

    @property
    def share_helpful(self) -> float | None:
        """From 0 to 1; None when nobody answered (no answers is not 0% helpful)."""
        return self.yes / self.total if self.total else None

    @property
    def percent_helpful(self) -> int | None:
        share = self.share_helpful
        return None if share is None else round(share * 100)


def _count_expressions(now: dt.datetime, prefix: str = "") -> dict[str, Count]:
    """Filtered COUNTs for every period, so one query gives all the figures."""
    expressions = {}
    for period, days in PERIODS.items():
        recent = Q(**{f"{prefix}answered_at__gte": now - dt.timedelta(days=days)}) if days else Q()
        for answer, helpful in (("yes", True), ("no", False)):
            expressions[f"{period}__{answer}"] = Count(
                f"{prefix}pk", filter=Q(**{f"{prefix}helpful": helpful}) & recent
            )
    return expressions


def _tallies(counts: dict[str, int]) -> dict[str, Tally]:
    return {period: Tally(yes=counts[f"{period}__yes"], no=counts[f"{period}__no"]) for period in PERIODS}


def article_summary(article: Article, *, latest: int = 5, now: dt.datetime | None = None) -> dict:
    """One article's answers for its admin page: all time, last 30 and 90 days, latest comments.

    Keys: "all_time", "last_30_days", "last_90_days" (Tally), "latest_comments" (Feedback rows,
    newest first), "comments" and "unreviewed_comments" (counts).
    """
    now = now or timezone.now()
    rows = Feedback.objects.filter(article=article)
    counts = rows.aggregate(
        **_count_expressions(now),
        comments=Count("pk", filter=~Q(comment="")),
        unreviewed_comments=Count("pk", filter=~Q(comment="") & Q(reviewed=False)),
    )
    return {
        "article": article,
        **_tallies(counts),
        "comments": counts["comments"],
        "unreviewed_comments": counts["unreviewed_comments"],
        "latest_comments": list(rows.with_comment().order_by("-commented_at", "-pk")[:latest]),
    }


# Below this many answers a share helpful says little; the summary says "too few to judge".
TOO_FEW_ANSWERS = 10


def _least_helpful_first(row: dict) -> tuple:
    """Judged articles by share helpful (lowest first), then the too-few ones, then unanswered."""
    tally = row["all_time"]
    if tally.total >= TOO_FEW_ANSWERS:
        return (0, tally.share_helpful, row["article"].position)
    if tally.total:
        return (1, tally.share_helpful, row["article"].position)
    return (2, 0, row["article"].position)


def summary_by_article(*, now: dt.datetime | None = None, language: str | None = None) -> list[dict]:
    """Published articles with their tallies and comment counts, least helpful first; with
    `language`, only that language's articles (each translation has its own answers).

    Drafts are left out (their few answers come from staff previews). Each row also has
    "comments" and "too_few" (fewer than TOO_FEW_ANSWERS answers: too few to judge).
    """
    counts = _count_expressions(now or timezone.now(), "feedback__")
    articles = Article.objects.published()
    if language:
        articles = articles.filter(language=language)
    articles = articles.annotate(
        **counts, comments=Count("feedback__pk", filter=~Q(feedback__comment=""))
    ).only("pk", "slug", "title", "position", "published", "language")
    rows = []
    for article in articles:
        tallies = _tallies({key: getattr(article, key) for key in counts})
        too_few = tallies["all_time"].total < TOO_FEW_ANSWERS
        rows.append({"article": article, **tallies, "comments": article.comments, "too_few": too_few})
    return sorted(rows, key=_least_helpful_first)


@dataclass(frozen=True)
class PurgeReport:
    comments_removed: int
    visitors_forgotten: int


def feedback_purge(
    *, older_than_days: int, dry_run: bool = False, now: dt.datetime | None = None
) -> PurgeReport:
    """Delete comments older than the retention period and forget old visitor hashes.

    The Yes/No answers stay, so the counts do not change. Comments are what visitors wrote in
    their own words, and a health site should not keep them longer than it needs them.
    """
    if older_than_days < 1:
        raise ValueError("older_than_days must be 1 or more")
    cutoff = (now or timezone.now()) - dt.timedelta(days=older_than_days)
    old_comments = Feedback.objects.with_comment().filter(commented_at__lt=cutoff)
    old_visitors = Feedback.objects.filter(answered_at__lt=cutoff, visitor_hash__isnull=False)
    if dry_run:
        return PurgeReport(old_comments.count(), old_visitors.count())
    with transaction.atomic():
        comments = old_comments.update(comment="", commented_at=None)
        visitors = old_visitors.update(visitor_hash=None)
    return PurgeReport(comments, visitors)


CSV_COLUMNS = [
    "Article",
    "Article address",
    "Answer",
    "Comment",
    "Answered at",
    "Commented at",
    "Reviewed",
    "Article version shown",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet set to split on ";" (many European locales), "," or tab may ignore the quotes
# and start a new cell at each of these.
_CELL_SEPARATOR = re.compile(r"([;,\t])")


def _csv_text(value: str) -> str:
    """Spreadsheets run a cell that starts like a formula; a leading apostrophe stops that.

    Every part a spreadsheet might split off (at ";", "," or tab) is guarded too, so
    `bad page;=1+2` cannot become a formula in a semicolon-locale import.
    """
    pieces = _CELL_SEPARATOR.split(value)
    for index in range(0, len(pieces), 2):
        if pieces[index].lstrip(" ").startswith(_FORMULA_START):
            pieces[index] = "'" + pieces[index]
    guarded = "".join(pieces)
    return guarded if guarded.startswith("'") or not value.startswith(_FORMULA_START) else "'" + guarded


def _csv_time(value: dt.datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def feedback_csv(rows: Iterable[Feedback], out: TextIO) -> None:
    """Write feedback rows as CSV for staff; never the visitor hash."""
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)  # every cell quoted: one cell, whatever it holds
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        cells = [
            row.article.title,
            row.article.get_absolute_url(),
            row.answer,
            row.comment,
            _csv_time(row.answered_at),
            _csv_time(row.commented_at),
            "Yes" if row.reviewed else "No",
            _csv_time(row.article_version),
        ]
        writer.writerow([_csv_text(cell) for cell in cells])
