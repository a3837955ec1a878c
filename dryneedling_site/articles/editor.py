"""The admin editor's live preview and image upload, for staff who may edit articles only.

These replace django-markdownx's own views, which answer anyone and accept SVG and HTML.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dryneedling_site.core import cachesafe

from .images import ImageRejected, StorageFull, store_article_image
from .markdown import MAX_SOURCE_CHARACTERS, MarkdownTooComplex, render

logger = logging.getLogger(__name__)

EDIT_PERMISSION = "articles.change_article"
MAX_PREVIEW_CHARACTERS = MAX_SOURCE_CHARACTERS
# The body is form-encoded: up to 3 bytes of UTF-8 a character, "%XX" for each byte.
MAX_PREVIEW_BYTES = MAX_PREVIEW_CHARACTERS * 9 + 1024
# Previews per editor a minute: the editor asks after each pause in typing (500 ms).
PREVIEW_RATE_LIMIT = (60, 60)


def editor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anyone but staff who may edit articles gets 403.

    No redirect to the login page for anonymous requests: its address may be a secret
    (DJANGO_ADMIN_URL), and the editor calls these endpoints only from inside the admin.
    """

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (
            request.user.is_authenticated and request.user.is_staff and request.user.has_perm(EDIT_PERMISSION)
        ):
            return JsonResponse({"error": "You do not have permission to edit articles."}, status=403)
        return view(request, *args, **kwargs)

    return guarded


@require_POST
@editor_required
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The same render-and-sanitize function as the public page, so the preview cannot lie.

    Bounded: a size limit before the body is read, and a per-editor rate limit, so an
    editor's typing can never stall the public site.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_PREVIEW_BYTES + 1
    if length > MAX_PREVIEW_BYTES:
        return _plain(_("The text is too long to preview."), 413)
    limit, window = PREVIEW_RATE_LIMIT
    if cachesafe.guarded("limits").count(f"editor:preview:{request.user.pk}", window) > limit:
        response = _plain(_("Too many previews at once. The preview will update in a minute."), 429)
        response["Retry-After"] = str(window)
        return response
    content = request.POST.get("content", "")
    if len(content) > MAX_PREVIEW_CHARACTERS:
        return _plain(_("The text is too long to preview."), 400)
    try:
        return HttpResponse(render(content))
    except MarkdownTooComplex as refusal:
        return _plain(str(refusal), 400)


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@require_POST
@editor_required
def image_upload(request: HttpRequest) -> JsonResponse:
    """Store a checked image; hand back its address and Markdown with a placeholder alt text.

    The "Insert image" dialog asks for the alt text and uses `url`; drag-and-drop inserts
    `image_code`, whose placeholder the article form refuses until it is replaced.
    """
    limit, window = settings.ARTICLE_IMAGE_RATE_LIMIT, settings.ARTICLE_IMAGE_RATE_WINDOW
    # Counted before the body is parsed: each upload is decoded, so it is the costly request.
    if cachesafe.guarded("limits").count(f"editor:upload:{request.user.pk}", window) > limit:
        response = JsonResponse(
            {"error": f"Too many images uploaded at once. Please wait {window // 60} minutes and try again."},
            status=429,
        )
        response["Retry-After"] = str(window)
        return response
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"error": "Choose an image file to upload."}, status=400)
    try:
        url = store_article_image(upload)
    except ImageRejected as rejection:
        return JsonResponse({"error": str(rejection)}, status=400)
    except StorageFull:
        logger.error("Image upload refused: the media disk is full")
        return JsonResponse(
            {
                "error": "The server's disk is full, so the image was not saved. "
                "Please tell the site's administrator."
            },
            status=507,
        )
    except OSError:
        logger.exception("Image upload could not be written")
        return JsonResponse(
            {"error": "The image could not be saved. Please try again in a minute."}, status=503
        )
    return JsonResponse({"image_code": f"![describe the image]({url})", "url": url})
