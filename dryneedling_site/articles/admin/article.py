"""The content desk: editing, reviewing and publishing articles in the Django admin."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from markdownx.models import MarkdownxField
from simple_history.admin import SimpleHistoryAdmin

from .. import schema, translations
from ..lint import lint_saved_article
from ..models import Article, ArticleRedirect
from ..readability_es import INFLESZ_TARGET
from ..review import (
    can_review,
    check_translation,
    keep_review_stamp,
    may_publish_urgently,
    publish_refusal,
    review_status,
    revision_authors,
)
from ..revisions import keep_live_version
from .forms import (
    ARTICLE_PANELS,
    ArticleForm,
    BodyEditorWidget,
    ReferenceInline,
    ReviewStatusFilter,
    TranslationStatusFilter,
    broken_article_links,
)
from .history import (
    ArticleHistoryHelper,
    diff_against_live,
    restore_related_and_references,
)
from .signoff import review_view


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
    actions = ["publish", "unpublish", "mark_translation_checked"]
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
        "source_fingerprint",
        "translation_checked",
        "waiting_revision",
    )
    # The screen's sections in order. Article fields come from the schema (ArticleField.group,
    # articles/schema.py), so a new section type appears here without an edit; the rows below
    # are the screen's own (panels, the save guard), each placed after a field ("" = first).
    # A schema group not listed becomes a section of its own before "Source".
    sections: list[tuple[str | None, dict]] = [
        (None, {}),
        ("When to get help", {}),
        ("Readability", {}),
        ("From readers and other parts of the site", {}),
        ("In the guide", {}),
        ("Clinical review", {"description": gettext_lazy("Set only by a clinical reviewer's sign-off.")}),
        ("Source", {"classes": ("collapse",)}),
        ("Language", {}),
    ]
    screen_rows: dict[tuple[str | None, str], tuple[str, ...]] = {
        (None, "slug"): ("old_addresses",),
        (None, "body"): ("loaded_version",),
        ("Readability", ""): ("reading_figures", "content_checks"),
        ("From readers and other parts of the site", ""): ("other_panels",),
        ("Clinical review", ""): ("waiting_revision", "urgent_correction", "review_summary"),
        ("Source", ""): ("source_path", "load_status", "updated_at"),
        ("Language", "source_fingerprint"): ("translation_checked",),
    }

    @property
    def fieldsets(self) -> list[tuple[str | None, dict]]:
        """The sections with the schema's fields in them, read at each request."""
        groups = schema.admin_groups()
        known = {name or "" for name, _options in self.sections}
        sections = list(self.sections)
        extra: list[tuple[str | None, dict]] = [(group, {}) for group in groups if group not in known]
        at = next(i for i, (name, _options) in enumerate(sections) if name == "Source")
        sections[at:at] = extra
        result = []
        for name, options in sections:
            rows = list(self.screen_rows.get((name, ""), ()))
            for field in groups.get(name or "", []):
                rows += [field, *self.screen_rows.get((name, field), ())]
            result.append((name, {**options, "fields": tuple(rows)}))
        return result

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
        parts: list[str] = [format_html('<strong class="review-{}">{}</strong>', status.key, status.text)]
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

    @admin.display(description=gettext_lazy("Waiting for review"))
    def waiting_revision(self, obj: Article) -> str:
        """The revision patients do not see yet: who wrote it and its diff against the live text."""
        if not obj.pk or not (obj.is_reviewed and obj.changed_since_review):
            return _("Nothing: patients see the text below.")
        if obj.urgent_update_on:
            lead = _("Published as an urgent correction on %(date)s; not yet reviewed.") % {
                "date": f"{obj.urgent_update_on:%b %-d, %Y}"
            }
        else:
            lead = _(
                "This revision waits for review; patients still see the signed-off text. "
                "Publish after review: a clinical reviewer signs it off with “Sign off review”."
            )
        authors = ", ".join(sorted(revision_authors(obj).values())) or _("unknown")
        return format_html(
            '<strong class="review-waiting">{}</strong><br>{} {}{}',
            lead,
            _("Written by:"),
            authors,
            diff_against_live(obj) or "",
        )

    @admin.display(description=gettext_lazy("Checked against the English"))
    def translation_checked(self, obj: Article) -> str:
        if not obj.pk or not obj.is_translation:
            return "-"
        if obj.translation_checked_by_id is None:
            return _("Never. A clinical reviewer uses the action “Translation checked against the English”.")
        who = obj.translation_checked_by.get_username() if obj.translation_checked_by else "?"
        return _("By %(who)s on %(when)s (English fingerprint %(fp)s).") % {
            "who": who,
            "when": f"{obj.translation_checked_at:%b %-d, %Y}",
            "fp": obj.source_fingerprint[:12],
        }

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

    def get_form(self, request: HttpRequest, obj: Article | None = None, change: bool = False, **kwargs):
        """The form knows who saves, for the publishing gate."""
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request_user": request.user})

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        """Reviewers get a "Sign off review" button beside History (see the change_form template)."""
        extra_context = {**(extra_context or {}), "can_review": can_review(request.user)}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Article, form, change: bool) -> None:
        # A signed-off text is kept before it is edited: the edit waits for review.
        if change and obj.pk:
            keep_live_version(obj.pk)
        # Review fields are set by sign-off only: never by a form, a revert or a new article.
        keep_review_stamp(obj)
        urgent = bool(getattr(form, "cleaned_data", {}).get("urgent_correction"))
        if urgent and may_publish_urgently(request.user) and obj.is_reviewed:
            obj.urgent_update_on = timezone.localdate()
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
        if not may_publish_urgently(request.user):
            fieldsets = [
                (name, {**opts, "fields": tuple(f for f in opts["fields"] if f != "urgent_correction")})
                for name, opts in fieldsets
            ]
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

    @admin.action(description=gettext_lazy("Translation checked against the English"))
    def mark_translation_checked(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        """The only way a translation becomes current: a reviewer checked it, which stamps the
        English fingerprint and who checked."""
        if not can_review(request.user):
            self.message_user(request, _("Only clinical reviewers may check translations."), messages.ERROR)
            return
        done = 0
        for article in queryset.filter(translation_of__isnull=False).select_related("translation_of"):
            check_translation(article, checker=request.user)
            done += 1
        self.message_user(request, _("%(count)s translation(s) marked as checked.") % {"count": done})

    def _set_published(
        self, request: HttpRequest, queryset: QuerySet[Article], value: bool, done: str
    ) -> None:
        # Saved one by one (not .update()) so history records the change and caches refresh.
        for article in queryset.exclude(published=value):
            refusal = publish_refusal(article, request.user) if value else None
            if refusal:
                self.message_user(request, refusal, messages.ERROR)
                continue
            article.published = value
            article.save()
        self.message_user(request, done, messages.SUCCESS)

    # Clinical review sign-off: a confirmation page only reviewers reach (signoff.py).
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
        return review_view(self, request, object_id)
