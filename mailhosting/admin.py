"""Mail domains in the vendor console: the records to publish, ready to copy, and their status."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from mailhosting.models import MailAlias, Mailbox, MailDomain
from mailhosting.selectors import records_with_state
from mailhosting.services import dkim_rotation_start, dns_check_run
from tenants.console import vendor_console


class MailboxInline(admin.TabularInline):
    model = Mailbox
    extra = 0
    fields = ("local_part", "kind", "display_name", "org_unit_code", "active")


class MailAliasInline(admin.TabularInline):
    model = MailAlias
    extra = 0
    fields = ("local_part", "destinations", "active")


@admin.register(MailDomain, site=vendor_console)
class MailDomainAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality", "kind", "is_primary", "status", "last_checked_at")
    list_filter = ("status", "kind", "is_primary")
    search_fields = ("name", "municipality__name_th", "municipality__slug")
    readonly_fields = (
        "municipality",
        "name",
        "kind",
        "status",
        "verified_at",
        "last_checked_at",
        "dns_records",
    )
    fields = (*readonly_fields, "is_primary")
    inlines = (MailboxInline, MailAliasInline)
    actions = ("check_dns_now", "rotate_dkim")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # domains come from onboarding and mail_domain_add

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("ระเบียน DNS ที่ต้องเผยแพร่"))
    def dns_records(self, obj: MailDomain) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td>"
            "<td><code style='word-break:break-all'>{}</code></td><td>{}</td></tr>",
            (
                (
                    record.purpose,
                    record.name,
                    record.rtype,
                    record.value,
                    state.get_status_display() if state else _("ยังไม่ได้ตรวจ"),
                )
                for record, state in records_with_state(domain=obj)
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            _("ใช้สำหรับ"),
            _("ชื่อ"),
            _("ชนิด"),
            _("ค่า"),
            _("สถานะ"),
            rows,
        )

    @admin.action(description=_("ตรวจสอบ DNS ทันที"))
    def check_dns_now(self, request: HttpRequest, queryset: QuerySet[MailDomain]) -> None:
        for domain in queryset:
            dns_check_run(domain=domain)
            domain.refresh_from_db()
            self.message_user(
                request, f"{domain.name}: {domain.get_status_display()}", messages.INFO
            )

    @admin.action(description=_("เริ่มเปลี่ยนกุญแจ DKIM (เผยแพร่ selector ใหม่ก่อน)"))
    def rotate_dkim(self, request: HttpRequest, queryset: QuerySet[MailDomain]) -> None:
        for domain in queryset:
            key = dkim_rotation_start(domain=domain)
            self.message_user(
                request,
                _("%(domain)s: เผยแพร่ %(selector)s._domainkey แล้วระบบจะสลับเมื่อพบใน DNS")
                % {"domain": domain.name, "selector": key.selector},
                messages.INFO,
            )
