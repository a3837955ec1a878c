"""WSGI app for benchmarks: the real site, plus the ceiling view from bench/urls_bench.py."""

import os

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dryneedling_site.settings")
django.setup()
settings.ROOT_URLCONF = "bench.urls_bench"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

# As the real WSGI module does (dryneedling_site/wsgi.py): workers warm up before serving.
from dryneedling_site.core.warmup import warm_up  # noqa: E402

warm_up()
