"""Settings of the Django example: the least a Django project needs to serve the webhook views.

Secrets come from the environment (HYGRAPH_WEBHOOK_SECRET, HASURA_ACTION_SECRET,
HASURA_EVENT_SECRET; see views.py); REDIS_URL, when set, puts the replay guard on Redis.
"""

from __future__ import annotations

import os
import secrets

# Django signs sessions and CSRF cookies with it; this example uses neither, so a key made at
# start-up will do. A real project reads its own from the environment.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_hex(32)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", *filter(None, os.environ.get("ALLOWED_HOSTS", "").split(","))]
ROOT_URLCONF = "urls"
INSTALLED_APPS: list[str] = []
# CSRF stays on, as in every Django project: the hookseal decorators exempt their own views
# (a webhook's sender has no CSRF token; the signature or shared secret is the proof).
MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
USE_TZ = True
WSGI_APPLICATION = "wsgi.application"
