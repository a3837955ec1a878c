"""The admin editor's live preview and image upload, for staff who may edit articles only.

These replace django-markdownx's own views, which answer anyone and accept SVG and HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from .images import ImageRejected, store_article_image
from .markdown import render

EDIT_PERMISSION = "articles.change_article"
MAX_PREVIEW_CHARACTERS = 200_000


def editor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the login page; signed-in users without the permission get 403."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_staff and request.user.has_perm(EDIT_PERMISSION)):
            return JsonResponse({"error": "You do not have permission to edit articles."}, status=403)
        return view(request, *args, **kwargs)

    return guarded


@require_POST
@editor_required
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The same render-and-sanitize function as the public page, so the preview cannot lie."""
    content = request.POST.get("content", "")
    if len(content) > MAX_PREVIEW_CHARACTERS:
        return HttpResponse("The text is too long to preview.", status=400, content_type="text/plain")
    return HttpResponse(render(content))


@require_POST
@editor_required
def image_upload(request: HttpRequest) -> JsonResponse:
    """Store a checked image; hand back its address and Markdown with a placeholder alt text.

    The "Insert image" dialog asks for the alt text and uses `url`; drag-and-drop inserts
    `image_code`, whose placeholder the article form refuses until it is replaced.
    """
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"error": "Choose an image file to upload."}, status=400)
    try:
        url = store_article_image(upload)
    except ImageRejected as rejection:
        return JsonResponse({"error": str(rejection)}, status=400)
    return JsonResponse({"image_code": f"![describe the image]({url})", "url": url})
