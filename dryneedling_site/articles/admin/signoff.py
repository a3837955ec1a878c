"""The clinical sign-off screen, the sign-off records and the reviewer profiles."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Article, Review, ReviewerProfile
from ..review import (
    NoReviewerProfile,
    SelfSignOff,
    TextChangedSinceShown,
    can_review,
    review_status,
    revision_authors,
    sign_off,
)
from .history import changes_since_last_review, diff_against_live

TEXT_CHANGED_MESSAGE = gettext_lazy(
    "Someone changed the text or references while you were reading. Read the current version "
    "below, then sign off again."
)
SELF_SIGN_OFF_MESSAGE = gettext_lazy(
    "You wrote part of this revision, so another clinical reviewer must sign it off."
)
NO_PROFILE_MESSAGE = gettext_lazy(
    "Your account has no reviewer profile yet. An administrator sets your name as licensed and "
    "your credentials under “Reviewer profiles”; patients see those, not a name typed here."
)


class ReviewSignOffForm(forms.Form):
    """What a reviewer vouches with: a note and an explicit confirmation (the name and
    credentials come from the reviewer's profile)."""

    note = forms.CharField(
        label=gettext_lazy("What you checked"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("A short note for the record, e.g. which facts and sources you checked."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I have checked the facts and references in the text shown on this page.")
    )
    publish = forms.BooleanField(
        label=gettext_lazy("Publish after review (the page goes live with this text)"), required=False
    )
    # The fingerprint of the text shown, so a sign-off never covers an edit the reviewer did not see.
    shown_fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, current_fingerprint: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.current_fingerprint = current_fingerprint

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if cleaned.get("shown_fingerprint") and cleaned["shown_fingerprint"] != self.current_fingerprint:
            # Show the current text's fingerprint, so signing off again covers what is shown now.
            data = self.data.copy()  # type: ignore[attr-defined]
            data["shown_fingerprint"] = self.current_fingerprint
            self.data = data
            raise ValidationError(TEXT_CHANGED_MESSAGE)
        return cleaned


def review_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Show the text and references being vouched for, the diff against the live text and who
    wrote it; record the sign-off (and publish, when asked)."""
    if not can_review(request.user):
        raise PermissionDenied
    article = model_admin.get_object(request, unquote(object_id))  # None for a bad or unknown id
    if article is None:
        raise Http404(_("No article with that id."))
    user = request.user
    current = article.review_fingerprint()
    form = ReviewSignOffForm(
        request.POST or None,
        initial={"shown_fingerprint": current, "publish": article.published},
        current_fingerprint=current,
    )
    profile = ReviewerProfile.objects.filter(user_id=user.pk or 0).first()
    authors = revision_authors(article)
    refusal = None
    if profile is None:
        refusal = NO_PROFILE_MESSAGE
    elif user.pk in authors:
        refusal = SELF_SIGN_OFF_MESSAGE
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            sign_off(
                article,
                reviewer=user,
                note=form.cleaned_data["note"],
                shown_fingerprint=form.cleaned_data["shown_fingerprint"],
                publish=form.cleaned_data["publish"],
            )
        except TextChangedSinceShown:
            # Changed in the instant between the form check and the locked re-read.
            model_admin.message_user(request, TEXT_CHANGED_MESSAGE, messages.ERROR)
            return redirect("admin:articles_article_review", article.pk)
        except (SelfSignOff, NoReviewerProfile):  # an edit or profile change in the meantime
            model_admin.message_user(request, SELF_SIGN_OFF_MESSAGE, messages.ERROR)
            return redirect("admin:articles_article_review", article.pk)
        model_admin.message_user(
            request, _("Review of “%(title)s” signed off.") % {"title": article.title}, messages.SUCCESS
        )
        return redirect("admin:articles_article_change", article.pk)
    status = 403 if request.method == "POST" and refusal else 200
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Sign off the review of “%(title)s”") % {"title": article.title},
        "opts": model_admin.opts,
        "original": article,
        "article": article,
        "form": form,
        "refusal": refusal,
        "profile": profile,
        "authors": sorted(authors.values()),
        "status": review_status(article),
        "reviews": article.reviews.all()[:5],
        "changes_since_review": diff_against_live(article) or changes_since_last_review(article),
    }
    return TemplateResponse(request, "admin/articles/article/review_signoff.html", context, status=status)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """The sign-off record: read-only, since a review is evidence, not a draft."""

    list_display = (
        "article",
        "reviewer",
        "reviewer_name",
        "reviewer_credentials",
        "written_by",
        "reviewed_on",
        "note",
    )
    list_filter = ("reviewed_on",)
    search_fields = ("article__title", "reviewer_name", "reviewer__username", "note")
    list_select_related = ("article", "reviewer")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Review | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Review | None = None) -> bool:
        return False


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    """Set by an administrator: the name and credentials patients see for a reviewer."""

    list_display = ("user", "name_as_licensed", "credentials", "licence_state", "licence_number")
    search_fields = ("user__username", "name_as_licensed")


__all__ = ["Article", "ReviewAdmin", "ReviewerProfileAdmin", "review_view"]
