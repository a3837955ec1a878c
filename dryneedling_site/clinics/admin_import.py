"""Clinic CSV import from the admin: upload, a dry run that writes nothing, then confirm.

The uploaded file waits between the two steps in a private temporary folder (never
MEDIA_ROOT), under a random token kept in the session; confirm re-reads and re-plans it (the
database may have changed since the dry run), applies it, and deletes it. Files left behind
by an abandoned dry run are deleted after an hour.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .importer import (
    MAX_PROBLEMS_SHOWN,
    EditedDuringImport,
    ImportFailed,
    ImportPlan,
    Problem,
    apply_import,
    check_rows,
    plan_import,
    read_csv,
)
from .models import Clinic
from .validators import format_phone

# Within nginx's client_max_body_size (deploy/nginx.conf: 6m). Bigger files: import_clinics.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
KEEP_UPLOAD_SECONDS = 60 * 60
MAX_CLINICS_SHOWN = 500  # a table row each; a national file would make a page nobody can read
SESSION_KEY = "clinic_import"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
logger = logging.getLogger(__name__)


def upload_folder() -> Path:
    """The private folder uploads wait in (CLINIC_IMPORT_DIR, or one under the system temp)."""
    configured = getattr(settings, "CLINIC_IMPORT_DIR", "")
    folder = Path(configured) if configured else Path(tempfile.gettempdir()) / "clinic-imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def sweep_old_uploads(now: float | None = None) -> None:
    """Delete uploads older than an hour: a dry run nobody confirmed leaves nothing for long."""
    cutoff = (now or time.time()) - KEEP_UPLOAD_SECONDS
    folder = upload_folder()
    for path in [*folder.glob("*.csv"), *folder.glob(".partial-*.tmp")]:  # .tmp: a killed worker's
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:  # another worker swept it first
            pass


def _upload_path(token: str) -> Path | None:
    """The waiting file for a token, or None for a malformed, expired or used one."""
    if not _TOKEN.match(token or ""):
        return None
    path = upload_folder() / f"{token}.csv"
    try:
        fresh = time.time() - path.stat().st_mtime < KEEP_UPLOAD_SECONDS
    except FileNotFoundError:
        return None
    return path if fresh else None


class ClinicImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "A .csv file saved as “CSV UTF-8”, at most 5 MB, with the columns docs/find-a-pt.md lists."
        ),
    )
    overwrite_staff_edits = forms.BooleanField(
        label=gettext_lazy("Overwrite fields staff edited in the admin"),
        required=False,
        help_text=gettext_lazy(
            "Unticked, a field someone changed here in the admin (a phone, “accepting new "
            "patients”...) keeps the staff's value and the file's value is skipped. Tick only "
            "if the file is newer and more correct than those edits."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Choose a .csv file (save the spreadsheet as “CSV UTF-8”)."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the most is %(limit)s MB. Split it into smaller files.")
                % {"size": round(upload.size / 1024 / 1024, 1), "limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str
    kept: bool


def _shown(value: object, name: str = "") -> str:
    if name == "phone" and value:
        return format_phone(str(value))
    if value is None or value == "" or value == []:
        return _("(empty)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _label(name: str) -> str:
    return capfirst(Clinic._meta.get_field(name).verbose_name)


def dry_run_context(plan: ImportPlan, overwrite: bool) -> dict:
    """What the dry-run page shows: counts, new clinics, changes field by field, refused rows."""
    changed = []
    kept_clinics = 0
    for number, clinic in enumerate(plan.changed):
        if number >= MAX_CLINICS_SHOWN:
            kept_clinics += bool(clinic.kept) and not overwrite
            continue
        fields = [
            FieldChange(
                _label(name), _shown(old, name), _shown(new, name), kept=name in clinic.kept and not overwrite
            )
            for name, (old, new) in sorted(clinic.changes.items())
        ]
        kept_clinics += any(f.kept for f in fields)
        changed.append({"clinic": clinic, "fields": fields, "therapists": clinic.therapists_changed})
    return {
        "created": plan.created[:MAX_CLINICS_SHOWN],
        "created_count": len(plan.created),
        "changed": changed,
        "changed_count": len(plan.changed),
        "max_clinics": MAX_CLINICS_SHOWN,
        "unchanged_count": len(plan.unchanged),
        "refused": plan.refused[:MAX_PROBLEMS_SHOWN],
        "refused_count": len(plan.refused),
        "refused_rows": len({p.row for p in plan.refused}),
        "kept_clinics": kept_clinics,
        "overwrite": overwrite,
    }


def _plan(path: Path) -> ImportPlan:
    """Read, check and compare the file with what is stored; raises ImportFailed for a bad file."""
    planned, problems = check_rows(read_csv(path))
    return plan_import(planned, problems=problems)


def _file_errors(problems: list[Problem]) -> list[str]:
    shown = [str(p) for p in problems[:10]]
    if len(problems) > 10:
        shown.append(_("...and %(count)s more.") % {"count": len(problems) - 10})
    return shown


def _write_chunk(handle, chunk: bytes) -> None:
    """One place the upload's bytes hit the disk (tests make it fail as a full disk would)."""
    handle.write(chunk)


def _store_upload(upload, path: Path) -> None:
    """Write the upload to `path` all or nothing: a hidden temporary file in the same folder,
    renamed into place when complete; on any error (a full disk) it is removed, so no empty or
    truncated file waits for a confirm."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, before the rename)
        dir=path.parent, prefix=".partial-", suffix=".tmp", delete=False
    )
    temporary = Path(handle.name)
    try:
        with handle:
            os.chmod(temporary, 0o600)
            for chunk in upload.chunks():
                _write_chunk(handle, chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _disk_message(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return _(
            "The server's disk is full, so the file could not be checked. Nothing was imported; "
            "tell the site's administrator."
        )
    return _("The file could not be saved for checking. Nothing was imported; please try again in a minute.")


def import_view(model_admin, request: HttpRequest) -> HttpResponse:
    """Upload (GET/POST) and dry run: checks and compares, writes nothing to the clinics."""
    _check_permission(model_admin, request)
    form = ClinicImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        sweep_old_uploads()
        token = secrets.token_urlsafe(24)
        path = upload_folder() / f"{token}.csv"
        try:
            _store_upload(form.cleaned_data["file"], path)
        except OSError as error:
            logger.error("Clinic CSV upload could not be written: %s", error)
            form.add_error("file", _disk_message(error))
            context = {**_context(model_admin, request, _("Import clinics from a CSV file")), "form": form}
            full = error.errno in (errno.ENOSPC, errno.EDQUOT)
            status = HTTPStatus.INSUFFICIENT_STORAGE if full else HTTPStatus.SERVICE_UNAVAILABLE
            return TemplateResponse(
                request, "admin/clinics/clinic/import_upload.html", context, status=status
            )
        try:
            plan = _plan(path)
        except ImportFailed as failed:
            path.unlink(missing_ok=True)
            for message in _file_errors(failed.problems):
                form.add_error("file", message)
        else:
            overwrite = form.cleaned_data["overwrite_staff_edits"]
            if plan.refused:
                path.unlink(missing_ok=True)  # nothing to confirm: the file must be fixed first
                token = ""
            else:
                previous = (request.session.get(SESSION_KEY) or {}).get("token", "")
                if previous and (stale := _upload_path(previous)):
                    stale.unlink(missing_ok=True)  # only one dry run a session can be confirmed
                request.session[SESSION_KEY] = {
                    "token": token,
                    "overwrite": overwrite,
                    "name": form.cleaned_data["file"].name[:200],
                }
            title = _("Check the import of %(name)s") % {"name": form.cleaned_data["file"].name}
            context = {
                **_context(model_admin, request, title),
                **dry_run_context(plan, overwrite),
                "token": token,
            }
            return TemplateResponse(request, "admin/clinics/clinic/import_dry_run.html", context)
    context = {**_context(model_admin, request, _("Import clinics from a CSV file")), "form": form}
    return TemplateResponse(request, "admin/clinics/clinic/import_upload.html", context)


def confirm_view(model_admin, request: HttpRequest) -> HttpResponse:
    """Re-read the file the dry run showed, plan again, write it all or nothing, delete it."""
    _check_permission(model_admin, request)
    if request.method != "POST":
        return redirect("admin:clinics_clinic_import")
    waiting = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    path = _upload_path(token) if waiting.get("token") == token else None
    if path is None:
        expired = _(
            "That upload has expired or was already imported. Upload the file again to see a new dry run."
        )
        return _upload_again(model_admin, request, [expired])
    overwrite = bool(waiting.get("overwrite"))
    try:
        plan = _plan(path)
        if plan.refused:  # the database changed since the dry run (e.g. a slug was taken)
            raise ImportFailed(plan.refused)
        report = apply_import(plan, overwrite_staff_edits=overwrite)
    except ImportFailed as failed:
        _forget(request, path)
        return _upload_again(model_admin, request, _file_errors(failed.problems))
    except EditedDuringImport as edited:
        _forget(request, path)
        changed = _(
            "%(count)s clinic(s) were changed in the admin while this import was being checked, "
            "for example %(slug)s. Nothing was written, so those changes are kept. Upload the file "
            "again to see a new dry run."
        ) % {"count": len(edited.slugs), "slug": edited.slugs[0]}
        return _upload_again(model_admin, request, [changed])
    except DatabaseError:
        logger.exception("Clinic import from the admin failed")
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
            "Imported %(name)s: %(created)s clinics created, %(updated)s updated, "
            "%(unchanged)s unchanged; %(kept)s kept fields staff edited."
        )
        % {
            "name": waiting.get("name", ""),
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
            "kept": report.kept_staff_edits,
        },
    )
    return redirect("admin:clinics_clinic_changelist")


def _upload_again(model_admin, request: HttpRequest, errors: list[str]) -> HttpResponse:
    """The upload form with what went wrong at confirm (a 400: that request could not be used)."""
    context = {
        **_context(model_admin, request, _("Import clinics from a CSV file")),
        "form": ClinicImportForm(),
        "import_errors": errors,
    }
    return TemplateResponse(request, "admin/clinics/clinic/import_upload.html", context, status=400)


def _forget(request: HttpRequest, path: Path) -> None:
    path.unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)


def can_import(model_admin, request: HttpRequest) -> bool:
    """Importing creates and changes clinics: both permissions are needed."""
    return model_admin.has_add_permission(request) and model_admin.has_change_permission(request)


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
