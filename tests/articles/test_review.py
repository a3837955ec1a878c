"""Clinical review as a workflow, and edits that never get lost (the staff desk, issue 13)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from dryneedling_site.articles.models import Article, ArticleRedirect, Reference, Review, ReviewerProfile
from tests.articles.test_admin import CHANGELIST, change_form_data
from tests.factories import make_article


@pytest.fixture
def reviewer(db) -> User:
    user = User.objects.create_user(
        "rita", email="rita@example.com", password="x", is_staff=True, first_name="Rita", last_name="Reyes"
    )
    user.groups.add(Group.objects.get(name="Clinical reviewers"))
    ReviewerProfile.objects.create(user=user, name_as_licensed="Rita Reyes", credentials="DPT")
    return user


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def unreviewed(**fields) -> Article:
    return make_article(last_reviewed=None, reviewer_name="", reviewer_credentials="", **fields)


def edit_url(article: Article) -> str:
    return f"{CHANGELIST}{article.pk}/change/"


def review_url(article: Article) -> str:
    return f"{CHANGELIST}{article.pk}/review/"


def form_data(client, article: Article, **changes) -> dict:
    """What the edit form would post, including the version it was opened at."""
    html = client.get(edit_url(article)).content.decode()
    version = html.split('name="loaded_version" value="')[1].split('"')[0]
    article.refresh_from_db()
    return change_form_data(article, loaded_version=version, **changes)


def test_only_clinical_reviewers_may_sign_off(editor_client, db):
    article = unreviewed()
    assert editor_client.get(review_url(article)).status_code == 403
    response = editor_client.post(
        review_url(article), {"name": "E", "credentials": "PT", "note": "x", "confirm": "on"}
    )
    assert response.status_code == 403
    assert not Review.objects.exists()
    html = editor_client.get(edit_url(article)).content.decode()
    assert "Clinical reviewers sign off with" in html
    assert review_url(article) not in html


def test_a_reviewer_signs_off_with_credentials_and_a_note(reviewer_client, reviewer, db):
    article = unreviewed(body="## Dose\n\nOne session a week.\n")
    Reference.objects.create(article=article, authors="Kalichman L", title="Dry needling review", year=2010)
    form = reviewer_client.get(edit_url(article)).content.decode()
    assert f'<a href="{review_url(article)}">Sign off review</a>' in form
    page = reviewer_client.get(review_url(article)).content.decode()
    assert "One session a week." in page and "Dry needling review" in page
    assert "Patients will see: <strong>Rita Reyes, DPT</strong>" in page  # from the profile

    shown = page.split('name="shown_fingerprint" value="')[1].split('"')[0]
    missing = reviewer_client.post(
        review_url(article),
        {"name": "Rita Reyes", "credentials": "DPT", "confirm": "on", "shown_fingerprint": shown},
    )
    assert missing.status_code == 200 and "errornote" in missing.content.decode()
    assert not Review.objects.exists()

    done = reviewer_client.post(
        review_url(article),
        {
            "name": "Rita Reyes",
            "credentials": "DPT",
            "note": "Checked dosing against ref 1.",
            "confirm": "on",
            "shown_fingerprint": shown,
        },
        follow=True,
    )
    assert "signed off" in done.content.decode()
    review = Review.objects.get()
    assert (review.reviewer, review.reviewer_credentials, review.note) == (
        reviewer,
        "DPT",
        "Checked dosing against ref 1.",
    )
    article.refresh_from_db()
    assert article.last_reviewed == timezone.localdate() == review.reviewed_on
    assert article.reviewer == "Rita Reyes, DPT"
    assert article.next_review_due > article.last_reviewed
    assert not article.changed_since_review
    assert "Checked dosing against ref 1." in done.content.decode()
    public = reviewer_client.get(article.get_absolute_url()).content.decode()
    assert "Rita Reyes" in public


def test_review_fields_are_read_only_on_the_form(editor_client, db):
    article = unreviewed(title="Fresh")
    response = editor_client.post(
        edit_url(article),
        form_data(
            editor_client,
            article,
            last_reviewed="2026-01-01",
            reviewer_name="Me",
            next_review_due="2027-01-01",
        ),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.last_reviewed is None and article.reviewer_name == "" and not article.is_reviewed


def test_editing_after_a_sign_off_is_flagged_changed_since_review(editor_client, reviewer, db):
    from dryneedling_site.articles.review import sign_off

    article = unreviewed(title="Signed article")
    sign_off(article, reviewer=reviewer, note="Fine.")
    assert "Changed since review</td>" not in editor_client.get(CHANGELIST).content.decode()

    editor_client.post(
        edit_url(article), form_data(editor_client, article, body=article.body + "\nNew claim.\n")
    )
    article.refresh_from_db()
    assert article.changed_since_review
    assert article.last_reviewed == timezone.localdate()  # the stamp stays, flagged
    listing = editor_client.get(CHANGELIST).content.decode()
    assert 'field-changed_since_review_flag">Changed since review' in listing
    assert "Signed article" in editor_client.get(CHANGELIST + "?review=changed").content.decode()
    form = editor_client.get(edit_url(article)).content.decode()
    assert "Changed since review: the text, key points, care card or references" in form


def test_reverting_restores_text_and_references_but_never_the_review_stamp(editor_client, reviewer, db):
    from dryneedling_site.articles.review import sign_off

    article = unreviewed(body="## Old\n\nOld text.\n")
    Reference.objects.create(article=article, authors="Old A", title="Old source")
    old_version = article.history.order_by("-history_date").first()
    old_version_id = old_version.history_id
    editor_client.post(edit_url(article), form_data(editor_client, article, body="## New\n\nNew text.\n"))
    article.references.all().delete()
    Reference.objects.create(article=article, authors="New B", title="New source")
    sign_off(article, reviewer=reviewer, note="New text checked.")

    revert_url = f"{CHANGELIST}{article.pk}/history/{old_version_id}/"
    assert editor_client.get(revert_url).status_code == 200
    response = editor_client.post(revert_url, change_form_data(article, body="## Old\n\nOld text.\n"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert "Old text." in article.body
    assert [r.title for r in article.references.all()] == ["Old source"]
    assert article.reviewer_name == "Rita Reyes" and article.last_reviewed == timezone.localdate()
    assert article.changed_since_review


def test_a_slug_change_keeps_the_old_address_working(editor_client, db):
    article = make_article(slug="old-name", title="Moving page")
    response = editor_client.post(
        edit_url(article), form_data(editor_client, article, slug="new-name"), follow=True
    )
    assert "The old address /articles/old-name/ now leads here" in response.content.decode()
    old = editor_client.get("/articles/old-name/")
    assert old.status_code == 301 and old["Location"] == "/articles/new-name/"
    assert ArticleRedirect.objects.get().article == article
    form = editor_client.get(edit_url(article)).content.decode()
    assert "Still lead here: /articles/old-name/" in form
    assert editor_client.get("/articles/never-was/").status_code == 404


def test_links_to_unknown_articles_and_drafts_are_warned_about(editor_client, db):
    make_article(slug="real-page")
    make_article(slug="draft-page", published=False)
    moved = make_article(slug="new-home")
    ArticleRedirect.objects.create(old_slug="old-home", article=moved)
    article = make_article()
    body = article.body + (
        "\nSee [real](/articles/real-page/), [gone](/articles/no-such-page/), "
        "[draft](/articles/draft-page/) and [moved](/articles/old-home/).\n"
    )
    response = editor_client.post(
        edit_url(article), form_data(editor_client, article, body=body), follow=True
    )
    html = response.content.decode()
    assert "links to /articles/no-such-page/, but no article has that address" in html
    assert "links to /articles/draft-page/, a draft" in html
    assert "/articles/real-page/, " not in html and "/articles/old-home/, " not in html


@pytest.mark.parametrize("alt", ["", "describe the image", "Image"])
def test_placeholder_alt_text_is_refused(editor_client, db, alt):
    article = make_article()
    body = article.body + f"\n![{alt}](/media/articles/x.png)\n"
    response = editor_client.post(edit_url(article), form_data(editor_client, article, body=body))
    assert response.status_code == 200
    assert "Describe each image for readers who cannot see it" in response.content.decode()
    article.refresh_from_db()
    assert "x.png" not in article.body


def test_a_real_alt_text_is_accepted(editor_client, db):
    article = make_article()
    body = article.body + "\n![Thin needle beside a pencil](/media/articles/x.png)\n"
    assert (
        editor_client.post(edit_url(article), form_data(editor_client, article, body=body)).status_code == 302
    )


def test_a_save_over_someone_elses_newer_save_is_refused(client, editor_client, db):
    article = make_article(body="## Text\n\nFirst version.\n")
    mine = form_data(editor_client, article, body="## Text\n\nMy version.\n")
    other = User.objects.create_user(
        "olga", password="x", is_staff=True, first_name="Olga", last_name="Other"
    )
    other.groups.add(Group.objects.get(name="Content editors"))
    client.force_login(other)
    theirs = form_data(client, article, body="## Text\n\nTheir version.\n")
    assert client.post(edit_url(article), theirs).status_code == 302

    response = editor_client.post(edit_url(article), mine)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Olga Other saved this article at" in html
    assert '<span class="diff-added">+Their version.</span>' in html
    article.refresh_from_db()
    assert "Their version." in article.body


def test_editors_delete_their_own_drafts_only(editor_client, editor_user, db):
    editor_client.post(
        CHANGELIST + "add/",
        {
            **change_form_data(make_article(slug="template-only")),
            "slug": "my-draft",
            "title": "My draft",
            "published": "",
        },
    )
    mine = Article.objects.get(slug="my-draft")
    published = make_article(title="Live page")
    someone_elses = make_article(title="Loaded draft", published=False)
    assert editor_client.get(f"{CHANGELIST}{published.pk}/delete/").status_code == 403
    assert editor_client.get(f"{CHANGELIST}{someone_elses.pk}/delete/").status_code == 403
    assert editor_client.post(f"{CHANGELIST}{mine.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(slug="my-draft").exists()
    assert Article.objects.filter(pk=published.pk).exists()


def test_the_desk_says_what_needs_doing(editor_client, editor_user, reviewer, db):
    from django.contrib.auth.models import Group

    from dryneedling_site.articles.review import sign_off

    # Comments are for the "Feedback readers" group only (they can hold health details).
    editor_user.groups.add(Group.objects.get(name="Feedback readers"))
    from dryneedling_site.feedback.services import feedback_record, new_visitor_token

    today = timezone.localdate()
    make_article(next_review_due=today - dt.timedelta(days=3))
    make_article(next_review_due=today + dt.timedelta(days=12))
    unreviewed()
    changed = unreviewed()
    sign_off(changed, reviewer=reviewer, note="ok")
    changed.body += "\nMore.\n"
    changed.save()
    feedback_record(article=changed, helpful=False, visitor=new_visitor_token(), comment="Unclear.")

    html = editor_client.get("/admin/").content.decode()
    assert "What needs doing" in html
    assert "<strong>1</strong> overdue for review" in html
    assert "<strong>1</strong> due for review within 30 days" in html
    assert "<strong>1</strong> changed since review" in html
    assert "<strong>1</strong> not yet reviewed" in html
    assert "<strong>1</strong> comments not yet read" in html
    assert "?review=changed" in html and "reviewed__exact=0" in html


def test_the_articles_app_does_not_import_the_feedback_app():
    package = Path(__file__).resolve().parents[2] / "dryneedling_site" / "articles"
    for source in package.rglob("*.py"):
        assert "dryneedling_site.feedback" not in source.read_text(), source


def test_a_review_recorded_in_a_loaded_file_covers_the_loaded_text(db, tmp_path):
    from dryneedling_site.articles.loader import load_articles
    from tests.articles.test_loader import write

    write(tmp_path, "loaded", title="Loaded page")
    load_articles(tmp_path)
    article = Article.objects.get(slug="loaded")
    assert article.is_reviewed and not article.changed_since_review
    Reference.objects.create(article=article, authors="Someone", title="An extra source", order=9)
    assert Article.objects.get(slug="loaded").changed_since_review


def test_history_is_readable_with_no_empty_cells(editor_client, reviewer, db):
    from dryneedling_site.articles.review import sign_off

    article = make_article(body="## A\n\nOne.\n")
    editor_client.post(
        edit_url(article), form_data(editor_client, article, body="## A\n\nTwo.\n", published="")
    )
    sign_off(article, reviewer=reviewer, note="ok")
    html = editor_client.get(f"{CHANGELIST}{article.pk}/history/").content.decode()
    start = html.index('<table id="change-history"')
    table = html[start : html.index("</table>", start)]
    assert (
        '<span class="diff-removed">-One.</span>' in table
        and '<span class="diff-added">+Two.</span>' in table
    )
    assert '<del class="diff-old">True</del>' in table  # published: True -> False
    assert "Review signed off by Rita Reyes" in table
    assert "Loaded from a file or a script" in table
    assert "None" not in table
    assert not re.search(r"<td>\s*</td>", table)


def test_the_sign_off_page_shows_what_changed_since_the_last_review(reviewer_client, reviewer, db):
    from dryneedling_site.articles.review import sign_off

    article = unreviewed(body="## Dose\n\nOnce a week.\n")
    sign_off(article, reviewer=reviewer, note="ok")
    article.body = "## Dose\n\nTwice a week.\n"
    article.save()
    page = reviewer_client.get(review_url(article)).content.decode()
    assert "What changed since the signed-off (live) text" in page
    assert '<span class="diff-removed">-Once a week.</span>' in page
    assert '<span class="diff-added">+Twice a week.</span>' in page
    sign_offs = reviewer_client.get("/admin/articles/review/").content.decode()
    assert "Rita Reyes" in sign_offs and "Add review" not in sign_offs


def test_an_editor_adds_a_web_page_reference_in_the_form(editor_client, db):
    article = make_article()
    data = form_data(editor_client, article)
    data.update(
        {
            "references-TOTAL_FORMS": 1,
            "references-0-order": 1,
            "references-0-authors": "Cleveland Clinic",
            "references-0-title": "Dry needling",
            "references-0-web_address": "my.clevelandclinic.org/health/treatments/dry-needling",
        }
    )
    assert editor_client.post(edit_url(article), data).status_code == 302
    [reference] = article.references.all()
    assert reference.url == "https://my.clevelandclinic.org/health/treatments/dry-needling"


def test_a_failing_desk_panel_leaves_the_admin_home_working(editor_client, db):
    from dryneedling_site.core import desk

    def broken(request):
        raise RuntimeError("clinic panel is down")

    desk.register_desk_panel(broken)
    try:
        response = editor_client.get("/admin/")
    finally:
        desk._PANELS.remove(broken)
    assert response.status_code == 200
    assert "Clinical review of articles" in response.content.decode()


def test_a_sign_off_while_an_editor_works_does_not_block_their_save(editor_client, reviewer, db):
    from dryneedling_site.articles.review import sign_off

    article = unreviewed(body="## Text\n\nFirst.\n")
    mine = form_data(editor_client, article, body="## Text\n\nSecond.\n")
    sign_off(article, reviewer=reviewer, note="ok")
    assert editor_client.post(edit_url(article), mine).status_code == 302
    article.refresh_from_db()
    assert "Second." in article.body
    assert article.reviewer_name == "Rita Reyes" and article.changed_since_review


def test_a_sign_off_never_covers_an_edit_the_reviewer_did_not_see(reviewer_client, db):
    article = unreviewed(body="## Dose\n\nOnce a week.\n")
    page = reviewer_client.get(review_url(article)).content.decode()
    shown = page.split('name="shown_fingerprint" value="')[1].split('"')[0]
    article.body = "## Dose\n\nEvery day.\n"
    article.save()
    data = {
        "name": "Rita Reyes",
        "credentials": "DPT",
        "note": "ok",
        "confirm": "on",
        "shown_fingerprint": shown,
    }
    response = reviewer_client.post(review_url(article), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone changed the text or references while you were reading" in html
    assert "Every day." in html
    assert not Review.objects.exists()
    data["shown_fingerprint"] = html.split('name="shown_fingerprint" value="')[1].split('"')[0]
    assert reviewer_client.post(review_url(article), data).status_code == 302
    assert Review.objects.get().content_fingerprint == Article.objects.get(pk=article.pk).review_fingerprint()


def test_reverting_restores_the_related_articles_of_that_version(editor_client, db):
    article = make_article(title="Main")
    first, second = make_article(title="First pick"), make_article(title="Second pick")
    editor_client.post(edit_url(article), form_data(editor_client, article, related=[first.pk]))
    with_first = article.history.order_by("-history_date").first().history_id
    editor_client.post(edit_url(article), form_data(editor_client, article, related=[second.pk]))
    assert list(article.related.all()) == [second]

    revert_url = f"{CHANGELIST}{article.pk}/history/{with_first}/"
    response = editor_client.post(revert_url, change_form_data(article, related=[second.pk]))
    assert response.status_code == 302
    assert list(article.related.all()) == [first]


@pytest.mark.parametrize("articles", [2, 12])
def test_the_list_and_the_desk_do_not_query_per_article(
    editor_client, db, articles, django_assert_max_num_queries
):
    for _ in range(articles):
        article = make_article()
        Reference.objects.create(article=article, authors="A", title="T")
    editor_client.get(CHANGELIST)  # warm the session and content types
    # Both pages take the same number of queries for 2 articles as for 12 (the list: one more
    # than before translations, for the translations column prefetch; one more again for the
    # second factor: django-otp loads the session's verified device on every staff request).
    with django_assert_max_num_queries(10):
        assert editor_client.get(CHANGELIST).status_code == 200
    with django_assert_max_num_queries(10):
        assert editor_client.get("/admin/").status_code == 200


def test_reminders_also_list_published_articles_changed_or_never_reviewed(db, reviewer):
    from django.core import mail
    from django.core.management import call_command

    from dryneedling_site.articles.review import sign_off

    never = unreviewed(title="Never checked")
    unreviewed(title="Draft never checked", published=False)
    changed = unreviewed(title="Edited since")
    sign_off(changed, reviewer=reviewer, note="ok")
    changed.body += "\nNew claim.\n"
    changed.save()
    call_command("review_reminders", stdout=io.StringIO())
    [message] = mail.outbox
    assert message.to == ["rita@example.com"]
    assert "0 overdue, 0 due soon, 1 changed, 1 not yet reviewed" in message.subject
    assert "Never checked" in message.body and f"/admin/articles/article/{never.pk}/change/" in message.body
    assert "Edited since" in message.body and "Draft never checked" not in message.body


def test_a_tampered_version_field_is_a_form_error_not_a_crash(editor_client, db):
    article = make_article()
    data = {**form_data(editor_client, article, title="Changed"), "loaded_version": "2026-13-45T10:00:00"}
    response = editor_client.post(edit_url(article), data)
    assert response.status_code == 200
    assert "This form is out of date" in response.content.decode()
    article.refresh_from_db()
    assert article.title != "Changed"


@pytest.mark.parametrize("object_id", ["abc", "999999"])
def test_the_sign_off_page_for_a_bad_id_is_a_404(reviewer_client, db, object_id):
    assert reviewer_client.get(f"{CHANGELIST}{object_id}/review/").status_code == 404


def test_sign_off_refuses_a_text_other_than_the_one_shown(reviewer, db):
    from dryneedling_site.articles.review import TextChangedSinceShown, sign_off

    article = unreviewed(body="## Dose\n\nOnce a week.\n")
    shown = article.review_fingerprint()
    Article.objects.filter(pk=article.pk).update(body="## Dose\n\nEvery day.\n")
    with pytest.raises(TextChangedSinceShown):
        sign_off(article, reviewer=reviewer, note="ok", shown_fingerprint=shown)
    assert not Review.objects.exists()
    review = sign_off(article, reviewer=reviewer, note="ok")
    assert review.content_fingerprint == Article.objects.get(pk=article.pk).review_fingerprint()
    assert article.reviewed_fingerprint == review.content_fingerprint  # the caller's copy is updated


@pytest.mark.parametrize(
    "change",
    [
        {"care_urgent": "A new urgent sign."},
        {"care_emergency": False},
        {"key_points": "A different key point."},
    ],
)
def test_a_change_to_the_care_card_or_key_points_is_flagged_changed_since_review(db, reviewer, change):
    from dryneedling_site.articles.review import sign_off

    article = unreviewed(care_emergency=True, key_points="One point.")
    sign_off(article, reviewer=reviewer, note="Checked.")
    article.refresh_from_db()
    assert not article.changed_since_review
    for name, value in change.items():
        setattr(article, name, value)
    article.save()
    article.refresh_from_db()
    assert article.changed_since_review


def test_old_addresses_are_per_language_and_never_lead_to_a_draft(client, db):
    english = make_article(slug="new-name", language="en")
    draft = make_article(slug="draft-new-name", language="en", published=False)
    ArticleRedirect.objects.create(language="en", old_slug="old-name", article=english)
    ArticleRedirect.objects.create(language="en", old_slug="old-draft", article=draft)
    response = client.get("/articles/old-name/")
    assert response.status_code == 301 and response["Location"] == "/articles/new-name/"
    assert client.get("/es/articles/old-name/").status_code == 404  # another language's old address
    assert client.get("/articles/old-draft/").status_code == 404  # a draft's new address stays hidden
