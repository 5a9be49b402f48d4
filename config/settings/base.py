"""Settings shared by every environment. Each value that differs between machines comes from the environment."""

from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

# --- Apps -----------------------------------------------------------------
# Our apps are layers (ARCHITECTURE.md): each imports only from those listed after it.
LOCAL_APPS = [
    "cms",
    "ratings",
    "contracts",
    "bids",
    "catalogue",
    "marketplace",
]
THIRD_PARTY_APPS = [
    "wagtail.contrib.settings",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
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
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
INSTALLED_APPS = LOCAL_APPS + THIRD_PARTY_APPS + DJANGO_APPS

MIDDLEWARE = [
    "marketplace.arrival.ArrivalTimeMiddleware",  # first: a request's arrival time, for the bid deadline
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "marketplace.headers.ContentSecurityPolicyMiddleware",  # on every page, the 503s too (policy below)
    "marketplace.outage.DatabaseOutageMiddleware",  # outside sessions: a 503 (or a stale public page), never a 500
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "marketplace.headers.PrivateNoStoreMiddleware",  # Cache-Control: private, no-store on everything private
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "marketplace.middleware.DomainErrorMiddleware",
    "marketplace.middleware.RequireTwoFactorMiddleware",
    "marketplace.busy.DatabaseBusyMiddleware",  # SQLite still locked after its turn: 503 that keeps the form's input
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "marketplace.context_processors.platform",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and beat read while one of them writes;
    # IMMEDIATE takes the write lock at BEGIN so concurrent writers queue instead of failing; GatedConnection
    # makes that queue first-come, first-served within a process (config/sqlite.py, docs/decisions/0014-sqlite-writers.md).
    from config.sqlite import GatedConnection, shorten_switch_interval

    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env.float("SQLITE_BUSY_TIMEOUT", default=20),
        }
    )
    if env.bool("SQLITE_WRITE_QUEUE", default=True):
        DATABASES["default"]["OPTIONS"]["factory"] = GatedConnection
    shorten_switch_interval(env.float("SQLITE_SWITCH_INTERVAL", default=0.0005))
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The "busy, try again" page (marketplace/busy.py) asks to retry after this many seconds.
DATABASE_BUSY_RETRY_AFTER = env.int("DATABASE_BUSY_RETRY_AFTER", default=2)

AUTH_USER_MODEL = "marketplace.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "marketplace:dashboard"

# --- Accounts (django-allauth) ---------------------------------------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="社区服务采购平台")
# One way in (docs/decisions/0008-one-way-in.md): allauth's sign-in is the only one; failed sign-ins count per account
# (key) and per client IP. Behind a reverse proxy, the client IP comes from the proxy's header, trusted only when
# configured: the number of proxies that append to X-Forwarded-For, or a header the proxy sets (e.g. X-Real-IP).
ACCOUNT_ADAPTER = "marketplace.accounts.AccountAdapter"
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", default=None)
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False

# --- Internationalisation --------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
CURRENCY = "CNY"

# --- Static and uploaded files --------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Private files (certificates, bid documents, evidence) live apart from public media and are
    # served only through permission-checked views.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("DJANGO_PRIVATE_ROOT", default=str(VAR_DIR / "private"))},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
UPLOAD_MAX_BYTES = 20 * 1024 * 1024

# --- Wagtail -----------------------------------------------------------------
WAGTAIL_SITE_NAME = "社区服务采购平台"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "csv"]
WAGTAIL_I18N_ENABLED = False

# --- Celery ------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem"):
    # CELERY_FILESYSTEM_ROOT moves the queue elsewhere (a benchmark's or a test's own server), default var/celery.
    _celery_root = Path(env("CELERY_FILESYSTEM_ROOT", default=str(VAR_DIR / "celery")))
    _queue_dir = _celery_root / "queue"
    _control_dir = _celery_root / "control"
    for _dir in (_queue_dir, _control_dir):
        _dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker outage never ends the worker: it reconnects for as long as it takes, and tasks running when the
# connection drops are cancelled and redelivered (the outbox claim makes a second copy harmless).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# django-celery-beat's DatabaseScheduler that also stamps beat's heartbeat (marketplace/heartbeat.py).
CELERY_BEAT_SCHEDULER = "marketplace.heartbeat:BeatScheduler"
CELERY_BEAT_SCHEDULE = {
    "tenders-close-due": {"task": "bids.tasks.tenders_close_due", "schedule": 60.0},
    "tenders-end-standstill": {"task": "bids.tasks.tenders_end_standstill", "schedule": 60.0},
    "tenders-remind-drafts": {"task": "bids.tasks.tenders_remind_drafts", "schedule": 15 * 60.0},
    "review-windows-close-due": {"task": "ratings.tasks.review_windows_close_due", "schedule": 300.0},
    "review-reminders-due": {"task": "ratings.tasks.review_reminders_due", "schedule": 3600.0},
    "reputation-recompute-all": {"task": "ratings.tasks.reputation_recompute_all",
                                 "schedule": crontab(hour=2, minute=30)},  # nightly, Asia/Shanghai
    "organisations-reinstate-due": {"task": "marketplace.tasks.organisations_reinstate_due", "schedule": 3600.0},
    "milestones-remind-overdue": {"task": "contracts.tasks.milestones_remind_overdue", "schedule": 24 * 3600.0},
    # A lost or deferred Stripe webhook delays a payment by at most this long; it never loses it.
    "payments-reconcile": {"task": "contracts.tasks.payments_reconcile", "schedule": 180.0},
    # The transactional outbox (docs/decisions/0013-transactional-outbox.md) and the worker's heartbeat. Copies that
    # wait in a broker longer than their period expire, so a stopped worker does not come back to a pile.
    "outbox-relay": {"task": "marketplace.tasks.outbox_relay", "schedule": 5.0, "options": {"expires": 5}},
    "outbox-prune": {"task": "marketplace.tasks.outbox_prune", "schedule": crontab(hour=3, minute=10)},
    "worker-heartbeat": {"task": "marketplace.tasks.worker_heartbeat", "schedule": 30.0, "options": {"expires": 30}},
}
# The outbox relay: send again after a failure with backoff up to this (s); a sent task no worker has finished is
# sent again after OUTBOX_REDELIVER_AFTER (s), doubling each time; a task with an eta leaves the table this long
# before it (s).
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=30)
OUTBOX_REDELIVER_AFTER = env.int("OUTBOX_REDELIVER_AFTER", default=60)
OUTBOX_ETA_LOOKAHEAD = env.int("OUTBOX_ETA_LOOKAHEAD", default=60)
# /healthz fails when the worker's or beat's last heartbeat is older than this (s); beat stamps every
# HEALTH_BEAT_INTERVAL s, the worker runs its heartbeat task every 30 s.
HEALTH_WORKER_STALE_AFTER = env.int("HEALTH_WORKER_STALE_AFTER", default=180)
HEALTH_BEAT_STALE_AFTER = env.int("HEALTH_BEAT_STALE_AFTER", default=60)
HEALTH_BEAT_INTERVAL = env.int("HEALTH_BEAT_INTERVAL", default=10)
# While the database is unreachable: anonymous visitors get the last good copy of a public page kept this long
# (s), everyone else a 503 asking to retry after OUTAGE_RETRY_AFTER s (marketplace/outage.py).
OUTAGE_STALE_PAGE_SECONDS = env.int("OUTAGE_STALE_PAGE_SECONDS", default=24 * 3600)
OUTAGE_RETRY_AFTER = env.int("OUTAGE_RETRY_AFTER", default=30)

# --- Email -----------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="社区服务采购平台 <noreply@example.cn>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[社区服务采购] "

# --- Domain defaults ---------------------------------------------------------
TENDER_MIN_SUBMISSION_WORKING_DAYS = env.int("TENDER_MIN_SUBMISSION_WORKING_DAYS", default=5)
TENDER_MIN_CLARIFICATION_WORKING_DAYS = env.int("TENDER_MIN_CLARIFICATION_WORKING_DAYS", default=2)
TENDER_STANDSTILL_WORKING_DAYS = env.int("TENDER_STANDSTILL_WORKING_DAYS", default=5)
# A bid that reached the server before the deadline is accepted even if a worker or the tender lock kept it
# waiting; the close waits this long after the deadline for such bids (docs/decisions/0010-bid-commitment-and-arrival-time.md).
TENDER_CLOSE_GRACE_SECONDS = env.int("TENDER_CLOSE_GRACE_SECONDS", default=30)
CONTRACT_DEFAULT_MILESTONE_SPLIT = [30, 40, 30]
# The office decides on a milestone's evidence within this many working days, or the acceptance is overdue.
CONTRACT_ACCEPTANCE_WORKING_DAYS = env.int("CONTRACT_ACCEPTANCE_WORKING_DAYS", default=10)
CONTRACT_EVIDENCE_MAX_FILES = 10
REVIEW_WINDOW_DAYS = env.int("REVIEW_WINDOW_DAYS", default=14)
# Bayesian prior weight: how many "average" reviews each score starts from.
RATING_PRIOR_WEIGHT = env.int("RATING_PRIOR_WEIGHT", default=5)
# Reminder to a side that has not reviewed, this many days before its window closes (sent once).
REVIEW_REMINDER_DAYS = env.int("REVIEW_REMINDER_DAYS", default=3)
# Operators are asked to look at an organisation whose Bayesian score is below this with at least N reviews.
RATING_FLAG_THRESHOLD = Decimal(env("RATING_FLAG_THRESHOLD", default="2.5"))
RATING_FLAG_MIN_REVIEWS = env.int("RATING_FLAG_MIN_REVIEWS", default=3)
# A payment is late when made more than this many working days after the milestone's acceptance.
PAYMENT_LATE_WORKING_DAYS = env.int("PAYMENT_LATE_WORKING_DAYS", default=10)

# --- Stripe (optional: without keys payments are recorded as paid outside the platform) ---
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")

# --- Security that holds everywhere -----------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp 4; marketplace/headers.py, docs/decisions/0012-safe-output-and-headers.md): nothing
# from other origins, no inline script or style, no plugins, no framing. A form may post only here, and to
# Stripe's Connect onboarding, where the payout set-up form is redirected (browsers apply form-action to that).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # data: for the two-factor QR code
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", "https://connect.stripe.com"],
        "frame-ancestors": ["'none'"],
    },
}
# The Wagtail admin only: its templates carry inline scripts (InlinePanel, date pickers, ...) and styles without
# a nonce, and its page preview is a same-origin frame. These directives replace the site's under these prefixes;
# django-celery-beat's admin forms (its crontab widget) carry an inline script too.
CSP_WAGTAIL_ADMIN_PREFIX = ("/admin/", "/django-admin/django_celery_beat/")
CSP_WAGTAIL_ADMIN_DIRECTIVES = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "frame-ancestors": ["'self'"],
}
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no avatar requests to a third party (and none the policy would block)
# `manage.py demo_data` (accounts with a published password, a superuser among them) runs only where a settings
# module says so: local.py and test.py. Production never does, whatever the environment says.
DEMO_DATA_ALLOWED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "jieba": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "kombu.connection": {"level": "ERROR"},
    },
}

SITE_NAME = _("Community Services Procurement Platform")
