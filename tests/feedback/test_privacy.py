"""Reader comments without personal data, read only by "Feedback readers" (issue 22)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from dryneedling_site.feedback.models import Feedback
from dryneedling_site.feedback.redact import redact_personal_data
from tests.feedback.test_views import BROWSER_ACCEPT, JSON, url

CHANGELIST = "/admin/feedback/feedback/"
SUMMARY = "/admin/feedback/feedback/summary/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to jo.doe+pt@mail.example.org please", "Write to [email removed] please"),
        ("Call me on (503) 555-0134.", "Call me on [phone removed]."),
        ("Mi móvil: +34 612 34 56 78", "Mi móvil: [phone removed]"),
        ("5035550134 or 503.555.0134", "[phone removed] or [phone removed]"),
        ("Had 3 sessions in 2024, 10 minutes each", "Had 3 sessions in 2024, 10 minutes each"),
        ("Sore from 2024-03-01 to 03/05/2024", "Sore from 2024-03-01 to 03/05/2024"),
    ],
)
def test_emails_and_phone_numbers_are_replaced(text, expected):
    assert redact_personal_data(text)[0] == expected


def test_a_comment_is_stored_without_email_or_phone(client, article):
    client.post(url(article), {"helpful": "no"}, **JSON)
    response = client.post(
        url(article),
        {"helpful": "no", "comment": "Still sore. Reach me at sam@example.com or 212 555 0199."},
        **JSON,
    )
    assert response.status_code == 200
    stored = Feedback.objects.get().comment
    assert stored == "Still sore. Reach me at [email removed] or [phone removed]."
    assert "sam@" not in stored and "0199" not in stored


def test_the_widget_tells_the_visitor_in_both_languages(client, article):
    from tests.factories import make_article

    def comment_box(page) -> str:
        address = reverse("feedback:submit", kwargs={"slug": page.slug})
        response = client.post(address, {"helpful": "no"}, **BROWSER_ACCEPT)
        return client.get(response["Location"]).content.decode()

    assert "Email addresses and phone numbers are replaced by" in comment_box(article)
    spanish = make_article(slug="que-esperar", title="Qué esperar", language="es")
    with translation.override("es"):
        html = comment_box(spanish)
    assert "Los correos electrónicos y los números de teléfono se cambian por" in html


def test_only_feedback_readers_read_comments_editors_see_counts(client, editor_user, article):
    Feedback.objects.create(article=article, helpful=False, comment="Private words")
    client.force_login(editor_user)
    assert client.get(CHANGELIST).status_code == 403
    summary = client.get(SUMMARY)
    assert summary.status_code == 200
    assert "Private words" not in summary.content.decode()

    editor_user.groups.add(Group.objects.get(name="Feedback readers"))
    html = client.get(CHANGELIST + "?has_comment=yes").content.decode()
    assert "Private words" in html
