"""Gunicorn settings for the wall: gevent workers, so long polls never starve each other."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gevent"
worker_connections = 1000
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = None
errorlog = "-"
wsgi_app = "app:server"
