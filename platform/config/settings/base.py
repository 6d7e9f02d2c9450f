"""Settings shared by every environment. Values come from the environment only (config.env)."""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab

from config.env import (
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
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Municipality"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
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

# --- e-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"Saraban Cloud <no-reply@{PLATFORM_DOMAIN}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

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
    # Daily reminders of due and overdue tasks: each municipality mails once a day, at its own
    # reminder hour (Bangkok, 08:00 by default), so the fan-out runs every hour.
    "send-daily-reminders": {
        "task": "tenants.tasks.fan_out",
        "schedule": crontab(minute=0),
        "args": ["registers.tasks.reminders.send_daily_reminders"],
    },
}
# Steps that later parts of the platform add to onboarding (mail domain, billing, backups).
ONBOARDING_EXTRA_STEPS: list[str] = []
TENANT_SPARE_SCHEMAS = env_int("TENANT_SPARE_SCHEMAS", 3, minimum=0)

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
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

if SENTRY_DSN:
    from config.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE
    )
