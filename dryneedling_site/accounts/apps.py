"""Staff accounts: the second factor, session timeouts and the login lockout's rules."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dryneedling_site.accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        from dryneedling_site.accounts import signals  # noqa: F401  (connects the login stamp)
