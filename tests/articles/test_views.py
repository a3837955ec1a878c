"""Public pages of the guide."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User

from tests.conftest import GUIDE_ORDER
from tests.factories import make_article
from tests.html import json_ld


def test_home_lists_guide_in_order(client, guide):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    positions = [html.index(a.title) for a in sorted(guide.values(), key=lambda a: a.position)]
    assert positions == sorted(positions)
    assert html.count("<h1") == 1


def test_article_page_has_everything_a_patient_needs(client, guide, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = client.get("/articles/side-effects/")
    assert response.status_code == 200
    html = response.content.decode()
    article = guide["side-effects"]
    assert html.count("<h1") == 1
    assert f"<title>{article.title} | " in html
    assert f'<meta name="description" content="{article.summary}">' in html
    assert '<link rel="canonical" href="https://guide.example.org/articles/side-effects/">' in html
    assert '<meta property="og:type" content="article">' in html
    assert "On this page" in html
    for section in article.sections:
        assert f'href="#{section["id"]}"' in html
    assert "When to get help" in html
    assert 'href="https://doi.org/10.3122/jabfm.2010.05.090296"' in html
    assert "Not yet reviewed by a clinician." in html
    assert "Reviewed by" not in html
    assert "You might also like" in html
    assert 'rel="prev" href="/articles/who-can-benefit/"' not in html  # previous is what-to-expect
    assert 'rel="prev" href="/articles/what-to-expect/"' in html
    assert 'rel="next" href="/articles/aftercare/"' in html
    assert "not medical advice" in html
    assert "<script>" not in html and " style=" not in html


def test_reference_without_doi_links_to_pubmed_title_search(client, guide):
    html = client.get("/articles/trigger-points/").content.decode()
    assert (
        "https://pubmed.ncbi.nlm.nih.gov/?term=Needling%20therapies%20in%20the%20management%20of%20"
        "myofascial%20trigger%20point%20pain%3A%20a%20systematic%20review" in html
    )


def test_reviewed_article_shows_review_and_unreviewed_claims_none(client, db):
    reviewed = make_article(
        last_reviewed=dt.date(2026, 11, 20), reviewer_name="Pat Example", reviewer_credentials="PT"
    )
    unreviewed = make_article(last_reviewed=None, reviewer_name="", reviewer_credentials="")
    html = client.get(reviewed.get_absolute_url()).content.decode()
    assert 'Page last reviewed: <time datetime="2026-11-20">November 20, 2026</time>' in html
    assert 'Next review due: <time datetime="2027-11-20">' in html
    assert "Reviewed by Pat Example, PT." in html
    data = json_ld(html)
    assert data["lastReviewed"] == "2026-11-20"
    assert data["reviewedBy"]["name"] == "Pat Example"
    html = client.get(unreviewed.get_absolute_url()).content.decode()
    assert "Not yet reviewed by a clinician." in html and "Page last reviewed" not in html
    data = json_ld(html)
    assert "lastReviewed" not in data and "reviewedBy" not in data


def test_article_structured_data(client, guide):
    data = json_ld(client.get("/articles/needles/").content.decode())
    assert data["@type"] == "MedicalWebPage"
    assert data["about"]["name"] == "Dry needling"
    assert data["url"] == "https://guide.example.org/articles/needles/"


def test_structured_data_cannot_break_out_of_its_script(client, db):
    make_article(slug="tricky", title="</script><script>alert(1)</script>")
    html = client.get("/articles/tricky/").content.decode()
    assert "<script>alert(1)" not in html
    assert json_ld(html)["name"] == "</script><script>alert(1)</script>"


def test_first_and_last_articles_have_one_neighbour(client, guide):
    first = client.get("/articles/what-is-dry-needling/").content.decode()
    last = client.get("/articles/common-questions/").content.decode()
    assert 'rel="prev"' not in first and 'rel="next" href="/articles/trigger-points/"' in first
    assert 'rel="next"' not in last and 'rel="prev" href="/articles/aftercare/"' in last


@pytest.mark.parametrize("url", ["/articles/does-not-exist/", "/articles/../etc/passwd", "/nope/"])
def test_unknown_pages_are_404_in_site_style(client, guide, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()


def test_unpublished_article_is_404_for_public_but_visible_to_editors(client, db):
    make_article(slug="draft", title="Draft page", published=False)
    assert client.get("/articles/draft/").status_code == 404
    assert "Draft page" not in client.get("/articles/").content.decode()

    editor = User.objects.create_user("editor", password="pw", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="change_article"))
    client.force_login(editor)
    response = client.get("/articles/draft/")
    assert response.status_code == 200
    assert "Draft: only staff can see this page." in response.content.decode()
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_guide_list(client, guide):
    html = client.get("/articles/").content.decode()
    assert html.count('class="guide-item"') == len(GUIDE_ORDER)


def test_server_error_page_in_site_style(client, db, settings):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Sorry, something went wrong" in html
    assert "911" in html
