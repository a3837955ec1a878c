"""The vote endpoint and thank-you page, as a browser without JavaScript and as the widget's fetch."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dryneedling_site.feedback.guards import client_network
from dryneedling_site.feedback.models import Feedback
from tests.factories import make_article

JSON = {"HTTP_ACCEPT": "application/json"}
# What Chromium sends with a form post.
BROWSER_ACCEPT = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def url(article) -> str:
    return f"/articles/{article.slug}/feedback/"


def thanks_url(article) -> str:
    """The same address for every visitor and answer: nothing about the answer in any log."""
    return f"/articles/{article.slug}/feedback/thanks/#feedback"


def text(response) -> str:
    return response.content.decode()


# The article page


def test_article_page_asks_with_yes_and_no_buttons_in_a_post_form(client, article):
    html = text(client.get(article.get_absolute_url()))

    assert 'id="feedback"' in html
    assert "Is this content helpful?" in html
    assert f'method="post" action="{url(article)}"' in html
    assert 'name="helpful" value="yes"' in html
    assert 'name="helpful" value="no"' in html
    assert '<script type="module" src="/static/js/feedback.js"></script>' in html


def test_article_page_sets_no_cookie_and_is_the_same_for_every_visitor(client, article):
    first = client.get(article.get_absolute_url())
    assert first.cookies == {}
    assert "Set-Cookie" not in first
    assert "csrfmiddlewaretoken" not in text(first)

    client.post(url(article), {"helpful": "no", "comment": "Too short."})
    assert "feedback_visitor" in client.cookies
    again = client.get(article.get_absolute_url())

    assert again.cookies == {}
    assert text(again) == text(first)


def test_draft_articles_have_no_widget_and_refuse_answers(client, admin_client):
    draft = make_article(published=False)
    assert 'id="feedback"' not in text(admin_client.get(draft.get_absolute_url()))
    response = client.post(url(draft), {"helpful": "yes"})
    assert response.status_code == 404
    assert Feedback.objects.count() == 0


def test_the_aftercare_page_loads_both_its_modules(client, guide):
    html = text(client.get("/articles/aftercare/"))
    assert "/static/js/print.js" in html
    assert "/static/js/feedback.js" in html


# Without JavaScript: post, redirect, get


@pytest.mark.parametrize(
    ("answer", "label"), [("yes", "What was helpful?"), ("no", "What was missing or unclear?")]
)
def test_an_answer_without_javascript_redirects_to_the_thank_you_state(client, article, answer, label):
    response = client.post(url(article), {"helpful": answer}, **BROWSER_ACCEPT)

    assert response.status_code == 303
    assert response["Location"] == thanks_url(article)
    row = Feedback.objects.get()
    assert row.helpful is (answer == "yes")

    page = client.get(response["Location"])
    html = text(page)
    assert page.status_code == 200
    assert 'id="feedback"' in html
    assert "Thanks for the feedback!" in html
    assert f"<span data-feedback-label>{label}</span>" in html
    assert '<textarea id="feedback-comment" name="comment"' in html
    assert "Do not include your name, contact details or personal health information." in html
    assert f'name="helpful" value="{answer}"' in html


def test_the_vote_response_sets_the_one_private_cookie(client, article):
    response = client.post(url(article), {"helpful": "yes"})

    assert list(response.cookies) == ["feedback_visitor"]
    cookie = response.cookies["feedback_visitor"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] is True
    assert cookie["path"] == "/articles/"
    assert len(cookie.value) == 43


def test_the_cookie_is_not_secure_when_settings_say_so(client, article, settings):
    settings.FEEDBACK_COOKIE_SECURE = False
    response = client.post(url(article), {"helpful": "yes"})
    assert response.cookies["feedback_visitor"]["secure"] == ""


def test_the_thank_you_page_is_private_and_not_indexed(client, article):
    response = client.get(client.post(url(article), {"helpful": "no"})["Location"])

    assert response.status_code == 200
    assert set(response["Cache-Control"].replace(" ", "").split(",")) == {"private", "no-store"}
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in text(response)


def test_the_thank_you_page_never_shows_a_stored_comment(client, article):
    writer = Client()
    writer.post(url(article), {"helpful": "no"})
    writer.post(url(article), {"helpful": "no", "comment": "My private words"})

    for visitor in (writer, client):
        page = visitor.get(thanks_url(article))
        assert "My private words" not in text(page)


@pytest.mark.parametrize("cookie", [None, "not-a-token", "A" * 43])
def test_the_thank_you_page_without_an_answer_of_yours_goes_back_to_the_article(client, article, cookie):
    Client().post(url(article), {"helpful": "yes"})  # someone else's answer is not shown
    if cookie:
        client.cookies["feedback_visitor"] = cookie
    response = client.get(thanks_url(article) + "?answer=yes&state=commented")
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#feedback"


def test_a_comment_after_an_answer_without_javascript(client, article):
    client.post(url(article), {"helpful": "no"})
    response = client.post(url(article), {"helpful": "no", "comment": "  Say how long soreness lasts.\r\n"})

    assert response.status_code == 303
    assert response["Location"] == thanks_url(article)
    page = text(client.get(response["Location"]))
    assert "Thank you. Your feedback has been sent." in page
    assert "<textarea" not in page
    row = Feedback.objects.get()
    assert (row.helpful, row.comment) == (False, "Say how long soreness lasts.")
    assert row.commented_at is not None


# With JavaScript: JSON answers


@pytest.mark.parametrize(
    ("answer", "label"), [("yes", "What was helpful?"), ("no", "What was missing or unclear?")]
)
def test_an_answer_as_json(client, article, answer, label):
    response = client.post(url(article), {"helpful": answer}, **JSON)

    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "state": "answered",
        "answer": answer,
        "message": "Thanks for the feedback!",
        "comment_label": label,
    }
    assert "feedback_visitor" in response.cookies
    assert response["Cache-Control"] == "private, no-store"
    assert Feedback.objects.get().helpful is (answer == "yes")


def test_a_comment_as_json(client, article):
    client.post(url(article), {"helpful": "yes"}, **JSON)
    response = client.post(url(article), {"helpful": "yes", "comment": "The pictures."}, **JSON)

    assert response.json()["state"] == "commented"
    assert response.json()["message"] == "Thank you. Your feedback has been sent."
    assert Feedback.objects.get().comment == "The pictures."


# Validation


def test_a_comment_of_1000_characters_is_accepted(client, article):
    response = client.post(url(article), {"helpful": "no", "comment": "a" * 1000}, **JSON)
    assert response.status_code == 200
    assert len(Feedback.objects.get().comment) == 1000


def test_a_comment_over_1000_characters_is_refused_and_kept_on_screen(client, article):
    client.post(url(article), {"helpful": "no"})
    too_long = "b" * 1001

    response = client.post(url(article), {"helpful": "no", "comment": too_long})

    assert response.status_code == 400
    html = text(response)
    assert "Your comment is 1,001 characters long. Please shorten it to 1,000 characters or fewer." in html
    assert f">{too_long}</textarea>" in html
    assert 'aria-invalid="true"' in html
    assert "<title>Error: " in html
    assert Feedback.objects.get().comment == ""


def test_a_comment_over_the_limit_as_json(client, article):
    response = client.post(url(article), {"helpful": "no", "comment": "c" * 1001}, **JSON)
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error": "Your comment is 1,001 characters long. Please shorten it to 1,000 characters or fewer.",
    }
    assert Feedback.objects.count() == 0


def test_an_empty_comment_is_refused(client, article):
    response = client.post(url(article), {"helpful": "no", "comment": "   "}, **JSON)
    assert response.status_code == 400
    assert response.json()["error"] == "Write your comment before sending it."


@pytest.mark.parametrize("data", [{}, {"helpful": "maybe"}])
def test_an_answer_must_be_yes_or_no(client, article, data):
    response = client.post(url(article), data)
    assert response.status_code == 400
    assert "Choose Yes or No." in text(response)
    assert 'name="helpful" value="yes"' in text(response)
    assert Feedback.objects.count() == 0


def test_the_article_version_shown_is_stored_and_a_bad_one_ignored(client, article):
    shown = article.updated_at.isoformat()
    client.post(url(article), {"helpful": "yes", "version": shown})
    assert Feedback.objects.get().article_version == article.updated_at

    Client().post(url(article), {"helpful": "yes", "version": "yesterday"})
    assert Feedback.objects.filter(article_version__isnull=True).count() == 1


def test_a_request_that_is_too_large_is_refused(client, article):
    response = client.post(url(article), {"helpful": "no", "comment": "x" * 20_000}, **JSON)
    assert response.status_code == 413
    assert "shorten your comment" in response.json()["error"]


def test_get_on_the_vote_address_explains_itself(client, article):
    response = client.get(url(article))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "use the “Is this content helpful?” form" in text(response)


# De-duplication and privacy


def test_a_second_answer_from_the_same_visitor_replaces_the_first(client, article):
    client.post(url(article), {"helpful": "yes"})
    client.post(url(article), {"helpful": "no"})
    assert list(Feedback.objects.values_list("helpful", flat=True)) == [False]

    Client().post(url(article), {"helpful": "yes"})
    assert Feedback.objects.count() == 2


def test_a_malformed_cookie_is_replaced_by_a_new_one(client, article):
    client.cookies["feedback_visitor"] = "not-a-real-token"
    response = client.post(url(article), {"helpful": "yes"})
    assert response.cookies["feedback_visitor"].value != "not-a-real-token"
    assert len(response.cookies["feedback_visitor"].value) == 43


def test_nothing_raw_is_stored(client, article):
    address, agent = "203.0.113.77", "UniqueTestAgent/9.9"
    client.post(url(article), {"helpful": "no"}, REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    client.post(
        url(article), {"helpful": "no", "comment": "Fine."}, REMOTE_ADDR=address, HTTP_USER_AGENT=agent
    )
    token = client.cookies["feedback_visitor"].value

    stored = " ".join(str(value) for row in Feedback.objects.values() for value in row.values())
    for raw in (address, agent, token):
        assert raw not in stored
    cache_keys = " ".join(str(key) for alias in ("default", "limits") for key in caches[alias]._cache)
    for raw in (address, token):
        assert raw not in cache_keys


# Abuse limits


def test_a_filled_honeypot_looks_accepted_but_stores_nothing(client, article):
    response = client.post(url(article), {"helpful": "yes", "website": "http://spam.example"})

    assert response.status_code == 303
    assert response["Location"] == thanks_url(article)
    assert "feedback_visitor" not in response.cookies
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "https://blog.testserver"},
    ],
)
def test_a_cross_site_post_is_refused_with_a_page_in_the_sites_style(client, article, headers):
    response = client.post(url(article), {"helpful": "yes"}, **headers)

    assert response.status_code == 403
    html = text(response)
    assert "<h1>We could not accept this answer</h1>" in html
    assert "It was sent from another website." in html
    assert 'class="skip-link"' in html and 'class="site-header"' in html
    assert f'href="{article.get_absolute_url()}"' in html
    assert "feedback_visitor" not in response.cookies
    assert Feedback.objects.count() == 0


def test_a_cross_site_post_as_json_is_refused(client, article):
    response = client.post(url(article), {"helpful": "yes"}, HTTP_ORIGIN="https://evil.example", **JSON)
    assert response.status_code == 403
    assert response.json()["ok"] is False


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_SEC_FETCH_SITE": "same-origin"},
        {},
    ],
)
def test_same_origin_posts_and_old_browsers_are_accepted(client, article, headers):
    response = client.post(url(article), {"helpful": "yes"}, **headers)
    assert response.status_code == 303
    assert Feedback.objects.count() == 1


def test_a_trusted_origin_is_accepted(client, article, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://guide.example.org"]
    response = client.post(url(article), {"helpful": "yes"}, HTTP_ORIGIN="https://guide.example.org")
    assert response.status_code == 303


def test_one_visitor_beyond_the_limit_gets_429(client, article, settings):
    settings.FEEDBACK_RATE_LIMITS = {"visitor": (3, 3600), "address": (100, 3600)}
    for _ in range(3):
        assert client.post(url(article), {"helpful": "yes"}, **JSON).status_code == 200

    response = client.post(url(article), {"helpful": "no"}, **JSON)

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert response.json()["error"] == (
        "You have sent a lot of answers in a short time. Please try again in 60 minutes."
    )
    assert Feedback.objects.get().helpful is True
    # Another visitor is not held back.
    assert Client().post(url(article), {"helpful": "no"}, **JSON).status_code == 200


def test_one_network_address_beyond_the_limit_gets_429(article, settings):
    settings.FEEDBACK_RATE_LIMITS = {"visitor": (100, 3600), "address": (2, 3600)}
    for _ in range(2):
        assert Client().post(url(article), {"helpful": "yes"}, REMOTE_ADDR="198.51.100.1").status_code == 303

    refused = Client().post(url(article), {"helpful": "yes"}, REMOTE_ADDR="198.51.100.1")

    assert refused.status_code == 429
    assert "<h1>Too many answers</h1>" in text(refused)
    assert Client().post(url(article), {"helpful": "yes"}, REMOTE_ADDR="198.51.100.2").status_code == 303
    assert Feedback.objects.count() == 3


def test_the_limits_work_when_the_cache_is_down(client, article, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(caches["limits"], "add", broken)
    assert client.post(url(article), {"helpful": "yes"}).status_code == 303


def test_ipv6_visitors_are_limited_by_their_64_network(rf):
    one = rf.post("/", REMOTE_ADDR="2001:db8:1:2::10")
    same_home = rf.post("/", REMOTE_ADDR="2001:db8:1:2:abcd::99")
    other = rf.post("/", REMOTE_ADDR="2001:db8:1:3::10")
    assert client_network(one) == client_network(same_home) == "2001:db8:1:2::"
    assert client_network(other) != client_network(one)
    assert client_network(rf.post("/", REMOTE_ADDR="::ffff:192.0.2.5")) == "192.0.2.5"
    assert client_network(rf.post("/", REMOTE_ADDR="")) == "unknown"


def test_behind_a_trusted_proxy_the_forwarded_client_is_limited(rf, settings):
    request = rf.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.44")
    assert client_network(request) == "10.0.0.2"
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_network(request) == "192.0.2.44"


def test_votes_through_one_proxy_are_limited_per_client(client, article, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.FEEDBACK_RATE_LIMITS = {"visitor": (100, 3600), "address": (2, 3600)}

    def vote(forwarded: str) -> int:
        return (
            Client()
            .post(url(article), {"helpful": "yes"}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
            .status_code
        )

    assert [vote("203.0.113.7") for _ in range(3)] == [303, 303, 429]
    # Another visitor behind the same proxy is not affected...
    assert vote("203.0.113.8") == 303
    # ...and the limited one cannot escape by adding a forged entry on the left.
    assert vote("198.51.100.99, 203.0.113.7") == 429


def test_a_vote_takes_three_queries(client, article):
    """Find the article, find the visitor's row, write it (savepoints aside)."""

    def statements(data) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            client.post(url(article), data)
        return [q["sql"].split()[0] for q in queries if "SAVEPOINT" not in q["sql"]]

    assert statements({"helpful": "yes"}) == ["SELECT", "SELECT", "INSERT"]
    assert statements({"helpful": "no"}) == ["SELECT", "SELECT", "UPDATE"]


@pytest.mark.parametrize("text", ["漢" * 1000, "😀" * 1000, "ع" * 1000])
def test_a_full_length_comment_in_any_script_is_accepted(client, article, text):
    """1,000 four-byte characters, percent-encoded, fit under the body cap."""
    response = client.post(url(article), {"helpful": "no", "comment": text, "version": "x" * 40})
    assert response.status_code == 303
    assert Feedback.objects.get(article=article).comment == text


def test_changing_an_answer_after_commenting_offers_the_comment_box_again(client, article):
    client.post(url(article), {"helpful": "no", "comment": "Too long."})
    assert "<textarea" not in text(client.get(thanks_url(article)))
    client.post(url(article), {"helpful": "yes"})
    page = text(client.get(thanks_url(article)))
    assert "<textarea" in page
    assert 'name="helpful" value="yes"' in page


def test_the_thank_you_page_is_titled_thank_you(client, article):
    page = client.get(client.post(url(article), {"helpful": "yes"})["Location"])
    assert f"<title>Thank you for your feedback on “{article.title}” | " in text(page)


@pytest.mark.parametrize(
    ("data", "field"),
    [({}, "#feedback-yes"), ({"helpful": "no", "comment": " "}, "#feedback-comment")],
)
def test_a_refused_form_without_javascript_focuses_an_error_summary_linking_to_the_field(
    client, article, data, field
):
    html = text(client.post(url(article), data))
    summary = html.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'tabindex="-1" autofocus' in summary
    assert f'<a href="{field}">' in summary
    assert f'id="{field[1:]}"' in html
