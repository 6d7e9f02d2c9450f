"""The backup services in one place, for the console, tasks and commands."""

from tenants.backups.drill import restore_drill_run
from tenants.backups.export import backup_stage
from tenants.backups.layout import BackupError
from tenants.backups.restore import (
    RestoreFailed,
    backup_restore,
    backup_restore_letter_files,
    latest_restorable,
    open_backup_source,
)

__all__ = [
    "BackupError",
    "RestoreFailed",
    "backup_restore",
    "backup_restore_letter_files",
    "backup_stage",
    "latest_restorable",
    "open_backup_source",
    "restore_drill_run",
]
