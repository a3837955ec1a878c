from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """ "Is this content helpful?": visitors' answers and comments, their summary and admin."""

    name = "dryneedling_site.feedback"
    label = "feedback"
