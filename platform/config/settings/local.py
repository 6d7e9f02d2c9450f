"""A developer's machine and the embedded demo (`infra/dev/up`)."""

from config.env import env_bool, env_str
from config.settings.base import *  # noqa: F403
from config.settings.base import PLATFORM_DOMAIN

DEBUG = env_bool("DEBUG", True)
PLATFORM_SCHEME = env_str("PLATFORM_SCHEME", "http")
# Invitation and reset e-mails are printed to the console until mail hosting is configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = f"Saraban Cloud <no-reply@{PLATFORM_DOMAIN}>"

# Serve static files straight from the source folders; no collectstatic needed here.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# The demo's platform mail zone (mail.localhost) is not published in any DNS.
MAIL_CHECK_PLATFORM_DOMAINS = env_bool("MAIL_CHECK_PLATFORM_DOMAINS", False)

# The demo logins work with a password alone; a tenant admin can require a second factor.
ACCOUNTS_TWO_FACTOR_DEFAULT = env_str("ACCOUNTS_TWO_FACTOR_DEFAULT", "optional")
