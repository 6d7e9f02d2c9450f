"""Settings (tenant admin), API tokens (everyone) and retention (clerks, admins) under /staff/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from registers.views import admin_retention as retention
from registers.views import admin_settings as settings
from registers.views import admin_tokens as tokens

urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/", settings.settings_home, name="settings"),
    path("settings/units/", settings.settings_units, name="settings-units"),
    path("settings/units/<int:pk>/", settings.settings_unit, name="settings-unit"),
    path("settings/people/", settings.settings_people, name="settings-people"),
    path("settings/people/new/", settings.settings_person_new, name="settings-person-new"),
    path("settings/people/<int:pk>/", settings.settings_person, name="settings-person"),
    path(
        "settings/people/<int:pk>/reinvite/",
        settings.settings_person_reinvite,
        name="settings-person-reinvite",
    ),
    path("settings/tokens/", tokens.tokens, name="tokens"),
    path("settings/tokens/<int:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
    path("retention/", retention.retention_storage, name="retention"),
    path(
        "retention/storage/<slug:kind>.<slug:fmt>",
        retention.retention_report,
        name="retention-storage-report",
    ),
    path(
        "retention/destruction/",
        retention.retention_destruction_lists,
        name="retention-destruction-lists",
    ),
    path(
        "retention/destruction/new/",
        retention.retention_destruction_create,
        name="retention-destruction-create",
    ),
    path(
        "retention/destruction/<int:pk>/",
        retention.retention_destruction,
        name="retention-destruction",
    ),
    path(
        "retention/destruction/<int:pk>/committee/",
        retention.retention_destruction_committee,
        name="retention-destruction-committee",
    ),
    path(
        "retention/destruction/<int:pk>/items/<int:item_pk>/",
        retention.retention_destruction_decide,
        name="retention-destruction-decide",
    ),
    path(
        "retention/destruction/<int:pk>/send/",
        retention.retention_destruction_send,
        name="retention-destruction-send",
    ),
    path(
        "retention/destruction/<int:pk>/answer/",
        retention.retention_destruction_answer,
        name="retention-destruction-answer",
    ),
    path(
        "retention/destruction/<int:pk>/destroy/",
        retention.retention_destruction_destroy,
        name="retention-destruction-destroy",
    ),
    path(
        "retention/destruction/<int:pk>/form25.<slug:fmt>",
        retention.retention_report,
        {"kind": "destruction_list"},
        name="retention-destruction-report",
    ),
    path(
        "retention/handover/",
        retention.retention_handover_lists,
        name="retention-handover-lists",
    ),
    path(
        "retention/handover/new/",
        retention.retention_handover_create,
        name="retention-handover-create",
    ),
    path("retention/handover/<int:pk>/", retention.retention_handover, name="retention-handover"),
    path(
        "retention/handover/<int:pk>/complete/",
        retention.retention_handover_complete,
        name="retention-handover-complete",
    ),
    path(
        "retention/handover/<int:pk>/form21.<slug:fmt>",
        retention.retention_report,
        {"kind": "handover_list"},
        name="retention-handover-report",
    ),
]
