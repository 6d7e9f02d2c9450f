"""Staff pages of the registers, on the municipality's own host (mounted at /staff/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from registers.views.urls_admin import urlpatterns as admin_patterns
from registers.views.urls_core import urlpatterns as core_patterns

app_name = "registers"

urlpatterns: list[URLPattern | URLResolver] = [*core_patterns, *admin_patterns]
