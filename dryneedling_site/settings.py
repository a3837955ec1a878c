"""Settings for the dry needling patient guide.

One module, configured by environment variables (see docs/configuration.md and
.env.example). Defaults suit a developer's machine: SQLite, DEBUG off unless asked.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from dryneedling_site.core import inline_css
from dryneedling_site.core.siteurl import parse_site_url
from dryneedling_site.core.static_headers import add_static_headers

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 (refused below)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DJANGO_DEBUG", default=False)

# A public site signed with a key everyone can read would let anyone forge sessions.
# The test run (pytest imported) is the one place the development key may run with DEBUG off.
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY and "pytest" not in sys.modules:
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is off but DJANGO_SECRET_KEY is not set. Set DJANGO_SECRET_KEY to a long "
        "random value for production, or DJANGO_DEBUG=1 on a developer's machine."
    )

# Serving over HTTPS (the default in production): redirect, HSTS and secure cookies. Set
# DJANGO_HTTPS=0 only for a plain-HTTP loopback run such as the benchmarks.
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "markdownx",
    "simple_history",
    "axes",
    "dryneedling_site.core",
    "dryneedling_site.articles",
    "dryneedling_site.clinics",
    "dryneedling_site.feedback",
]

MIDDLEWARE = [
    # First: load balancers' probes get the health report, not a redirect or a Host check.
    "dryneedling_site.core.middleware.HealthCheckMiddleware",
    # A lost database connection answers 503 with Retry-After (core/views.py), never a 500.
    "dryneedling_site.core.middleware.DatabaseUnavailableMiddleware",
    # Outermost on the way out: a response setting a cookie is never Cache-Control: public.
    "dryneedling_site.core.middleware.PrivateWhenSettingCookiesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise (static files are precompressed), above everything that writes the body.
    "dryneedling_site.core.middleware.HtmlGZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "dryneedling_site.core.middleware.SecurityHeadersMiddleware",
    "dryneedling_site.core.middleware.FormCharsetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The URL alone decides the language (/es/... Spanish); no cookie or Accept-Language.
    "dryneedling_site.core.middleware.UrlLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-axes last, as its documentation asks: it turns a locked-out login into a refusal.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "dryneedling_site.urls"
LOGIN_URL = "admin:login"
# A less guessable admin address keeps automated password guessing down (e.g. "staff-7f3k/").
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip("/") + "/"
WSGI_APPLICATION = "dryneedling_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dryneedling_site.core.context_processors.site",
                "dryneedling_site.core.context_processors.languages",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL (e.g. postgres://...) switches engine.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait (busy
        # timeout) instead of failing with "database is locked" mid-transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database server answers 503 within seconds, before gunicorn's worker timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English at today's URLs, Spanish under /es/ (docs/languages.md). The interface's
# translations live in locale/<lang>/LC_MESSAGES/django.po, compiled to .mo by make.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# US-style numbers in Spanish too (dryneedling_site/formats/es/formats.py).
FORMAT_MODULE_PATH = ["dryneedling_site.formats"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# whitenoise answers static files before the other middleware: give them the same protections,
# and no "Access-Control-Allow-Origin: *" (nothing on another site needs our files).
WHITENOISE_ALLOW_ALL_ORIGINS = False
WHITENOISE_ADD_HEADERS_FUNCTION = add_static_headers
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The public address of the site: the only source of absolute URLs (canonical links, og:url,
# JSON-LD, robots.txt, sitemaps); never the request's Host header.
SITE_URL = parse_site_url(os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000"))

# Site identity used in titles, Open Graph and structured data.
SITE_NAME = os.environ.get("SITE_NAME", "Dry Needling Patient Guide")

# Articles: how long until a reviewed article is due for its next review.
# Who may publish a never-reviewed article: "care-card" (pages with a "When to get help" card need
# a clinician's sign-off first; the default), "all", or "off". Reviewers publish with their sign-off.
REQUIRE_REVIEW_TO_PUBLISH = os.environ.get("REQUIRE_REVIEW_TO_PUBLISH", "care-card")
# Urgent corrections: an edit to a reviewed article goes live at once (the page says it was updated
# after its last review). Off by default; the "publish urgent correction" permission allows it too.
ARTICLE_URGENT_CORRECTIONS = os.environ.get("ARTICLE_URGENT_CORRECTIONS", "0") == "1"
ARTICLE_REVIEW_INTERVAL_MONTHS = int(os.environ.get("ARTICLE_REVIEW_INTERVAL_MONTHS", "12"))

# django-markdownx: preview through the project's own render-and-sanitize function, and
# both of its endpoints served from the project's own staff-only views (articles/editor.py).
MARKDOWNX_MARKDOWNIFY_FUNCTION = "dryneedling_site.articles.markdown.render"
MARKDOWNX_URLS_PATH = "/editor/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/editor/upload/"
MARKDOWNX_SERVER_CALL_LATENCY = 500

# Article images: real JPEG, PNG or WebP only, re-encoded without metadata.
ARTICLE_IMAGE_MAX_BYTES = 5 * 1024 * 1024
ARTICLE_IMAGE_MAX_PIXELS = 40_000_000
ARTICLE_IMAGE_MAX_WIDTH = 1600

# Readability: staff are warned above this Flesch-Kincaid grade.
ARTICLE_MAX_READING_GRADE = 8.0
# Pages where a patient acts: lint_content requires their "When to get help" box with the
# "Call 911" level (docs/articles.md, "Content checks").
ARTICLE_SAFETY_PAGES = ["what-to-expect", "side-effects", "aftercare", "is-it-safe-for-me"]

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "guide@localhost")

# Content-Security-Policy (django-csp 4): nothing inline, nothing third-party, except the
# site's own stylesheet, inlined in every page and allowed by its hash (core/inline_css.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, *inline_css.csp_sources()],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Security headers. CSP above; these are Django's own settings plus SecurityHeadersMiddleware.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # stricter than strict-origin-when-cross-origin
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(self), "
    "gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), browsing-topics=()"
)
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# "preload" in the header only allows submitting the domain to browsers' preload list;
# nothing is submitted automatically. DJANGO_HSTS_PRELOAD=0 leaves it out.
SECURE_HSTS_PRELOAD = HTTPS and env_bool("DJANGO_HSTS_PRELOAD", default=True)
# Behind a TLS-terminating proxy, e.g. DJANGO_SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
if os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = tuple(os.environ["DJANGO_SECURE_PROXY_SSL_HEADER"].split(",", 1))
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"

# Client addresses: the addresses or networks of our own reverse proxies (e.g. "127.0.0.1" when
# nginx runs on the same machine). The client is the right-most X-Forwarded-For entry that is not
# one of them; empty (the default) ignores X-Forwarded-For. Used by every limit and by axes.
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES")
if os.environ.get("FEEDBACK_TRUSTED_PROXY_HEADER"):
    # Ignoring it silently would put every visitor behind the proxy under one shared limit.
    raise ImproperlyConfigured(
        "FEEDBACK_TRUSTED_PROXY_HEADER is no longer read: set DJANGO_TRUSTED_PROXIES to your proxy's "
        "address (e.g. 127.0.0.1) instead, and remove FEEDBACK_TRUSTED_PROXY_HEADER."
    )
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"DJANGO_TRUSTED_PROXIES: {_proxy!r} is not an address or network"
        ) from _error

# Staff login: django-axes locks a username + address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hour
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_CLIENT_IP_CALLABLE = "dryneedling_site.core.clientip.client_address"
AXES_USERNAME_CALLABLE = "dryneedling_site.core.login.attempted_username"

# Cache: local memory by default; REDIS_URL (redis://host:6379/0) shares it between app servers,
# which multi-worker deployments need so that an edit invalidates pages everywhere at once.
# "default" holds pages and content versions; "limits" holds rate-limit counters, apart, so a
# churn of pages can never evict them. Every call goes through core/cachesafe.py's breaker; the
# short timeouts (REDIS_TIMEOUT seconds, no retries) bound what a hung Redis costs.
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.25"))
if REDIS_URL:
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    _redis_options = {
        "socket_connect_timeout": REDIS_TIMEOUT,
        "socket_timeout": REDIS_TIMEOUT,
        "retry": Retry(NoBackoff(), 0),
        "health_check_interval": 30,
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": _redis_options,
        },
        "limits": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "limits",
            "OPTIONS": _redis_options,
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
        "limits": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "limits",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
    }
# Whole public pages for anonymous visitors (core/pagecache.py): how long the server keeps a
# copy (any content edit invalidates at once), and how long browsers and CDNs may reuse it.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
PAGE_CACHE_BROWSER_SECONDS = int(os.environ.get("PAGE_CACHE_BROWSER_SECONDS", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Feedback ("Is this content helpful?"), see docs/feedback.md. Rate limits are
# (answers, seconds) per visitor cookie and per network address, counted in the cache only.
FEEDBACK_COOKIE_NAME = os.environ.get("FEEDBACK_COOKIE_NAME", "feedback_visitor")
FEEDBACK_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
FEEDBACK_COOKIE_SECURE = env_bool("FEEDBACK_COOKIE_SECURE", default=HTTPS)
FEEDBACK_COMMENT_MAX_LENGTH = 1000
# 1,000 characters of 4-byte UTF-8, percent-encoded (12 bytes each), plus the other fields.
FEEDBACK_MAX_REQUEST_BYTES = 16 * 1024
FEEDBACK_RATE_LIMITS = {
    "visitor": (int(os.environ.get("FEEDBACK_RATE_LIMIT_VISITOR", "20")), 60 * 60),
    "address": (int(os.environ.get("FEEDBACK_RATE_LIMIT_ADDRESS", "60")), 60 * 60),
}
FEEDBACK_RETENTION_DAYS = int(os.environ.get("FEEDBACK_RETENTION_DAYS", "365"))

# Where an admin clinic CSV upload waits between its dry run and its confirmation. Empty: a
# private folder under the system temp folder, fine on one server; with several app servers
# behind one proxy, a folder they all share (the confirmation may reach another server).
CLINIC_IMPORT_DIR = os.environ.get("CLINIC_IMPORT_DIR", "")
# How old a clinic's own confirmation of dry needling may be before it reads "ask to be sure".
CLINIC_CONFIRMATION_STALE_DAYS = int(os.environ.get("CLINIC_CONFIRMATION_STALE_DAYS", "365"))

# Where `manage.py backup` (no folder given) writes each night's backup, one dated folder each;
# the staff desk warns when the newest one there is over a day old (docs/deployment.md, Recovery).
BACKUP_DIR = Path(os.environ.get("DJANGO_BACKUP_DIR", BASE_DIR / "backups"))
