"""The staff desk's "Before you go live" list: what a clinic must still do, each with its fix."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from dryneedling_site.articles.models import ReviewerProfile
from dryneedling_site.core import launch
from dryneedling_site.core.backup import FORMAT, MANIFEST
from tests.factories import make_article

LAUNCH_PAGE = "/admin/launch/"
TO_DO = {
    "mail": "Mail is not set up",
    "site-url": "public address is still an example",
    "backup": "No backup in the last 24 hours",
    "reviewer": "No clinical reviewer is set up yet",
    "never-reviewed": "articles no clinician has signed off",
}


def write_backup(parent: Path, created: dt.datetime) -> None:
    """A folder `manage.py backup` would leave: only its manifest matters to the desk."""
    folder = parent / created.strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True)
    (folder / MANIFEST).write_text(json.dumps({"format": FORMAT, "created": created.isoformat()}))


def desk(client) -> str:
    html = client.get("/admin/").content.decode()
    return html.split('id="staff-desk-heading"')[1] if 'id="staff-desk-heading"' in html else ""


@pytest.fixture
def fresh_install(settings, tmp_path, db):
    """As a clinic finds the site after setup: console mail, the example address, no backup,
    no reviewer, and the shipped articles never signed off."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.SITE_URL = "https://guide.example.org"
    settings.BACKUP_DIR = tmp_path / "backups"
    make_article(last_reviewed=None, reviewer_name="", reviewer_credentials="")
    make_article(last_reviewed=None, reviewer_name="", reviewer_credentials="")


@pytest.fixture
def ready(settings, tmp_path, db):
    """Everything done: SMTP mail, the real address, last night's backup, a reviewer, signed pages."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "smtp.mail-provider.net"
    settings.SITE_URL = "https://guide.clinic-name.org"
    settings.BACKUP_DIR = tmp_path / "backups"
    write_backup(settings.BACKUP_DIR, dt.datetime.now(dt.UTC) - dt.timedelta(hours=5))
    reviewer = User.objects.create_user("rita", password="x", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Clinical reviewers"))
    ReviewerProfile.objects.create(user=reviewer, name_as_licensed="Rita Reyes", credentials="DPT")
    make_article()


def test_a_fresh_install_lists_every_step_left_with_a_link_that_opens(admin_client, fresh_install):
    html = desk(admin_client)
    assert "Before you go live" in html
    for label in TO_DO.values():
        assert label in html
    assert "<strong>2</strong> articles no clinician has signed off" in html
    page = admin_client.get(LAUNCH_PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    for key in TO_DO:
        assert f'id="{key}"' in text
    assert "DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend" in text
    assert "No backup was ever made" in text
    # The steps that an admin screen fixes link to it, and it opens.
    assert admin_client.get("/admin/articles/reviewerprofile/add/").status_code == 200
    assert admin_client.get("/admin/articles/article/?review=never").status_code == 200
    assert 'href="/admin/articles/reviewerprofile/add/"' in html


def test_the_list_goes_away_when_everything_is_done(admin_client, ready):
    assert "Before you go live" not in desk(admin_client)
    text = admin_client.get(LAUNCH_PAGE).content.decode()
    assert "All 5 launch checks pass" in text


def test_each_fix_takes_its_own_line_off(admin_client, fresh_install, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "smtp.mail-provider.net"
    html = desk(admin_client)
    assert TO_DO["mail"] not in html
    assert TO_DO["site-url"] in html
    settings.EMAIL_HOST = ""  # SMTP with no host delivers nothing either
    assert TO_DO["mail"] in desk(admin_client)


def test_a_reviewer_needs_both_the_role_and_a_profile(admin_client, fresh_install):
    no_profile = User.objects.create_user("norm", password="x", is_staff=True)
    no_profile.groups.add(Group.objects.get(name="Clinical reviewers"))
    editor = User.objects.create_user("ed", password="x", is_staff=True)
    ReviewerProfile.objects.create(user=editor, name_as_licensed="Ed Ward", credentials="PT")
    assert TO_DO["reviewer"] in desk(admin_client)


def test_a_backup_older_than_a_day_is_named_with_its_date(admin_client, fresh_install, settings):
    write_backup(settings.BACKUP_DIR, dt.datetime(2026, 3, 4, 2, 15, tzinfo=dt.UTC))
    text = admin_client.get(LAUNCH_PAGE).content.decode()
    assert "The newest backup is from 2026-03-04 02:15 UTC" in text


def test_only_administrators_see_the_checklist(editor_client, fresh_install):
    assert "Before you go live" not in desk(editor_client)
    assert editor_client.get(LAUNCH_PAGE).status_code == 403


def test_signed_out_visitors_are_sent_to_the_sign_in(client, fresh_install):
    response = client.get(LAUNCH_PAGE)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_check_that_breaks_leaves_the_rest_of_the_desk(admin_client, fresh_install, monkeypatch):
    def broken() -> None:
        raise RuntimeError("backup folder unreadable")

    monkeypatch.setattr(launch, "_CHECKS", [broken, *launch._CHECKS])
    html = desk(admin_client)
    assert TO_DO["mail"] in html
    assert "Clinical review of articles" in html


@pytest.mark.parametrize(
    ("address", "placeholder"),
    [
        ("http://127.0.0.1:8000", True),
        ("https://guide.example.org", True),
        ("https://www.example.com", True),
        ("https://localhost", True),
        ("http://guide.clinic-name.org", True),
        ("https://guide.clinic-name.org", False),
        ("https://notexample.org", False),
    ],
)
def test_example_and_local_addresses_count_as_not_set(address, placeholder):
    assert launch.is_placeholder_address(address) is placeholder
