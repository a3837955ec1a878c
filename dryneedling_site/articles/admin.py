"""The content desk: editing, reviewing and publishing articles in the Django admin."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from . import translations
from .lint import PLACEHOLDER_ALT_TEXTS, lint_saved_article, placeholder_alt
from .models import Article, ArticleRedirect, Reference, Review, SitePage
from .readability_es import INFLESZ_TARGET
from .review import (
    SOON_DAYS,
    TextChangedSinceShown,
    can_review,
    changed_since_review,
    keep_review_stamp,
    not_yet_reviewed,
    only_signed_off_since,
    review_status,
    sign_off,
)

TEXT_CHANGED_MESSAGE = gettext_lazy(
    "Someone changed the text or references while you were reading. Read the current version "
    "below, then sign off again."
)
TEXT_FIELDS_WITH_DIFF = {"body", "key_points", "care_call_pt", "care_urgent", "summary", "title"}
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
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "soon":
            return queryset.review_due_within(SOON_DAYS)
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
        cleaned = super().clean()
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


def their_change(stored: Article, loaded) -> dict:
    """Who saved since `loaded`, when, and a diff of the body from then to now."""
    latest = stored.history.order_by("-history_date").first()
    before = stored.history.filter(updated_at=loaded).order_by("-history_date").first()
    who = _("Someone else")
    if latest and latest.history_user:
        who = latest.history_user.get_full_name() or latest.history_user.get_username()
    return {
        "who": who,
        "when": f"{stored.updated_at:%Y-%m-%d %H:%M:%S}",
        "diff": markdown_diff(before.body if before else "", stored.body),
    }


class ArticleHistoryHelper(HistoricalRecordContextHelper):
    """Show Markdown changes as a line diff, lists in full and nothing as "None"."""

    def stringify_delta_change_values(self, change, old, new) -> tuple[str, str]:
        def readable(value) -> str:
            if value is None:
                return ""
            if isinstance(value, list):
                return "; ".join(str(item) for item in value)
            return str(value)

        return readable(old), readable(new)

    def context_for_delta_changes(self, delta) -> list[dict]:
        context = super().context_for_delta_changes(delta)
        for change, item in zip(delta.changes, context, strict=True):
            if change.field in TEXT_FIELDS_WITH_DIFF:
                item["diff"] = markdown_diff(change.old or "", change.new or "")
        return context


def markdown_diff(old: str, new: str) -> str:
    """An HTML line diff of two Markdown texts (escaped; added and removed lines marked)."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), "before", "after", lineterm="", n=1)
    rows = []
    for line in list(lines)[2:]:
        kind = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "same")
        rows.append((kind, line))
    if not rows:
        return format_html('<p class="markdown-diff">{}</p>', _("No change to the text."))
    return format_html(
        '<pre class="markdown-diff">{}</pre>',
        # Each line is a block-level span, so no newline between them (it would double the gap).
        format_html_join("", '<span class="diff-{}">{}</span>', rows),
    )


class ReviewSignOffForm(forms.Form):
    """What a reviewer vouches with: name, credentials, a note, and an explicit confirmation."""

    name = forms.CharField(label=gettext_lazy("Your name as shown to readers"), max_length=120)
    credentials = forms.CharField(
        label=gettext_lazy("Your credentials"), max_length=80, help_text=gettext_lazy("For example: PT, DPT.")
    )
    note = forms.CharField(
        label=gettext_lazy("What you checked"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("A short note for the record, e.g. which facts and sources you checked."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I have checked the facts and references in the text shown on this page.")
    )
    # The fingerprint of the text shown, so a sign-off never covers an edit the reviewer did not see.
    shown_fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, current_fingerprint: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.current_fingerprint = current_fingerprint

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("shown_fingerprint") and cleaned["shown_fingerprint"] != self.current_fingerprint:
            # Show the current text's fingerprint, so signing off again covers what is shown now.
            self.data = self.data.copy()
            self.data["shown_fingerprint"] = self.current_fingerprint
            raise ValidationError(TEXT_CHANGED_MESSAGE)
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


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    form = ArticleForm
    formfield_overrides = {MarkdownxField: {"widget": BodyEditorWidget}}
    list_display = (
        "title",
        "position",
        "published",
        "review_state",
        "changed_since_review_flag",
        "next_review_due",
        "reading_grade",
        "word_count",
        "language",
        "translation_state",
    )
    list_display_links = ("title",)
    list_filter = (ReviewStatusFilter, "published", "language", TranslationStatusFilter)
    search_fields = ("title", "summary", "body")
    ordering = ("position", "title")
    prepopulated_fields = {"slug": ("title",)}
    # A plain multiple select: Django's two-box widget puts aria-label on a span (an axe failure).
    inlines = [ReferenceInline]
    actions = ["publish", "unpublish"]
    readonly_fields = (
        "old_addresses",
        "review_summary",
        "last_reviewed",
        "next_review_due",
        "reviewer_name",
        "reviewer_credentials",
        "reading_figures",
        "content_checks",
        "other_panels",
        "updated_at",
        "source_path",
        "load_status",
    )
    fieldsets = [
        (
            None,
            {"fields": ("title", "slug", "old_addresses", "summary", "key_points", "body", "loaded_version")},
        ),
        ("When to get help", {"fields": ("care_call_pt", "care_urgent", "care_emergency")}),
        ("Readability", {"fields": ("reading_figures", "content_checks")}),
        ("From readers and other parts of the site", {"fields": ("other_panels",)}),
        ("In the guide", {"fields": ("published", "position", "related")}),
        (
            "Clinical review",
            {
                "description": gettext_lazy("Set only by a clinical reviewer's sign-off."),
                "fields": (
                    "review_summary",
                    "last_reviewed",
                    "next_review_due",
                    "reviewer_name",
                    "reviewer_credentials",
                ),
            },
        ),
        ("Source", {"classes": ("collapse",), "fields": ("source_path", "load_status", "updated_at")}),
        ("Language", {"fields": ("language", "translation_of", "source_fingerprint")}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return (
            super()
            .get_queryset(request)
            .select_related("translation_of")
            .prefetch_related("references", "translations__references", "translation_of__references")
        )

    @admin.display(description=gettext_lazy("Review"), ordering="next_review_due")
    def review_state(self, obj: Article) -> str:
        status = review_status(obj)
        return format_html('<span class="review-{}">{}</span>', status.key, status.text)

    @admin.display(description="Translation")
    def translation_state(self, obj: Article) -> str:
        """English rows: each other language's state; translations: their own."""
        return translations.states_in_words(obj)

    @admin.display(description=gettext_lazy("Changed since review"))
    def changed_since_review_flag(self, obj: Article) -> str:
        return _("Changed since review") if obj.changed_since_review else ""

    @admin.display(description=gettext_lazy("Review status"))
    def review_summary(self, obj: Article) -> str:
        if not obj.pk:
            return _("Not yet reviewed. A clinical reviewer signs it off after the first save.")
        status = review_status(obj)
        parts = [format_html('<strong class="review-{}">{}</strong>', status.key, status.text)]
        if obj.changed_since_review:
            parts.append(
                format_html(
                    '<strong class="review-changed">{}</strong>',
                    _(
                        "Changed since review: the text, key points, care card or references "
                        "differ from what was signed off."
                    ),
                )
            )
        latest = obj.reviews.first()
        if latest:
            parts.append(
                format_html(
                    "{} {} ({}), {}: “{}”",
                    _("Last sign-off:"),
                    latest.reviewer_name,
                    latest.reviewer_credentials,
                    f"{latest.reviewed_on:%b %-d, %Y}",
                    latest.note,
                )
            )
        parts.append(_("Clinical reviewers sign off with “Sign off review” at the top of this page."))
        return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts))

    @admin.display(description=gettext_lazy("Old addresses"))
    def old_addresses(self, obj: Article) -> str:
        """Where the article used to live; each still leads here (a permanent redirect)."""
        slugs = [r.old_slug for r in obj.old_addresses.all()] if obj.pk else []
        if not slugs:
            return _("None: the address has not changed.")
        return _("Still lead here: %(paths)s") % {"paths": ", ".join(f"/articles/{s}/" for s in slugs)}

    @admin.display(description=gettext_lazy("Reading level"))
    def reading_figures(self, obj: Article) -> str:
        if not obj.pk:
            return _("Shown after the first save.")
        if obj.reading_ease is not None:
            verdict = "meets" if obj.reading_ease >= INFLESZ_TARGET else "below"
            return (
                f"INFLESZ {obj.reading_ease} (Spanish; {verdict} the target of {INFLESZ_TARGET:g}), "
                f"{obj.word_count} words, about {obj.reading_minutes} minute(s) to read."
            )
        target = settings.ARTICLE_MAX_READING_GRADE
        verdict = "within" if obj.reading_grade <= target else "above"
        return (
            f"Grade {obj.reading_grade} (Flesch-Kincaid; {verdict} the target of {target:g}), "
            f"{obj.word_count} words, about {obj.reading_minutes} minute(s) to read."
        )

    @admin.display(description="Content checks")
    def content_checks(self, obj: Article) -> str:
        """The findings `lint_content` would report for this saved article, so editors see them here."""
        if not obj.pk:
            return "Shown after the first save."
        findings, notes = lint_saved_article(obj)
        items = [(f"{f.rule}: {f.message}",) for f in findings] + [(note,) for note in notes]
        if not findings:
            items.insert(0, ("All content checks pass.",))
        return format_html('<ul class="content-checks">{}</ul>', format_html_join("", "<li>{}</li>", items))

    @admin.display(description=gettext_lazy("Panels"))
    def other_panels(self, obj: Article) -> str:
        """Panels other apps registered (reader feedback, ...), each under its own heading."""
        if not ARTICLE_PANELS:
            return _("Nothing to show.")
        return format_html_join(
            "",
            '<section class="article-panel"><h3>{}</h3>{}</section>',
            ((t, SafeString(r(obj))) for t, r in ARTICLE_PANELS),
        )

    @admin.display(description=gettext_lazy("Loaded from file"))
    def load_status(self, obj: Article) -> str:
        if not obj.source_path:
            return _("Created in the admin.")
        if obj.fingerprint() != obj.source_hash:
            return f"{obj.source_path}: edited here since it was loaded; load_content will not overwrite it."
        return f"{obj.source_path}: matches the file as last loaded."

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        """Reviewers get a "Sign off review" button beside History (see the change_form template)."""
        extra_context = {**(extra_context or {}), "can_review": can_review(request.user)}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Article, form, change: bool) -> None:
        # Review fields are set by sign-off only: never by a form, a revert or a new article.
        keep_review_stamp(obj)
        old_slug = form.initial.get("slug") if change else None
        super().save_model(request, obj, form, change)
        ArticleRedirect.objects.filter(language=obj.language, old_slug=obj.slug).delete()
        if old_slug and old_slug != obj.slug:
            ArticleRedirect.objects.update_or_create(
                language=obj.language, old_slug=old_slug, defaults={"article": obj}
            )
            self.message_user(
                request,
                _("The old address /articles/%(old)s/ now leads here (a permanent redirect).")
                % {"old": old_slug},
                messages.INFO,
            )
        unknown, drafts = broken_article_links(obj.body)
        for slug in unknown:
            self.message_user(
                request,
                _("The text links to /articles/%(slug)s/, but no article has that address.") % {"slug": slug},
                messages.WARNING,
            )
        for slug in drafts if obj.published else []:
            self.message_user(
                request,
                _(
                    "The text links to /articles/%(slug)s/, a draft: readers cannot open it "
                    "until it is published."
                )
                % {"slug": slug},
                messages.WARNING,
            )
        if obj.reading_grade > settings.ARTICLE_MAX_READING_GRADE:
            self.message_user(
                request,
                f"“{obj.title}” reads at grade {obj.reading_grade}, above the target of "
                f"{settings.ARTICLE_MAX_READING_GRADE:g}. Shorter sentences and everyday words help.",
                messages.WARNING,
            )

    def get_fieldsets(self, request: HttpRequest, obj: Article | None = None) -> list:
        """The hidden version field only where the form can be saved (not for view-only users)."""
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj) or (obj is None and self.has_add_permission(request)):
            return fieldsets
        first_name, first = fieldsets[0]
        fields = tuple(f for f in first["fields"] if f != "loaded_version")
        return [(first_name, {**first, "fields": fields}), *fieldsets[1:]]

    def get_historical_record_context_helper(self, request, historical_record) -> ArticleHistoryHelper:
        return ArticleHistoryHelper(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None) -> HttpResponse:
        """Reverting restores the text, references and related articles of that version."""
        response = super().history_form_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            version = get_object_or_404(Article.history.model, id=object_id, history_id=version_id)
            restore_related_and_references(Article.objects.get(pk=object_id), version)
        return response

    # Deleting: editors may delete their own drafts; published articles only with the permission.
    def has_delete_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        if super().has_delete_permission(request, obj):
            return True
        if obj is None or obj.published or not self.has_change_permission(request, obj):
            return False
        creator = obj.history.filter(history_type="+").values_list("history_user_id", flat=True).first()
        return creator == request.user.pk

    @admin.action(description=gettext_lazy("Publish"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._set_published(request, queryset, True, _("Published."))

    @admin.action(description=gettext_lazy("Unpublish (back to draft)"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._set_published(request, queryset, False, _("Moved back to draft."))

    def _set_published(
        self, request: HttpRequest, queryset: QuerySet[Article], value: bool, done: str
    ) -> None:
        # Saved one by one (not .update()) so history records the change and caches refresh.
        for article in queryset.exclude(published=value):
            article.published = value
            article.save()
        self.message_user(request, done, messages.SUCCESS)

    # Clinical review sign-off: a confirmation page only reviewers reach.
    def get_urls(self):
        own = [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="articles_article_review",
            )
        ]
        return own + super().get_urls()

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Show the text and references being vouched for; record who, when, credentials, note."""
        if not can_review(request.user):
            raise PermissionDenied
        article = self.get_object(request, unquote(object_id))  # None for a bad or unknown id
        if article is None:
            raise Http404(_("No article with that id."))
        user = request.user
        initial = {"name": user.get_full_name() or user.get_username()}
        previous = article.reviews.filter(reviewer=user).first()
        if previous:
            initial["credentials"] = previous.reviewer_credentials
        current = article.review_fingerprint()
        initial["shown_fingerprint"] = current
        form = ReviewSignOffForm(request.POST or None, initial=initial, current_fingerprint=current)
        if request.method == "POST" and form.is_valid():
            try:
                sign_off(
                    article,
                    reviewer=user,
                    name=form.cleaned_data["name"],
                    credentials=form.cleaned_data["credentials"],
                    note=form.cleaned_data["note"],
                    shown_fingerprint=form.cleaned_data["shown_fingerprint"],
                )
            except TextChangedSinceShown:
                # Changed in the instant between the form check and the locked re-read.
                self.message_user(request, TEXT_CHANGED_MESSAGE, messages.ERROR)
                return redirect("admin:articles_article_review", article.pk)
            self.message_user(
                request, _("Review of “%(title)s” signed off.") % {"title": article.title}, messages.SUCCESS
            )
            return redirect("admin:articles_article_change", article.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Sign off the review of “%(title)s”") % {"title": article.title},
            "opts": self.opts,
            "original": article,
            "article": article,
            "form": form,
            "status": review_status(article),
            "reviews": article.reviews.all()[:5],
            "changes_since_review": changes_since_last_review(article),
        }
        return TemplateResponse(request, "admin/articles/article/review_signoff.html", context)


def changes_since_last_review(article: Article) -> str | None:
    """A diff of the body from the last sign-off to now, so a reviewer checks what changed."""
    latest = article.reviews.first()
    if latest is None or not article.changed_since_review:
        return None
    try:
        then = article.history.as_of(latest.signed_at)
    except Article.DoesNotExist:
        return None
    return markdown_diff(then.body, article.body)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """The sign-off record: read-only, since a review is evidence, not a draft."""

    list_display = ("article", "reviewer_name", "reviewer_credentials", "reviewed_on", "note")
    list_filter = ("reviewed_on",)
    search_fields = ("article__title", "reviewer_name", "note")
    list_select_related = ("article",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Review | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Review | None = None) -> bool:
        return False


def restore_related_and_references(article: Article, version) -> None:
    """Put back the related articles and references the article had at `version`."""
    # Versions saved before related articles and references were versioned recorded neither:
    # leave those as they are rather than empty them.
    related_ids = list(version.related.values_list("to_article_id", flat=True))
    related_recorded = bool(related_ids) or (
        version.related.model.objects.filter(
            history__id=article.pk, history__history_date__lte=version.history_date
        ).exists()
    )
    if related_recorded:
        article.related.set(Article.objects.filter(pk__in=related_ids))
    # The admin saves references just after the article, so take them as they stood just
    # before the article's next version.
    later = article.history.filter(history_date__gt=version.history_date).order_by("history_date").first()
    moment = later.history_date - dt.timedelta(microseconds=1) if later else timezone.now()
    if not Reference.history.filter(article_id=article.pk, history_date__lte=moment).exists():
        return
    then = Reference.history.as_of(moment).filter(article_id=article.pk)
    kept = []
    for old in then:
        fields = {f.attname: getattr(old, f.attname) for f in Reference._meta.concrete_fields}
        fields.pop("id")
        reference, _created = Reference.objects.update_or_create(pk=old.pk, defaults=fields)
        kept.append(reference.pk)
    article.references.exclude(pk__in=kept).delete()


@admin.register(SitePage)
class SitePageAdmin(SimpleHistoryAdmin):
    """About and Privacy: the same Markdown editor and history as the articles."""

    formfield_overrides = {MarkdownxField: {"widget": BodyEditorWidget}}
    list_display = ("title", "slug", "language", "updated_at")
    list_filter = ("language",)
    fields = ("slug", "language", "title", "summary", "body", "source_path", "updated_at")
    readonly_fields = ("source_path", "updated_at")
