"""The content desk in the admin: editing, review workflow, readability, history, roles."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from dryneedling_site.articles.models import Article
from dryneedling_site.articles.readability import measure, syllables
from tests.conftest import FIXTURE_ARTICLES
from tests.factories import make_article

CHANGELIST = "/admin/articles/article/"


def change_form_data(article: Article, **changes) -> dict:
    data = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "key_points": article.key_points,
        "care_call_pt": article.care_call_pt,
        "care_urgent": article.care_urgent,
        "care_emergency": "on" if article.care_emergency else "",
        "published": "on" if article.published else "",
        "position": article.position,
        "related": [a.pk for a in article.related.all()],
        "last_reviewed": article.last_reviewed.isoformat() if article.last_reviewed else "",
        "next_review_due": article.next_review_due.isoformat() if article.next_review_due else "",
        "reviewer_name": article.reviewer_name,
        "reviewer_credentials": article.reviewer_credentials,
        "language": article.language,
        "translation_of": article.translation_of_id or "",
        "source_fingerprint": article.source_fingerprint,
        "references-TOTAL_FORMS": 0,
        "references-INITIAL_FORMS": 0,
        "references-MIN_NUM_FORMS": 0,
        "references-MAX_NUM_FORMS": 1000,
    }
    for ref_index, ref in enumerate(article.references.all()):
        fields = ref.as_dict()
        fields["web_address"] = fields.pop("url")
        data.update({f"references-{ref_index}-{k}": "" if v is None else v for k, v in fields.items()})
        data[f"references-{ref_index}-id"] = ref.pk
        data[f"references-{ref_index}-article"] = article.pk
        data[f"references-{ref_index}-order"] = ref.order
    count = article.references.count()
    data["references-TOTAL_FORMS"] = data["references-INITIAL_FORMS"] = count
    data.update(changes)
    return data


def test_editor_changes_an_article_and_the_page_shows_it(editor_client, guide):
    article = guide["needles"]
    url = f"{CHANGELIST}{article.pk}/change/"
    form = editor_client.get(url)
    assert form.status_code == 200
    html = form.content.decode()
    assert "markdownx-editor" in html and 'data-markdownx-urls-path="/editor/markdownify/"' in html
    assert "Grade " in html and "words" in html
    assert "View on site" in html

    body = article.body + "\nA new line added by staff.\n"
    response = editor_client.post(url, change_form_data(article, body=body))
    assert response.status_code == 302, response.content.decode()[:2000]
    page = editor_client.get("/articles/needles/").content.decode()
    assert "A new line added by staff." in page


def test_admin_edit_survives_load_content(editor_client, guide):
    article = guide["aftercare"]
    editor_client.post(
        f"{CHANGELIST}{article.pk}/change/",
        change_form_data(article, title="Looking after yourself after dry needling"),
    )
    out = StringIO()
    call_command("load_content", str(FIXTURE_ARTICLES), stdout=out)
    assert "Skipped aftercare" in out.getvalue()
    article.refresh_from_db()
    assert article.title == "Looking after yourself after dry needling"


def test_hard_to_read_text_triggers_a_warning(editor_client, guide):
    article = guide["needles"]
    dense = (
        "## Physiology\n\nMyofascial neuromuscular dysfunctionality characteristically "
        "necessitates interdisciplinary musculoskeletal rehabilitation considerations "
        "incorporating comprehensive biomechanical evaluation methodologies.\n"
    )
    response = editor_client.post(
        f"{CHANGELIST}{article.pk}/change/", change_form_data(article, body=dense), follow=True
    )
    assert "above the target of 8" in response.content.decode()
    article.refresh_from_db()
    assert article.reading_grade > 8


def test_list_shows_review_state_in_words_and_filters(editor_client, db):
    today = timezone.localdate()
    make_article(
        title="Overdue one",
        last_reviewed=today - dt.timedelta(days=400),
        next_review_due=today - dt.timedelta(days=5),
    )
    make_article(
        title="Due soon",
        last_reviewed=today - dt.timedelta(days=350),
        next_review_due=today + dt.timedelta(days=10),
    )
    make_article(title="Current", last_reviewed=today, next_review_due=today + dt.timedelta(days=300))
    make_article(title="Fresh draft", last_reviewed=None, reviewer_name="", published=False)

    html = editor_client.get(CHANGELIST).content.decode()
    for column in (
        "Position",
        "Published",
        "Review",
        "Changed since review",
        "Next review due",
        "Reading grade",
    ):
        assert column in html
    assert '<span class="review-overdue">Overdue since' in html
    assert '<span class="review-due-soon">Due soon' in html
    assert '<span class="review-current">Reviewed; next due' in html
    assert '<span class="review-not-reviewed">Not yet reviewed</span>' in html
    assert 'field-review_state"><img' not in html  # words, not (inverted) icons
    overdue = editor_client.get(CHANGELIST + "?review=overdue").content.decode()
    assert "Overdue one" in overdue and "Due soon" not in overdue and "Current" not in overdue
    soon = editor_client.get(CHANGELIST + "?review=soon").content.decode()
    assert "Due soon" in soon and "Overdue one" not in soon and "Current" not in soon
    never = editor_client.get(CHANGELIST + "?review=never").content.decode()
    assert "Fresh draft" in never and "Current" not in never


def test_review_reminders_go_to_reviewers_list_published_only_with_links(db, editor_user, settings):
    from django.contrib.auth.models import Group

    settings.SITE_URL = "https://guide.example.org"
    reviewer = User.objects.create_user("rita", email="rita@example.com", password="x", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Clinical reviewers"))
    today = timezone.localdate()
    late = make_article(
        title="Late page",
        last_reviewed=today - dt.timedelta(days=400),
        next_review_due=today - dt.timedelta(days=1),
    )
    make_article(title="Late draft", published=False, next_review_due=today - dt.timedelta(days=3))
    make_article(title="Soon page", next_review_due=today + dt.timedelta(days=20))
    make_article(title="Fine page", next_review_due=today + dt.timedelta(days=200))
    out = StringIO()
    call_command("review_reminders", stdout=out)
    text = out.getvalue()
    assert "Late page" in text and "Soon page" in text
    assert "Fine page" not in text and "Late draft" not in text
    [message] = mail.outbox
    assert message.to == ["rita@example.com"]  # not the editor: reviewers only
    assert "1 overdue, 1 due soon, 0 changed, 0 not yet reviewed" in message.subject
    assert f"https://guide.example.org/admin/articles/article/{late.pk}/change/" in message.body


def test_review_reminders_when_all_current(db, editor_user):
    make_article(next_review_due=timezone.localdate() + dt.timedelta(days=200))
    make_article(published=False, last_reviewed=None, reviewer_name="")
    out = StringIO()
    call_command("review_reminders", stdout=out)
    assert "current" in out.getvalue()
    assert mail.outbox == []


def test_readability_figures():
    easy = measure("## Care\n\nDrink water. Rest a bit. Call us if it hurts.")
    hard = measure(
        "Myofascial trigger point pathophysiology demonstrates considerable interindividual "
        "variability regarding neuromuscular electrophysiological characteristics."
    )
    assert easy.grade < 4 < 12 < hard.grade
    assert easy.words == 11  # the heading "Care" counts
    assert easy.reading_minutes == 1
    assert measure("word " * 401).reading_minutes == 3
    assert syllables("needling") == 2 and syllables("physiotherapy") == 5
    assert syllables("zzyzxqwv") >= 1  # unknown words fall back to an estimate


def test_saved_article_stores_figures(db):
    article = make_article(body="## A\n\n" + "Short words here. " * 50)
    assert article.word_count == 151
    assert article.reading_minutes == 1
    assert float(article.reading_grade) < 3


def test_history_records_edits_and_shows_a_diff_and_restores(editor_client, guide):
    article = guide["needles"]
    original_body = article.body
    versions = article.history.count()
    url = f"{CHANGELIST}{article.pk}/change/"
    editor_client.post(url, change_form_data(article, body=original_body + "\nSecond version line.\n"))
    article.refresh_from_db()
    assert article.history.count() == versions + 1
    latest = article.history.first()
    assert latest.history_user.username == "editor"
    assert "Second version line." in latest.body

    history = editor_client.get(f"{url.removesuffix('change/')}history/").content.decode()
    assert '<span class="diff-added">+Second version line.</span>' in history

    first = article.history.last()
    form = editor_client.get(f"{url.removesuffix('change/')}history/{first.history_id}/")
    assert form.status_code == 200
    restore = editor_client.post(
        f"{url.removesuffix('change/')}history/{first.history_id}/",
        change_form_data(article, body=first.body),
    )
    assert restore.status_code == 302
    article.refresh_from_db()
    assert "Second version line." not in article.body
    assert "Second version line." not in editor_client.get("/articles/needles/").content.decode()
    assert article.history.count() >= versions + 2  # the save, and the related articles put back


def test_content_editors_group_permissions(editor_user):
    group = Group.objects.get(name="Content editors")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_article", "add_article", "view_article"} <= codenames
    assert not codenames & {"add_user", "change_user", "delete_user", "change_group", "delete_article"}
    assert editor_user.has_perm("articles.change_article")
    assert not editor_user.has_perm("auth.change_user")


def test_editor_cannot_manage_users(editor_client):
    assert editor_client.get("/admin/auth/user/").status_code == 403
    assert editor_client.get("/admin/auth/group/").status_code == 403


def test_editor_can_preview_unpublished_draft(editor_client, db):
    make_article(slug="draft-only", title="Draft only", published=False)
    assert editor_client.get("/articles/draft-only/").status_code == 200


@pytest.mark.parametrize(
    "bad",
    [
        {"summary": "x" * 161},
        {"slug": "bad slug"},
    ],
)
def test_bad_admin_input_is_a_form_error_and_keeps_article(editor_client, guide, bad):
    article = guide["needles"]
    before = article.fingerprint()
    response = editor_client.post(f"{CHANGELIST}{article.pk}/change/", change_form_data(article, **bad))
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    article.refresh_from_db()
    assert article.fingerprint() == before


def test_plain_staff_without_permissions_cannot_edit(client, guide):
    user = User.objects.create_user("nobody", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(user)
    article = guide["needles"]
    response = client.post(f"{CHANGELIST}{article.pk}/change/", change_form_data(article, title="Hacked"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title != "Hacked"


def test_content_editors_see_feedback_counts_but_not_comments_or_clinics(editor_client, editor_user):
    # Comments are for the "Feedback readers" group only (feedback/migrations/0004).
    assert not editor_user.has_perm("feedback.view_feedback")
    assert not editor_user.has_perm("feedback.delete_feedback")
    assert not editor_user.has_perm("clinics.add_clinic")
    assert not editor_user.has_perm("clinics.change_clinic")
    assert editor_client.get("/admin/feedback/feedback/").status_code == 403
    assert editor_client.get("/admin/feedback/feedback/summary/").status_code == 200
    assert editor_client.get("/admin/clinics/clinic/").status_code == 403


def test_staff_see_translations_and_which_are_out_of_date(editor_client, guia):
    english = Article.objects.get(language="en", slug="side-effects")
    english.body += "\nA new fact.\n"
    english.save()
    listing = editor_client.get(CHANGELIST).content.decode()
    assert "es: out of date" in listing and "es: not yet reviewed" in listing and "es: missing" in listing
    stale = editor_client.get(CHANGELIST, {"translation": "out-of-date"}).content.decode()
    assert "¿Qué efectos de prueba pueden pasar?" in stale
    assert "¿De qué trata esta página de prueba?" not in stale
    form = editor_client.get(f"{CHANGELIST}{guia['efectos'].pk}/change/").content.decode()
    assert "INFLESZ" in form and "Grade " not in form


def translations_panel(editor_client, article: Article) -> str:
    html = editor_client.get(f"{CHANGELIST}{article.pk}/change/").content.decode()
    start = html.index("<h3>Translations</h3>")
    return html[start : html.index("</section>", start)]


def sign_off(article: Article) -> None:
    article.last_reviewed, article.reviewer_name = dt.date(2026, 1, 5), "Dana Reyes"
    article.save()
    Article.objects.filter(pk=article.pk).update(reviewed_fingerprint=article.review_fingerprint())


def test_english_edit_screen_lists_each_translation_state_with_its_edit_link(editor_client, guia):
    english = Article.objects.get(language="en", slug="side-effects")
    efectos = guia["efectos"]
    edit = f'href="{CHANGELIST}{efectos.pk}/change/"'

    panel = translations_panel(editor_client, english)
    assert "Español" in panel and "not yet reviewed" in panel and edit in panel

    sign_off(efectos)
    panel = translations_panel(editor_client, english)
    assert ">current</strong>" in panel and edit in panel
    current = editor_client.get(CHANGELIST, {"translation": "current"}).content.decode()
    assert "¿Qué efectos de prueba pueden pasar?" in current
    assert "es: current" in editor_client.get(CHANGELIST).content.decode()

    english.body += "\nA new fact.\n"
    english.save()
    panel = translations_panel(editor_client, english)
    assert ">out of date</strong>" in panel and "the English article changed since" in panel
    assert "¿Qué efectos" not in editor_client.get(CHANGELIST, {"translation": "current"}).content.decode()

    # The translation's own screen names its English article and the same state.
    own = translations_panel(editor_client, efectos)
    assert f'href="{CHANGELIST}{english.pk}/change/"' in own and ">out of date</strong>" in own


def test_a_missing_translation_says_how_to_add_one(editor_client, guia):
    needles = Article.objects.get(language="en", slug="needles")
    panel = translations_panel(editor_client, needles)
    assert ">missing</strong>" in panel and "content/articles/es/" in panel
    add = f"{CHANGELIST}add/?language=es&amp;translation_of={needles.pk}"
    assert add in panel
    form = editor_client.get(add.replace("&amp;", "&")).content.decode()
    assert '<option value="es" selected>' in form
    assert f'<option value="{needles.pk}" selected>' in form
    missing = editor_client.get(CHANGELIST, {"translation": "missing"}).content.decode()
    assert "What are the fixture needles like?" in missing
    assert "¿Qué efectos de prueba pueden pasar?" not in missing
