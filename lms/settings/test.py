"""The test suite: SQLite and eager tasks by default, PostgreSQL and Redis when they are given.

With DATABASE_URL and CELERY_BROKER_URL set (as .ci/run does), the same suite runs against the
real services and the tests marked ``postgres`` and ``broker`` exercise them.
"""

import tempfile

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
MFA_TOTP_INSECURE_BYPASS_CODE = None
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, so that `pytest --reuse-db` keeps Wagtail's migrated schema between local runs.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tasks run in the test process unless a test starts a real worker on purpose.
CELERY_TASK_ALWAYS_EAGER = True
LMS_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests build and flush sites as they go; tests/lms/test_sites.py turns the memory on.
LMS_SITE_CACHE_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {
        "BACKEND": "lms.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": tempfile.mkdtemp(prefix="lms-private-")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
SITE_URL = "http://testserver"
