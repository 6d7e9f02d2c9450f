import os

from config.paths import ensure_import_roots

ensure_import_roots()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
