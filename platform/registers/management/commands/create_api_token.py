"""Make an API token for a staff member of one municipality; the token is printed once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from accounts.models import User
from registers.api.tokens import api_token_create
from registers.errors import RegistersError
from tenants.models import Municipality


class Command(BaseCommand):
    help = "สร้างโทเคน API ให้ผู้ใช้ของหน่วยงาน (แสดงโทเคนครั้งเดียว) / create an API token"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tenant", help="the municipality's slug or schema name")
        parser.add_argument("username", help="the staff member the token acts as")
        parser.add_argument("--name", required=True, help="what the token is for")

    def handle(self, *args: Any, tenant: str, username: str, name: str, **options: Any) -> None:
        translation.activate("th")
        municipality = (
            Municipality.objects.exclude(schema_name="public").filter(slug=tenant).first()
            or Municipality.objects.exclude(schema_name="public").filter(schema_name=tenant).first()
        )
        if municipality is None:
            raise CommandError(f"ไม่พบหน่วยงาน {tenant} / no municipality {tenant}")
        with municipality:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(
                    f"ไม่พบผู้ใช้ {username} ใน {municipality.schema_name} / no such user"
                )
            try:
                token, raw = api_token_create(user=user, name=name)
            except RegistersError as error:
                raise CommandError(error.bilingual()) from error
        self.stderr.write(
            f"โทเคน {token.name} ({token.prefix}…) ของ {username} บน {municipality.schema_name}: "
            "เก็บไว้ให้ดี จะไม่แสดงอีก / keep it safe, it is not shown again"
        )
        self.stdout.write(raw)
