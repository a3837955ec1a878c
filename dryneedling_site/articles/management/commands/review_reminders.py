"""python manage.py review_reminders"""

from django.core.management.base import BaseCommand

from dryneedling_site.articles.review import send_review_reminders


class Command(BaseCommand):
    help = (
        "Email clinical reviewers the published articles overdue, due within 30 days, changed "
        "since review or not yet reviewed (with links to each edit screen), and print them."
    )

    def handle(self, *args, **options) -> None:
        text, recipients = send_review_reminders()
        if text is None:
            done = "All published articles are reviewed and current. No email sent."
            self.stdout.write(self.style.SUCCESS(done))
            return
        self.stdout.write(text)
        if recipients:
            self.stdout.write(self.style.SUCCESS(f"Sent to {recipients} reviewer(s)."))
        else:
            self.stdout.write(self.style.WARNING("No clinical reviewer has an email address; nothing sent."))
