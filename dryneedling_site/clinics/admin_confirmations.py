"""Dry needling confirmations (an association's member list) from the admin: upload, a dry run
that writes nothing, then confirm, as the clinic CSV import does (admin_import).

The file waits between the two steps in the same private folder as clinic uploads, under a
random token kept in the session; confirm reads and plans it again against the clinics as
they are then (confirmations.apply_confirmations), writes it, and deletes it. A file that
cannot be read is a 400 listing each problem with its row; nothing is stored.
"""

from __future__ import annotations

import errno
import logging
import secrets
from http import HTTPStatus
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import admin_import
from .confirmations import ConfirmationPlan, apply_confirmations, plan_confirmations, read_confirmations
from .importer import MAX_PROBLEMS_SHOWN, ImportFailed

SESSION_KEY = "confirmation_import"
UPLOAD_TEMPLATE = "admin/clinics/clinic/confirmations_upload.html"
DRY_RUN_TEMPLATE = "admin/clinics/clinic/confirmations_dry_run.html"
logger = logging.getLogger(__name__)


class ConfirmationImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "A .csv file saved as “CSV UTF-8”, at most 5 MB, with the columns npi, "
            "offers_dry_needling (yes or no) and confirmed_on (YYYY-MM-DD); other columns are ignored."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Choose a .csv file (save the spreadsheet as “CSV UTF-8”)."))
        limit = admin_import.MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the most is %(limit)s MB. Split it into smaller files.")
                % {"size": round(upload.size / 1024 / 1024, 1), "limit": limit // (1024 * 1024)}
            )
        return upload


def can_import(model_admin, request: HttpRequest) -> bool:
    """Confirmations change clinics, never create them: the change permission is enough."""
    return bool(model_admin.has_change_permission(request))


def _check_permission(model_admin, request: HttpRequest) -> None:
    if not can_import(model_admin, request):
        raise PermissionDenied


def _context(model_admin, request: HttpRequest, title: str) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.opts,
        "max_problems": MAX_PROBLEMS_SHOWN,
    }


def _upload_page(
    model_admin, request: HttpRequest, form: ConfirmationImportForm, status: int = 200, errors=()
) -> HttpResponse:
    context = {
        **_context(model_admin, request, _("Import dry needling confirmations")),
        "form": form,
        "import_errors": list(errors),
    }
    return TemplateResponse(request, UPLOAD_TEMPLATE, context, status=status)


def dry_run_context(plan: ConfirmationPlan) -> dict:
    """What the dry-run page shows: counts, then each clinic that would change or is kept."""
    shown = [change for change in plan.changes if change.action != "unchanged"]
    return {
        "confirm_count": plan.count("confirm"),
        "decline_count": plan.count("decline"),
        "unchanged_count": plan.count("unchanged"),
        "kept_count": plan.count("kept"),
        "changes": shown[: admin_import.MAX_CLINICS_SHOWN],
        "changes_count": len(shown),
        "max_clinics": admin_import.MAX_CLINICS_SHOWN,
        "not_listed": plan.not_listed[:MAX_PROBLEMS_SHOWN],
        "not_listed_count": len(plan.not_listed),
        "writes": bool(plan.count("confirm") or plan.count("decline")),
    }


def import_view(model_admin, request: HttpRequest) -> HttpResponse:
    """Upload (GET/POST) and dry run: reads and compares, writes nothing to the clinics."""
    _check_permission(model_admin, request)
    form = ConfirmationImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _upload_page(model_admin, request, form)
    if not form.is_valid():
        return _upload_page(model_admin, request, form, status=400)
    admin_import.sweep_old_uploads()
    token = secrets.token_urlsafe(24)
    path = admin_import.upload_folder() / f"{token}.csv"
    try:
        admin_import._store_upload(form.cleaned_data["file"], path)
    except OSError as error:
        logger.error("Confirmations upload could not be written: %s", error)
        full = error.errno in (errno.ENOSPC, errno.EDQUOT)
        status = HTTPStatus.INSUFFICIENT_STORAGE if full else HTTPStatus.SERVICE_UNAVAILABLE
        form.add_error("file", admin_import._disk_message(error))
        return _upload_page(model_admin, request, form, status=status)
    try:
        plan = plan_confirmations(read_confirmations(path))
    except ImportFailed as failed:
        path.unlink(missing_ok=True)
        return _upload_page(
            model_admin, request, form, status=400, errors=admin_import._file_errors(failed.problems)
        )
    previous = (request.session.get(SESSION_KEY) or {}).get("token", "")
    if previous and (stale := admin_import._upload_path(previous)):
        stale.unlink(missing_ok=True)  # only the latest dry run of a session can be confirmed
    name = form.cleaned_data["file"].name[:200]
    context = {
        **_context(model_admin, request, _("Check the confirmations in %(name)s") % {"name": name}),
        **dry_run_context(plan),
        "token": token,
    }
    if context["writes"]:
        request.session[SESSION_KEY] = {"token": token, "name": name}
    else:
        path.unlink(missing_ok=True)  # nothing would change: nothing to confirm
        context["token"] = ""
    return TemplateResponse(request, DRY_RUN_TEMPLATE, context)


def confirm_view(model_admin, request: HttpRequest) -> HttpResponse:
    """Read the file the dry run showed again, apply it (re-planned under lock), delete it."""
    _check_permission(model_admin, request)
    if request.method != "POST":
        return redirect("admin:clinics_clinic_import_confirmations")
    waiting = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    path = admin_import._upload_path(token) if waiting.get("token") == token else None
    if path is None:
        expired = _(
            "That upload has expired or was already imported. Upload the file again to see a new dry run."
        )
        return _upload_page(model_admin, request, ConfirmationImportForm(), status=400, errors=[expired])
    try:
        plan = apply_confirmations(read_confirmations(path))
    except ImportFailed as failed:
        _forget(request, path)
        errors = admin_import._file_errors(failed.problems)
        return _upload_page(model_admin, request, ConfirmationImportForm(), status=400, errors=errors)
    except DatabaseError:
        logger.exception("Confirmations import from the admin failed")
        _forget(request, path)
        messages.error(
            request,
            _("The database could not save the import; nothing was written. Upload the file again soon."),
        )
        return redirect("admin:clinics_clinic_changelist")
    _forget(request, path)
    messages.success(
        request,
        _(
            "Imported %(name)s: %(confirmed)s clinics confirmed as offering dry needling, "
            "%(declined)s as not offering it, %(unchanged)s unchanged, %(kept)s kept; "
            "%(missing)s NPIs not in the directory."
        )
        % {
            "name": waiting.get("name", ""),
            "confirmed": plan.count("confirm"),
            "declined": plan.count("decline"),
            "unchanged": plan.count("unchanged"),
            "kept": plan.count("kept"),
            "missing": len(plan.not_listed),
        },
    )
    return redirect("admin:clinics_clinic_changelist")


def _forget(request: HttpRequest, path: Path) -> None:
    path.unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)
