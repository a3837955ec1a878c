"""A patient answers "Is this content helpful?" in Chromium, with and without JavaScript."""

from __future__ import annotations

from playwright.sync_api import expect

from dryneedling_site.feedback.models import Feedback

ARTICLE = "/articles/what-to-expect/"
COMMENT = "How long does the soreness last?"


def stored_answer() -> tuple[bool, str]:
    row = Feedback.objects.get()
    return row.helpful, row.comment


def test_answer_no_then_comment_with_javascript(site, page, assert_accessible, third_party_requests):
    page.goto(site.url + ARTICLE)
    widget = page.locator("#feedback")
    status = widget.get_by_role("status")
    expect(widget.get_by_role("heading", name="Is this content helpful?")).to_be_visible()
    assert_accessible(page)

    widget.get_by_role("button", name="No").click()

    expect(status).to_have_text("Thanks for the feedback!")
    comment = widget.get_by_label("What was missing or unclear?")
    expect(comment).to_be_focused()
    expect(
        widget.get_by_text("Do not include your name, contact details or personal health information")
    ).to_be_visible()
    assert page.url == site.url + ARTICLE, "the widget updates in place"
    assert_accessible(page)

    comment.fill(COMMENT)
    expect(widget.get_by_text("You have 968 characters left.")).to_be_visible()
    widget.get_by_role("button", name="Send comment").click()

    expect(status).to_have_text("Thank you. Your feedback has been sent.")
    expect(status).to_be_focused()
    expect(widget.get_by_role("textbox")).to_have_count(0)
    assert_accessible(page)

    assert stored_answer() == (False, COMMENT)
    cookies = page.context.cookies()
    assert [(c["name"], c["httpOnly"], c["sameSite"]) for c in cookies] == [("feedback_visitor", True, "Lax")]
    assert third_party_requests == []


def test_answer_no_then_comment_without_javascript(
    site, page_without_javascript, assert_accessible_without_javascript
):
    page = page_without_javascript
    page.goto(site.url + ARTICLE)
    widget = page.locator("#feedback")
    assert_accessible_without_javascript(page)

    widget.get_by_role("button", name="No").click()

    page.wait_for_url("**/feedback/thanks/#feedback")
    expect(widget.get_by_role("status")).to_have_text("Thanks for the feedback!")
    expect(
        widget.get_by_text("Do not include your name, contact details or personal health information")
    ).to_be_visible()
    assert_accessible_without_javascript(page)

    widget.get_by_label("What was missing or unclear?").fill(COMMENT)
    widget.get_by_role("button", name="Send comment").click()

    page.wait_for_url("**/feedback/thanks/#feedback")
    expect(widget.get_by_role("status")).to_have_text("Thank you. Your feedback has been sent.")
    assert_accessible_without_javascript(page)
    page.get_by_role("link", name="Back to “What happens at a fixture visit?”").click()
    page.wait_for_url(site.url + ARTICLE)

    assert stored_answer() == (False, COMMENT)


def test_a_comment_error_is_shown_beside_the_box_without_javascript(
    site, page_without_javascript, assert_accessible_without_javascript
):
    page = page_without_javascript
    page.goto(site.url + ARTICLE)
    page.locator("#feedback").get_by_role("button", name="Yes").click()
    page.wait_for_url("**/feedback/thanks/**")

    page.get_by_role("button", name="Send comment").click()

    # Once in the focused error summary at the top, once beside the field (the NHS pattern).
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#feedback").get_by_text("Write your comment before sending it.")).to_be_visible()
    expect(page.get_by_label("What was helpful?")).to_have_attribute("aria-invalid", "true")
    assert_accessible_without_javascript(page)


def test_an_answer_sent_from_another_site_is_refused(site, page, assert_accessible):
    """A hostile page's form posts to us; the browser says it is cross-site and we refuse it."""
    hostile = "http://hostile.test/"
    page.route(
        hostile,
        lambda route: route.fulfill(
            content_type="text/html",
            body=f'<form method="post" action="{site.url}{ARTICLE}feedback/">'
            '<input type="hidden" name="helpful" value="no"><button>Win a prize</button></form>',
        ),
    )
    page.goto(hostile)

    page.get_by_role("button", name="Win a prize").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("We could not accept this answer")
    assert_accessible(page)
    assert Feedback.objects.count() == 0


def test_a_refusal_is_announced_and_the_comment_kept_with_javascript(site, page, settings, assert_accessible):
    settings.FEEDBACK_RATE_LIMITS = {"visitor": (1, 3600), "address": (100, 3600)}
    page.goto(site.url + ARTICLE)
    widget = page.locator("#feedback")
    widget.get_by_role("button", name="Yes").click()
    comment = widget.get_by_label("What was helpful?")
    comment.fill(COMMENT)

    widget.get_by_role("button", name="Send comment").click()

    expect(widget.get_by_role("status")).to_have_text(
        "You have sent a lot of answers in a short time. Please try again in 60 minutes."
    )
    expect(comment).to_have_value(COMMENT)
    assert_accessible(page)
    assert stored_answer() == (True, "")
