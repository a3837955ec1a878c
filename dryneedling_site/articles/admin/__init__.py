"""The content desk: editing, reviewing and publishing articles in the Django admin.

article.py: the article form and list; signoff.py: the clinical sign-off screen, sign-off
records and reviewer profiles; history.py: diffs and reverting.
"""

from __future__ import annotations

from django.contrib import admin
from markdownx.models import MarkdownxField
from simple_history.admin import SimpleHistoryAdmin

from .. import schema
from ..models import SitePage
from .article import ArticleAdmin
from .forms import ARTICLE_PANELS, BodyEditorWidget, register_article_panel
from .signoff import ReviewAdmin, ReviewerProfileAdmin

__all__ = ["ARTICLE_PANELS", "ArticleAdmin", "ReviewAdmin", "ReviewerProfileAdmin", "register_article_panel"]


@admin.register(SitePage)
class SitePageAdmin(SimpleHistoryAdmin):
    """About and Privacy: the same Markdown editor and history as the articles."""

    formfield_overrides = {MarkdownxField: {"widget": BodyEditorWidget}}
    list_display = ("title", "slug", "language", "updated_at")
    list_filter = ("language",)
    fields = (*schema.SITE_PAGE_EDITABLE, "source_path", "updated_at")
    readonly_fields = ("source_path", "updated_at")
