import os

from config.paths import ensure_import_roots

ensure_import_roots()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from config.warmup import warm_up  # noqa: E402

warm_up()  # in each gunicorn worker as it boots, before it takes requests
