"""The municipality's public pages: home, contact, announcements and their PDFs."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition

from accounts.services import tenant_base_url
from publicsite import selectors

HOME_ANNOUNCEMENTS = 5


def _contact_context(request: HttpRequest) -> dict[str, object]:
    contact = selectors.site_contact()
    website = tenant_base_url(request.get_host().rsplit(":", 1)[0]) + "/"
    details = selectors.channel_details(contact, website=website)
    address, verified = selectors.central_address_public()
    return {
        "contact": contact,
        "details": details,
        "central_address": address,
        "address_verified": verified,
        "channel_announcement": selectors.channel_announcement(contact, details),
    }


def home(request: HttpRequest) -> HttpResponse:
    context = {
        **_contact_context(request),
        "announcements": selectors.announcements_public()[:HOME_ANNOUNCEMENTS],
        "section": "home",
    }
    return render(request, "publicsite/home.html", context)


def contact(request: HttpRequest) -> HttpResponse:
    context = {**_contact_context(request), "section": "contact"}
    return render(request, "publicsite/contact.html", context)


def announcements(request: HttpRequest) -> HttpResponse:
    context = {"announcements": selectors.announcements_public(), "section": "announcements"}
    return render(request, "publicsite/announcements.html", context)


def _pdf_etag(request: HttpRequest, pk: int) -> str | None:
    publication = selectors.announcement_public_or_none(pk)
    if publication is None:
        return None
    return f"{publication.pk}-{publication.attachment_id}-{publication.published_at.timestamp()}"


# Revalidated on every use (a 304 costs one indexed query): a withdrawn announcement must not
# live on in browser or proxy caches.
@cache_control(public=True, max_age=0, must_revalidate=True)
@condition(etag_func=_pdf_etag)
def announcement_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The published PDF; a withdrawn announcement's PDF is gone from the public site too."""
    publication = selectors.announcement_public_or_none(pk)
    if publication is None:
        raise Http404
    attachment = publication.attachment
    response = FileResponse(
        attachment.file.open("rb"),
        content_type="application/pdf",
        filename=attachment.original_name or f"announcement-{pk}.pdf",
    )
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "attachment", "inline", 1
    )
    return response
