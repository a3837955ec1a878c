"""The public page is always a reviewed version or says plainly it is not (issue 20)."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client, TestCase, override_settings

from dryneedling_site.articles.models import Article, Reference, Review, ReviewerProfile
from dryneedling_site.articles.review import SelfSignOff, check_translation, sign_off
from tests.articles.test_review import edit_url, form_data, review_url
from tests.factories import make_article

SIGNED = "## Blood thinners\n\nKeep taking your medicines as your doctor said.\n"
UNSAFE = "## Blood thinners\n\nStop taking your blood thinners before dry needling.\n"


@pytest.fixture
def reviewer(db) -> User:
    user = User.objects.create_user("rita", password="x", is_staff=True, first_name="Typed", last_name="Name")
    user.groups.add(Group.objects.get(name="Clinical reviewers"))
    ReviewerProfile.objects.create(
        user=user, name_as_licensed="Rita Reyes", credentials="PT, DPT", licence_state="Oregon"
    )
    return user


def signed_off_article(reviewer: User, **fields) -> Article:
    article = make_article(
        slug="medicines",
        body=SIGNED,
        key_points="Keep your medicines",
        care_urgent="Bleeding that will not stop",
        last_reviewed=None,
        reviewer_name="",
        reviewer_credentials="",
        **fields,
    )
    Reference.objects.create(article=article, authors="Kalichman L", title="Signed source", year=2010)
    sign_off(article, reviewer=reviewer, note="Checked.")
    return article


def structured_data(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block
    return json.loads(block.group(1))


def editor_saves(editor_client, article: Article, **changes):
    """Post the edit form; the page cache is bumped as after a real commit."""
    data = form_data(editor_client, article, **changes)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return editor_client.post(edit_url(article), data)


def test_an_editors_change_to_a_signed_off_article_waits_for_review(client, editor_client, reviewer, db):
    article = signed_off_article(reviewer)
    response = editor_saves(
        editor_client, article, body=UNSAFE, key_points="Stop your medicines", care_urgent="Nothing"
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert "Stop taking your blood thinners" in article.body  # the waiting revision is kept

    page = Client().get(article.get_absolute_url()).content.decode()
    assert "Keep taking your medicines" in page and "Stop taking" not in page
    assert "Keep your medicines" in page and "Stop your medicines" not in page
    assert "Bleeding that will not stop" in page
    assert "Signed source" in page
    assert "Reviewed by Rita Reyes, PT, DPT." in page
    data = structured_data(page)
    assert data["reviewedBy"]["name"] == "Rita Reyes"

    screen = editor_client.get(edit_url(article)).content.decode()
    assert "This revision waits for review" in screen and "Written by: editor" in screen
    assert "Stop taking your blood thinners" in screen.split("field-waiting_revision")[1]


def test_a_reviewer_approves_and_publishes_the_waiting_revision(client, editor_client, reviewer, db):
    article = signed_off_article(reviewer)
    editor_saves(editor_client, article, body=SIGNED + "\nDrink water.\n")
    other = User.objects.create_user("omar", password="x", is_staff=True)
    other.groups.add(Group.objects.get(name="Clinical reviewers"))
    ReviewerProfile.objects.create(user=other, name_as_licensed="Omar Ortiz", credentials="PT")
    client.force_login(other)
    page = client.get(review_url(article)).content.decode()
    assert "Drink water." in page and "Written by: editor" in page
    shown = page.split('name="shown_fingerprint" value="')[1].split('"')[0]
    response = client.post(
        review_url(article), {"note": "ok", "confirm": "on", "publish": "on", "shown_fingerprint": shown}
    )
    assert response.status_code == 302
    client.logout()
    public = Client().get(article.get_absolute_url()).content.decode()
    assert "Drink water." in public and "Reviewed by Omar Ortiz, PT." in public
    review = Review.objects.latest()
    assert review.reviewer == other and review.written_by == "editor"


def test_nobody_signs_off_a_revision_they_wrote(client, reviewer, db):
    article = signed_off_article(reviewer)
    reviewer.groups.add(Group.objects.get(name="Content editors"))  # in both groups
    client.force_login(reviewer)
    client.post(edit_url(article), form_data(client, article, body=UNSAFE))
    page = client.get(review_url(article))
    assert "another clinical reviewer must sign it off" in page.content.decode()
    response = client.post(review_url(article), {"note": "mine", "confirm": "on", "shown_fingerprint": "x"})
    assert response.status_code == 403
    with pytest.raises(SelfSignOff):
        sign_off(article, reviewer=reviewer, note="mine")
    assert Review.objects.count() == 1
    assert "Stop taking" not in Client().get(article.get_absolute_url()).content.decode()


def test_the_displayed_reviewer_comes_from_the_profile_not_the_form(client, reviewer, db):
    article = make_article(slug="plain", last_reviewed=None, reviewer_name="", reviewer_credentials="")
    client.force_login(reviewer)
    page = client.get(review_url(article)).content.decode()
    assert 'name="name"' not in page and 'name="credentials"' not in page
    shown = page.split('name="shown_fingerprint" value="')[1].split('"')[0]
    client.post(
        review_url(article),
        {"note": "ok", "confirm": "on", "shown_fingerprint": shown, "name": "Dr. Gregory House, MD, FACP"},
    )
    client.logout()
    public = Client().get(article.get_absolute_url()).content.decode()
    assert "Gregory House" not in public and "Reviewed by Rita Reyes, PT, DPT." in public
    assert structured_data(public)["reviewedBy"] == {
        "@type": "Person",
        "name": "Rita Reyes",
        "hasCredential": "PT, DPT",
    }
    review = Review.objects.get()
    assert review.reviewer == reviewer and review.reviewer_licence == "Oregon"


def test_a_reviewer_without_a_profile_cannot_sign_off(client, db):
    user = User.objects.create_user("nora", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Clinical reviewers"))
    article = make_article(slug="plain", last_reviewed=None, reviewer_name="", reviewer_credentials="")
    client.force_login(user)
    assert "no reviewer profile" in client.get(review_url(article)).content.decode()
    response = client.post(review_url(article), {"note": "ok", "confirm": "on", "shown_fingerprint": "x"})
    assert response.status_code == 403 and not Review.objects.exists()


def test_the_reviews_list_shows_the_account(admin_client, reviewer, db):
    signed_off_article(reviewer)
    html = admin_client.get("/admin/articles/review/").content.decode()
    assert "rita" in html and "Rita Reyes" in html


def test_an_editor_cannot_publish_an_unreviewed_care_card_page(editor_client, db):
    article = make_article(
        slug="care",
        published=False,
        care_urgent="Bleeding",
        last_reviewed=None,
        reviewer_name="",
        reviewer_credentials="",
    )
    response = editor_saves(editor_client, article, published="on")
    assert response.status_code == 200 and "has not been reviewed by a clinician" in response.content.decode()
    editor_client.post("/admin/articles/article/", {"action": "publish", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert not article.published
    plain = make_article(slug="plain", published=False, last_reviewed=None, reviewer_name="")
    editor_client.post("/admin/articles/article/", {"action": "publish", "_selected_action": [plain.pk]})
    plain.refresh_from_db()
    assert plain.published  # no care card: the default gate lets it through, labelled unreviewed
    with override_settings(REQUIRE_REVIEW_TO_PUBLISH="all"):
        other = make_article(slug="other", published=False, last_reviewed=None, reviewer_name="")
        editor_client.post("/admin/articles/article/", {"action": "publish", "_selected_action": [other.pk]})
        other.refresh_from_db()
        assert not other.published


def test_an_unreviewed_published_page_says_so_without_reviewed_by(client, db):
    article = make_article(slug="sample", last_reviewed=None, reviewer_name="", reviewer_credentials="")
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "Not yet reviewed by a clinician." in page and "Reviewed by" not in page
    assert "reviewedBy" not in structured_data(page)


def test_an_urgent_correction_goes_live_and_says_it_was_updated_after_review(
    client, editor_client, editor_user, reviewer, db
):
    article = signed_off_article(reviewer)
    form = editor_client.get(edit_url(article)).content.decode()
    assert 'name="urgent_correction"' not in form  # off by default
    editor_saves(editor_client, article, body=UNSAFE, urgent_correction="on")
    assert "Stop taking" not in Client().get(article.get_absolute_url()).content.decode()

    editor_user.user_permissions.add(Permission.objects.get(codename="publish_urgent_correction"))
    fixed = "## Blood thinners\n\nKeep taking your medicines. Tell your PT you take them.\n"
    response = editor_saves(editor_client, article, body=fixed, urgent_correction="on")
    assert response.status_code == 302, response.content.decode()[-3000:]
    article.refresh_from_db()
    assert article.urgent_update_on, article.body
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "Tell your PT you take them." in page
    assert "after its last clinical review on" in page and "Reviewed by" not in page
    data = structured_data(page)
    assert "reviewedBy" not in data and "after its last clinical review" in data["description"]


def test_a_translation_is_current_only_through_the_check_action(editor_client, reviewer, client, db):
    english = make_article(slug="needles", body="## Size\n\nThin.\n")
    spanish = make_article(
        slug="agujas",
        language="es",
        translation_of=english,
        body="## Tamaño\n\nFinas.\n",
        source_fingerprint="",
    )
    pasted = english.translation_source_fingerprint()
    editor_saves(editor_client, spanish, source_fingerprint=pasted)
    spanish.refresh_from_db()
    assert spanish.source_fingerprint == "" and spanish.translation_status == "out of date"

    client.force_login(reviewer)
    client.post(
        "/admin/articles/article/",
        {"action": "mark_translation_checked", "_selected_action": [spanish.pk]},
    )
    spanish.refresh_from_db()
    assert spanish.translation_status == "up to date"
    assert spanish.translation_checked_by == reviewer and spanish.source_fingerprint == pasted
    with pytest.raises(PermissionError):
        check_translation(spanish, checker=User.objects.get(username="editor"))


def test_the_guide_lists_keep_the_signed_off_title_and_summary_until_review(editor_client, reviewer, db):
    article = signed_off_article(reviewer, title="Your medicines", summary="Keep taking them as usual.")
    response = editor_saves(
        editor_client, article, title="Stop your medicines", summary="Stop them before needling."
    )
    assert response.status_code == 302
    for address in ("/", "/articles/"):
        listing = Client().get(address).content.decode()
        assert "Your medicines" in listing and "Keep taking them as usual." in listing, address
        assert "Stop your medicines" not in listing and "Stop them before" not in listing, address

    sign_off(Article.objects.get(pk=article.pk), reviewer=reviewer, note="New text checked.")
    with TestCase.captureOnCommitCallbacks(execute=True):
        Article.objects.get(pk=article.pk).save()  # the sign-off's save bumps the page cache
    assert "Stop your medicines" in Client().get("/articles/").content.decode()
