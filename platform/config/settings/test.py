"""The test suite: real PostgreSQL and Redis, mail kept in memory unless a test sends it for real."""

from config.settings.base import *  # noqa: F403

DEBUG = False
PLATFORM_SCHEME = "http"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
CELERY_TASK_ALWAYS_EAGER = False
TENANT_SPARE_SCHEMAS = 0
STORAGES = {
    "default": STORAGES["default"],  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files straight from the source folders; no collectstatic needed here.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Tests that need the policy set it per tenant (accounts.SecurityPolicy).
ACCOUNTS_TWO_FACTOR_DEFAULT = "optional"
