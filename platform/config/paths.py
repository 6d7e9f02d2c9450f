"""Both import roots on sys.path: ``platform/`` (config, accounts, ...) and the repository root
(tenants, billing, mailhosting). An editable install maps them too, but gunicorn, Celery and
uWSGI may start from a checkout without one."""

import sys
from pathlib import Path

PLATFORM_ROOT = Path(__file__).resolve().parents[1]
REPO_ROOT = PLATFORM_ROOT.parent


def ensure_import_roots() -> None:
    for root in (PLATFORM_ROOT, REPO_ROOT):
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
