"""Test settings for a Celery worker that sends mail for real over SMTP (EMAIL_HOST/EMAIL_PORT
from the environment): the wizard test breaks and mends the mail relay to fail a step for real.
Used only by that worker subprocess; the pytest process keeps config.settings.test."""

from config.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_TIMEOUT = 10
