"""gunicorn settings shared by the systemd unit, the Procfile and the nginx test in CI."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 30
errorlog = "-"
accesslog = "-"
# Time, method, path WITHOUT the query string, status, size, duration. No client address
# (behind nginx it is always the proxy's; nginx's own log has the client), no query string
# (searches), no referrer, no user agent. The journal keeps it as long as journald is set to.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
