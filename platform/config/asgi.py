import os
import sys
from pathlib import Path

_PLATFORM_ROOT = Path(__file__).resolve().parents[1]
for _root in (_PLATFORM_ROOT, _PLATFORM_ROOT.parent):
    if str(_root) not in sys.path:
        sys.path.insert(0, str(_root))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
