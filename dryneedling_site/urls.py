"""URLs of the whole site."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from dryneedling_site.accounts import views as account_views
from dryneedling_site.articles import editor
from dryneedling_site.articles import views as article_views
from dryneedling_site.core import launch, sitemaps
from dryneedling_site.core import views as core_views

urlpatterns = [
    # markdownx's editor calls the paths its settings name; the project's own views answer them.
    path(settings.MARKDOWNX_URLS_PATH.lstrip("/"), editor.markdown_preview, name="editor-preview"),
    path(settings.MARKDOWNX_UPLOAD_URLS_PATH.lstrip("/"), editor.image_upload, name="editor-upload"),
    # Staff sign-in in two steps (password, then the second factor), ahead of the admin's own login.
    path(settings.ADMIN_URL + "login/", account_views.sign_in, name="staff-login"),
    path(settings.ADMIN_URL + "login/code/", account_views.code_step, name="staff-login-code"),
    path(settings.ADMIN_URL + "login/enrol/", account_views.enrol_step, name="staff-login-enrol"),
    # The launch checklist the staff desk links to (administrators only).
    path(
        settings.ADMIN_URL + "launch/",
        admin.site.admin_view(launch.launch_readiness),
        name="launch-readiness",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>-<int:page>.xml", sitemaps.sitemap_section, name="sitemap-section"),
    path("robots.txt", core_views.robots_txt, name="robots"),
    path("healthz", core_views.healthz, name="healthz"),
]

# Public pages: English at today's addresses, Spanish under /es/ (docs/languages.md).
urlpatterns += i18n_patterns(
    path("", article_views.home, name="home"),
    path("articles/<slug:slug>/feedback/", include("dryneedling_site.feedback.urls")),
    path("articles/", include("dryneedling_site.articles.urls")),
    path("find-a-pt/", include("dryneedling_site.clinics.urls")),
    path("about/", article_views.site_page, {"slug": "about"}, name="about"),
    path("privacy/", article_views.site_page, {"slug": "privacy"}, name="privacy"),
    path("accessibility/", article_views.site_page, {"slug": "accessibility"}, name="accessibility"),
    prefix_default_language=False,
)

# A database outage raised anywhere is a 503 with Retry-After, not a 500.
handler500 = "dryneedling_site.core.views.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
