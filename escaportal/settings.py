"""The one settings module, driven by the environment.

With no variable set the portal runs its embedded default: SQLite in ``var/``,
Celery tasks executed in process, mail printed to the console, DEBUG on. With
``DATABASE_URL``, ``CELERY_BROKER_URL`` and ``EMAIL_URL`` it runs the real
thing. Every variable is listed in ``.env.example`` and the README; a bad value
stops the start with a message naming it.
"""

from __future__ import annotations

import base64
import binascii
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from common.config import BROKER_SCHEMES, EnvReader

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = EnvReader()

DEBUG = env.bool("DEBUG", default=True)

# A fixed key is fine for the embedded default: it only ever signs sessions of
# a portal running on the developer's machine. Production must bring its own.
DEV_SECRET_KEY = "embedded-default-only-never-in-production-5f1c0e7a9b2d4c6e8f0a1b3c5d7e9f"
SECRET_KEY = env.str("SECRET_KEY") or ""
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    if (
        not SECRET_KEY
        or SECRET_KEY == DEV_SECRET_KEY
        or len(SECRET_KEY) < 50
        or SECRET_KEY.startswith("django-insecure")
    ):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the portal's host names when DEBUG is off.")

SITE_URL = (env.url("SITE_URL", "http://127.0.0.1:8000", schemes={"http", "https"}) or "").rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "common",
    "accounts",
    "clusters",
    "assessments",
    "billing",
    "labels",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Reads such as the person's memberships, kept for one request (common.request_cache).
    "common.request_cache.RequestCacheMiddleware",
    "common.middleware.ContentSecurityPolicyMiddleware",
    "common.middleware.RejectNullCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout signal into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "escaportal.urls"
WSGI_APPLICATION = "escaportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "common.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A request that fails leaves nothing half-written.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite holds a global write lock; a timeout lets a second writer wait
    # instead of failing at once, which matters for the in-process tasks.
    # IMMEDIATE takes that lock when a transaction starts: a deferred one that
    # read first and writes later cannot wait (SQLite refuses it at once with
    # "database is locked"), which two autosaves at the same moment would hit.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and login ---------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:start"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day, long enough for a mail to arrive

# How many reverse proxies stand in front of the portal, each appending the
# address it saw to X-Forwarded-For; common.client.client_address takes the
# PROXY_COUNT-th entry from the right. 0: clients connect directly and the
# header is ignored. Every limit, the login lockout and the logs use it.
PROXY_COUNT = env.int("PROXY_COUNT", default=0, minimum=0)

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15, minimum=1))
# Locking the pair (account, address) stops guessing without letting anyone
# lock a colleague out of their own account from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_VERBOSE = False
# The one rule for who the client is (django-ipware is not installed, so axes
# would otherwise key on REMOTE_ADDR: the proxy, the same for everyone).
AXES_CLIENT_IP_CALLABLE = "common.client.client_address"

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "en"
# Each language is named in itself, whatever the page's language: a reader
# looks for the name he can read ("English", "Srpski", "Српски"), and a name
# run through the Cyrillic transliteration would become nonsense ("Енглисх").
LANGUAGES = [
    ("en", "English"),
    ("sr-latn", "Srpski (latinica)"),
    ("sr", "Српски (ћирилица)"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["escaportal.formats"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Private files (certificates, evidence) live under MEDIA_ROOT and are never
# served by URL: only permission-checked views stream them.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT") or VAR_DIR / "media")
# Private files (common.files.private_storage): a folder by default; an
# S3-compatible bucket when PRIVATE_FILES_S3_BUCKET is set, so several web and
# worker machines share them (README, "Production at scale").
_s3_bucket = env.str("PRIVATE_FILES_S3_BUCKET") or ""
_s3_options = {
    "bucket_name": _s3_bucket,
    "endpoint_url": env.str("PRIVATE_FILES_S3_ENDPOINT_URL") or None,
    "region_name": env.str("PRIVATE_FILES_S3_REGION") or None,
    "access_key": env.str("PRIVATE_FILES_S3_ACCESS_KEY_ID") or None,
    "secret_key": env.str("PRIVATE_FILES_S3_SECRET_ACCESS_KEY") or None,
    "location": "private",
    "default_acl": "private",
    # Never replace a stored file: a name taken gets a suffix, as on disk.
    "file_overwrite": False,
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
    if _s3_bucket
    else {"BACKEND": "common.files.LocalPrivateStorage"},
    "staticfiles": {
        # The manifest needs collectstatic, which the image runs; the embedded
        # default serves the source tree directly.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Backups (``manage.py backup``, common.backup): where archives go and how many
# of the newest are kept; older ones are deleted by the run that writes a new one.
BACKUP_DIR = Path(env.str("BACKUP_DIR") or VAR_DIR / "backups")
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14, minimum=1)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
# A website typed without scheme is taken as https:// (the Django 6 default).
FORMS_URLFIELD_ASSUME_HTTPS = True
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail ---------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "ESCA label office <labels@escaportal.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email = env.email("EMAIL_URL")
if _email is None:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST", "")
    EMAIL_PORT = _email.get("EMAIL_PORT") or 25
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
    EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
    if _email.get("EMAIL_FILE_PATH"):
        EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
EMAIL_TIMEOUT = 20

# --- Cache ----------------------------------------------------------------------
# Rate limits (verification, API throttling) count in the cache: with several
# web processes it must be shared, so production points CACHE_URL at Redis.
CACHE_URL = env.url("CACHE_URL", None, schemes=BROKER_SCHEMES)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- Rate limits (per client address, see PROXY_COUNT) ----------------------------
# Verification pages and Open Badges credentials share one budget of unknown
# codes: a known code never spends it, so a QR scan never meets the limit, and
# people with a staff role are never limited. A script guessing codes is.
VERIFY_UNKNOWN_CODES_LIMIT = env.int("VERIFY_UNKNOWN_CODES_LIMIT", default=60, minimum=1)
VERIFY_WINDOW = timedelta(minutes=env.int("VERIFY_WINDOW_MINUTES", default=10, minimum=1))
# The public API's calls per minute from one anonymous client.
API_ANON_PER_MINUTE = env.int("API_ANON_PER_MINUTE", default=120, minimum=1)

# --- Celery ---------------------------------------------------------------
CELERY_BROKER_URL = env.url("CELERY_BROKER_URL", None, schemes=BROKER_SCHEMES)
# Without a broker the embedded default runs every task in process, so the
# portal works with nothing but Python installed.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
# Benchmarking report PDFs rendered by the worker whenever their figures move, so a
# download never waits. Off without a broker: in process, a committee's award would
# render every report inside its request; the download then renders on demand.
BENCHMARKING_PDFS_AHEAD = env.bool("BENCHMARKING_PDFS_AHEAD", default=not CELERY_TASK_ALWAYS_EAGER)
CELERY_RESULT_BACKEND = env.url("CELERY_RESULT_BACKEND", CELERY_BROKER_URL, schemes=BROKER_SCHEMES)
if CELERY_BROKER_URL is None:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = None
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A killed worker's task goes back to the queue: acknowledge after the work,
# take one task at a time, and reject (requeue) what a lost worker held.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process that has grown past this many kB (WeasyPrint's memory grows with every
# PDF drawn: a child that drew 500 certificates holds ~290 MB) is replaced once its task
# ends, so a bulk job of any size stays under the 400 MB a process may take.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=300_000, minimum=50_000)
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers unacknowledged tasks after this many seconds; it must exceed
# the longest task, or a slow task would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Runs at start what beat has never run (a new or lost schedule file) or missed.
CELERY_BEAT_SCHEDULER = "common.beat.CatchUpScheduler"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "overdue-clarifications": {
        "task": "assessments.notify_overdue_clarifications",
        "schedule": crontab(hour=7, minute=0),
    },
    # Re-certification reminders: each (label, reminder) once, whatever the beat does.
    "label-reminders": {"task": "labels.send_label_reminders", "schedule": crontab(hour=6, minute=30)},
    # Daily, though it goes out once a week (a row per week): a Monday with the
    # worker down is caught up on Tuesday.
    "label-reminder-digest": {"task": "labels.send_reminder_digest", "schedule": crontab(hour=7, minute=30)},
    # Deletes what has been kept long enough (PRIVACY_RETENTION_DAYS), a history row each.
    "privacy-retention": {"task": "privacy.retention", "schedule": crontab(hour=4, minute=0)},
    # Late steps of cases: each late party once per (step, deadline); idle drafts reminded, then archived.
    "case-deadlines": {"task": "assessments.remind_late_steps", "schedule": crontab(hour=7, minute=15)},
    # Overdue invoices: marked overdue, and each (invoice, reminder offset) reminded once.
    "invoice-reminders": {"task": "billing.send_payment_reminders", "schedule": crontab(hour=6, minute=45)},
    # The dashboards' and statistics' stored figures computed afresh for the new day
    # ("expires within 30 days" moves daily), and whatever no change announced.
    "figures-nightly": {"task": "labels.refresh_figures", "schedule": crontab(hour=0, minute=5)},
    # Benchmarking PDFs whose figures moved with no change announcing it (a label
    # expired, an organisation renamed, a new template); the others are left alone.
    "benchmarking-reports": {
        "task": "assessments.refresh_benchmarking_reports",
        "schedule": crontab(hour=3, minute=30),
    },
}

# --- Public API -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["common.throttling.ClientAnonRateThrottle"],
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "escaportal public label API",
    "DESCRIPTION": "Cluster management excellence labels: the public registry as JSON.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the sidecar package: the docs work offline, with no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Open Badges 3.0 ------------------------------------------------------------
# The Ed25519 keys that sign label credentials, each 32 random bytes in base64
# (python -c "import os, base64; print(base64.b64encode(os.urandom(32)).decode())").
# OPENBADGES_KEYS lists every key the issuer has had, "id:key:YYYY-MM-DD" (the
# day it starts signing), comma-separated: the newest started key signs, every
# listed key still verifies, so a rotation adds a key and never removes one.
# Unset: one key "key-1", OPENBADGES_SIGNING_KEY or, without it, derived from
# SECRET_KEY (the embedded default signs without setup).
OPENBADGES_SIGNING_KEY = env.str("OPENBADGES_SIGNING_KEY") or ""


def _openbadges_key_bytes(value: str, name: str) -> str:
    try:
        if len(base64.b64decode(value, validate=True)) != 32:
            raise ValueError
    except (ValueError, binascii.Error):
        raise ImproperlyConfigured(f"{name}: a key must be 32 bytes in base64.") from None
    return value


def _openbadges_key(entry: str) -> dict[str, str]:
    try:
        key_id, key, starts = entry.split(":")
        date.fromisoformat(starts)
    except ValueError:
        raise ImproperlyConfigured(f"OPENBADGES_KEYS: {entry[:20]}... is not id:key:YYYY-MM-DD.") from None
    return {"id": key_id, "key": _openbadges_key_bytes(key, "OPENBADGES_KEYS"), "valid_from": starts}


if OPENBADGES_SIGNING_KEY:
    _openbadges_key_bytes(OPENBADGES_SIGNING_KEY, "OPENBADGES_SIGNING_KEY")
OPENBADGES_KEYS = [_openbadges_key(entry) for entry in env.list("OPENBADGES_KEYS")]
if len({key["id"] for key in OPENBADGES_KEYS}) != len(OPENBADGES_KEYS):
    raise ImproperlyConfigured("OPENBADGES_KEYS: each key needs an id of its own.")

# --- The scheme's numbers ------------------------------------------------
# One place for every number of the label scheme (DOMAIN.md), read through
# common.scheme.rules_for(level). Silver's renewal is not public: it follows
# Bronze until the label office says otherwise.
_REMINDERS = {"reminder_days_before_expiry": [180, 90, 30, 0], "reminder_days_before_window_end": [30]}
LABEL_SCHEME: dict[str, dict[str, Any]] = {
    "bronze": {
        "months_valid": 24,
        "renewal_window_months": 12,
        "renewal_opens_months_before": 6,
        "renewal_extension_months": 36,
        "expiring_days": 90,
        "pass_mark_percent": None,
        "assessors": 1,
        **_REMINDERS,
    },
    "silver": {
        # Silver is a second benchmarking this many months after the first (from, to), counted
        # from the first benchmarking of the pair, so the second never closes the window.
        "requires_bronze_months": [18, 24],
        # The organisation chooses this many improvement areas from the first benchmarking's
        # recommendations; the auditor validates each on site against the Gold criteria.
        "improvement_areas": 3,
        # The baseline minimum requirements: codes of Silver questionnaire indicators the
        # auditor scores; failing any one means no Silver, and the result names it.
        "baseline_minimums": ["S4.1", "S4.2", "S4.3", "S4.4", "S4.5", "S4.6"],
        "months_valid": 24,
        "renewal_window_months": 12,
        "renewal_opens_months_before": 6,
        "renewal_extension_months": 36,
        "expiring_days": 90,
        "pass_mark_percent": None,
        "assessors": 1,
        **_REMINDERS,
    },
    "gold": {
        "months_valid": 24,
        "renewal_window_months": 12,
        "renewal_opens_months_before": 6,
        "renewal_extension_months": 24,
        "expiring_days": 90,
        "pass_mark_percent": 80,
        "assessors": 2,
        **_REMINDERS,
    },
}

# The public eligibility criteria (DOMAIN.md, since 15 Nov 2019), read through
# common.scheme.eligibility_rules().
LABEL_ELIGIBILITY = {"min_management_fte": "0.5", "min_members": 15, "min_member_types": 2}
# The benchmarking report's disclosure rule (README "Benchmarking privacy"), read
# through common.scheme.disclosure_rules(): no figure from fewer than
# min_peers organisations (never below 3), quartiles only from
# min_peers_quartiles, money (answers in one of money_units) rounded to
# money_step; no figure whose two largest contributions make more than
# dominance_percent of it.
BENCHMARKING_DISCLOSURE: dict[str, Any] = {
    "min_peers": 5,
    "min_peers_quartiles": 10,
    "money_units": ["EUR"],
    "money_step": 1000,
    "dominance_percent": 85,
}

# The board (the label committee) decides in meetings: no decision unless at least
# this many members are present (common.scheme.board_rules()).
LABEL_BOARD = {"quorum": env.int("BOARD_QUORUM", default=3, minimum=2)}

# Each step of a case has a deadline (common.scheme.case_deadlines): the expert
# declares within so many working days of the assignment, scores within so many
# days of declaring; the organisation answers a question within so many days
# (the default due date offered); the office checks quality, the committee
# decides, within so many days of the case reaching them. A draft untouched for
# draft_idle_remind_days is reminded, for draft_idle_archive_days archived.
CASE_DEADLINES = {
    "declare_working_days": 5,
    "score_days": 30,
    "answer_days": 14,
    "quality_check_days": 10,
    "decide_days": 31,
    "draft_idle_remind_days": 60,
    "draft_idle_archive_days": 120,
}
# Dashboards and statistics read figures the worker keeps ready (labels.figures):
# a change to labels, organisations or decisions refreshes them once, this many
# seconds later, however many changes come meanwhile.
FIGURES_REFRESH_DELAY = env.int("FIGURES_REFRESH_DELAY", default=60, minimum=0)
# An invitation link to join an organisation works this many days, once.
INVITATION_VALID_DAYS = 7
# A sign-up confirmation link works this many days.
SIGNUP_CONFIRMATION_DAYS = 3

# --- Personal data (privacy app; README "Personal data") -------------------
# How long each kind of personal data is kept before the daily retention task
# (privacy.retention, manage.py retention) deletes it. Evidence files are kept
# while the label they supported is current and until its renewal window has
# closed, then this many days more.
PRIVACY_RETENTION_DAYS = {
    "evidence_after_window": 365,
    # A draft nobody touched (answer, file or start) for this long is abandoned.
    "abandoned_draft": 365,
    "notification": 365,
    "login_attempt": 90,
}
# A person's data export is offered this many hours, for one download.
PRIVACY_EXPORT_HOURS = 72

# --- Fees, invoices and VAT (billing; README "Fees and invoices") -------------
# The seller on every invoice (UStG section 14): name, address, country, VAT
# number and bank. The public price list itself is data (billing.PriceEntry,
# seeded by a migration, kept by the office with the day each price starts).
BILLING_SELLER: dict[str, str | None] = {
    "name": env.str("SELLER_NAME", default="ESCA European Secretariat for Cluster Analysis GmbH"),
    "street": env.str("SELLER_STREET", default="Example Street 1"),
    "postcode": env.str("SELLER_POSTCODE", default="10115"),
    "city": env.str("SELLER_CITY", default="Berlin"),
    "country": env.str("SELLER_COUNTRY", default="DE"),
    "vat_number": env.str("SELLER_VAT_NUMBER", default="DE136695976"),
    # The commercial register entry (EN 16931 BT-30): how software identifies the seller on
    # invoices that may carry no VAT number (not subject to VAT, BR-O-02 with BR-CO-26).
    "registration": env.str("SELLER_REGISTRATION", default="HRB 123456 B, Amtsgericht Charlottenburg"),
    "email": env.str("SELLER_EMAIL", default="office@example.org"),
    "bank": env.str("SELLER_BANK", default="Example Bank Berlin"),
    "iban": env.str("SELLER_IBAN", default="DE89370400440532013000"),
    "bic": env.str("SELLER_BIC", default="COBADEFFXXX"),
}
# The seller's country's VAT rates, each with the day it starts (the newest started one applies).
BILLING_VAT_RATES: list[dict[str, str]] = [{"rate": "19.00", "valid_from": "2007-01-01"}]
# The VAT rules, in the order they are tried: the first whose "when" matches the
# buyer decides the rate ("domestic" takes the rate above, else "0"), the
# EN 16931 VAT category code and the wording the invoice must carry.
BILLING_VAT_RULES: list[dict[str, Any]] = [
    {"rule": "domestic", "when": "seller_country", "rate": "domestic", "category": "S", "note": ""},
    {
        "rule": "non_business",
        "when": "non_business",
        "rate": "domestic",
        "category": "S",
        "note": "Supplied to a non-business buyer: German VAT charged.",
    },
    {
        "rule": "reverse_charge",
        "when": "eu_business_with_vat_number",
        "rate": "0",
        "category": "AE",
        "note": "Reverse charge / Steuerschuldnerschaft des Leistungsempfängers",
    },
    {
        "rule": "outside_eu",
        "when": "outside_eu",
        "rate": "0",
        "category": "O",
        "note": "Not taxable in Germany (place of supply outside the EU).",
    },
]
BILLING_EU_COUNTRIES = [
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
]
BILLING: dict[str, Any] = {
    "currency": "EUR",
    # Days between an invoice's date and its due date.
    "payment_days": env.int("BILLING_PAYMENT_DAYS", default=30, minimum=1),
    # When the invoice is issued: "office" (by hand, from the case page) or "submission" (by the system).
    "invoice_at": env.str("BILLING_INVOICE_AT", default="office"),
    # Payment reminders, so many days after the due date, each once per invoice.
    "reminder_days_after_due": [7, 21, 42],
    # The office may refuse to assign assessors before the case's invoice is paid.
    "payment_before_assignment": env.bool("BILLING_PAYMENT_BEFORE_ASSIGNMENT", default=False),
    # Experts' fee per case, by level and role (EUR, paid on completed cases).
    "expert_fees": {
        "bronze": {"benchmarker": "500.00"},
        "silver": {"auditor": "900.00"},
        "gold": {"assessor": "1800.00"},
    },
}
if BILLING["invoice_at"] not in ("office", "submission"):
    raise ImproperlyConfigured("BILLING_INVOICE_AT must be office or submission.")

# --- Security -------------------------------------------------------------
# Uploads: form fields at most 2.5 MB; a file above 2.5 MB goes to a temporary
# file, and the first handler stops keeping one past the 10 MB upload limit
# (common.files.MAX_UPLOAD_BYTES), so a 60 MB upload never lands whole.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "common.upload_handlers.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Sign-up, password reset and invitation mails each have a budget per
# recipient address and per client address (common.mail_limits), so nobody can
# fill a stranger's mailbox from the label office's address.
MAIL_LIMIT_PER_ADDRESS = env.int("MAIL_LIMIT_PER_ADDRESS", default=3, minimum=1)
MAIL_LIMIT_PER_CLIENT = env.int("MAIL_LIMIT_PER_CLIENT", default=20, minimum=1)
MAIL_LIMIT_WINDOW_MINUTES = env.int("MAIL_LIMIT_WINDOW_MINUTES", default=60, minimum=1)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Read in every mode, so the list of variables does not depend on DEBUG.
_ssl_redirect = env.bool("SECURE_SSL_REDIRECT", default=True)
_hsts_seconds = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365, minimum=0)
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _ssl_redirect
    # The container's health probe talks plain HTTP from inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = _hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging --------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": sys.stderr, "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env.choice("LOG_LEVEL", "INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]),
    },
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

ENV_VARIABLES_READ = frozenset(env.names_read)
