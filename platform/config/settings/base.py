"""Settings shared by every environment. Values come from the environment only (config.env)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

from config.env import (
    EnvError,
    celery_broker_url,
    env_bool,
    env_database,
    env_int,
    env_list,
    env_redis,
    env_str,
)

PLATFORM_ROOT = Path(__file__).resolve().parents[2]  # the platform/ import root
REPO_ROOT = PLATFORM_ROOT.parent
VAR_DIR = Path(env_str("SARABAN_VAR_DIR", str(REPO_ROOT / "var")))

# Used only by local and test settings; production refuses to start with it.
INSECURE_DEV_SECRET_KEY = "django-insecure-saraban-dev-key-never-use-in-production"  # noqa: S105

SECRET_KEY = env_str("SECRET_KEY", INSECURE_DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)

# The apex serves the public site and the vendor console; tenants live on <slug>.<PLATFORM_DOMAIN>.
PLATFORM_DOMAIN = env_str("PLATFORM_DOMAIN", "localhost").lower().strip(".")
# Port shown in links we build outside a request (invitation e-mails, the start-up banner).
PLATFORM_PUBLIC_PORT = env_int("PLATFORM_PUBLIC_PORT", 0, minimum=0)
PLATFORM_SCHEME = env_str("PLATFORM_SCHEME", "https")

# Tenant hosts are checked by the tenant middleware against the Domain table; Django's own check
# still rejects a malformed Host header with 400 before any lookup.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["*"])

# --- applications -------------------------------------------------------------------------
# Control plane (public schema): the tenant registry, vendor staff, the vendor console.
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "tenants.backups",
    "mailhosting",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.postgres",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI / Redoc assets served locally, never from a CDN
    "accounts",
    "portal",
    "thaiformat",
    "billing",
]
# Tenant plane: exists once per municipality, so it stays lean (see docs/architecture.md).
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "registers",
    "signing",
    "letters",  # official letters drafted from templates, issued as PDFs (docs/letters.md)
    "publicsite",  # the municipality's public site: contact page, published announcements
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Municipality"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
# Issue `SET search_path` once per schema switch, not before every cursor (half of the mail
# ingest's round trips, B5). django-tenants forgets the cached path on rollback, savepoint
# rollback, close and every set_tenant/set_schema, so a reverted SET is never trusted.
TENANT_LIMIT_SET_CALLS = True
# The pre-migrated schema that new tenants are copied from (tenants.schema_template).
TENANT_TEMPLATE_SCHEMA = "tenant_template"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tenants.middleware.TenantRoutingMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenants.middleware.TenantLifecycleMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.middleware.TwoFactorPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.SentryTenantTagMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PLATFORM_ROOT / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "config.context_processors.platform",
                "billing.context_processors.billing",
            ],
        },
    }
]

WSGI_APPLICATION = "config.wsgi.application"

# --- data -----------------------------------------------------------------------------------
DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        "postgresql://postgres@127.0.0.1:5432/saraban",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600, minimum=0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_redis("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Every key starts with the active schema: one tenant can never read another's entries.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": "saraban",
    },
    # Control-plane entries that every process shares whatever schema is active (routing).
    "platform": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "saraban-platform",
    },
}

# Sessions live in each schema's own table, cached in Redis under schema-prefixed keys, with
# host-only cookies: a session replayed on another tenant's host finds nothing.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 10, minimum=300)

# --- accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:staff-home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # invitations stay valid for three days
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
OTP_TOTP_ISSUER = "Saraban Cloud"
# Tenant staff's second factor when the municipality has not chosen a policy:
# optional | admins | everyone. Production asks everyone; the demo and tests leave it optional.
ACCOUNTS_TWO_FACTOR_DEFAULT = env_str("ACCOUNTS_TWO_FACTOR_DEFAULT", "everyone")
# Wrong second-factor codes allowed after a correct password before the password is asked again.
ACCOUNTS_TWO_FACTOR_MAX_ATTEMPTS = 5

# --- language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย"), ("en", "English")]
LOCALE_PATHS = [PLATFORM_ROOT / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

# --- static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PLATFORM_ROOT / "static"]
# Letters' files: S3 (django-storages) when a bucket is configured, else the local var/ folder.
# Every key starts with tenants/<schema>/ (registers.models.letters.attachment_key).
MEDIA_ROOT = VAR_DIR / "media"
STORAGE_S3_BUCKET = env_str("STORAGE_S3_BUCKET", "")
_default_storage: dict[str, object] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if STORAGE_S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            "region_name": env_str("STORAGE_S3_REGION", "ap-southeast-7"),
            "endpoint_url": env_str("STORAGE_S3_ENDPOINT_URL", "") or None,
            "default_acl": None,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- registers and API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "registers.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Saraban Cloud API",
    "DESCRIPTION": (
        "ระบบสารบรรณอิเล็กทรอนิกส์ของหน่วยงาน: หนังสือ ทะเบียน การส่งต่อ และการค้นหา "
        "ใช้โทเคน API ของหน่วยงาน (Authorization: Bearer sbn_...) บนโดเมนของหน่วยงานเท่านั้น "
        "ข้อผิดพลาดมีรูปแบบ {code, detail_th, detail_en}\n\n"
        "The municipality's e-Saraban: letters, registers, routing and search. Authenticate "
        "with one of the municipality's API tokens (Authorization: Bearer sbn_...), on its own "
        "host only. Errors are {code, detail_th, detail_en}; dates are ISO 8601, register "
        "years (period) are Buddhist Era."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "TAGS": [
        {"name": "letters", "description": "หนังสือ / letters"},
        {"name": "intake", "description": "หนังสือรับ: รอลงรับ ลงรับ ไม่รับ / incoming letters"},
        {"name": "outgoing", "description": "หนังสือส่ง: ร่าง ออกเลข / outgoing letters"},
        {"name": "registers", "description": "ทะเบียน ยกเลิกเลข จองเลข / registers, numbers"},
        {"name": "routing", "description": "เกษียน ส่งต่อ รับทราบ / endorse, forward, act"},
        {"name": "tasks", "description": "งานของฉัน เรื่องค้าง / my tasks, overdue"},
        {"name": "attachments", "description": "ไฟล์แนบ / files"},
        {"name": "account", "description": "ผู้ใช้ / the current user"},
    ],
    "ENUM_NAME_OVERRIDES": {
        "LetterStatusEnum": "registers.choices.LetterStatus",
        "EntryStatusEnum": "registers.choices.EntryStatus",
        "AssignmentStatusEnum": "registers.choices.AssignmentStatus",
        "RegisterEnum": "registers.choices.RegisterKind",
        "LetterKindEnum": "registers.choices.LetterKind",
        "EndorsementKindEnum": "registers.choices.EndorsementKind",
        "OutgoingRegisterEnum": "registers.api.serializers.OUTGOING_REGISTER_CHOICES",
    },
}

# The most lines one register PDF may hold: typst keeps ~0.9 GB for 5,000 lines and takes ~4 s,
# so a range of several years would hold a web worker for minutes and could exhaust its memory.
# Longer ranges are printed a part at a time; XLSX has no limit.
REPORTS_PDF_MAX_ROWS = env_int("REPORTS_PDF_MAX_ROWS", 10_000, minimum=100)

# --- e-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"Saraban Cloud <no-reply@{PLATFORM_DOMAIN}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- mail hosting (docs/mail.md) --------------------------------------------------------------
# Municipalities get <slug>.<MAIL_PLATFORM_ZONE> until their own domain's DNS checks pass.
MAIL_PLATFORM_ZONE = env_str("MAIL_PLATFORM_ZONE", f"mail.{PLATFORM_DOMAIN}").lower().strip(".")
MAIL_MX_HOST = env_str("MAIL_MX_HOST", f"mx.{PLATFORM_DOMAIN}").lower().strip(".")
MAIL_SPF_INCLUDE = env_str("MAIL_SPF_INCLUDE", f"_spf.{PLATFORM_DOMAIN}").lower().strip(".")
MAIL_MTA_STS_HOST = env_str("MAIL_MTA_STS_HOST", f"mta-sts.{PLATFORM_DOMAIN}").lower().strip(".")
MAIL_MTA_STS_MODE = env_str("MAIL_MTA_STS_MODE", "enforce")
if MAIL_MTA_STS_MODE not in {"enforce", "testing", "none"}:  # RFC 8461 3.2
    raise EnvError("MAIL_MTA_STS_MODE must be enforce, testing or none")
MAIL_DMARC_POLICY = env_str("MAIL_DMARC_POLICY", "quarantine")
MAIL_DMARC_REPORTS = env_str("MAIL_DMARC_REPORTS", f"dmarc-reports@{PLATFORM_DOMAIN}")
MAIL_TLS_REPORTS = env_str("MAIL_TLS_REPORTS", f"tls-reports@{PLATFORM_DOMAIN}")
# Fernet key that encrypts DKIM private keys at rest (default: derived from SECRET_KEY).
MAIL_KEY_ENCRYPTION_KEY = env_str("MAIL_KEY_ENCRYPTION_KEY", "")
# "ip[:port],..." to ask instead of each domain's authoritative servers (split horizon, tests).
MAIL_DNS_NAMESERVERS = [
    item.strip() for item in env_str("MAIL_DNS_NAMESERVERS", "").split(",") if item.strip()
]
# Check the platform's own subdomains too (off where the platform zone is not published).
MAIL_CHECK_PLATFORM_DOMAINS = env_bool("MAIL_CHECK_PLATFORM_DOMAINS", True)
# The ingest service (LMTP behind Postfix; SMTP in the embedded demo).
MAIL_INGEST_HOST = env_str("MAIL_INGEST_HOST", "127.0.0.1")
MAIL_INGEST_PORT = env_int("MAIL_INGEST_PORT", 2525, minimum=1)
# Ingest processes sharing that port (SO_REUSEPORT): one event loop and CPU each.
MAIL_INGEST_PROCESSES = env_int("MAIL_INGEST_PROCESSES", 1, minimum=1)
# Largest message accepted, in bytes (Gmail's 25 MB attachments are about 34 MB encoded).
MAIL_MAX_MESSAGE_BYTES = env_int("MAIL_MAX_MESSAGE_BYTES", 64 * 1024 * 1024, minimum=1024)
# More Received headers than this means a mail loop: the message is kept but not registered.
MAIL_MAX_RECEIVED_HEADERS = env_int("MAIL_MAX_RECEIVED_HEADERS", 30, minimum=5)
# The postfix container (manage.py postfix_run): where it listens, where the ingest is.
MAIL_POSTFIX_LISTEN = env_str("MAIL_POSTFIX_LISTEN", "25")
MAIL_POSTFIX_LMTP_HOST = env_str("MAIL_POSTFIX_LMTP_HOST", MAIL_INGEST_HOST)
MAIL_POSTFIX_MYNETWORKS = env_str("MAIL_POSTFIX_MYNETWORKS", "127.0.0.0/8")
MAIL_POSTFIX_QUEUE_DIRECTORY = env_str("MAIL_POSTFIX_QUEUE_DIRECTORY", "/var/spool/postfix")
MAIL_POSTFIX_DATA_DIRECTORY = env_str("MAIL_POSTFIX_DATA_DIRECTORY", "/var/lib/postfix")
# Submission for staff mailboxes (STARTTLS + SASL through Dovecot); empty: none.
MAIL_POSTFIX_SUBMISSION_LISTEN = env_str("MAIL_POSTFIX_SUBMISSION_LISTEN", "587")
# TLS certificate and key (PEM) for Postfix (25 opportunistic, 587 required) and Dovecot IMAP.
MAIL_TLS_CERT_FILE = env_str("MAIL_TLS_CERT_FILE", "")
MAIL_TLS_KEY_FILE = env_str("MAIL_TLS_KEY_FILE", "")
# Dovecot (manage.py dovecot_run): staff IMAP, LMTP for Postfix, SASL for submission.
MAIL_DOVECOT_HOST = env_str("MAIL_DOVECOT_HOST", "127.0.0.1")  # as Postfix reaches it
MAIL_DOVECOT_IMAP_PORT = env_int("MAIL_DOVECOT_IMAP_PORT", 143, minimum=1)
MAIL_DOVECOT_LMTP_PORT = env_int("MAIL_DOVECOT_LMTP_PORT", 24, minimum=1)
MAIL_DOVECOT_AUTH_PORT = env_int("MAIL_DOVECOT_AUTH_PORT", 12345, minimum=1)
MAIL_DOVECOT_MAIL_ROOT = env_str("MAIL_DOVECOT_MAIL_ROOT", "/var/mail/saraban")
# OpenDKIM (manage.py opendkim_run) signs outgoing mail as Postfix's milter.
MAIL_OPENDKIM_MILTER = env_str("MAIL_OPENDKIM_MILTER", "")  # Postfix side: inet:opendkim:8891
MAIL_OPENDKIM_SOCKET = env_str("MAIL_OPENDKIM_SOCKET", "inet:8891@0.0.0.0")
# Decrypted keys: a 0700 folder whose parents no other user can write (OpenDKIM checks).
MAIL_OPENDKIM_KEY_DIRECTORY = env_str("MAIL_OPENDKIM_KEY_DIRECTORY", "/var/lib/saraban-dkim")
MAIL_OPENDKIM_REFRESH_SECONDS = env_int("MAIL_OPENDKIM_REFRESH_SECONDS", 60, minimum=5)
# MTA-STS policy served at https://mta-sts.<mail domain>/.well-known/mta-sts.txt.
MAIL_MTA_STS_MAX_AGE = env_int("MAIL_MTA_STS_MAX_AGE", 604800, minimum=86400)
# Receipt notices still pending after this long are sent by the periodic sweep.
MAIL_ACK_SWEEP_DELAY = timedelta(minutes=2)
# Outgoing letters go to this relay (Postfix) with VERP return paths and DSN requested; empty
# (the embedded demo): only municipalities hosted on this platform can be sent to.
MAIL_OUTBOUND_HOST = env_str("MAIL_OUTBOUND_HOST", "")
MAIL_OUTBOUND_PORT = env_int("MAIL_OUTBOUND_PORT", 25, minimum=1)
MAIL_OUTBOUND_TIMEOUT = 120
# Sender domains counted as government for the "register authenticated government mail" policy.
MAIL_GOVERNMENT_SUFFIXES = [
    item.strip().lower().strip(".")
    for item in env_str("MAIL_GOVERNMENT_SUFFIXES", "go.th,mi.th").split(",")
    if item.strip()
]

# --- background work ------------------------------------------------------------------------
CELERY_BROKER_URL = celery_broker_url(REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "saraban")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Keeps a few ready-made tenant schemas so that onboarding only renames one.
    "refill-spare-schemas": {
        "task": "tenants.tasks.refill_spare_schemas",
        "schedule": 300.0,
    },
    # Resumes onboardings that stopped on a failure (for example an outside service down).
    "clear-expired-sessions": {
        "task": "tenants.tasks.fan_out",
        "schedule": 60.0 * 60 * 24,
        "args": ["accounts.tasks.clear_expired_sessions"],
    },
    "resume-stalled-onboardings": {
        "task": "tenants.tasks.resume_stalled_onboardings",
        "schedule": 600.0,
    },
    # Receipt stamps (ตรารับ) that failed right after registration, per municipality.
    "stamp-missing-receipts": {
        "task": "tenants.tasks.fan_out",
        "schedule": 900.0,
        "args": ["registers.tasks.receipts.stamp_missing_receipts"],
    },
    # Arrived letters a lost task left without search document (registers.tasks.indexing).
    "index-missing-letters": {
        "task": "tenants.tasks.fan_out",
        "schedule": 300.0,
        "args": ["registers.tasks.indexing.index_missing_letters"],
    },
    # Signature checks of arriving signed PDFs that the queue missed (signing.tasks).
    "check-missed-signatures": {
        "task": "tenants.tasks.fan_out",
        "schedule": 3600.0,
        "args": ["signing.tasks.check_missed_signatures"],
    },
    # Daily reminders of due and overdue tasks: each municipality mails once a day, at its own
    # reminder hour (Bangkok, 08:00 by default), so the fan-out runs every hour.
    "send-daily-reminders": {
        "task": "tenants.tasks.fan_out",
        "schedule": crontab(minute=0),
        "args": ["registers.tasks.reminders.send_daily_reminders"],
    },
    # Letters this year and storage per municipality, for the vendor console (tenants.usage).
    "tenant-usage-refresh": {
        "task": "tenants.tasks.fan_out",
        "schedule": crontab(minute=40, hour=3),
        "args": ["tenants.tasks.usage_refresh"],
    },
}
# Steps that later parts of the platform add to onboarding (mail domain, billing, backups).
ONBOARDING_EXTRA_STEPS: list[str] = []
ONBOARDING_EXTRA_STEPS += ["mailhosting.onboarding.step_mail"]
# Every mail domain's DNS records, checked against its authoritative servers.
CELERY_BEAT_SCHEDULE["mail-acknowledgement-sweep"] = {
    "task": "mailhosting.tasks.sweep_acknowledgements",
    "schedule": 120.0,
}
CELERY_BEAT_SCHEDULE["mail-dns-checks"] = {
    "task": "mailhosting.tasks.check_all_domains",
    "schedule": 60.0 * 30,
}
# Outgoing letters whose send task was never queued (registers.tasks.dispatch).
CELERY_BEAT_SCHEDULE["mail-dispatch-sweep"] = {
    "task": "tenants.tasks.fan_out",
    "schedule": 600.0,
    "args": ["registers.tasks.dispatch.dispatch_sweep"],
}
# Approved letters still awaiting their signature: a lost task, or retries spent during a
# TSA/OCSP/KMS outage (letters.tasks; signing happens after the approval's commit).
CELERY_BEAT_SCHEDULE["letters-signing-sweep"] = {
    "task": "tenants.tasks.fan_out",
    "schedule": 300.0,
    "args": ["letters.tasks.issued_letters_sweep"],
}
ONBOARDING_EXTRA_STEPS += ["billing.onboarding.step_billing"]
TENANT_SPARE_SCHEMAS = env_int("TENANT_SPARE_SCHEMAS", 3, minimum=0)

# --- billing (Stripe) ------------------------------------------------------------------------
# Billing is off while STRIPE_SECRET_KEY is empty: tenants stay on trial (docs/billing.md).
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
# Another API base URL (the tests' local stub); empty = Stripe's own.
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "")
# Retries of a failed call (the client sends idempotency keys, so a retried POST is safe).
STRIPE_MAX_NETWORK_RETRIES = env_int("STRIPE_MAX_NETWORK_RETRIES", 2, minimum=0)
# How municipalities may pay an invoice (Stripe's payment_method_types): PromptPay and bank
# transfer (customer_balance) by default; add "card" to allow cards.
BILLING_PAYMENT_METHOD_TYPES = env_list(
    "BILLING_PAYMENT_METHOD_TYPES", ["promptpay", "customer_balance"]
)
BILLING_GRACE_DAYS = env_int("BILLING_GRACE_DAYS", 30, minimum=0)
BILLING_SUSPEND_AFTER_DAYS = env_int("BILLING_SUSPEND_AFTER_DAYS", 60, minimum=0)
BILLING_DAYS_UNTIL_DUE = env_int("BILLING_DAYS_UNTIL_DUE", 30, minimum=1)
# The plan a new municipality's trial subscription starts on when none matches its type.
BILLING_DEFAULT_PLAN = env_str("BILLING_DEFAULT_PLAN", "")
CELERY_BEAT_SCHEDULE["billing-apply-lifecycle"] = {
    "task": "billing.tasks.apply_lifecycle",
    "schedule": crontab(minute=30, hour=2),
}
# Billing steps of onboarding that could not reach Stripe (account left "pending").
CELERY_BEAT_SCHEDULE["billing-retry-pending-accounts"] = {
    "task": "billing.tasks.retry_pending_accounts",
    "schedule": 900.0,
}

# --- per-tenant backups (tenants.backups, docs/backups.md) -----------------------------------
# Two regions, each its own endpoint, bucket and credentials. A region without a bucket is a
# local folder under BACKUP_LOCAL_REGIONS_DIR (the embedded default).
BACKUP_REGIONS: dict[str, dict[str, str]] = {
    "primary": {
        "ENDPOINT_URL": env_str("BACKUP_PRIMARY_ENDPOINT_URL", ""),
        "REGION": env_str("BACKUP_PRIMARY_REGION", "ap-southeast-7"),
        "BUCKET": env_str("BACKUP_PRIMARY_BUCKET", ""),
        "ACCESS_KEY_ID": env_str("BACKUP_PRIMARY_ACCESS_KEY_ID", ""),
        "SECRET_ACCESS_KEY": env_str("BACKUP_PRIMARY_SECRET_ACCESS_KEY", ""),
        "KMS_KEY_ID": env_str("BACKUP_PRIMARY_KMS_KEY_ID", ""),
    },
    "secondary": {
        "ENDPOINT_URL": env_str("BACKUP_SECONDARY_ENDPOINT_URL", ""),
        "REGION": env_str("BACKUP_SECONDARY_REGION", "ap-southeast-1"),
        "BUCKET": env_str("BACKUP_SECONDARY_BUCKET", ""),
        "ACCESS_KEY_ID": env_str("BACKUP_SECONDARY_ACCESS_KEY_ID", ""),
        "SECRET_ACCESS_KEY": env_str("BACKUP_SECONDARY_SECRET_ACCESS_KEY", ""),
        "KMS_KEY_ID": env_str("BACKUP_SECONDARY_KMS_KEY_ID", ""),
    },
}
BACKUP_LOCAL_REGIONS_DIR = VAR_DIR / "backups" / "regions"
BACKUP_MULTIPART_THRESHOLD_MB = env_int("BACKUP_MULTIPART_THRESHOLD_MB", 64, minimum=5)
BACKUP_MULTIPART_CHUNK_MB = env_int("BACKUP_MULTIPART_CHUNK_MB", 16, minimum=5)
# Retention per tenant, applied in every region.
BACKUP_KEEP_DAILY = env_int("BACKUP_KEEP_DAILY", 35, minimum=1)
BACKUP_KEEP_MONTHLY = env_int("BACKUP_KEEP_MONTHLY", 12, minimum=0)
BACKUP_KEEP_YEARLY = env_int("BACKUP_KEEP_YEARLY", 10, minimum=0)
# A tenant whose last good backup in a region is older than this raises an alert.
BACKUP_STALE_HOURS = env_int("BACKUP_STALE_HOURS", 26, minimum=1)
# Hour (Asia/Bangkok) of the daily fleet run.
BACKUP_DAILY_HOUR = env_int("BACKUP_DAILY_HOUR", 1, minimum=0)
CELERY_BEAT_SCHEDULE["backups-daily-fleet"] = {
    "task": "tenants.backups.tasks.backup_fleet_daily",
    "schedule": crontab(minute=0, hour=BACKUP_DAILY_HOUR),
}
# Copies a region missed (it was down): retried with backoff until they exist.
CELERY_BEAT_SCHEDULE["backups-retry-missing-copies"] = {
    "task": "tenants.backups.tasks.backup_copies_retry",
    "schedule": 600.0,
}
CELERY_BEAT_SCHEDULE["backups-staleness-check"] = {
    "task": "tenants.backups.tasks.backup_staleness_check",
    "schedule": crontab(minute=15),
}
CELERY_BEAT_SCHEDULE["backups-apply-retention"] = {
    "task": "tenants.backups.tasks.backup_retention_apply_all",
    "schedule": crontab(minute=0, hour=(BACKUP_DAILY_HOUR + 5) % 24),
}
# The restore drill: a random tenant restored into a scratch schema and verified, weekly.
CELERY_BEAT_SCHEDULE["backups-weekly-restore-drill"] = {
    "task": "tenants.backups.tasks.backup_restore_drill",
    "schedule": crontab(minute=0, hour=(BACKUP_DAILY_HOUR + 3) % 24, day_of_week="sun"),
}
# What each region really holds against the database (the daily run does not list regions).
CELERY_BEAT_SCHEDULE["backups-weekly-region-audit"] = {
    "task": "tenants.backups.tasks.backup_regions_audit_all",
    "schedule": crontab(minute=0, hour=(BACKUP_DAILY_HOUR + 7) % 24, day_of_week="sat"),
}

# --- signatures (issue 8; docs/signing.md) ---------------------------------------------------
# RFC 3161 timestamp authority for PAdES signatures; empty: signing is refused.
SIGNING_TSA_URL = env_str("SIGNING_TSA_URL", "")
# Trust anchors for signed PDFs that arrive: PEM/DER files or folders of them. The documented
# default is Thailand's National Root CA, placed by the operator in this folder.
SIGNING_TRUST_ROOTS = env_list("SIGNING_TRUST_ROOTS", [str(VAR_DIR / "signing" / "trust")])
# Fernet key for signing keys at rest; empty: derived from SECRET_KEY (development only).
SIGNING_KEY_ENCRYPTION_KEY = env_str("SIGNING_KEY_ENCRYPTION_KEY", "")
# OCSP/CRL URLs in arriving PDFs are chosen by their senders: fetch public addresses only,
# unless the operator's own CA answers inside its network.
SIGNING_FETCH_PRIVATE_ADDRESSES = env_bool("SIGNING_FETCH_PRIVATE_ADDRESSES", False)
SIGNING_KMS_REGION = env_str("SIGNING_KMS_REGION", "ap-southeast-7")
SIGNING_KMS_ENDPOINT_URL = env_str("SIGNING_KMS_ENDPOINT_URL", "")

# --- monitoring -----------------------------------------------------------------------------
SENTRY_DSN = env_str("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "development")
SENTRY_TRACES_SAMPLE_RATE = float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # aiosmtpd logs every SMTP/LMTP command at INFO; Postfix logs each delivery already.
        "mail.log": {"level": "WARNING"},
    },
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

if SENTRY_DSN:
    from config.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE
    )
