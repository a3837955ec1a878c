"""Whole-page caching: fast for everyone, fresh after an edit, private for staff."""

from django.test import Client

from tests.articles.test_admin import change_form_data


def test_second_anonymous_request_is_served_from_cache(client, guide, django_assert_num_queries):
    first = client.get("/articles/needles/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/articles/needles/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "public" in second["Cache-Control"] and "max-age=60" in second["Cache-Control"]
    assert second["Last-Modified"]
    assert second["ETag"]


def test_browser_revalidation_gets_304(client, guide):
    etag = client.get("/articles/needles/")["ETag"]
    response = client.get("/articles/needles/", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""


def test_public_pages_set_no_cookies(client, guide):
    for url in ("/", "/articles/", "/articles/aftercare/", "/articles/aftercare/"):
        response = client.get(url)
        assert response.cookies == {}, url
        assert "Set-Cookie" not in response.headers


def test_staff_edit_is_visible_on_the_very_next_anonymous_request(
    editor_client, guide, django_capture_on_commit_callbacks, settings
):
    # An edit that goes live at once: an urgent correction to a reviewed page (an ordinary edit
    # waits for review and leaves the public page as it was).
    settings.ARTICLE_URGENT_CORRECTIONS = True
    visitor = Client()
    assert "Edited moments ago" not in visitor.get("/articles/needles/").content.decode()
    assert visitor.get("/articles/needles/")["X-Page-Cache"] == "hit"

    article = guide["needles"]
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            f"/admin/articles/article/{article.pk}/change/",
            change_form_data(article, body=article.body + "\nEdited moments ago.\n", urgent_correction="on"),
        )
    assert response.status_code == 302

    fresh = visitor.get("/articles/needles/")
    assert fresh["X-Page-Cache"] == "miss"
    assert "Edited moments ago" in fresh.content.decode()


def test_unpublishing_removes_the_page_from_cache(guide, django_capture_on_commit_callbacks):
    visitor = Client()
    assert visitor.get("/articles/needles/").status_code == 200
    article = guide["needles"]
    article.published = False
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
    assert visitor.get("/articles/needles/").status_code == 404
    assert article.title not in visitor.get("/articles/").content.decode()


def test_staff_see_uncached_private_pages(editor_client, guide):
    Client().get("/articles/needles/")  # warm the cache
    response = editor_client.get("/articles/needles/")
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"]


def test_one_visitors_feedback_never_shows_in_anothers_page(guide):
    voter, other = Client(), Client()
    page = "/articles/needles/"
    before = other.get(page).content
    response = voter.post(
        page + "feedback/", {"helpful": "no", "comment": "Secret remark from visitor A"}, follow=True
    )
    assert response.status_code == 200
    assert voter.cookies  # the voter got the de-duplication cookie
    assert "Secret remark from visitor A" not in voter.get(page).content.decode()
    assert "Thank" not in voter.get(page).content.decode().split('id="feedback"')[1][:400]
    after = other.get(page)
    assert after.content == before
    assert after.cookies == {}
    thanks = voter.get(page + "feedback/thanks/")
    assert "no-store" in thanks["Cache-Control"] and "X-Page-Cache" not in thanks


# Cache keys, scopes and cookies (own fixture content, not the shipped articles)


def _own_article_and_clinic(db):
    from tests.clinics.factories import make_clinic
    from tests.factories import make_article

    return make_article(slug="scoped-article", title="Scoped article"), make_clinic(
        name="Scoped Clinic PT", zip_code="97201", city="Portland", state="OR"
    )


def test_junk_parameters_and_their_order_do_not_make_new_entries(db):
    _own_article_and_clinic(db)
    visitor = Client()
    first = visitor.get("/find-a-pt/?location=97201&radius=25")
    assert first["X-Page-Cache"] == "miss" and "Scoped Clinic PT" in first.content.decode()
    for query in ("radius=25&location=97201", "location=97201&radius=25&utm_source=x&junk=1"):
        again = visitor.get(f"/find-a-pt/?{query}")
        assert again["X-Page-Cache"] == "hit", query
        assert again.content == first.content
    assert visitor.get("/articles/scoped-article/?fbclid=123")["X-Page-Cache"] == "miss"
    assert visitor.get("/articles/scoped-article/?fbclid=456")["X-Page-Cache"] == "hit"
    # A parameter the view reads still makes its own page.
    assert visitor.get("/find-a-pt/?location=97201&radius=50")["X-Page-Cache"] == "miss"


def test_a_flood_of_unique_junk_queries_does_not_evict_a_cached_page(db, settings):
    _own_article_and_clinic(db)
    visitor = Client()
    visitor.get("/articles/scoped-article/")
    for number in range(2100):  # more than the local cache's MAX_ENTRIES
        visitor.get(f"/articles/scoped-article/?q={number}")
    assert visitor.get("/articles/scoped-article/")["X-Page-Cache"] == "hit"


def _cache_states_after(change, clinic, callbacks) -> tuple[dict[str, str], Client]:
    """Visit each kind of public page, make `change`, then whether each page came from the cache."""
    visitor = Client()
    pages = ["/", "/articles/", "/articles/scoped-article/", "/find-a-pt/?location=97201"]
    pages.append(clinic.get_absolute_url())
    for page in pages:
        visitor.get(page)
    with callbacks(execute=True):
        change()
    return {page: visitor.get(page)["X-Page-Cache"] for page in pages}, visitor


def test_a_clinic_change_invalidates_clinic_pages_only(db, django_capture_on_commit_callbacks):
    article, clinic = _own_article_and_clinic(db)

    def rename() -> None:
        clinic.name = "Renamed Clinic PT"
        clinic.save()

    states, _ = _cache_states_after(rename, clinic, django_capture_on_commit_callbacks)
    assert states == {
        "/": "miss",
        "/articles/": "hit",
        "/articles/scoped-article/": "hit",
        "/find-a-pt/?location=97201": "miss",
        clinic.get_absolute_url(): "miss",
    }


def test_an_article_change_invalidates_article_pages_only(db, django_capture_on_commit_callbacks):
    article, clinic = _own_article_and_clinic(db)

    def rename() -> None:
        article.title = "Renamed article"
        article.save()

    states, visitor = _cache_states_after(rename, clinic, django_capture_on_commit_callbacks)
    assert states == {
        "/": "miss",
        "/articles/": "miss",
        "/articles/scoped-article/": "miss",
        "/find-a-pt/?location=97201": "hit",
        clinic.get_absolute_url(): "hit",
    }
    assert "Renamed article" in visitor.get("/articles/scoped-article/").content.decode()


def test_pages_are_invalidated_after_commit_not_before(db, django_capture_on_commit_callbacks):
    article, _ = _own_article_and_clinic(db)
    visitor = Client()
    visitor.get("/articles/scoped-article/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article.title = "Mid-save title"
        article.save()
        # Not committed yet: the cached page stays, so nobody re-caches a page mid-save.
        assert visitor.get("/articles/scoped-article/")["X-Page-Cache"] == "hit"
    assert callbacks
    for callback in callbacks:
        callback()
    fresh = visitor.get("/articles/scoped-article/")
    assert fresh["X-Page-Cache"] == "miss" and "Mid-save title" in fresh.content.decode()


def test_a_response_that_sets_a_cookie_is_never_public_or_stored(db, rf):
    from django.http import HttpResponse

    from dryneedling_site.core.pagecache import cache_public_page

    calls = []

    @cache_public_page(scopes=["articles"])
    def sets_cookie(request):
        calls.append(request)
        response = HttpResponse("hello")
        response.set_cookie("someone", "1")
        return response

    first = sets_cookie(rf.get("/cookie/"))
    second = sets_cookie(rf.get("/cookie/"))
    assert len(calls) == 2  # not served from the cache
    for response in (first, second):
        assert "public" not in response["Cache-Control"]
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_cookie_added_after_the_view_also_makes_the_response_private(rf):
    from django.http import HttpResponse
    from django.utils.cache import patch_cache_control

    from dryneedling_site.core.middleware import PrivateWhenSettingCookiesMiddleware

    def public_then_cookie(request):
        response = HttpResponse("page")
        patch_cache_control(response, public=True, max_age=60)
        response.set_cookie("messages", "1")  # as a later middleware would
        return response

    response = PrivateWhenSettingCookiesMiddleware(public_then_cookie)(rf.get("/"))
    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
