"""The article edit form and its parts: editor widget, list filters, references, links check."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import cast

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from markdownx.widgets import AdminMarkdownxWidget

from .. import translations
from ..lint import PLACEHOLDER_ALT_TEXTS, placeholder_alt
from ..models import Article, ArticleQuerySet, ArticleRedirect, Reference
from ..review import (
    SOON_DAYS,
    changed_since_review,
    not_yet_reviewed,
    only_signed_off_since,
    publish_refusal,
)
from .history import (
    their_change,
)

IMAGE_MARKDOWN = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)")
ARTICLE_LINK = re.compile(r"\]\((?:/articles/|\.\./)([A-Za-z0-9_-]+)/?(?:#[^)]*)?\)")

# Panels other apps show on the article form, e.g. reader feedback: (title, render(article)).
# The feedback app registers its own in FeedbackConfig.ready(), so this app never imports it.
ARTICLE_PANELS: list[tuple[str, Callable[[Article], str]]] = []


def register_article_panel(title: str, render: Callable[[Article], str]) -> None:
    """Add a read-only panel to the article edit screen (once per title)."""
    if all(existing != title for existing, _render in ARTICLE_PANELS):
        ARTICLE_PANELS.append((title, render))


class BodyEditorWidget(AdminMarkdownxWidget):
    """markdownx's editor with an "Insert image" button, and the project's CSS loaded after
    markdownx's own (which fixes a 610 px width)."""

    template_name = "articles/widgets/body_editor.html"  # in the app: the form renderer looks there

    def get_context(self, name: str, value: object, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        # The dialog refuses the same placeholder alt texts as a save and the content checks.
        context["placeholder_alts"] = json.dumps(sorted(PLACEHOLDER_ALT_TEXTS))
        return context

    class Media:
        css = {"all": ["css/admin-editor.css"]}
        js = ["js/admin-editor.js"]


class ReviewStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("review")
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("overdue", _("Review overdue")),
            ("soon", _("Due within %(days)s days") % {"days": SOON_DAYS}),
            ("changed", _("Changed since review")),
            ("never", _("Not yet reviewed")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        articles = cast(ArticleQuerySet, queryset)
        if self.value() == "overdue":
            return articles.review_overdue()
        if self.value() == "soon":
            return articles.review_due_within(SOON_DAYS)
        if self.value() == "changed":
            return queryset.filter(pk__in=[a.pk for a in changed_since_review(queryset)])
        if self.value() == "never":
            return not_yet_reviewed(queryset)
        return queryset


class TranslationStatusFilter(admin.SimpleListFilter):
    """Translations by state, in the words of the column and the edit screen's panel (issue 14)."""

    title = "translation"
    parameter_name = "translation"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        states = (translations.MISSING, translations.OUT_OF_DATE, translations.NOT_YET_REVIEWED)
        return [(state.replace(" ", "-"), state) for state in (*states, translations.CURRENT)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        wanted = (self.value() or "").replace("-", " ")
        if wanted == translations.MISSING:  # English articles lacking some language
            rows = queryset.filter(language=settings.LANGUAGE_CODE).prefetch_related("translations")
            missing = [a.pk for a in rows if None in translations.translations_by_language(a).values()]
            return queryset.filter(pk__in=missing)
        if not wanted:
            return queryset
        rows = queryset.filter(translation_of__isnull=False).select_related("translation_of")
        rows = rows.prefetch_related("references", "translation_of__related", "translation_of__references")
        return queryset.filter(pk__in=[a.pk for a in rows if translations.translation_state(a) == wanted])


class ReferenceInline(admin.StackedInline):
    model = Reference
    extra = 0
    fields = (("order", "year"), "authors", "title", ("journal", "citation"), ("doi", "pmid"), "web_address")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class ArticleForm(forms.ModelForm):
    """Refuses placeholder alt text and a save over someone else's newer save."""

    loaded_version = forms.CharField(required=False, widget=forms.HiddenInput)
    urgent_correction = forms.BooleanField(
        label=gettext_lazy("Urgent correction: publish this change now, before its review"),
        required=False,
        help_text=gettext_lazy(
            "Only to fix something unsafe. The page then says it was updated after its last "
            "clinical review, until a reviewer signs the new text off."
        ),
    )
    request_user = None  # set by ArticleAdmin.get_form, for the publishing gate

    # No Meta: the admin builds it from the fieldsets (modelform_factory).

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.conflict: dict | None = None
        if self.instance.pk:
            # From the database, not the instance: a revert form's instance is an old version.
            stored = Article.objects.filter(pk=self.instance.pk).values_list("updated_at", flat=True).first()
            self.fields["loaded_version"].initial = stored.isoformat() if stored else ""

    def clean_body(self) -> str:
        body = self.cleaned_data.get("body") or ""
        # The same placeholders the content checks name, so a save and the checks never disagree.
        bad = [url for alt, url in IMAGE_MARKDOWN.findall(body) if placeholder_alt(alt)]
        if bad:
            raise ValidationError(
                _(
                    "Describe each image for readers who cannot see it: replace the empty or placeholder "
                    "alt text in ![…](%(url)s) with what the picture shows."
                )
                % {"url": bad[0]}
            )
        return body

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        stored_published = (
            bool(self.instance.pk) and Article.objects.filter(pk=self.instance.pk, published=True).exists()
        )
        if cleaned.get("published") and not stored_published and self.request_user is not None:
            probe = Article(
                title=cleaned.get("title") or self.instance.title,
                last_reviewed=self.instance.last_reviewed,
                reviewer_name=self.instance.reviewer_name,
                care_call_pt=cleaned.get("care_call_pt", self.instance.care_call_pt),
                care_urgent=cleaned.get("care_urgent", self.instance.care_urgent),
                care_emergency=cleaned.get("care_emergency", self.instance.care_emergency),
            )
            refusal = publish_refusal(probe, self.request_user)
            if refusal:
                self.add_error("published", refusal)
        try:
            loaded = parse_datetime(self.cleaned_data.get("loaded_version") or "")
        except ValueError:
            raise ValidationError(_("This form is out of date. Open the article again.")) from None
        if self.instance.pk and loaded:
            # Locked until the save commits, so two simultaneous saves cannot both pass.
            stored = Article.objects.select_for_update().filter(pk=self.instance.pk).first()
            if stored and stored.updated_at != loaded and not only_signed_off_since(stored, loaded):
                self.conflict = their_change(stored, loaded)
                raise ValidationError(
                    _(
                        "%(who)s saved this article at %(when)s, after you opened it. Nothing was "
                        "overwritten. Their change is shown above; copy your text, open the article "
                        "again and re-apply your edit."
                    )
                    % {"who": self.conflict["who"], "when": self.conflict["when"]}
                )
        return cleaned


def broken_article_links(body: str) -> tuple[list[str], list[str]]:
    """Slugs of /articles/... links in the text that reach no article, and those reaching a draft.

    An article's old address (a redirect) counts as reaching it.
    """
    slugs = set(ARTICLE_LINK.findall(body or ""))
    if not slugs:
        return [], []
    found = dict(Article.objects.filter(slug__in=slugs).values_list("slug", "published"))
    for old, published in ArticleRedirect.objects.filter(old_slug__in=slugs).values_list(
        "old_slug", "article__published"
    ):
        found.setdefault(old, published)
    unknown = sorted(slugs - set(found))
    drafts = sorted(slug for slug, published in found.items() if not published)
    return unknown, drafts
