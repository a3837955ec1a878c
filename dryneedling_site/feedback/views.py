"""The vote endpoint and its thank-you page. Thin: check, validate, call the service, answer.

Answers are JSON when the request asks for it (the enhanced widget), otherwise a redirect to
the thank-you page (post/redirect/get), so the widget works without JavaScript. That page's
address is the same for everyone (no answer in it): access logs keep addresses next to the
time and client, and an answer about a health page does not belong there.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from dryneedling_site.articles.models import Article
from dryneedling_site.core.views import wants_json

from . import guards
from .forms import FeedbackForm
from .services import feedback_record, is_visitor_token, new_visitor_token, visitor_answer
from .widget import State, WidgetState


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _refuse(
    request: HttpRequest, status: int, title: str, message: str, article: Article | None = None
) -> HttpResponse:
    """Every refusal is a 4xx that says what happened and what to do, in JSON or as a page."""
    if wants_json(request):
        response = JsonResponse({"ok": False, "error": message}, status=status)
    else:
        response = render(
            request,
            "feedback/feedback_refused.html",
            {"title": title, "message": message, "article": article},
            status=status,
        )
    return _no_store(response)


def _accepted(
    request: HttpRequest, article: Article, state: WidgetState, visitor: str | None
) -> HttpResponse:
    if wants_json(request):
        response = JsonResponse(
            {
                "ok": True,
                "state": str(state.state),
                "answer": state.answer,
                "message": state.message,
                "comment_label": state.comment_label,
            }
        )
    else:
        thanks = reverse("feedback:thanks", kwargs={"slug": article.slug})
        response = HttpResponseRedirect(f"{thanks}#feedback", status=303)
    if visitor:
        response.set_cookie(
            settings.FEEDBACK_COOKIE_NAME,
            visitor,
            max_age=settings.FEEDBACK_COOKIE_MAX_AGE,
            path=reverse("articles:list"),
            secure=settings.FEEDBACK_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return _no_store(response)


@csrf_exempt  # Pages carry no CSRF token so they stay cacheable; guards.is_cross_site instead.
def feedback_submit(request: HttpRequest, slug: str) -> HttpResponse:
    """Record a visitor's Yes/No answer, or their comment after it."""
    if request.method != "POST":
        response = _refuse(
            request,
            405,
            _("Use the form to answer"),
            _(
                "To tell us whether a page helped, use the “Is this content helpful?” form at the end "
                "of the page."
            ),
        )
        response["Allow"] = "POST"
        return response
    article = Article.objects.published().in_language().filter(slug=slug).first()
    if article is None:
        return _refuse(request, 404, _("Page not found"), _("We can’t find the page you answered about."))
    if guards.is_cross_site(request):
        return _refuse(
            request,
            403,
            _("We could not accept this answer"),
            _(
                "It was sent from another website. To give feedback, use the form at the end of the "
                "page on this site."
            ),
            article,
        )
    if guards.is_too_large(request):
        return _refuse(
            request,
            413,
            _("Your answer is too long"),
            _("Please shorten your comment and send it again."),
            article,
        )
    try:
        data = request.POST
    except (SuspiciousOperation, MultiPartParserError):
        return _refuse(request, 400, _("We could not read your answer"), _("Please try again."), article)

    cookie = request.COOKIES.get(settings.FEEDBACK_COOKIE_NAME)
    visitor = cookie if is_visitor_token(cookie) else new_visitor_token()
    wait = guards.rate_limit_exceeded(request, visitor)
    if wait:
        minutes = max(1, round(wait / 60))
        response = _refuse(
            request,
            429,
            _("Too many answers"),
            ngettext(
                "You have sent a lot of answers in a short time. Please try again in {minutes} minute.",
                "You have sent a lot of answers in a short time. Please try again in {minutes} minutes.",
                minutes,
            ).format(minutes=minutes),
            article,
        )
        response["Retry-After"] = str(wait)
        return response

    form = FeedbackForm(data)
    if form.honeypot_filled:
        # Looks accepted, so a bot learns nothing; nothing is stored and no cookie is set.
        state = State.COMMENTED if form.is_comment else State.ANSWERED
        return _accepted(request, article, WidgetState(state, form.answer or "yes"), None)
    if not form.is_valid():
        return _invalid(request, article, form)

    comment = form.cleaned_data["comment"]
    feedback_record(
        article=article,
        helpful=form.cleaned_data["helpful"] == "yes",
        visitor=visitor,
        comment=comment,
        article_version=form.cleaned_data["version"],
    )
    state = State.COMMENTED if comment else State.ANSWERED
    return _accepted(request, article, WidgetState(state, form.cleaned_data["helpful"]), visitor)


def _invalid(request: HttpRequest, article: Article, form: FeedbackForm) -> HttpResponse:
    """A form error: JSON for the widget, or the widget again with the message and the text."""
    if wants_json(request):
        return _no_store(JsonResponse({"ok": False, "error": form.first_error}, status=400))
    commenting = form.is_comment and form.answer
    state = WidgetState(
        State.ANSWERED if commenting else State.INITIAL,
        form.answer,
        comment=str(form.data.get("comment", ""))[: settings.FEEDBACK_COMMENT_MAX_LENGTH * 2],
        error=form.first_error,
    )
    response = render(
        request, "feedback/feedback_page.html", {"article": article, "feedback_widget": state}, status=400
    )
    response["X-Robots-Tag"] = "noindex"
    return _no_store(response)


@require_GET
@cache_control(private=True, no_store=True)
def feedback_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    """The thank-you state after a form post without JavaScript, with the comment box.

    Reads the visitor's own answer through their private cookie (never from the address);
    it shows their Yes or No, never a comment's text.
    """
    article = get_object_or_404(Article.objects.published().in_language(), slug=slug)
    cookie = request.COOKIES.get(settings.FEEDBACK_COOKIE_NAME)
    row = visitor_answer(article, cookie) if is_visitor_token(cookie) else None
    if row is None:
        return HttpResponseRedirect(f"{article.get_absolute_url()}#feedback")
    commented = bool(row.comment and row.commented_at and row.commented_at >= row.answered_at)
    state = WidgetState(State.COMMENTED if commented else State.ANSWERED, "yes" if row.helpful else "no")
    response = render(
        request, "feedback/feedback_page.html", {"article": article, "feedback_widget": state, "thanks": True}
    )
    response["X-Robots-Tag"] = "noindex"
    return response
