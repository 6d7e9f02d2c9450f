"""Registers the backup pages on the vendor console (Django's admin autodiscovery imports this)."""

from tenants.backups import console  # noqa: F401
