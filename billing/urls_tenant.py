"""The tenant admin's billing pages, mounted at /staff/billing/ on the municipality's host."""

from __future__ import annotations

from django.urls import URLPattern, path

from billing import views_tenant

app_name = "billing"

urlpatterns: list[URLPattern] = [
    path("", views_tenant.billing_home, name="home"),
    path("portal/", views_tenant.billing_portal, name="portal"),
]
