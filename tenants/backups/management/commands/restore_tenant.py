from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants import selectors
from tenants.backups.layout import BackupError
from tenants.backups.models import RestoreMode, RestoreRecord, TenantBackup
from tenants.backups.services import (
    RestoreFailed,
    backup_restore,
    backup_restore_letter_files,
    latest_restorable,
)
from tenants.models import Municipality


class Command(BaseCommand):
    help = (
        "กู้คืนข้อมูลของหน่วยงานจากข้อมูลสำรอง / restore a municipality from a backup: into a "
        "fresh schema (default, or --into), in place of the live one (--replace --yes), or only "
        "one letter's files (--letter)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--backup", type=int, help="backup id (default: the latest complete)")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--into", metavar="SCHEMA", help="name of the fresh schema")
        target.add_argument(
            "--replace", action="store_true", help="replace the live schema (needs --yes)"
        )
        target.add_argument("--letter", type=int, metavar="ID", help="only this letter's files")
        parser.add_argument("--yes", action="store_true", help="confirm --replace")
        parser.add_argument("--region", help="read from this region only")
        parser.add_argument("--reason", default="", help="why (kept in the restore record)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = selectors.municipality_by_slug(options["slug"])
        except Municipality.DoesNotExist as exc:
            raise CommandError(f"ไม่พบหน่วยงาน / no municipality {options['slug']!r}") from exc
        backup = self._backup(municipality, options["backup"])
        if options["replace"] and not options["yes"]:
            raise CommandError("การแทนที่ข้อมูลที่ใช้งานอยู่ต้องยืนยันด้วย --yes / --replace needs --yes")
        actor = f"cli:{getpass.getuser()}"
        reason = options["reason"] or "กู้คืนด้วยคำสั่ง restore_tenant / restore_tenant command"
        self.stdout.write(
            f"กู้คืน / restoring {municipality.name_th} ({municipality.schema_name}) "
            f"from backup #{backup.pk} ({backup.created_at:%Y-%m-%d %H:%M} UTC)"
        )

        def show(line: str) -> None:
            self.stdout.write(f"  {line}")

        try:
            if options["letter"] is not None:
                record = backup_restore_letter_files(
                    backup=backup,
                    letter_id=options["letter"],
                    actor=actor,
                    reason=reason,
                    region=options["region"],
                    progress=show,
                )
            else:
                record = backup_restore(
                    backup=backup,
                    mode=RestoreMode.REPLACE if options["replace"] else RestoreMode.FRESH,
                    target_schema=options["into"],
                    actor=actor,
                    reason=reason,
                    confirm=options["yes"],
                    region=options["region"],
                    progress=show,
                )
        except RestoreFailed as exc:
            self._report(exc.record)
            raise CommandError(f"กู้คืนไม่สำเร็จ / restore failed: {exc}") from exc
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self._report(record)
        self.stdout.write(
            self.style.SUCCESS(
                f"กู้คืนสำเร็จและตรวจสอบแล้ว / restored and verified: {record.target_schema}"
            )
        )
        if record.previous_schema:
            self.stdout.write(
                f"สคีมาเดิมเก็บไว้เป็น / the previous schema is kept as {record.previous_schema}"
            )

    def _backup(self, municipality: Municipality, backup_id: int | None) -> TenantBackup:
        if backup_id is None:
            backup = latest_restorable(municipality)
            if backup is None:
                raise CommandError(f"{municipality.slug} ยังไม่มีข้อมูลสำรอง / has no restorable backup")
            return backup
        try:
            return TenantBackup.objects.get(pk=backup_id, municipality=municipality)
        except TenantBackup.DoesNotExist as exc:
            raise CommandError(
                f"ไม่พบข้อมูลสำรอง #{backup_id} ของ {municipality.slug} / no such backup"
            ) from exc

    def _report(self, record: RestoreRecord) -> None:
        verification = record.verification
        tables = verification.get("tables", {})
        if tables:
            bad = verification.get("tables_mismatched", [])
            rows = sum(t["actual"] for t in tables.values() if t["actual"] > 0)
            self.stdout.write(
                f"  ตาราง / tables: {len(tables)} ({rows:,} rows), ไม่ตรง / mismatched: {len(bad)}"
            )
        files = verification.get("files")
        if files:
            self.stdout.write(
                f"  ไฟล์ / files: {files['checked']:,} checked, {files['restored']:,} written, "
                f"{len(files['mismatched'])} mismatched"
            )
        if verification.get("migrated"):
            self.stdout.write(f"  migrated forward: {', '.join(verification['migrated'])}")
        self.stdout.write(f"  restore record #{record.pk}: {record.status}")
