"""Two-step staff sign-in: password (django-axes counts failures), then the second factor.

The session is signed in only after both steps, so a password alone never opens the admin for
an account that has (or must have) a second factor. An account that must have one and has none
enrols on the way in: scan a QR code, confirm one code, note the backup codes.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dryneedling_site.accounts.forms import CodeForm
from dryneedling_site.accounts.policy import has_second_factor, must_use_second_factor
from dryneedling_site.accounts.qr import grouped_key, qr_svg

PENDING = "accounts_pending_sign_in"
PENDING_SECONDS = 300  # the password step is good for five minutes
CODE_TRIES = 5  # wrong codes per password step; django-otp also slows each device down
BACKUP_CODES = 10
APP_DEVICE = "Authenticator app"
BACKUP_DEVICE = "Backup codes"


def _next_url(request: HttpRequest) -> str:
    """`next` when it stays on this site, else the admin (LOGIN_REDIRECT_URL)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), **extra}


def _pending_user(request: HttpRequest) -> Any | None:
    """The account whose password was right a moment ago in this browser, if any."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user: Any = (
        get_user_model().objects.filter(pk=pending.get("user") or 0, is_active=True, is_staff=True).first()
    )
    if user is not None:
        user.backend = pending.get("backend")
    return user


def _finish(request: HttpRequest, user: Any, device: Device | None) -> None:
    request.session.pop(PENDING, None)
    auth_login(request, user, backend=user.backend)
    if device is not None:
        otp_login(request, device)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """Step 1: username and password, through django-axes like the admin's own login."""
    if request.user.is_authenticated and request.user.is_staff:
        return HttpResponseRedirect(_next_url(request))
    form = AdminAuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user: Any = form.get_user()
        next_url = _next_url(request)
        if has_second_factor(user) or must_use_second_factor(user):
            request.session[PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "at": int(time.time()),
                "next": next_url,
                "tries": 0,
            }
            step = "staff-login-code" if has_second_factor(user) else "staff-login-enrol"
            return HttpResponseRedirect(reverse(step))
        _finish(request, user, None)
        return HttpResponseRedirect(next_url)
    context = _context(
        request,
        form=form,
        title=_("Log in"),
        site_header=admin.site.site_header,
        next=request.GET.get("next", ""),
        app_path=request.get_full_path(),
    )
    return render(request, "admin/login.html", context)


@csrf_protect
@never_cache
def code_step(request: HttpRequest) -> HttpResponse:
    """Step 2: a code from the authenticator app, or one backup code (used up once accepted)."""
    user = _pending_user(request)
    if user is None:
        return HttpResponseRedirect(reverse("admin:login"))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        pending = request.session[PENDING]
        device = _verify(user, form.cleaned_data["code"])
        if device is not None:
            next_url = pending.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL)
            _finish(request, user, device)
            return HttpResponseRedirect(next_url)
        pending["tries"] = int(pending.get("tries", 0)) + 1
        request.session.modified = True
        if pending["tries"] >= CODE_TRIES:
            request.session.pop(PENDING, None)
            return HttpResponseRedirect(reverse("admin:login"))
        form.add_error("code", _("That code is not right, or it has expired. Try the code showing now."))
    return render(
        request,
        "accounts/code.html",
        _context(request, form=form, title=_("Enter your sign-in code")),
        status=400 if form.errors else 200,
    )


def _verify(user: Any, code: str) -> Device | None:
    """The device that accepts the code, with django-otp's throttling."""
    with transaction.atomic():
        for device in devices_for_user(user, for_verify=True):
            if device.verify_token(code):
                return device
    return None


@csrf_protect
@never_cache
def enrol_step(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: scan (or type) the key, then confirm one code."""
    user = _pending_user(request)
    if user is None:
        return HttpResponseRedirect(reverse("admin:login"))
    if has_second_factor(user):
        return HttpResponseRedirect(reverse("staff-login-code"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = _confirm(user, device)
            next_url = request.session[PENDING].get("next") or resolve_url(settings.LOGIN_REDIRECT_URL)
            _finish(request, user, device)
            return render(
                request,
                "accounts/backup_codes.html",
                _context(request, codes=codes, next_url=next_url, title=_("Your backup codes")),
            )
        form.add_error(
            "code", _("That code is not right. Check the phone's clock and try the code showing now.")
        )
    key = grouped_key(_b32(device))
    return render(
        request,
        "accounts/enrol.html",
        _context(
            request,
            form=form,
            qr=qr_svg(device.config_url, _("QR code with your sign-in key")),
            key=key,
            title=_("Set up your authenticator app"),
        ),
        status=400 if form.errors else 200,
    )


def _b32(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode("ascii").rstrip("=")


@transaction.atomic
def _confirm(user: Any, device: TOTPDevice) -> list[str]:
    """Confirm the app and replace the backup codes; the new codes, shown once."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return new_backup_codes(user)


def new_backup_codes(user: Any) -> list[str]:
    """Ten single-use codes for the day the phone is not at hand; older ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    backup = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
    return codes
