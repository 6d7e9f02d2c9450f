"""Staff pages of the public site: the contact page (tenant admin), publishing (clerks)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from publicsite import selectors, services
from publicsite.forms import SiteContactForm, WithdrawForm
from publicsite.models import PublishedAnnouncement
from publicsite.texts import standard_announcement
from registers.views.access import ADMINS, CLERKS, page, roles_required


@roles_required(ADMINS)
def contact_settings(request: HttpRequest) -> HttpResponse:
    contact = selectors.site_contact()
    if request.method == "POST":
        form = SiteContactForm(request.POST)
        if form.is_valid():
            services.site_contact_update(actor=request.user, **form.cleaned_data)
            messages.success(request, _("บันทึกข้อมูลติดต่อและประกาศช่องทางแล้ว"))
            return redirect("portal:staff-site-contact")
    else:
        form = SiteContactForm(
            initial={
                "phone": contact.phone,
                "office_hours": contact.office_hours,
                "postal_address": contact.postal_address,
                "announcement_text": contact.announcement_text or standard_announcement(),
            }
        )
    return page(
        request,
        "publicsite/staff_contact.html",
        {"form": form, "contact": contact, "section": "site"},
    )


@roles_required(CLERKS)
def publishing(request: HttpRequest) -> HttpResponse:
    letters = Paginator(selectors.letters_publishable(), 30).get_page(request.GET.get("page", 1))
    context = {
        "page_obj": letters,
        "letters": [
            (letter, getattr(letter, "publication", None)) for letter in letters.object_list
        ],
        "withdraw_form": WithdrawForm(),
        "section": "site",
    }
    return page(request, "publicsite/staff_publishing.html", context)


@require_POST
@roles_required(CLERKS)
def publish(request: HttpRequest, letter_pk: int) -> HttpResponse:
    letter = get_object_or_404(selectors.letters_publishable(), pk=letter_pk)
    try:
        services.announcement_publish(letter=letter, actor=request.user)
    except services.PublicSiteError as error:
        messages.error(request, error.text())
    else:
        messages.success(request, _("เผยแพร่ “%(title)s” บนเว็บไซต์แล้ว") % {"title": letter.subject})
    return redirect("portal:staff-site-publishing")


@require_POST
@roles_required(CLERKS)
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    publication = get_object_or_404(PublishedAnnouncement, pk=pk)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.announcement_withdraw(publication=publication, actor=request.user, reason=reason)
    except services.PublicSiteError as error:
        messages.error(request, error.text())
    else:
        messages.success(
            request, _("ถอน “%(title)s” ออกจากเว็บไซต์แล้ว") % {"title": publication.title}
        )
    return redirect("portal:staff-site-publishing")
