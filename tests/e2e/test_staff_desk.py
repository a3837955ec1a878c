"""The staff desk in a real browser: an editor by keyboard, a reviewer's sign-off, axe on each screen."""

from __future__ import annotations

import base64
import io
import re

import pytest
from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image
from playwright.sync_api import Page, expect

from dryneedling_site.articles.models import Article, ReviewerProfile
from tests.accounts.codes import current_code
from tests.factories import make_article, staff_group

PASSWORD = "a long test password"
CHANGELIST = "/admin/articles/article/"


@pytest.fixture
def desk(live_server, transactional_db, media_root):
    """A published article, a related one, an editor and a clinical reviewer."""
    article = make_article(
        slug="first-visit",
        title="Your first visit",
        body="## Before you come\n\nWear loose clothes.\n",
        last_reviewed=None,
        reviewer_name="",
        reviewer_credentials="",
    )
    make_article(slug="aftercare-tips", title="Aftercare tips")
    editor = User.objects.create_user("erin", password=PASSWORD, is_staff=True, first_name="Erin")
    editor.groups.add(staff_group("Content editors"))
    reviewer = User.objects.create_user(
        "rita", password=PASSWORD, is_staff=True, first_name="Rita", last_name="Reyes"
    )
    reviewer.groups.add(staff_group("Clinical reviewers"))
    TOTPDevice.objects.create(user=reviewer, name="Authenticator app", confirmed=True)  # reviewers need one
    ReviewerProfile.objects.create(user=reviewer, name_as_licensed="Rita Reyes", credentials="DPT")
    return {"url": live_server.url, "article": article}


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is not None:  # the second step: the code the reviewer's app shows now
        page.fill("#id_code", current_code(device))
        page.click("input[type=submit]")
    expect(page.locator("#staff-desk-heading")).to_be_visible()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 120, 140)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_editor_by_keyboard_image_preview_layout_slug_and_conflict(
    desk, page: Page, browser, assert_accessible
):
    base, article = desk["url"], desk["article"]
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, base, "erin")
    assert_accessible(page)  # the admin home with the desk

    page.goto(base + CHANGELIST)
    assert_accessible(page)
    page.get_by_role("link", name="Your first visit").click()
    assert_accessible(page)

    # No keyboard trap: Tab and Shift+Tab leave the Body field and insert nothing.
    body = page.locator("textarea#id_body")
    body.focus()
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") != "id_body"
    body.focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") != "id_body"
    assert body.input_value().startswith("## Before you come")

    # Preview beside the text at 1366 px.
    preview = page.locator(".field-body .markdownx-preview")
    page.wait_for_function("() => document.querySelector('.markdownx-preview h2') !== null")
    text_box, preview_box = body.bounding_box(), preview.bounding_box()
    assert preview_box["x"] >= text_box["x"] + text_box["width"] - 1
    assert abs(preview_box["y"] - text_box["y"]) < 40

    # Insert image by keyboard: button, file, alt text (asked for), Enter.
    page.locator(".editor-insert-image").focus()
    page.keyboard.press("Enter")
    dialog = page.locator("dialog.editor-image-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("input[type=file]").set_input_files(
        {"name": "needle.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    alt = dialog.locator("input[type=text]")
    alt.focus()
    page.keyboard.type("image")
    page.keyboard.press("Enter")
    expect(dialog.locator(".editor-dialog-error")).to_contain_text("not just")
    alt.fill("")
    page.keyboard.type("Thin needle beside a pencil")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(body).to_have_value(re.compile(r"!\[Thin needle beside a pencil\]\(/media/articles/[^)]+\.png\)"))
    page.wait_for_function(
        "() => document.querySelector('.markdownx-preview img[alt=\"Thin needle beside a pencil\"]')"
    )

    # Drag-and-drop still works; its placeholder alt text is flagged, and saving refuses it.
    page.evaluate(
        """(b64) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const data = new DataTransfer();
            data.items.add(new File([bytes], "drop.png", { type: "image/png" }));
            const drop = new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true });
            document.querySelector("#id_body").dispatchEvent(drop);
        }""",
        base64.b64encode(png_bytes()).decode(),
    )
    expect(page.locator(".editor-message")).to_contain_text("Replace “describe the image”")
    expect(body).to_have_value(re.compile(r"!\[describe the image\]\(/media/articles/"))
    page.click("input[name=_continue]")
    expect(page.locator(".field-body .errorlist")).to_contain_text("Describe each image")
    body = page.locator("textarea#id_body")
    body.fill(body.input_value().replace("describe the image", "Teal test square"))

    # Narrow screen: the preview goes below the text and nothing is clipped.
    page.set_viewport_size({"width": 390, "height": 844})
    text_box, preview_box = body.bounding_box(), preview.bounding_box()
    assert preview_box["y"] >= text_box["y"] + text_box["height"] - 1
    for box in (text_box, preview_box):
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.set_viewport_size({"width": 1366, "height": 900})

    # Slug change: saved, the editor is told, and the old address redirects.
    page.fill("#id_slug", "your-first-visit")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("/articles/first-visit/ now leads here")
    page.goto(base + "/articles/first-visit/")
    assert page.url == base + "/articles/your-first-visit/"
    assert "Thin needle beside a pencil" in page.content()

    # Two editors: the second save over a newer one is refused and shows the change.
    page.goto(base + f"{CHANGELIST}{article.pk}/change/")
    other = browser.new_context().new_page()
    log_in(other, base, "erin")
    other.goto(base + f"{CHANGELIST}{article.pk}/change/")
    other.fill("textarea#id_body", "## Before you come\n\nWear shorts.\n")
    other.click("input[name=_continue]")
    expect(other.locator(".messagelist")).to_be_visible()
    other.context.close()
    page.fill("#id_summary", "My newer summary.")
    page.click("input[name=_continue]")
    expect(page.locator(".edit-conflict")).to_contain_text("saved this article at")
    expect(page.locator(".edit-conflict .diff-added")).to_contain_text("Wear shorts.")
    assert_accessible(page)
    assert Article.objects.get(pk=article.pk).summary != "My newer summary."

    page.goto(base + f"{CHANGELIST}{article.pk}/history/")
    expect(page.locator(".markdown-diff").first).to_be_visible()
    assert_accessible(page)


def test_reviewer_signs_off_then_an_edit_shows_changed_since_review(
    desk, page: Page, browser, assert_accessible
):
    base, article = desk["url"], desk["article"]
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, base, "rita")
    page.goto(base + f"{CHANGELIST}{article.pk}/change/")
    expect(page.locator(".field-review_summary")).to_contain_text("Not yet reviewed")
    page.get_by_role("link", name="Sign off review").click()
    assert_accessible(page)
    expect(page.locator(".review-text")).to_contain_text("Wear loose clothes.")
    expect(page.locator("#content-main")).to_contain_text("Rita Reyes, DPT")
    page.get_by_label("What you checked").fill("Checked the clothing advice.")
    page.get_by_label("I have checked the facts").check()
    page.get_by_role("button", name="Sign off review").click()
    expect(page.locator(".messagelist")).to_contain_text("signed off")
    expect(page.locator(".field-review_summary")).to_contain_text("Checked the clothing advice.")
    expect(page.locator(".field-review_summary")).to_contain_text("Reviewed; next due")

    editor = browser.new_context().new_page()
    editor.set_viewport_size({"width": 1366, "height": 900})
    log_in(editor, base, "erin")
    editor.goto(base + f"{CHANGELIST}{article.pk}/change/")
    editor.fill("textarea#id_body", "## Before you come\n\nWear loose clothes. Eat a light meal.\n")
    editor.click("input[name=_save]")
    row = editor.locator("#result_list tr", has_text="Your first visit")
    expect(row.locator(".field-changed_since_review_flag")).to_have_text("Changed since review")
    assert_accessible(editor)
    # Patients still see the signed-off text, under the reviewer's profile name.
    visitor = browser.new_context().new_page()
    visitor.goto(base + article.get_absolute_url())
    expect(visitor.locator("main")).to_contain_text("Wear loose clothes.")
    expect(visitor.locator("main")).not_to_contain_text("Eat a light meal.")
    expect(visitor.locator(".review")).to_contain_text("Reviewed by Rita Reyes, DPT")
    visitor.context.close()
    # The edit screen shows the waiting revision and its diff against the live text.
    editor.goto(base + f"{CHANGELIST}{article.pk}/change/")
    expect(editor.locator(".field-waiting_revision")).to_contain_text("waits for review")
    expect(editor.locator(".field-waiting_revision .diff-added")).to_contain_text("Eat a light meal.")
    assert_accessible(editor)
    editor.goto(base + "/admin/")
    expect(editor.locator(".staff-desk")).to_contain_text("1 changed since review")
    editor.goto(base + "/admin/feedback/feedback/summary/")
    expect(editor.locator("h1")).to_have_text("Feedback summary")
    assert_accessible(editor)
    editor.context.close()
