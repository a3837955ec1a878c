from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Reader feedback ("Is this content helpful?"): answers, comments, summary and admin."""

    name = "dryneedling_site.feedback"
    label = "feedback"
    verbose_name = "Reader feedback"
