from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants import selectors
from tenants.backups.layout import BackupError
from tenants.backups.locks import tenant_backup_lock
from tenants.backups.models import BackupStatus
from tenants.backups.services import backup_stage
from tenants.backups.upload import backup_upload
from tenants.models import Municipality


class Command(BaseCommand):
    help = (
        "สำรองข้อมูลของหน่วยงานหนึ่งแห่ง แล้วส่งไปทุกภูมิภาค / back up one municipality "
        "(consistent snapshot of its schema and files) and upload it to every region"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument(
            "--stage-only",
            action="store_true",
            help="keep the backup in the local staging folder, do not upload",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = selectors.municipality_by_slug(options["slug"])
        except Municipality.DoesNotExist as exc:
            raise CommandError(f"ไม่พบหน่วยงาน / no municipality {options['slug']!r}") from exc
        self.stdout.write(
            f"กำลังสำรองข้อมูล / backing up: {municipality.name_th} ({municipality.schema_name})"
        )

        def show(line: str) -> None:
            self.stdout.write(f"  {line}")

        # One backup job per tenant at a time (the fleet run, retries and retention take it too).
        with tenant_backup_lock(municipality.pk):
            self._run(municipality, stage_only=options["stage_only"], show=show)

    def _run(self, municipality: Municipality, *, stage_only: bool, show: Any) -> None:
        try:
            backup = backup_stage(municipality=municipality, progress=show)
        except BackupError as exc:
            raise CommandError(f"สำรองข้อมูลไม่สำเร็จ / backup failed: {exc}") from exc
        self.stdout.write(
            f"เตรียมข้อมูลสำรอง #{backup.pk} แล้ว / backup #{backup.pk} staged "
            f"({backup.size_bytes:,} bytes, {len(backup.manifest['parts'])} parts, "
            f"{len(backup.manifest['files'])} files)"
        )
        for warning in backup.manifest.get("warnings", []):
            self.stdout.write(self.style.WARNING(f"  ! {warning}"))
        if stage_only:
            return
        backup = backup_upload(backup=backup, progress=show)
        for copy in backup.copies.order_by("region"):
            mark = "✓" if copy.status == "complete" else "✗"
            self.stdout.write(f"  {mark} {copy.region}: {copy.status} {copy.last_error}".rstrip())
        if backup.status == BackupStatus.COMPLETE:
            self.stdout.write(self.style.SUCCESS("สำรองข้อมูลครบทุกภูมิภาค / backup complete"))
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"ยังไม่ครบทุกภูมิภาค จะลองส่งใหม่ / backup {backup.status}; "
                    "missing copies are retried"
                )
            )
