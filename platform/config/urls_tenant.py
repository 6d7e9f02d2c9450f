"""URLs of a municipality's own site: <slug>.<PLATFORM_DOMAIN> and its custom domains."""

from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("staff/billing/", include("billing.urls_tenant")),
    path("staff/settings/mail/", include("mailhosting.urls_tenant")),
    path("", include("letters.urls")),  # /staff/drafts/ and the public /verify/<token>/
    path("staff/signing/", include("signing.urls")),
    path("staff/", include("registers.urls")),
    path("api/", include("registers.api.urls")),
    path("", include("portal.urls_tenant")),
]

handler404 = "portal.views.not_found"
