"""Production settings, run locally for ``make bench``.

Everything that makes a page cost what it costs in production stays: DEBUG off, PostgreSQL with
persistent connections, the cached template loader, sessions in the database, every
middleware. Only what a local run over plain HTTP needs is changed: hosts, HTTPS redirects and
secure cookies, eager Celery tasks, e-mail discarded, static files without a manifest, and the
bench URLconf that adds the framework floor ``/bench/ok``.

Environment: ``BENCH_DATABASE_URL`` (default PostgreSQL ``lms_bench`` on 127.0.0.1, created by
bench/run.py) and ``BENCH_CACHE_URL`` (default Redis database 14).
"""

import os

BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lms_bench"
)
# production.py requires these; they must be set before it is imported.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-not-used-anywhere-else")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("DATABASE_URL", BENCH_DATABASE_URL)
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")

from lms.settings.production import *  # noqa: E402, F403
from lms.settings.production import cache_from_url, env  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
CELERY_TASK_ALWAYS_EAGER = True
# The demo writes e-mails; none leaves the machine.
LMS_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
ROOT_URLCONF = "bench.urls"

DATABASES = {"default": env.db_url_config(BENCH_DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = 600
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CACHES = {"default": cache_from_url(env.str("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14"))}
CACHES["default"]["KEY_PREFIX"] = "bench"

# No manifest to build: plain static storage; every other storage as in production.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The load generator is one address asking thousands of times: measure the verification page's
# cost, not its rate limit (which tests/certificates pins).
LMS_VERIFY_RATE_LIMIT = (10**9, 60)
