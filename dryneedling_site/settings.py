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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "dryneedling_site.core",
    "dryneedling_site.accounts",
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
    # request.user.is_verified(): signed in with the second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Idle and absolute staff session timeouts, and the second factor for the admin.
    "dryneedling_site.accounts.middleware.StaffSessionMiddleware",
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
# Where a sign-in lands when `next` is missing or points off the site (not the 404 at /accounts/profile/).
LOGIN_REDIRECT_URL = "admin:index"
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
    # 12 characters at least (OWASP ASVS 5.0 6.2.1); the common-password list refuses the rest.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
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
# Memory budget (docs/security.md, "Uploads"): the header is checked before decoding, and an
# upload's peak stays under ~100 MB on top of the worker (bench/upload_memory.py). A PNG
# decodes whole (12 million pixels); WebP's decoder keeps two copies (6 million); a JPEG
# decodes already reduced, so a 6300 x 6300 phone photo fits. Sides and aspect are capped too.
ARTICLE_IMAGE_MAX_PIXELS = 12_000_000
ARTICLE_IMAGE_MAX_PIXELS_WEBP = 6_000_000
ARTICLE_IMAGE_MAX_SIDE = 12_000
ARTICLE_IMAGE_MAX_ASPECT = 20
ARTICLE_IMAGE_MAX_WIDTH = 1600
# Uploads per editor in ARTICLE_IMAGE_RATE_WINDOW seconds.
ARTICLE_IMAGE_RATE_LIMIT = 30
ARTICLE_IMAGE_RATE_WINDOW = 600
# Uploaded images no article, page or revision mentions are deleted after this many hours.
ARTICLE_IMAGE_PURGE_HOURS = 24
# Request bodies over 1 MB (uploads) are streamed to a temporary file, not held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# Readability: staff are warned above this Flesch-Kincaid grade.
ARTICLE_MAX_READING_GRADE = 8.0
# Pages where a patient acts: lint_content requires their "When to get help" box with the
# "Call 911" level (docs/articles.md, "Content checks").
ARTICLE_SAFETY_PAGES = ["what-to-expect", "side-effects", "aftercare", "is-it-safe-for-me"]
# Safety pages that must show the body map of the risk zone (issue 19; lint_content checks it).
ARTICLE_BODY_MAP_PAGES = ["side-effects", "is-it-safe-for-me", "aftercare"]

# Mail (review reminders): all from the environment. The console default prints mail to
# standard output, which nobody reads on a server: `check --deploy` warns about it (core/checks.py).
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "guide@localhost")
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=True)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", default=False)
if EMAIL_USE_SSL:
    EMAIL_USE_TLS = False  # port 465 (implicit TLS); Django refuses both at once
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "20"))

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
# Staff sessions end after STAFF_SESSION_IDLE_MINUTES without a request (OWASP ASVS 5.0 7.3.1)
# and STAFF_SESSION_HOURS after sign-in whatever happens (7.3.2): accounts/middleware.py.
STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "30"))
STAFF_SESSION_HOURS = int(os.environ.get("STAFF_SESSION_HOURS", "12"))
# A second factor (TOTP app or backup codes, django-otp) for superusers and clinical reviewers
# always, and for every staff account with STAFF_REQUIRE_MFA=1 (docs/staff.md "Signing in").
STAFF_REQUIRE_MFA = env_bool("STAFF_REQUIRE_MFA", default=False)
OTP_TOTP_ISSUER = os.environ.get("STAFF_MFA_ISSUER", "Dry needling guide staff")
# The cookie itself never outlives the absolute lifetime (Django's default is 14 days).
SESSION_COOKIE_AGE = STAFF_SESSION_HOURS * 3600

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

# Staff login: django-axes locks a username + client network pair (an IPv4 address, or the /64 an
# IPv6 address is in: one customer) after AXES_FAILURE_LIMIT failures, and a username on its own
# after AXES_USERNAME_FAILURE_LIMIT failures from anywhere (guessing spread over many networks).
# docs/security.md "Staff accounts".
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_USERNAME_FAILURE_LIMIT = int(os.environ.get("AXES_USERNAME_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = 1  # hour
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_HANDLER = "dryneedling_site.accounts.lockout.StaffLoginHandler"
AXES_CLIENT_IP_CALLABLE = "dryneedling_site.core.clientip.client_network"
AXES_USERNAME_CALLABLE = "dryneedling_site.core.login.attempted_username"

# Cache: local memory by default; REDIS_URL (redis://host:6379/0) shares it between app servers,
# which multi-worker deployments need so that an edit invalidates pages everywhere at once.
# "default" holds pages and content versions; "limits" holds rate-limit counters in another
# Redis database (REDIS_LIMITS_URL; by default the same server, the next database number), so
# a churn of pages can never evict them: the pages' database may run `allkeys-lru`, the limits'
# `noeviction` (docs/deployment.md). Every call goes through core/cachesafe.py's breaker; the
# short timeouts (REDIS_TIMEOUT seconds, no retries) bound what a hung Redis costs.
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.25"))


def _next_redis_database(url: str) -> str:
    """The same Redis server, the database after the one `url` names (0 when none)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    number = parts.path.strip("/")
    database = int(number) + 1 if number.isdigit() else 1
    return urlunsplit(parts._replace(path=f"/{database}"))


REDIS_LIMITS_URL = os.environ.get("REDIS_LIMITS_URL", "") or (
    _next_redis_database(REDIS_URL) if REDIS_URL else ""
)
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
            "LOCATION": REDIS_LIMITS_URL,
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
# New pages one view may store per PAGE_CACHE_SECONDS: bounds the keys distinct searches add.
PAGE_CACHE_MAX_PER_VIEW = int(os.environ.get("PAGE_CACHE_MAX_PER_VIEW", "1000"))

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
FEEDBACK_RETENTION_DAYS = int(os.environ.get("FEEDBACK_RETENTION_DAYS", "90"))

# Where an admin clinic CSV upload waits between its dry run and its confirmation. Empty: a
# private folder under the system temp folder, fine on one server; with several app servers
# behind one proxy, a folder they all share (the confirmation may reach another server).
CLINIC_IMPORT_DIR = os.environ.get("CLINIC_IMPORT_DIR", "")
# How old a clinic's own confirmation of dry needling may be before it reads "ask to be sure".
CLINIC_CONFIRMATION_STALE_DAYS = int(os.environ.get("CLINIC_CONFIRMATION_STALE_DAYS", "365"))

# Where `manage.py backup` (no folder given) writes each night's backup, one dated folder each;
# the staff desk warns when the newest one there is over a day old (docs/deployment.md, Recovery).
BACKUP_DIR = Path(os.environ.get("DJANGO_BACKUP_DIR", BASE_DIR / "backups"))
