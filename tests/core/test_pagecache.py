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


def test_staff_edit_is_visible_on_the_very_next_anonymous_request(editor_client, guide):
    visitor = Client()
    assert "Edited moments ago" not in visitor.get("/articles/needles/").content.decode()
    assert visitor.get("/articles/needles/")["X-Page-Cache"] == "hit"

    article = guide["needles"]
    response = editor_client.post(
        f"/admin/articles/article/{article.pk}/change/",
        change_form_data(article, body=article.body + "\nEdited moments ago.\n"),
    )
    assert response.status_code == 302

    fresh = visitor.get("/articles/needles/")
    assert fresh["X-Page-Cache"] == "miss"
    assert "Edited moments ago" in fresh.content.decode()


def test_unpublishing_removes_the_page_from_cache(guide):
    visitor = Client()
    assert visitor.get("/articles/needles/").status_code == 200
    article = guide["needles"]
    article.published = False
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
