"""Included under articles/<slug>/feedback/ by the project's urls."""

from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("", views.feedback_submit, name="submit"),
    path("thanks/", views.feedback_thanks, name="thanks"),
]
