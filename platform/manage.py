#!/usr/bin/env python
"""Django's command line for Saraban Cloud. Run from anywhere: both import roots are added."""

import os
import sys
from pathlib import Path


def main() -> None:
    platform_root = Path(__file__).resolve().parent
    for root in (platform_root, platform_root.parent):
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
