from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    """The patient guide: Markdown articles, their loader, pages and admin."""

    name = "dryneedling_site.articles"
    label = "articles"
