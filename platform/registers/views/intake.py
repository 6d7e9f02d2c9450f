"""รอลงรับ: the intake queue, manual entry of a paper letter, ลงรับ (register) and reject."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registers.choices import AttachmentRole, Direction, LetterStatus
from registers.errors import DuplicateLetter, RegistersError
from registers.forms import LetterForm, ReasonForm, ReferenceFormSet, reference_inputs
from registers.models import Attachment, Letter, RegisterEntry
from registers.selectors.letters import letters_visible_to
from registers.services.letters import intake_create, intake_reject, letter_register_incoming
from registers.views.access import (
    CLERKS,
    is_htmx,
    page,
    roles_required,
    safe_next,
    uploaded_files,
    visible_letter_or_404,
)

PAGE_SIZE = 50
LAST_REGISTERED = "registers:last_registered"


def _queue(user: Any) -> Any:
    return (
        letters_visible_to(
            user, Letter.objects.filter(direction=Direction.INCOMING, status=LetterStatus.INTAKE)
        )
        .select_related("owner_unit")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(role=AttachmentRole.MAIN),
                to_attr="main_files",
            )
        )
        .order_by("-created_at", "-pk")
    )


def _entry_with_letter(pk: int) -> RegisterEntry | None:
    return (
        RegisterEntry.objects.select_related("letter")
        .prefetch_related(
            Prefetch(
                "letter__attachments",
                queryset=Attachment.objects.filter(role=AttachmentRole.STAMPED),
                to_attr="stamped_files",
            )
        )
        .filter(pk=pk)
        .first()
    )


def _last_registered(request: HttpRequest) -> RegisterEntry | None:
    """The entry registered just before this page, shown once with its number and time."""
    pk = request.session.pop(LAST_REGISTERED, None)
    return _entry_with_letter(pk) if pk else None


@roles_required(CLERKS)
def intake_list(request: HttpRequest) -> HttpResponse:
    page_obj = Paginator(_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "section": "intake",
        "page_obj": page_obj,
        "letters": page_obj.object_list,
        "last": _last_registered(request),
        "reject_form": ReasonForm(),
    }
    return page(request, "registers/intake_list.html", context)


@roles_required(CLERKS)
def intake_new(request: HttpRequest) -> HttpResponse:
    """Key in a paper letter; "บันทึกและลงรับ" registers it at once and opens a fresh form."""
    form = LetterForm(request.POST or None, request.FILES or None)
    refs = ReferenceFormSet(request.POST or None, prefix="ref")
    if request.method == "POST" and form.is_valid() and refs.is_valid():
        try:
            letter = intake_create(
                data=form.to_input(reference_inputs(refs)),
                files=form.file_inputs(),
                actor=request.user,
            )
        except RegistersError as error:
            form.add_error(None, error.text())
        else:
            if request.POST.get("action") != "register":
                messages.success(request, _("บันทึกเข้ารายการรอลงรับแล้ว"))
                return redirect("registers:intake")
            return _register(request, letter, allow_duplicate=False, back="registers:intake-new")
    context = {
        "section": "intake",
        "form": form,
        "refs": refs,
        "uploaded": uploaded_files(request) if request.method == "POST" else [],
        "last": _last_registered(request) if request.method == "GET" else None,
    }
    return page(request, "registers/intake_form.html", context)


def _register(
    request: HttpRequest, letter: Letter, *, allow_duplicate: bool, back: str
) -> HttpResponse:
    try:
        entry = letter_register_incoming(
            letter=letter, actor=request.user, allow_duplicate=allow_duplicate
        )
    except DuplicateLetter as error:
        return _duplicate(request, letter, error, next_url=safe_next(request, reverse(back)))
    except RegistersError as error:
        if is_htmx(request):
            return page(
                request,
                "registers/_intake_item.html",
                {"letter": letter, "error": error.text(), "reject_form": ReasonForm()},
            )
        messages.error(request, error.text())
        return redirect(safe_next(request, reverse("registers:intake")))
    if is_htmx(request):
        context = {
            "letter": letter,
            "done": _entry_with_letter(entry.pk),
            "remaining": _queue(request.user).count(),
        }
        return page(request, "registers/_intake_item.html", context)
    request.session[LAST_REGISTERED] = entry.pk
    return redirect(safe_next(request, reverse(back)))


def _duplicate(
    request: HttpRequest, letter: Letter, error: DuplicateLetter, *, next_url: str
) -> HttpResponse:
    duplicates = (
        letters_visible_to(request.user, Letter.objects.filter(pk__in=error.duplicates))
        .prefetch_related("entries")
        .order_by("created_at")
    )
    context = {
        "section": "intake",
        "letter": letter,
        "duplicates": list(duplicates),
        "hidden_duplicates": len(error.duplicates) - len(duplicates),
        "warning": error.text(),
        "next": next_url,
    }
    if is_htmx(request):
        return page(
            request, "registers/_intake_item.html", {**context, "reject_form": ReasonForm()}
        )
    return page(request, "registers/intake_register.html", context)


@roles_required(CLERKS)
def intake_register(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation page (used when JavaScript is off); POST: ลงรับ."""
    letter = visible_letter_or_404(request, pk)
    if request.method != "POST":
        if letter.status != LetterStatus.INTAKE or letter.direction != Direction.INCOMING:
            return redirect("registers:letter-detail", pk=letter.pk)
        context = {"section": "intake", "letter": letter, "next": request.GET.get("next", "")}
        return page(request, "registers/intake_register.html", context)
    return _register(
        request,
        letter,
        allow_duplicate=request.POST.get("allow_duplicate") == "1",
        back="registers:intake",
    )


@require_POST
@roles_required(CLERKS)
def intake_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    letter = visible_letter_or_404(request, pk)
    form = ReasonForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            letter = intake_reject(
                letter=letter, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except RegistersError as failure:
            error = failure.text()
    else:
        error = _("โปรดระบุเหตุผลที่ไม่รับ")
    if is_htmx(request):
        context = {
            "letter": letter,
            "error": error,
            "reject_form": form,
            "rejected": not error,
            "remaining": None if error else _queue(request.user).count(),
        }
        return page(request, "registers/_intake_item.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("บันทึกการไม่รับหนังสือแล้ว"))
    return HttpResponseRedirect(safe_next(request, reverse("registers:intake")))
