from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tenants.backups.fleet import backup_fleet_run
from tenants.backups.models import BackupKind, BackupRun, RunStatus


class Command(BaseCommand):
    help = (
        "สำรองข้อมูลทุกหน่วยงานไปทุกภูมิภาคทันที แสดงความคืบหน้าและสรุปผล / back up every live "
        "municipality to every region now, with a progress line (done/failed/remaining) on "
        "stderr and a summary at the end"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--jobs", type=int, default=1, help="tenants backed up at the same time (threads)"
        )
        parser.add_argument(
            "--kind",
            choices=[BackupKind.DAILY, BackupKind.MANUAL],
            default=BackupKind.MANUAL,
            help="recorded on the run (the beat schedule's runs are daily)",
        )
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        interactive = sys.stderr.isatty()
        last_line = [0.0]

        def show(run: BackupRun) -> None:
            finished = run.remaining == 0
            now = time.monotonic()
            # On a terminal the line is redrawn; in a log, one line every few seconds.
            if not interactive and not finished and now - last_line[0] < 5:
                return
            last_line[0] = now
            line = _progress_line(run, now - started)
            self.stderr.write(f"\r{line}" if interactive else line, ending="")
            if not interactive or finished:
                self.stderr.write("")

        run = backup_fleet_run(kind=options["kind"], jobs=max(1, options["jobs"]), on_progress=show)
        if options["json"]:
            self.stdout.write(json.dumps({"run": run.pk, "status": run.status, **run.summary}))
            return
        self._summary(run)

    def _summary(self, run: BackupRun) -> None:
        summary = run.summary
        self.stdout.write(
            f"รอบ #{run.pk}: {run.get_status_display()} / run #{run.pk}: {run.status} — "
            f"done {run.done}, failed {run.failed}, of {run.total} in "
            f"{summary.get('seconds', 0)} s, {summary.get('bytes', 0):,} bytes"
        )
        for region, counts in sorted(summary.get("regions", {}).items()):
            self.stdout.write(
                f"  {region}: {counts['complete']} complete, {counts['missing']} missing"
            )
        for failure in summary.get("failed_tenants", []):
            self.stdout.write(self.style.ERROR(f"  ✗ {failure['slug']}: {failure['error']}"))
        if summary.get("partial_tenants"):
            self.stdout.write(
                self.style.WARNING(
                    "  ยังไม่ครบทุกภูมิภาค (จะลองส่งใหม่) / missing a region (retried): "
                    + ", ".join(summary["partial_tenants"])
                )
            )
        if run.status == RunStatus.SUCCEEDED:
            self.stdout.write(self.style.SUCCESS("สำรองข้อมูลครบทุกหน่วยงาน / every tenant backed up"))


def _progress_line(run: BackupRun, seconds: float) -> str:
    total = max(run.total, 1)
    width = 30
    done = round(width * run.done / total)
    failed = round(width * run.failed / total)
    bar = "#" * done + "x" * failed + "." * max(width - done - failed, 0)
    return (
        f"[{bar}] done {run.done} failed {run.failed} remaining {run.remaining} "
        f"of {run.total} ({seconds:.0f} s)"
    )
