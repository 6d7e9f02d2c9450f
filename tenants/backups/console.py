"""Backups in the vendor console: each tenant's last good backup per region (red when older
than BACKUP_STALE_HOURS), the fleet runs with their progress, the restore drills, and the
restore action (a reason and an explicit confirmation; replacing the live schema also needs
the municipality's slug typed again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tenants.backups import selectors
from tenants.backups.models import (
    BackupCopy,
    BackupRun,
    RestoreMode,
    RestoreRecord,
    TenantBackup,
)
from tenants.backups.regions import configured_regions, region_label
from tenants.console import vendor_console


def _hours(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 48:
        return str(_("%(hours).1f ชม.") % {"hours": value})
    return str(_("%(days).1f วัน") % {"days": value / 24})


class CopyInline(admin.TabularInline):
    model = BackupCopy
    extra = 0
    can_delete = False
    fields = ("region", "status", "attempts", "uploaded_at", "next_attempt_at", "last_error")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BackupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        from thaiformat.dates import format_thai_datetime

        return f"#{obj.pk} {format_thai_datetime(obj.created_at)} ({obj.get_status_display()})"


class RestoreForm(forms.Form):
    backup = BackupChoiceField(queryset=TenantBackup.objects.none(), label=_("ข้อมูลสำรอง"))
    mode = forms.ChoiceField(
        label=_("วิธีกู้คืน"),
        choices=[
            (RestoreMode.FRESH, RestoreMode.FRESH.label),
            (RestoreMode.REPLACE, RestoreMode.REPLACE.label),
        ],
        initial=RestoreMode.FRESH,
        help_text=_("กู้คืนเป็นสคีมาใหม่ไม่กระทบข้อมูลที่ใช้งานอยู่ การแทนที่จะเก็บสคีมาเดิมไว้ภายใต้ชื่อใหม่"),
    )
    reason = forms.CharField(label=_("เหตุผล"), widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(
        label=_("ยืนยันว่าได้ตรวจสอบข้อมูลสำรองที่เลือกแล้วและต้องการกู้คืน"), required=True
    )
    confirm_slug = forms.CharField(label=_("พิมพ์ชื่อย่อของหน่วยงานอีกครั้ง (เฉพาะการแทนที่)"), required=False)

    def __init__(self, *args: Any, municipality: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        field = self.fields["backup"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.restorable_backups(municipality)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == RestoreMode.REPLACE and (
            (data.get("confirm_slug") or "").strip() != self.municipality.slug
        ):
            self.add_error(
                "confirm_slug",
                _("การแทนที่ข้อมูลที่ใช้งานอยู่ต้องพิมพ์ชื่อย่อ %(slug)s ให้ตรงกัน")
                % {"slug": self.municipality.slug},
            )
        return data


@admin.register(TenantBackup, site=vendor_console)
class TenantBackupAdmin(admin.ModelAdmin):
    change_list_template = "console/backups/tenantbackup_changelist.html"
    list_display = (
        "pk",
        "municipality",
        "created_at",
        "status",
        "regions",
        "size_bytes",
        "retention_tags",
        "restore_link",
    )
    list_filter = ("status", "run__kind")
    search_fields = ("municipality__slug", "municipality__name_th")
    list_select_related = ("municipality",)
    date_hierarchy = "created_at"
    inlines = (CopyInline,)
    exclude = ("manifest",)
    readonly_fields = (
        "municipality",
        "run",
        "created_at",
        "finished_at",
        "status",
        "format_version",
        "key_prefix",
        "manifest_sha256",
        "size_bytes",
        "staging_path",
        "error",
        "retention_tags",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[TenantBackup]:
        return super().get_queryset(request).defer("manifest").prefetch_related("copies")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retention decides what goes, in every region at once

    @admin.display(description=_("ภูมิภาค"))
    def regions(self, obj: TenantBackup) -> str:
        return ", ".join(f"{c.region}: {c.get_status_display()}" for c in obj.copies.all())

    @admin.display(description=_("กู้คืน"))
    def restore_link(self, obj: TenantBackup) -> str:
        url = reverse("console:backups_restore", args=[obj.municipality_id])
        return format_html('<a href="{}?backup={}">{}</a>', url, obj.pk, _("กู้คืน"))

    def get_urls(self) -> list[Any]:
        return [
            path(
                "restore/<int:municipality_id>/",
                self.admin_site.admin_view(self.restore_view),
                name="backups_restore",
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        states = selectors.tenant_backup_states()
        states.sort(key=lambda s: (not s.stale, s.municipality.name_th))
        rows = [
            {
                "municipality": state.municipality,
                "stale": state.stale,
                "latest": state.latest,
                "regions": [
                    {
                        "region": region.region,
                        "last_at": region.last_at,
                        "age": _hours(region.age_hours),
                        "stale": region.stale,
                    }
                    for region in state.regions
                ],
                "restore_url": reverse("console:backups_restore", args=[state.municipality.pk]),
            }
            for state in states
        ]
        context = {
            "status_rows": rows,
            "region_names": [region_label(name) for name in configured_regions()],
            "stale_hours": settings.BACKUP_STALE_HOURS,
            "stale_count": sum(1 for state in states if state.stale),
            "runs": list(selectors.recent_runs(10)),
            "drills": list(selectors.recent_drills(10)),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    def restore_view(self, request: HttpRequest, municipality_id: int) -> HttpResponse:
        from tenants.models import Municipality

        municipality = get_object_or_404(Municipality, pk=municipality_id)
        initial = {"backup": request.GET.get("backup")} if request.GET.get("backup") else {}
        form = RestoreForm(request.POST or None, municipality=municipality, initial=initial)
        if request.method == "POST" and form.is_valid():
            from tenants.backups.tasks import backup_restore_task

            backup = form.cleaned_data["backup"]
            mode = form.cleaned_data["mode"]
            backup_restore_task.delay(
                backup.pk,
                mode,
                f"vendor:{request.user.get_username()}",
                form.cleaned_data["reason"],
                mode == RestoreMode.REPLACE,
            )
            messages.success(
                request,
                _("สั่งกู้คืน %(name)s จากข้อมูลสำรอง #%(id)s แล้ว ผลการตรวจสอบจะแสดงในรายการการกู้คืน")
                % {"name": municipality.name_th, "id": backup.pk},
            )
            return HttpResponseRedirect(
                reverse("console:backups_restorerecord_changelist")
                + f"?municipality__id__exact={municipality.pk}"
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("กู้คืนข้อมูลของ %(name)s") % {"name": municipality.name_th},
            "municipality": municipality,
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "console/backups/restore.html", context)


@admin.register(BackupRun, site=vendor_console)
class BackupRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "kind", "status", "progress", "finished_at")
    list_filter = ("kind", "status")
    readonly_fields = (
        "kind",
        "started_at",
        "finished_at",
        "status",
        "total",
        "done",
        "failed",
        "summary",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("ความคืบหน้า"))
    def progress(self, obj: BackupRun) -> str:
        return str(
            _("สำเร็จ %(done)s ล้มเหลว %(failed)s คงเหลือ %(remaining)s จาก %(total)s")
            % {
                "done": obj.done,
                "failed": obj.failed,
                "remaining": obj.remaining,
                "total": obj.total,
            }
        )


@admin.register(RestoreRecord, site=vendor_console)
class RestoreRecordAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "municipality",
        "mode",
        "status",
        "target_schema",
        "actor",
        "verified",
    )
    list_filter = ("mode", "status")
    search_fields = ("municipality__slug", "municipality__name_th", "actor")
    list_select_related = ("municipality",)
    readonly_fields = (
        "municipality",
        "backup",
        "mode",
        "target_schema",
        "previous_schema",
        "actor",
        "reason",
        "started_at",
        "finished_at",
        "status",
        "verification",
        "error",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("ผลการตรวจสอบ"), boolean=True)
    def verified(self, obj: RestoreRecord) -> bool | None:
        ok = (obj.verification or {}).get("ok")
        return None if ok is None else bool(ok)
