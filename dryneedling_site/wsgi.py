"""WSGI entry point (gunicorn dryneedling_site.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dryneedling_site.settings")
application = get_wsgi_application()

# Each worker imports this module as it starts: get ready before the first visitor.
from dryneedling_site.core.warmup import warm_up  # noqa: E402

warm_up()
