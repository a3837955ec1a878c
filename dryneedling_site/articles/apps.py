from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class ArticlesConfig(AppConfig):
    """The patient guide: Markdown articles, their loader, pages and admin."""

    name = "dryneedling_site.articles"
    label = "articles"

    def ready(self) -> None:
        from dryneedling_site.core.pagecache import bump_content_version

        from .models import Article, Reference

        # Any change to what the guide shows invalidates cached pages.
        for model in (Article, Reference):
            post_save.connect(bump_content_version, sender=model, dispatch_uid=f"pages-{model.__name__}-save")
            post_delete.connect(
                bump_content_version, sender=model, dispatch_uid=f"pages-{model.__name__}-del"
            )
        m2m_changed.connect(
            bump_content_version, sender=Article.related.through, dispatch_uid="pages-related"
        )
