from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    """The patient guide: Markdown articles, their loader, pages and admin."""

    name = "dryneedling_site.articles"
    label = "articles"

    def ready(self) -> None:
        from dryneedling_site.core.pagecache import invalidate_pages_on_change

        from .models import Article, Reference, SitePage

        invalidate_pages_on_change(Article, Reference, SitePage, scope="articles")

        from dryneedling_site.core.desk import register_desk_panel
        from dryneedling_site.core.launch import register_launch_check

        from .review import never_reviewed_step, review_desk_panel, reviewer_step

        register_desk_panel(review_desk_panel)
        register_launch_check(reviewer_step)
        register_launch_check(never_reviewed_step)

        # The edit screen's "Translations" panel, plugged in the way the feedback app does.
        from .admin import register_article_panel
        from .translations import translations_panel

        register_article_panel("Translations", translations_panel)

        from dryneedling_site.core.sitemaps import register_sitemap_sections

        from .sitemaps import sitemap_sections

        register_sitemap_sections(sitemap_sections)
