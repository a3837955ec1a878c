"""History of an article in the admin: diffs, who changed what, reverting a version."""

from __future__ import annotations

import datetime as dt
import difflib

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from simple_history.template_utils import HistoricalRecordContextHelper

from .. import schema
from ..models import Article, Reference


def text_fields_with_diff() -> set[str]:
    """Fields the history shows as a line diff: the schema's translated text (title to care card)."""
    return {f.name for f in schema.fields() if f.translated and f.kind in schema.TEXT_KINDS}


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
        diffed = text_fields_with_diff()
        for change, item in zip(delta.changes, context, strict=True):
            if change.field in diffed:
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


def diff_against_live(article: Article) -> SafeString | None:
    """The waiting revision against the reviewed (live) text: every field the schema says a
    reader sees (title, summary, key points, text, care card) and the references."""
    kept = article.reviewed_version or {}
    if not kept or not article.changed_since_review:
        return None
    parts = []
    for field in schema.diffed_fields():  # the schema's reviewed and translated text and flags
        if field.kind == "flag":
            if bool(kept.get(field.name)) != bool(getattr(article, field.name)):
                parts.append(
                    format_html("<p>{}</p>", _("%(what)s was switched on or off.") % {"what": field.heading})
                )
            continue
        old, new = kept.get(field.name) or "", getattr(article, field.name) or ""
        if old != new:
            parts.append(format_html("<h3>{}</h3>{}", field.heading, markdown_diff(old, new)))
    old_refs = [f"{r['authors']}. {r['title']}." for r in kept.get("references", [])]
    new_refs = [str(r) for r in article.references.all()]
    if old_refs != new_refs:
        parts.append(
            format_html(
                "<h3>{}</h3>{}", _("References"), markdown_diff("\n".join(old_refs), "\n".join(new_refs))
            )
        )
    return format_html_join("", "{}", ((p,) for p in parts)) if parts else None
