"""gunicorn settings shared by the systemd unit, the Procfile and the nginx test in CI.

Sizes for small servers (workers per GB of memory): docs/deployment.md, "Small servers".
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 30
# Graceful restarts: `systemctl reload dryneedling` (HUP) starts new workers on the new code and
# lets the old ones finish their requests within this many seconds (deploy/upgrade uses it).
graceful_timeout = 30
# A worker is replaced after this many requests, which gives back whatever it has grown by
# (bench/worker_rss.py: about 60 MB after public pages, 77 MB after staff edits and sign-offs,
# once the reading grade keeps only its 8 MB syllable table); the jitter keeps workers from all
# restarting at once. 0 turns recycling off.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
# Not preloaded: with preload_app a HUP would keep serving the OLD code after an upgrade, and
# the app opens no database or cache connection at import (core/warmup.py), so each worker
# loading it costs start-up time only.
preload_app = False
errorlog = "-"
accesslog = "-"
# Time, method, path WITHOUT the query string, status, size, duration. No client address
# (behind nginx it is always the proxy's; nginx's own log has the client), no query string
# (searches), no referrer, no user agent. The journal keeps it as long as journald is set to.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
