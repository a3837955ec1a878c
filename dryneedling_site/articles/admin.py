"""The content desk: editing, reviewing and publishing articles in the Django admin."""

from __future__ import annotations

import difflib

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from dryneedling_site.feedback.admin import article_feedback_panel

from .lint import lint_saved_article
from .models import Article, Reference, SitePage
from .readability_es import INFLESZ_TARGET
from .review import SOON_DAYS, mark_reviewed

TEXT_FIELDS_WITH_DIFF = {"body", "key_points", "care_call_pt", "care_urgent"}


class ReviewStatusFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("overdue", "Review overdue"), ("soon", f"Due within {SOON_DAYS} days")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "soon":
            return queryset.review_due_within(SOON_DAYS)
        return queryset


class TranslationStatusFilter(admin.SimpleListFilter):
    """Translations whose English article changed since they were made (issue 14)."""

    title = "translation"
    parameter_name = "translation"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("out-of-date", "Out of date"), ("up-to-date", "Up to date")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        wanted = {"out-of-date": "out of date", "up-to-date": "up to date"}.get(self.value() or "")
        if wanted is None:
            return queryset
        translations = queryset.filter(translation_of__isnull=False).select_related("translation_of")
        return queryset.filter(pk__in=[a.pk for a in translations if a.translation_status == wanted])


class ReferenceInline(admin.StackedInline):
    model = Reference
    extra = 0
    fields = (("order", "year"), "authors", "title", ("journal", "citation"), ("doi", "pmid"))


class ArticleHistoryHelper(HistoricalRecordContextHelper):
    """Show Markdown changes as a line diff instead of two truncated strings."""

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
    return format_html(
        '<pre class="markdown-diff">{}</pre>',
        format_html_join("", '<span class="diff-{}">{}</span>\n', rows),
    )


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}
    list_display = (
        "title",
        "position",
        "published",
        "last_reviewed",
        "next_review_due",
        "review_overdue_flag",
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
    filter_horizontal = ("related",)
    inlines = [ReferenceInline]
    actions = ["mark_reviewed_today", "publish", "unpublish"]
    readonly_fields = (
        "reading_figures",
        "content_checks",
        "reader_feedback",
        "updated_at",
        "source_path",
        "load_status",
    )
    history_list_display = ["reading_grade"]
    fieldsets = [
        (None, {"fields": ("title", "slug", "summary", "key_points", "body")}),
        ("When to get help", {"fields": ("care_call_pt", "care_urgent", "care_emergency")}),
        ("Readability", {"fields": ("reading_figures", "content_checks")}),
        ("Reader feedback", {"fields": ("reader_feedback",)}),
        ("In the guide", {"fields": ("published", "position", "related")}),
        (
            "Review",
            {"fields": ("last_reviewed", "next_review_due", "reviewer_name", "reviewer_credentials")},
        ),
        ("Source", {"classes": ("collapse",), "fields": ("source_path", "load_status", "updated_at")}),
        ("Language", {"fields": ("language", "translation_of", "source_fingerprint")}),
    ]

    class Media:
        css = {"all": ["css/admin-editor.css"]}
        js = ["js/admin-editor.js"]

    @admin.display(description="Translation")
    def translation_state(self, obj: Article) -> str:
        """English rows: their translations' languages; translations: current or out of date."""
        if obj.is_translation:
            return obj.translation_status
        return ", ".join(t.language for t in obj.translations.all()) or "none yet"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).select_related("translation_of").prefetch_related("translations")

    @admin.display(boolean=True, description="Overdue")
    def review_overdue_flag(self, obj: Article) -> bool:
        return obj.review_overdue

    @admin.display(description="Reading level")
    def reading_figures(self, obj: Article) -> str:
        if not obj.pk:
            return "Shown after the first save."
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

    @admin.display(description="Reader feedback")
    def reader_feedback(self, obj: Article) -> str:
        """Yes/No counts, recent trend and latest comments, so editors see what readers say."""
        return article_feedback_panel(obj)

    @admin.display(description="Loaded from file")
    def load_status(self, obj: Article) -> str:
        if not obj.source_path:
            return "Created in the admin."
        if obj.fingerprint() != obj.source_hash:
            return f"{obj.source_path}: edited here since it was loaded; load_content will not overwrite it."
        return f"{obj.source_path}: matches the file as last loaded."

    def save_model(self, request: HttpRequest, obj: Article, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.reading_grade > settings.ARTICLE_MAX_READING_GRADE:
            self.message_user(
                request,
                f"“{obj.title}” reads at grade {obj.reading_grade}, above the target of "
                f"{settings.ARTICLE_MAX_READING_GRADE:g}. Shorter sentences and everyday words help.",
                messages.WARNING,
            )

    def get_historical_record_context_helper(self, request, historical_record) -> ArticleHistoryHelper:
        return ArticleHistoryHelper(self.model, historical_record)

    @admin.action(description="Mark reviewed today", permissions=["change"])
    def mark_reviewed_today(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        name = request.user.get_full_name() or request.user.get_username()
        count = mark_reviewed(queryset, reviewer_name=name)
        self.message_user(request, f"Marked {count} article(s) reviewed today by {name}.", messages.SUCCESS)

    @admin.action(description="Publish", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._set_published(request, queryset, True, "Published.")

    @admin.action(description="Unpublish (back to draft)", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._set_published(request, queryset, False, "Moved back to draft.")

    def _set_published(
        self, request: HttpRequest, queryset: QuerySet[Article], value: bool, done: str
    ) -> None:
        # Saved one by one (not .update()) so history records the change and caches refresh.
        for article in queryset.exclude(published=value):
            article.published = value
            article.save()
        self.message_user(request, done, messages.SUCCESS)


@admin.register(SitePage)
class SitePageAdmin(SimpleHistoryAdmin):
    """About and Privacy: the same Markdown editor and history as the articles."""

    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}
    list_display = ("title", "slug", "updated_at")
    fields = ("slug", "title", "summary", "body", "source_path", "updated_at")
    readonly_fields = ("source_path", "updated_at")

    class Media:
        css = {"all": ["css/admin-editor.css"]}
        js = ["js/admin-editor.js"]
