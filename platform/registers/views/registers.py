"""ทะเบียน: the register books (forms 13 and 14, circulars, orders, announcements),
cancelling an entry and reserving numbers (จองเลข)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from registers.choices import (
    OUTGOING_REGISTERS,
    Direction,
    EntryStatus,
    RegisterKind,
    Secrecy,
)
from registers.errors import RegistersError
from registers.forms import DateRangeForm, ReasonForm, ReserveForm
from registers.models import Assignment, Letter, NumberReservation, RegisterEntry
from registers.selectors.dispatch import dispatch_summaries
from registers.selectors.letters import letter_visible, letters_visible_to
from registers.selectors.settings import registry_settings
from registers.services.letters import entry_cancel, numbers_reserve
from registers.services.numbering import period_for
from registers.views.access import CLERKS, OVERSEERS, page, roles_required
from thaiformat.dates import format_thai_date

PAGE_SIZE = 50


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of a register as the paper form shows it."""

    entry: RegisterEntry
    letter: Letter | None
    hidden: bool  # a classified letter this person may not read: only its number shows
    action: str  # การปฏิบัติ


def _action_text(letter: Letter | None, dispatched: dict[int, str]) -> str:
    if letter is None:
        return ""
    if letter.direction == Direction.OUTGOING:
        if letter.pk in dispatched:  # ส่งทางอีเมล, with each recipient's state
            return dispatched[letter.pk]
        return str(_("ส่งทาง%(channel)s") % {"channel": letter.get_channel_display()})
    parts = []
    for assignment in letter.assignments.all():  # prefetched
        to = assignment.to_user or assignment.to_unit
        parts.append(f"{to} ({format_thai_date(assignment.assigned_at, short=True)})")
    return _("ส่ง %(targets)s") % {"targets": ", ".join(parts)} if parts else ""


def _rows(request: HttpRequest, entries: list[RegisterEntry]) -> list[Row]:
    restricted = [e.letter.pk for e in entries if e.letter and e.letter.secrecy != Secrecy.NORMAL]
    visible: set[int] = set()
    if restricted:
        visible = set(
            letters_visible_to(request.user, Letter.objects.filter(pk__in=restricted)).values_list(
                "pk", flat=True
            )
        )
    dispatched = dispatch_summaries(
        e.letter.pk for e in entries if e.letter and e.letter.direction == Direction.OUTGOING
    )
    return [
        Row(
            entry=entry,
            letter=entry.letter,
            hidden=entry.letter_id in restricted and entry.letter_id not in visible,
            action=_action_text(entry.letter, dispatched),
        )
        for entry in entries
    ]


def _register_kind(register: str) -> RegisterKind:
    if register not in RegisterKind.values:
        raise Http404
    return RegisterKind(register)


@roles_required(OVERSEERS)
def register_list(request: HttpRequest, register: str) -> HttpResponse:
    kind = _register_kind(register)
    current = period_for(timezone.now(), registry_settings().numbering_reset)
    form = DateRangeForm(request.GET or None)
    entries = RegisterEntry.objects.filter(register=kind)
    year = current
    if form.is_bound and form.is_valid():
        low, high = form.bounds()
        if low or high:
            year = 0
            if low:
                entries = entries.filter(registered_at__gte=low)
            if high:
                entries = entries.filter(registered_at__lt=high)
        else:
            year = form.cleaned_data.get("year") or current
    if year:
        entries = entries.filter(period=year)
    entries = entries.select_related(
        "letter", "letter__owner_unit", "registered_by", "cancelled_by"
    ).prefetch_related(
        Prefetch(
            "letter__assignments",
            queryset=Assignment.objects.select_related("to_unit", "to_user").order_by(
                "assigned_at", "pk"
            ),
        )
    )
    page_obj = Paginator(entries.order_by("-period", "-number"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    years = sorted(
        {
            current,
            *RegisterEntry.objects.filter(register=kind)
            .order_by()
            .values_list("period", flat=True)
            .distinct(),
        },
        reverse=True,
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "section": "registers",
        "kind": kind,
        "kinds": RegisterKind,
        "outgoing": kind in OUTGOING_REGISTERS,
        "form": form,
        "year": year,
        "years": years,
        "page_obj": page_obj,
        "rows": _rows(request, list(page_obj.object_list)),
        "query": query.urlencode(),
        "cancel_form": ReasonForm(),
    }
    return page(request, "registers/register_list.html", context)


@roles_required(CLERKS)
def entry_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ยกเลิกเลข: the number stays in the register, struck through, with the reason."""
    entry = get_object_or_404(RegisterEntry.objects.select_related("letter"), pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry_cancel(entry=entry, actor=request.user, reason=form.cleaned_data["reason"])
        except RegistersError as error:
            form.add_error(None, error.text())
        else:
            messages.success(
                request,
                _("ยกเลิกเลข %(number)s/%(period)s แล้ว")
                % {"number": entry.number, "period": entry.period},
            )
            url = reverse("registers:register-list", args=[entry.register])
            return redirect(f"{url}?year={entry.period}")
    hidden = entry.letter is not None and not letter_visible(request.user, entry.letter)
    context = {"section": "registers", "entry": entry, "form": form, "hidden": hidden}
    return page(request, "registers/entry_cancel.html", context)


@roles_required(CLERKS)
def reserve(request: HttpRequest) -> HttpResponse:
    """จองเลข: a block of numbers for letters written elsewhere, with the log of reservations."""
    initial = {"register": request.GET.get("register", RegisterKind.SEND)}
    form = ReserveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reservation = numbers_reserve(
                register=data["register"],
                count=data["count"],
                purpose=data["purpose"],
                actor=request.user,
                for_unit_id=data["for_unit"].pk if data["for_unit"] else None,
            )
        except RegistersError as error:
            form.add_error(None, error.text())
        else:
            messages.success(
                request,
                _("จองเลข %(first)s ถึง %(last)s/%(period)s ใน%(register)s แล้ว")
                % {
                    "first": reservation.first_number,
                    "last": reservation.last_number,
                    "period": reservation.period,
                    "register": reservation.get_register_display(),
                },
            )
            return redirect("registers:reserve")
    log = (
        NumberReservation.objects.select_related("reserved_by", "for_unit")
        .annotate(
            still_reserved=Count("entries", filter=Q(entries__status=EntryStatus.RESERVED)),
            used=Count("entries", filter=Q(entries__status=EntryStatus.ACTIVE)),
            cancelled=Count("entries", filter=Q(entries__status=EntryStatus.CANCELLED)),
        )
        .order_by("-reserved_at", "-pk")
    )
    page_obj = Paginator(log, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "section": "registers",
        "form": form,
        "page_obj": page_obj,
        "kinds": RegisterKind,
    }
    return page(request, "registers/reserve.html", context)
