"""URLs of the apex: the public site listing, the vendor console and platform endpoints."""

from django.urls import include, path
from django.views.i18n import set_language

from tenants.console import vendor_console

urlpatterns = [
    path("console/", vendor_console.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("billing/", include("billing.urls_public")),
    path("", include("portal.urls_public")),
]

handler404 = "portal.views.not_found"
