"""Settings shared by every environment, read once from the environment.

With nothing set this is a development setup that needs only Python: SQLite, Celery tasks run
eagerly in the web process, e-mails printed to the console, DEBUG on and a development secret.
Production sets the variables listed in README.md and uses ``lms.settings.production``.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY", default="development-only-secret-never-used-in-production"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "lms",
    "courses",
    "supervision",
    "certificates",
    "cascade",
    "cms",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",  # «Сеансы»: where one is signed in, and signing out the others
    "django.contrib.admin",
    "django.contrib.humanize",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lms.middleware.UserLocaleMiddleware",
    "lms.sites.SiteMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "lms.middleware.StaffMfaRequiredMiddleware",
    "lms.middleware.ConsentRequiredMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lms.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url: str) -> dict:
    """A cache from its URL; Redis through lms.cache (Django's, empty while Redis is down)."""
    config = env.cache_url_config(url)
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        config["BACKEND"] = "lms.cache.RedisCache"
    return config


CACHES = {"default": cache_from_url(env.str("CACHE_URL", default="locmemcache://lms"))}

AUTH_USER_MODEL = "lms.User"
AUTHENTICATION_BACKENDS = ["lms.auth_backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

# Russian first; English where the reader chose it (profile or the language switch).
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Shown to readers whose own zone is unknown (anonymous visitors): the programme's reference zone.
DISPLAY_TIME_ZONE = "Europe/Moscow"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Private files (supervision case attachments) live outside MEDIA_ROOT and have no URL: they are
# served only by views that check who asks.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "lms.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# E-mail: every message leaves through a Celery task (lms.mail); the task hands it to the
# delivery backend below (console in development, SMTP in production).
EMAIL_BACKEND = "lms.mail.CeleryEmailBackend"
LMS_EMAIL_DELIVERY_BACKEND = env.str(
    "EMAIL_DELIVERY_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Программа обучения ООП <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: eager (inside the web process) until a broker is configured.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://"
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request queueing a task with the broker down gives up within about a second
# (lms.queueing then logs it and falls back), instead of hanging on kombu's retries.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# The release running (a deploy sets the commit): every kept piece of a page is keyed by it.
# Empty: a digest of the project's files (lms.versions.release).
LMS_RELEASE = env.str("RELEASE_ID", default="")
# Certificates still «pending», and documents whose text is still unread, this long after they
# were handed to Celery are handed over again.
LMS_REQUEUE_AFTER_SECONDS = env.int("REQUEUE_AFTER_SECONDS", default=5 * 60)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_DEFAULT_QUEUE", default="celery")
# An unacknowledged task (its worker died) is handed to another worker after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60),
    # How often a worker looks for such tasks (seconds × every Nth poll): kombu's defaults.
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_TIMEZONE = "UTC"
# Every periodic task of the platform, in one place.
CELERY_BEAT_SCHEDULE = {
    "seminar-reminders": {"task": "courses.tasks.session_reminders_send", "schedule": 15 * 60},
    "supervision-reminders": {
        "task": "supervision.tasks.booking_reminders_send",
        "schedule": 5 * 60,
    },
    "supervision-case-retention": {
        "task": "supervision.tasks.cases_delete_expired",
        "schedule": 60 * 60,
    },
    # Serves reach refresh requests whose task was lost (broker down at the commit); a no-op
    # when there are none.
    "cascade-reach-pending": {"task": "cascade.tasks.reach_refresh", "schedule": 5 * 60},
    "certificates-requeue": {"task": "certificates.tasks.certificates_requeue", "schedule": 60},
    "documents-text-sweep": {"task": "cms.tasks.documents_text_sweep", "schedule": 5 * 60},
}
# Case texts and files are deleted this many days after their supervision session.
LMS_CASE_RETENTION_DAYS = env.int("CASE_RETENTION_DAYS", default=30)

# Wagtail's own background work (search index updates, reference index) runs in-process.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# django-allauth: e-mail is the login; verification is mandatory; limits on the shared cache.
SITE_ID = 1
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_FORMS = {"signup": "lms.forms.SignupForm"}
ACCOUNT_ADAPTER = "lms.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Обучение ООП] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# Behind a reverse proxy: how many proxies append to X-Forwarded-For (for limits and logs).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# allauth's defaults, with failed logins per e-mail tightened to 5 in 15 minutes.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/15m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Обучение ООП"
# Development only (allauth refuses it without DEBUG): this code passes any TOTP check, so the
# demo's staff accounts can be tried without an authenticator app.
MFA_TOTP_INSECURE_BYPASS_CODE = env.str("MFA_DEMO_BYPASS_CODE", default="000000") if DEBUG else None
# Roles that may not use the platform without a second factor (see lms.middleware).
LMS_MFA_REQUIRED_ROLES = ["coordinator", "editor", "admin"]

# Wagtail
WAGTAIL_SITE_NAME = "Обучение специалистов органов опеки"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAIL_I18N_ENABLED = False
# No third-party avatar service: it would leak e-mail hashes and needs the outside network.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_CONTENT_LANGUAGES = [("ru", "Русский")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("ru", "Русский"), ("en", "English")]
# Wagtail's database search (SQLite's or PostgreSQL's full-text search). The library's
# Russian morphology is done in Python before text is indexed and before a query is asked
# (cms/search.py); "simple" keeps PostgreSQL from stemming again and dropping stop words, so it
# finds what SQLite finds. Other models (documents, images in the admin) are searched by whole
# words on both databases.
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        "SEARCH_CONFIG": "simple",
    }
}
# Documents live in private storage and are served only through Wagtail's view, which asks
# cms/wagtail_hooks.py who may have them; always as attachments, never rendered inline.
WAGTAILDOCS_DOCUMENT_MODEL = "cms.LibraryDocument"
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES: list = []
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.forms.DocumentForm"  # the type checked by content
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

# Content Security Policy (django-csp 4): same-origin only, no inline scripts on our pages.
# The two admin sites ship inline scripts of their own and are left to their defaults.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# Public certificate checks per client address: (requests, seconds).
LMS_VERIFY_RATE_LIMIT = (30, 60)

# How long a process remembers which Wagtail site serves a host (lms.sites); 0: ask every time.
LMS_SITE_CACHE_SECONDS = env.int("SITE_CACHE_SECONDS", default=60)

# How long /healthz waits for the broker before it reports it down.
LMS_HEALTHZ_BROKER_TIMEOUT = 2

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"lms.security": {"level": "INFO"}},
}
