import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from dryneedling_site.feedback import services
from dryneedling_site.feedback.models import Feedback
from dryneedling_site.feedback.services import (
    Tally,
    article_summary,
    feedback_purge,
    feedback_record,
    new_visitor_token,
    summary_by_article,
)
from tests.factories import make_article

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def test_an_answer_is_stored_with_a_keyed_hash_not_the_cookie(article, visitor, settings):
    feedback = feedback_record(article=article, helpful=True, visitor=visitor)

    row = Feedback.objects.get()
    assert row == feedback
    assert row.helpful is True
    assert row.comment == ""
    assert visitor not in row.visitor_hash
    assert len(row.visitor_hash) == 64
    settings.SECRET_KEY = "another-secret-key-gives-another-hash"
    assert services.visitor_hash(visitor) != row.visitor_hash


def test_a_second_answer_from_the_same_visitor_updates_their_row(article, visitor):
    feedback_record(article=article, helpful=True, visitor=visitor, now=NOW)
    feedback_record(article=article, helpful=False, visitor=visitor, now=NOW + dt.timedelta(minutes=5))

    row = Feedback.objects.get()
    assert row.helpful is False
    assert row.answered_at == NOW + dt.timedelta(minutes=5)
    assert row.created_at == NOW


def test_different_visitors_and_articles_each_get_a_row(article, visitor):
    other_article = make_article()
    feedback_record(article=article, helpful=True, visitor=visitor)
    feedback_record(article=other_article, helpful=True, visitor=visitor)
    feedback_record(article=article, helpful=False, visitor=new_visitor_token())

    assert Feedback.objects.count() == 3


def test_a_comment_is_added_to_the_answer_and_a_later_vote_keeps_it(article, visitor):
    feedback_record(article=article, helpful=False, visitor=visitor, now=NOW)
    feedback_record(
        article=article, helpful=False, visitor=visitor, comment="Say how long it hurts.", now=NOW
    )
    row = Feedback.objects.get()
    row.reviewed = True
    row.save()

    feedback_record(article=article, helpful=True, visitor=visitor)

    row.refresh_from_db()
    assert row.helpful is True
    assert row.comment == "Say how long it hurts."
    assert row.commented_at == NOW
    assert row.reviewed is True


def test_a_new_comment_needs_reviewing_again(article, visitor):
    feedback_record(article=article, helpful=False, visitor=visitor, comment="First.")
    Feedback.objects.update(reviewed=True)

    feedback_record(article=article, helpful=False, visitor=visitor, comment="Second thoughts.")

    row = Feedback.objects.get()
    assert (row.comment, row.reviewed) == ("Second thoughts.", False)


def test_the_article_version_shown_is_kept(article, visitor):
    shown = article.updated_at
    feedback_record(article=article, helpful=True, visitor=visitor, article_version=shown)
    row = Feedback.objects.select_related("article").get()
    assert row.article_version == shown
    assert not row.seen_older_version

    article.title = "What to expect at your visit"
    article.save()
    row.refresh_from_db()
    assert row.seen_older_version


def test_a_lost_race_to_create_the_row_is_retried_as_an_update(article, visitor, monkeypatch):
    feedback_record(article=article, helpful=True, visitor=visitor)
    real = Feedback.objects.update_or_create
    calls = []

    def first_call_collides(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise IntegrityError("UNIQUE constraint failed")
        return real(**kwargs)

    monkeypatch.setattr(Feedback.objects, "update_or_create", first_call_collides)
    feedback_record(article=article, helpful=False, visitor=visitor)

    assert len(calls) == 2
    assert list(Feedback.objects.values_list("helpful", flat=True)) == [False]


def test_tally_share_is_none_without_answers():
    assert Tally().share_helpful is None
    assert Tally().percent_helpful is None
    assert Tally(yes=2, no=1).percent_helpful == 67
    assert Tally(yes=0, no=4).share_helpful == 0


def _answers(article, *, yes=0, no=0, days_ago=0, comment=None):
    when = NOW - dt.timedelta(days=days_ago)
    for helpful, count in ((True, yes), (False, no)):
        for _ in range(count):
            feedback_record(
                article=article, helpful=helpful, visitor=new_visitor_token(), comment=comment, now=when
            )


def test_article_summary_counts_all_time_and_recent_answers(article):
    _answers(article, yes=3, no=1, days_ago=1)
    _answers(article, yes=1, no=1, days_ago=45)
    _answers(article, yes=0, no=2, days_ago=200)
    _answers(make_article(), yes=5)

    summary = article_summary(article, now=NOW)

    assert summary["all_time"] == Tally(yes=4, no=4)
    assert summary["last_30_days"] == Tally(yes=3, no=1)
    assert summary["last_90_days"] == Tally(yes=4, no=2)
    assert summary["last_30_days"].percent_helpful == 75


def test_article_summary_lists_the_latest_comments_first(article):
    for day, text in enumerate(["Oldest", "Middle", "Newest"]):
        feedback_record(
            article=article,
            helpful=False,
            visitor=new_visitor_token(),
            comment=text,
            now=NOW + dt.timedelta(days=day),
        )
    _answers(article, yes=2)

    summary = article_summary(article, latest=2, now=NOW)

    assert [row.comment for row in summary["latest_comments"]] == ["Newest", "Middle"]
    assert summary["comments"] == 3
    assert summary["unreviewed_comments"] == 3


def test_summary_by_article_includes_articles_nobody_answered_yet(article):
    quiet = make_article(title="Quiet page")
    _answers(article, yes=1, no=3)

    rows = {row["article"].title: row for row in summary_by_article(now=NOW)}

    assert rows["What to expect"]["all_time"] == Tally(yes=1, no=3)
    assert rows["What to expect"]["all_time"].percent_helpful == 25
    assert rows[quiet.title]["all_time"].share_helpful is None


def test_purge_removes_old_comments_but_keeps_the_answers(article):
    _answers(article, no=2, days_ago=400, comment="Old words")
    _answers(article, no=1, days_ago=10, comment="Recent words")

    report = feedback_purge(older_than_days=365, now=NOW)

    assert report.comments_removed == 2
    assert report.visitors_forgotten == 2
    assert sorted(Feedback.objects.values_list("comment", flat=True)) == ["", "", "Recent words"]
    assert Feedback.objects.filter(visitor_hash__isnull=True).count() == 2
    assert article_summary(article, now=NOW)["all_time"] == Tally(yes=0, no=3)


def test_purge_dry_run_changes_nothing(article):
    _answers(article, no=1, days_ago=400, comment="Old words")

    report = feedback_purge(older_than_days=365, dry_run=True, now=NOW)

    assert report.comments_removed == 1
    assert Feedback.objects.get().comment == "Old words"


def test_purge_refuses_a_period_of_zero_days():
    with pytest.raises(ValueError, match="1 or more"):
        feedback_purge(older_than_days=0)


def test_default_clock_is_now(article, visitor):
    before = timezone.now()
    row = feedback_record(article=article, helpful=True, visitor=visitor)
    assert before <= row.answered_at <= timezone.now()
