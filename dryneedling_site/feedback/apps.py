from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Reader feedback ("Is this content helpful?"): answers, comments, summary and admin."""

    name = "dryneedling_site.feedback"
    label = "feedback"
    verbose_name = "Reader feedback"

    def ready(self) -> None:
        # Feedback plugs its panels into the article form and the desk; the articles app
        # and the admin home never import this app.

        from dryneedling_site.articles.admin import register_article_panel
        from dryneedling_site.core.desk import register_desk_panel

        from .admin import article_feedback_panel, feedback_desk_panel

        register_article_panel("Reader feedback", article_feedback_panel)  # the admin is in English
        register_desk_panel(feedback_desk_panel)
