"""What staff see: the feedback list, its actions and CSV, the summary page, the article panel."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from dryneedling_site.articles.models import Article
from dryneedling_site.feedback.admin import article_feedback_panel
from dryneedling_site.feedback.chart import BAR_WIDTH, share_helpful_chart
from dryneedling_site.feedback.models import Feedback
from dryneedling_site.feedback.services import (
    Tally,
    feedback_record,
    new_visitor_token,
    summary_by_article,
)
from tests.factories import make_article

CHANGELIST = "/admin/feedback/feedback/"
SUMMARY = "/admin/feedback/feedback/summary/"
EXPORT = "/admin/feedback/feedback/export/"


def answer(article, helpful: bool, comment: str | None = None, days_ago: int = 0) -> Feedback:
    return feedback_record(
        article=article,
        helpful=helpful,
        visitor=new_visitor_token(),
        comment=comment,
        now=timezone.now() - dt.timedelta(days=days_ago),
    )


@pytest.fixture
def answers(article):
    """What to expect: 3 Yes and 1 No; 2 of them older than 30 days; two comments."""
    quiet = make_article(title="Needles", slug="needles")
    answer(article, True, "Clear pictures.")
    answer(article, True)
    answer(article, True, days_ago=40)
    answer(article, False, '=HYPERLINK("http://bad.example")', days_ago=100)
    return {"article": article, "quiet": quiet}


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# The list


def test_the_list_shows_comments_with_filters_and_no_add_button(admin_client, answers):
    html = admin_client.get(CHANGELIST).content.decode()

    assert "Clear pictures." in html
    for title in ("By answer", "By comment", "By reviewed", "By article", "By answered at"):
        assert title in html
    assert "Add feedback" not in html
    assert 'href="/admin/feedback/feedback/summary/"' in html


def test_filters_narrow_the_list(admin_client, answers):
    only_no = admin_client.get(CHANGELIST, {"helpful__exact": "0"}).content.decode()
    assert "HYPERLINK" in only_no and "Clear pictures." not in only_no

    with_comment = admin_client.get(CHANGELIST, {"has_comment": "yes"})
    assert with_comment.context["cl"].result_count == 2


def test_mark_reviewed_action(admin_client, answers):
    ids = list(Feedback.objects.with_comment().values_list("pk", flat=True))

    response = admin_client.post(
        CHANGELIST, {"action": "mark_reviewed", "_selected_action": ids}, follow=True
    )

    assert "2 marked as reviewed." in response.content.decode()
    assert set(Feedback.objects.filter(pk__in=ids).values_list("reviewed", flat=True)) == {True}
    assert (
        admin_client.get(CHANGELIST, {"reviewed__exact": "0", "has_comment": "yes"})
        .context["cl"]
        .result_count
        == 0
    )


def test_a_feedback_page_lets_staff_only_tick_reviewed(admin_client, answers):
    row = Feedback.objects.with_comment().filter(helpful=True).get()
    url = f"{CHANGELIST}{row.pk}/change/"
    html = admin_client.get(url).content.decode()
    assert 'name="reviewed"' in html
    assert 'name="comment"' not in html

    admin_client.post(url, {"reviewed": "on", "comment": "Changed by staff"})

    row.refresh_from_db()
    assert (row.reviewed, row.comment) == (True, "Clear pictures.")


# CSV


def test_csv_export_action_writes_the_selected_rows(admin_client, answers):
    selected = Feedback.objects.filter(helpful=False).get()

    response = admin_client.post(CHANGELIST, {"action": "export_csv", "_selected_action": [selected.pk]})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.match(
        r'attachment; filename="feedback-\d{4}-\d{2}-\d{2}\.csv"', response["Content-Disposition"]
    )
    header, *rows = rows_of(response)
    assert header == [
        "Article",
        "Article address",
        "Answer",
        "Comment",
        "Answered at",
        "Commented at",
        "Reviewed",
        "Article version shown",
    ]
    assert len(rows) == 1
    title, address, answered, comment, answered_at, commented_at, reviewed, _version = rows[0]
    assert (title, address, answered, reviewed) == ("What to expect", "/articles/what-to-expect/", "No", "No")
    # A comment that looks like a spreadsheet formula is written as text.
    assert comment == '\'=HYPERLINK("http://bad.example")'
    assert dt.datetime.fromisoformat(answered_at) == selected.answered_at.replace(microsecond=0)
    assert commented_at
    assert selected.visitor_hash not in response.content.decode()


def test_csv_export_quotes_every_cell_and_guards_each_part_a_spreadsheet_may_split_off(admin_client, article):
    answer(article, False, "bad page;=1+2;@SUM(A1:A9)")
    answer(article, False, "ok, -1 star,\t+cmd|' /C calc'!A0")

    raw = admin_client.get(EXPORT).content.decode()

    assert "\"bad page;'=1+2;'@SUM(A1:A9)\"" in raw
    for line in raw.splitlines():
        assert line.startswith('"') and line.endswith('"'), line  # every cell quoted
    # Split the way a semicolon-locale spreadsheet that ignores quotes would: no part is a formula.
    for separator in (";", ",", "\t"):
        for line in raw.splitlines():
            for part in line.split(separator):
                assert not part.strip('" ').startswith(("=", "+", "-", "@")), (separator, part)
    comments = sorted(row[3] for row in rows_of(admin_client.get(EXPORT))[1:])
    assert comments == ["bad page;'=1+2;'@SUM(A1:A9)", "ok,' -1 star,\t'+cmd|' /C calc'!A0"]


def test_csv_download_follows_the_lists_filters(admin_client, answers):
    everything = rows_of(admin_client.get(EXPORT))
    yes_only = rows_of(admin_client.get(EXPORT, {"helpful__exact": "1"}))

    assert len(everything) == 1 + 4
    assert len(yes_only) == 1 + 3
    assert {row[2] for row in yes_only[1:]} == {"Yes"}


def test_csv_download_with_a_bad_filter_is_a_400(admin_client, answers):
    assert admin_client.get(EXPORT, {"no_such_field": "1"}).status_code == 400


# The summary page


def test_the_summary_gives_the_numbers_per_article(admin_client, answers):
    response = admin_client.get(SUMMARY)
    html = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Feedback summary</h1>" in html
    row = re.search(r"<tr>\s*<th scope=\"row\"><a [^>]*>What to expect</a></th>(.*?)</tr>", html, re.S)
    assert row, html
    cells = re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
    assert [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells] == [
        "English",
        "3",
        "1",
        "75% (too few to judge)",
        "2",
        "100% helpful (2 Yes, 0 No)",
        "100% helpful (3 Yes, 0 No)",
    ]
    assert re.search(
        r"<th scope=\"row\"><a [^>]*>Needles</a></th>\s*<td>English</td>\s*<td>0</td>\s*<td>0</td>"
        r"\s*<td>No answers</td>",
        html,
    )


def test_the_summary_can_be_split_by_language(admin_client, answers):
    source = answers["article"]
    spanish = make_article(title="Qué esperar", slug="que-esperar", language="es", translation_of=source)
    answer(spanish, False, "No entendí la parte de las agujas.")

    everything = admin_client.get(SUMMARY).content.decode()
    assert "What to expect" in everything and "Qué esperar" in everything
    row = re.search(r"<a [^>]*>Qué esperar</a></th>\s*<td>Español</td>\s*<td>0</td>\s*<td>1</td>", everything)
    assert row, everything

    only_spanish = admin_client.get(SUMMARY, {"language": "es"}).content.decode()
    table = only_spanish[only_spanish.index("<tbody>") :]
    assert "Qué esperar" in table and "What to expect" not in table and "Needles" not in table
    assert '<strong aria-current="page">Español</strong>' in only_spanish
    assert '<a href="?">All languages</a>' in only_spanish

    only_english = admin_client.get(SUMMARY, {"language": "en"}).content.decode()
    table = only_english[only_english.index("<tbody>") :]
    assert "What to expect" in table and "Qué esperar" not in table
    assert [row["article"].title for row in summary_by_article(language="es")] == ["Qué esperar"]


def test_an_unknown_summary_language_is_a_clear_400(admin_client, answers):
    response = admin_client.get(SUMMARY, {"language": "xx<script>"})
    assert response.status_code == 400
    assert b"Unknown language" in response.content and b"<script>" not in response.content


def test_the_feedback_list_filters_by_the_article_language(admin_client, answers):
    spanish = make_article(title="Qué esperar", slug="que-esperar", language="es")
    answer(spanish, True, "Muy clara.")
    html = admin_client.get(CHANGELIST, {"article__language": "es"}).content.decode()
    assert "Muy clara." in html and "Clear pictures." not in html


def test_the_summary_puts_the_least_helpful_first_and_leaves_drafts_out(admin_client, db):
    liked = make_article(title="Liked")
    disliked = make_article(title="Disliked")
    barely = make_article(title="Barely answered")
    draft = make_article(title="Draft page", published=False)
    for number in range(12):
        answer(liked, True)
        answer(disliked, number < 3)  # 25% helpful
    answer(barely, False)
    answer(draft, False)

    html = admin_client.get(SUMMARY).content.decode()
    table = html[html.index("<tbody>") :]
    positions = [table.index(title) for title in ("Disliked", "Liked", "Barely answered")]
    assert positions == sorted(positions)
    assert "Draft page" not in html
    assert "0% (too few to judge)" in table
    assert "25%" in table and "(too few to judge)" not in table.split("Disliked")[1].split("</tr>")[0]


def test_a_zero_percent_bar_is_visible(db):
    article = make_article(title="Nobody liked it")
    for _ in range(10):
        answer(article, False)
    [bar] = share_helpful_chart(summary_by_article())["bars"]
    assert bar.width > 0
    assert bar.value_text == "0% of 10"


def test_the_summary_draws_an_svg_bar_chart_on_the_server(admin_client, answers):
    html = admin_client.get(SUMMARY).content.decode()
    start = html.index('<svg class="feedback-chart"')
    svg = html[start : html.index("</svg>", start) + 6]

    assert 'role="img"' in svg
    assert '<title id="feedback-chart-title">Share of readers who found each article helpful</title>' in svg
    assert f'width="{BAR_WIDTH * 0.75}"' in svg
    assert "<title>What to expect: 75% found it helpful (3 Yes, 1 No)</title>" in svg
    assert "<title>Needles: no answers yet</title>" in svg
    assert "<script" not in svg and "style=" not in svg
    assert not re.search(r"(src|href)=\"https?://", svg)


def test_chart_bars_are_as_long_as_the_share_helpful(answers):
    chart = share_helpful_chart(summary_by_article())
    bars = {bar.label: bar for bar in chart["bars"]}

    assert bars["What to expect"].width == BAR_WIDTH * 0.75
    assert bars["What to expect"].value_text == "75% of 4 (too few to judge)"
    assert bars["Needles"].width == 0
    assert bars["Needles"].value_text == "No answers yet"
    assert chart["height"] > bars["Needles"].value_y
    assert [tick["label"] for tick in chart["ticks"]] == ["0%", "25%", "50%", "75%", "100%"]


def test_chart_labels_are_shortened_but_titles_keep_the_whole_name():
    article = Article(title="A" * 120)
    chart = share_helpful_chart([{"article": article, "all_time": Tally(yes=1)}])
    bar = chart["bars"][0]
    assert len(bar.label) == 80 and bar.label.endswith("…")
    assert bar.title.startswith("A" * 120)


def test_staff_pages_need_a_staff_login(client, answers):
    for url in (SUMMARY, EXPORT, CHANGELIST):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


# The Article edit screen


def test_the_article_panel_shows_the_summary_and_counts_but_no_comment_text(answers):
    answer(answers["article"], False, "<script>alert('x')</script>")

    html = article_feedback_panel(answers["article"])

    assert '<th scope="row">All time</th><td>3</td><td>2</td><td>60%</td>' in html
    assert '<th scope="row">Last 30 days</th><td>2</td><td>1</td><td>67%</td>' in html
    assert "Clear pictures." not in html  # every editor sees this page; only Feedback readers read comments
    assert "alert" not in html
    assert "3 comments on this article (3 not reviewed)" in html


def test_the_article_panel_for_an_unsaved_article():
    assert "once the article is saved" in article_feedback_panel(Article())


def test_the_wiring_shows_the_panel_on_the_article_edit_screen(admin_client, answers):
    article = answers["article"]
    html = admin_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()

    assert "Reader feedback" in html
    assert "Answers to “Is this content helpful?”" in html
    assert "comments on this article" in html
