import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dryneedling_site.feedback.models import Feedback
from dryneedling_site.feedback.services import article_summary, feedback_record, new_visitor_token


def comment(article, *, days_ago: int, text: str, helpful: bool = False) -> None:
    feedback_record(
        article=article,
        helpful=helpful,
        visitor=new_visitor_token(),
        comment=text,
        now=timezone.now() - dt.timedelta(days=days_ago),
    )


def purge(*args: str) -> str:
    out = StringIO()
    call_command("purge_feedback", *args, stdout=out)
    return out.getvalue()


def test_purge_deletes_comments_older_than_the_default_90_days(article):
    comment(article, days_ago=400, text="Old", helpful=True)
    comment(article, days_ago=91, text="Just too old")
    comment(article, days_ago=80, text="Kept")
    before = article_summary(article)["all_time"]

    output = purge()

    assert "Removed 2 comments older than 90 days" in output
    assert sorted(Feedback.objects.values_list("comment", flat=True)) == ["", "", "Kept"]
    assert article_summary(article)["all_time"] == before
    assert Feedback.objects.filter(visitor_hash__isnull=True).count() == 2


def test_purge_takes_a_number_of_days(article):
    comment(article, days_ago=40, text="A month and more")
    comment(article, days_ago=10, text="Recent")

    output = purge("--older-than", "30")

    assert "Removed 1 comment older than 30 days" in output
    assert list(Feedback.objects.with_comment().values_list("comment", flat=True)) == ["Recent"]


def test_purge_dry_run_reports_and_keeps_everything(article):
    comment(article, days_ago=400, text="Old")

    output = purge("--dry-run")

    assert "Dry run, nothing changed: would remove 1 comment" in output
    assert Feedback.objects.get().comment == "Old"


def test_purge_refuses_zero_days(db):
    with pytest.raises(CommandError, match="1 or more"):
        purge("--older-than", "0")


def test_the_default_follows_the_retention_setting(article, settings):
    settings.FEEDBACK_RETENTION_DAYS = 30
    comment(article, days_ago=40, text="Older than the setting")

    output = purge()

    assert "older than 30 days" in output
    assert Feedback.objects.get().comment == ""
