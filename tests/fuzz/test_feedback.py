"""Random and hostile feedback posts: never a 5xx, and nothing stored from a refused post."""

from django.core.cache import caches
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dryneedling_site.feedback.models import Feedback

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=1500)
VALUES = st.one_of(
    TEXT,
    st.sampled_from(["yes", "no", "YES", "maybe", "", "1", "true", "<script>", "x" * 1001, "\x00", "%ff"]),
)
FIELDS = st.dictionaries(
    st.sampled_from(["helpful", "comment", "version", "website", "junk"]), VALUES, max_size=5
)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "origin": st.sampled_from(
            ["http://testserver", "https://evil.example", "null", "", "http://testserver.evil"]
        ),
        "sec-fetch-site": st.sampled_from(["same-origin", "cross-site", "same-site", "none", "garbage"]),
        "accept": st.sampled_from(
            ["application/json", "text/html", "*/*", "application/json;q=0, text/html"]
        ),
    },
)


@FUZZ
@given(
    fields=FIELDS, headers=HEADERS, slug=st.sampled_from(["needles", "aftercare", "no-such-page", "..%2f"])
)
def test_feedback_posts_never_fail_and_refusals_store_nothing(client, guide, fields, headers, slug):
    caches["limits"].clear()  # each example starts under the rate limits
    client.cookies.clear()
    before = list(Feedback.objects.order_by("pk").values_list("pk", "helpful", "comment"))
    response = client.post(f"/articles/{slug}/feedback/", fields, headers=headers)
    assert response.status_code < 500, (fields, headers, response.status_code)
    after = list(Feedback.objects.order_by("pk").values_list("pk", "helpful", "comment"))
    if response.status_code >= 400 or fields.get("website"):
        assert after == before, (fields, headers, response.status_code)
    elif fields.get("helpful") in ("yes", "no") and slug != "no-such-page":
        assert len(after) >= len(before)


def test_non_utf8_and_oversized_bodies(client, guide):
    bad = client.generic(
        "POST",
        "/articles/needles/feedback/",
        b"helpful=%ff%fe&comment=%c0",
        content_type="application/x-www-form-urlencoded",
    )
    assert bad.status_code < 500
    huge = client.post("/articles/needles/feedback/", {"helpful": "no", "comment": "x" * 200_000})
    assert huge.status_code == 413
    binary = client.generic(
        "POST",
        "/articles/needles/feedback/",
        bytes(range(256)) * 10,
        content_type="multipart/form-data; boundary=zzz",
    )
    assert binary.status_code in (400, 413)
    assert Feedback.objects.filter(comment__startswith="x").count() == 0
