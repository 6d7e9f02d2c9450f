"""Production: refuses to start with an insecure or missing setting."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str
from config.settings.base import *  # noqa: F403
from config.settings.base import (
    ALLOWED_HOSTS,
    INSECURE_DEV_SECRET_KEY,
    PLATFORM_DOMAIN,
    SECRET_KEY,
)


def _refuse(message: str) -> None:
    raise ImproperlyConfigured(f"Production settings refused: {message}")


DEBUG = env_bool("DEBUG", False)
if DEBUG:
    _refuse("DEBUG must be false")
if SECRET_KEY == INSECURE_DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    _refuse("SECRET_KEY must be set to a random value of at least 50 characters")
if PLATFORM_DOMAIN in {"localhost", ""} or PLATFORM_DOMAIN.endswith(".localhost"):
    _refuse("PLATFORM_DOMAIN must be the real apex domain, not localhost")
env_str("DATABASE_URL")  # no default in production
env_str("REDIS_URL")
if ALLOWED_HOSTS != ["*"] and not any(PLATFORM_DOMAIN in host for host in ALLOWED_HOSTS):
    _refuse("ALLOWED_HOSTS must include the platform domain")

PLATFORM_SCHEME = "https"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production")
