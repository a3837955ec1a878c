"""A staff member edits an article in the admin and sees the live preview."""

from django.contrib.auth.models import User

from tests.factories import staff_group


def test_staff_types_markdown_and_preview_updates(site, page, assert_accessible):
    user = User.objects.create_user("erin", password="a long test password", is_staff=True)
    user.groups.add(staff_group("Content editors"))
    csp_errors: list[str] = []
    page.on(
        "console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None
    )

    page.goto(site.url + "/admin/")
    page.fill("#id_username", "erin")
    page.fill("#id_password", "a long test password")
    page.click("input[type=submit]")
    page.goto(site.url + "/admin/articles/article/")
    page.get_by_role("link", name="What is this fixture about?").click()
    assert_accessible(page)

    editor = page.locator("textarea#id_body")
    preview = page.locator("#id_body").locator("xpath=..").locator(".markdownx-preview")
    editor.fill("## Fresh heading\n\nTyped by **staff** <script>alert(1)</script>")
    editor.press("End")
    page.wait_for_function(
        "() => document.querySelector('.markdownx-preview h2#fresh-heading') !== null", timeout=10_000
    )
    assert preview.first.locator("h2").first.inner_text() == "Fresh heading"
    assert preview.first.locator("strong").inner_text() == "staff"
    assert preview.first.locator("script").count() == 0
    assert not [e for e in csp_errors if "script" in e.lower()], csp_errors
