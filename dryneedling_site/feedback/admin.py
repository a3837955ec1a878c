"""Staff insights: answers and comments with filters, CSV export, and the "Feedback summary".

`article_feedback_panel(article)` renders one article's summary and latest comments for the
Article edit screen; `feedback_desk_panel(request)` counts unread comments for the admin home.
FeedbackConfig.ready() registers both.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from dryneedling_site.articles.models import Article
from dryneedling_site.core.desk import DeskItem, DeskPanel

from .chart import share_helpful_chart
from .models import Feedback
from .services import TOO_FEW_ANSWERS, article_summary, feedback_csv, summary_by_article


class HasCommentFilter(admin.SimpleListFilter):
    title = "comment"
    parameter_name = "has_comment"

    def lookups(self, request, model_admin):
        return [("yes", "With a comment"), ("no", "Without a comment")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.with_comment()
        if self.value() == "no":
            return queryset.filter(comment="")
        return queryset


def csv_response(rows: QuerySet[Feedback]) -> HttpResponse:
    """A CSV download of feedback rows, named by today's date."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="feedback-{timezone.localdate():%Y-%m-%d}.csv"'
    feedback_csv(rows.select_related("article").iterator(), response)
    return response


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("article", "answer", "comment_excerpt", "answered_at", "commented_at", "reviewed")
    list_filter = (
        "helpful",
        HasCommentFilter,
        "reviewed",
        "article__language",
        "article",
        "answered_at",
        "commented_at",
    )
    list_select_related = ("article",)
    search_fields = ("comment",)
    date_hierarchy = "answered_at"
    actions = ["mark_reviewed", "mark_not_reviewed", "export_csv"]
    fields = (
        "article",
        "helpful",
        "comment",
        "answered_at",
        "commented_at",
        "article_version",
        "seen_older_version",
        "reviewed",
    )
    readonly_fields = tuple(name for name in fields if name != "reviewed")  # readers' words stay as sent
    change_list_template = "admin/feedback/feedback/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Feedback comes from readers only.
        return False

    @admin.display(description="answer", ordering="helpful")
    def answer(self, obj: Feedback) -> str:
        return obj.answer

    @admin.display(description="comment")
    def comment_excerpt(self, obj: Feedback) -> str:
        return obj.comment if len(obj.comment) <= 120 else obj.comment[:119].rstrip() + "…"

    @admin.display(description="shown an older version", boolean=True)
    def seen_older_version(self, obj: Feedback) -> bool:
        return obj.seen_older_version

    @admin.action(description="Mark selected comments as reviewed", permissions=["change"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Feedback]) -> None:
        count = queryset.update(reviewed=True)
        self.message_user(request, f"{count} marked as reviewed.", messages.SUCCESS)

    @admin.action(description="Mark selected comments as not reviewed", permissions=["change"])
    def mark_not_reviewed(self, request: HttpRequest, queryset: QuerySet[Feedback]) -> None:
        count = queryset.update(reviewed=False)
        self.message_user(request, f"{count} marked as not reviewed.", messages.SUCCESS)

    @admin.action(description="Download selected as CSV", permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Feedback]) -> HttpResponse:
        return csv_response(queryset)

    def get_urls(self):
        own = [
            path("summary/", self.admin_site.admin_view(self.summary_view), name="feedback_feedback_summary"),
            path("export/", self.admin_site.admin_view(self.export_view), name="feedback_feedback_export"),
        ]
        return own + super().get_urls()

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """CSV of the list as currently filtered and searched (the changelist's query string)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            rows = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("Those filters do not apply to feedback.")
        return csv_response(rows)

    def summary_view(self, request: HttpRequest) -> HttpResponse:
        """Published articles, least helpful first: Yes, No, comments, recent periods, a bar chart;
        `?language=es` keeps one language's articles (each translation has its own answers).
        Counts only, so article editors outside "Feedback readers" see it too."""
        if not (self.has_view_permission(request) or request.user.has_perm("articles.change_article")):
            raise PermissionDenied
        languages = dict(settings.LANGUAGES)
        language = request.GET.get("language", "")
        if language and language not in languages:
            return HttpResponseBadRequest(
                f"Unknown language: choose one of {', '.join(languages)}, or none for all.",
                content_type="text/plain; charset=utf-8",
            )
        rows = summary_by_article(language=language or None)
        context = {
            **self.admin_site.each_context(request),
            "title": "Feedback summary",
            "opts": self.opts,
            "rows": rows,
            "chart": share_helpful_chart(rows),
            "too_few": TOO_FEW_ANSWERS,
            "generated_at": timezone.now(),
            "language": language,
            "language_choices": [("", "All languages"), *settings.LANGUAGES],
        }
        return TemplateResponse(request, "admin/feedback/feedback/summary.html", context)


def article_feedback_panel(article: Article, *, now: dt.datetime | None = None) -> SafeString:
    """One article's answers and latest comments, for a read-only field on the Article page."""
    if article.pk is None:
        return SafeString("<p>Feedback appears here once the article is saved and published.</p>")
    return render_to_string(
        "admin/feedback/article_panel.html", {"summary": article_summary(article, now=now)}
    )


def feedback_desk_panel(request: HttpRequest) -> DeskPanel | None:
    """The desk's line for reader comments nobody on staff has read yet."""
    if not request.user.has_perm("feedback.view_feedback"):
        return None
    unread = Feedback.objects.with_comment().filter(reviewed=False).count()
    url = reverse("admin:feedback_feedback_changelist") + "?has_comment=yes&reviewed__exact=0"
    return DeskPanel(_("Reader feedback"), [DeskItem(_("comments not yet read"), unread, url)])
