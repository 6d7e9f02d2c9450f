"""Storage, retention and destruction pages (forms 19, 20, 21 and 25) for clerks and admins.

Every write goes through ``registers.services.retention``; a refusal is shown in the reader's
language with ``RegistersError.text()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registers.choices import (
    RESTRICTED_SECRECY,
    CommitteeRole,
    DestructionDecision,
    DestructionStatus,
    EntryStatus,
    RegisterKind,
)
from registers.errors import RegistersError
from registers.forms_admin import (
    MIN_COMMITTEE_MEMBERS,
    AnswerForm,
    CommitteeChairForm,
    CommitteeMemberFormSet,
    DecideForm,
    DestroyForm,
    SendForm,
    StorageRangeForm,
    YearForm,
    committee_members,
)
from registers.models import (
    DestructionItem,
    DestructionList,
    HandoverList,
    Letter,
    RegisterEntry,
)
from registers.reports import FORMATS, REPORT_KINDS, report_render
from registers.selectors import retention as selectors
from registers.selectors.letters import letters_visible_to
from registers.services import retention as svc
from registers.views.access import role_codes
from registers.views.admin_common import is_htmx, page, retention_staff_required
from thaiformat.dates import be_year

PAGE_SIZE = 50
# Letters due are previewed, not paged: the list made from them holds every one.
DUE_SHOWN = 200
STORAGE_KINDS = ("storage_list", "storage_register")
# Member rows of the committee form: those saved and one blank, and at least three.
COMMITTEE_ROWS = 3


def _this_be_year() -> int:
    return be_year(timezone.now())


def _last_be_year() -> int:
    """Lists are made for a year that has ended: by default the one before this."""
    return _this_be_year() - 1


def _can_archive(request: HttpRequest) -> bool:
    return bool(role_codes(request) & set(svc.ARCHIVING_ROLES))


def _mark_visible(user: Any, letters: Iterable[Letter]) -> None:
    """Set ``shown_subject``: a classified letter's subject only for those who may see it."""
    letters = list(letters)
    restricted = [letter.pk for letter in letters if letter.secrecy in RESTRICTED_SECRECY]
    visible = set(
        letters_visible_to(user, Letter.objects.filter(pk__in=restricted)).values_list(
            "pk", flat=True
        )
    )
    for letter in letters:
        if letter.secrecy in RESTRICTED_SECRECY and letter.pk not in visible:
            letter.shown_subject = f"({letter.get_secrecy_display()})"  # type: ignore[attr-defined]
        else:
            letter.shown_subject = letter.subject  # type: ignore[attr-defined]


def _refused(request: HttpRequest, error: RegistersError) -> None:
    messages.error(request, error.text())


# --- storage register (forms 19 and 20) -------------------------------------------------------


@retention_staff_required
def retention_storage(request: HttpRequest) -> HttpResponse:
    form = StorageRangeForm(request.GET or None)
    start = end = None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    receive_entries = RegisterEntry.objects.filter(
        register=RegisterKind.RECEIVE, status=EntryStatus.ACTIVE
    )
    records = selectors.storage_records(start, end).prefetch_related(
        Prefetch("letter__entries", queryset=receive_entries, to_attr="receive_entries")
    )
    records_page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    _mark_visible(request.user, [record.letter for record in records_page])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "section": "storage",
        "form": form,
        "page": records_page,
        "query": query.urlencode(),
        "downloads": [(kind, REPORT_KINDS[kind]) for kind in STORAGE_KINDS],
    }
    return page(request, "registers/admin/retention_storage.html", context)


# --- destruction (form 25) --------------------------------------------------------------------


def _yearly_lists_page(
    request: HttpRequest,
    *,
    section: str,
    due_for: Callable[[int], QuerySet[Letter]],
    lists: QuerySet[Any],
    template: str,
) -> HttpResponse:
    """The letters due in a chosen BE year and the lists made so far (forms 25 and 21)."""
    year_form = YearForm(request.GET or None, initial={"year": _last_be_year()})
    year = _last_be_year()
    if year_form.is_bound and year_form.is_valid():
        year = year_form.cleaned_data["year"]
    due_letters = due_for(year)
    due = list(due_letters[:DUE_SHOWN])
    _mark_visible(request.user, due)
    context = {
        "section": section,
        "year_form": year_form,
        "year": year,
        "due": due,
        "due_count": due_letters.count(),
        "year_ended": year < _this_be_year(),
        "can_archive": _can_archive(request),
        "lists": lists.annotate(item_count=Count("items")),
    }
    return page(request, template, context)


@retention_staff_required
def retention_destruction_lists(request: HttpRequest) -> HttpResponse:
    return _yearly_lists_page(
        request,
        section="destruction",
        due_for=selectors.letters_due_for_destruction,
        lists=DestructionList.objects.all(),
        template="registers/admin/destruction_lists.html",
    )


@retention_staff_required
@require_POST
def retention_destruction_create(request: HttpRequest) -> HttpResponse:
    form = YearForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("year", []):
            messages.error(request, str(error))
        return redirect("registers:retention-destruction-lists")
    try:
        dlist = svc.destruction_list_create(year=form.cleaned_data["year"], actor=request.user)
    except RegistersError as error:
        _refused(request, error)
        return redirect("registers:retention-destruction-lists")
    messages.success(
        request,
        _("จัดทำบัญชีหนังสือขอทำลาย พ.ศ. %(year)s แล้ว (%(count)s รายการ)")
        % {"year": dlist.year, "count": dlist.items.count()},
    )
    return redirect("registers:retention-destruction", pk=dlist.pk)


def _destruction_counts(dlist: DestructionList) -> dict[str, int]:
    counts = {choice: 0 for choice in DestructionDecision.values}
    for decision in dlist.items.values_list("decision", flat=True):
        counts[decision] += 1
    return counts


def _committee_forms(dlist: DestructionList, data: Any = None) -> tuple[CommitteeChairForm, Any]:
    members = list(dlist.committee.all())
    chair = next((m for m in members if m.role == CommitteeRole.CHAIR), None)
    others = [m for m in members if m.role != CommitteeRole.CHAIR]
    chair_form = CommitteeChairForm(
        data,
        prefix="chair",
        initial={"chair_name": chair.name, "chair_position": chair.position} if chair else None,
    )
    initial = [{"name": m.name, "position": m.position} for m in others]
    rows = max(COMMITTEE_ROWS, len(initial) + 1)
    initial += [{} for _row in range(rows - len(initial))]
    formset = CommitteeMemberFormSet(data, prefix="member", initial=initial)
    return chair_form, formset


def _item_context(item: DestructionItem, list_year: int, form: DecideForm | None = None) -> Any:
    item.form = form or DecideForm(  # type: ignore[attr-defined]
        prefix=f"item{item.pk}",
        list_year=list_year,
        initial={
            "decision": item.decision if item.decision != DestructionDecision.PENDING else None,
            "keep_until_year": item.keep_until_year,
            "remarks": item.remarks,
        },
    )
    return item


def _destruction_page(
    request: HttpRequest, dlist: DestructionList, *, status: int = 200, **forms: Any
) -> HttpResponse:
    items = list(dlist.items.select_related("letter", "letter__storage"))
    _mark_visible(request.user, [item.letter for item in items])
    bound_item = forms.pop("item_form", None)
    for item in items:
        form = bound_item[1] if bound_item and bound_item[0] == item.pk else None
        _item_context(item, dlist.year, form)
    counts = _destruction_counts(dlist)
    chair_form, member_formset = forms.pop("committee", None) or _committee_forms(dlist)
    context = {
        "section": "destruction",
        "dlist": dlist,
        "items": items,
        "counts": counts,
        "committee": list(dlist.committee.all()),
        "chair_form": chair_form,
        "member_formset": member_formset,
        "send_form": forms.pop("send_form", None) or SendForm(prefix="send"),
        "answer_form": forms.pop("answer_form", None) or AnswerForm(prefix="answer"),
        "destroy_form": forms.pop("destroy_form", None)
        or DestroyForm(prefix="destroy", expected=counts[DestructionDecision.DESTROY]),
        "destroy_count": counts[DestructionDecision.DESTROY],
        "can_archive": _can_archive(request),
        "can_send": _can_archive(request)
        and dlist.status in (DestructionStatus.DECIDED, DestructionStatus.OBJECTED),
        "editable": _editable(request, dlist),
        "Status": DestructionStatus,
        "formats": FORMATS,
    }
    return page(request, "registers/admin/destruction.html", context, status=status)


def _editable(request: HttpRequest, dlist: DestructionList) -> bool:
    return _can_archive(request) and dlist.status in svc.EDITABLE_LIST_STATUSES


def _get_list(pk: int) -> DestructionList:
    return get_object_or_404(DestructionList, pk=pk)


@retention_staff_required
def retention_destruction(request: HttpRequest, pk: int) -> HttpResponse:
    return _destruction_page(request, _get_list(pk))


@retention_staff_required
@require_POST
def retention_destruction_committee(request: HttpRequest, pk: int) -> HttpResponse:
    dlist = _get_list(pk)
    chair_form, formset = _committee_forms(dlist, request.POST)
    if chair_form.is_valid() and formset.is_valid():
        members = committee_members(formset)
        if len(members) < MIN_COMMITTEE_MEMBERS:
            chair_form.add_error(None, _("คณะกรรมการต้องมีประธานและกรรมการอย่างน้อยสองคน"))
        else:
            try:
                svc.destruction_committee_set(
                    destruction_list=dlist,
                    actor=request.user,
                    chair=(
                        chair_form.cleaned_data["chair_name"].strip(),
                        chair_form.cleaned_data["chair_position"].strip(),
                    ),
                    members=members,
                )
            except RegistersError as error:
                chair_form.add_error(None, error.text())
            else:
                messages.success(request, _("บันทึกคณะกรรมการแล้ว"))
                return redirect("registers:retention-destruction", pk=dlist.pk)
    return _destruction_page(request, dlist, status=400, committee=(chair_form, formset))


@retention_staff_required
@require_POST
def retention_destruction_decide(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    dlist = _get_list(pk)
    item = get_object_or_404(DestructionItem, pk=item_pk, destruction_list=dlist)
    form = DecideForm(request.POST, prefix=f"item{item.pk}", list_year=dlist.year)
    status_before = dlist.status
    if form.is_valid():
        try:
            svc.destruction_item_decide(
                item=item,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                keep_until_year=form.cleaned_data["keep_until_year"],
                remarks=form.cleaned_data["remarks"].strip(),
            )
        except RegistersError as error:
            form.add_error(None, error.text())
        else:
            if not is_htmx(request):
                url = reverse("registers:retention-destruction", kwargs={"pk": dlist.pk})
                return redirect(f"{url}#item-{item.pk}")
            dlist.refresh_from_db()
            item.refresh_from_db()
            if dlist.status != status_before:
                # The list moved on (all decided): reload so the next step appears.
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
            return _item_row(request, dlist, item)
    if is_htmx(request):
        # htmx swaps 2xx only: the row comes back with its errors.
        return _item_row(request, dlist, item, form)
    return _destruction_page(request, dlist, status=400, item_form=(item.pk, form))


def _item_row(
    request: HttpRequest,
    dlist: DestructionList,
    item: DestructionItem,
    form: DecideForm | None = None,
) -> HttpResponse:
    item = DestructionItem.objects.select_related("letter", "letter__storage").get(pk=item.pk)
    _mark_visible(request.user, [item.letter])
    _item_context(item, dlist.year, form)
    context = {
        "dlist": dlist,
        "item": item,
        "editable": _editable(request, dlist),
        "committee_ready": dlist.committee.exists(),
    }
    return page(request, "registers/admin/_destruction_item.html", context)


@retention_staff_required
@require_POST
def retention_destruction_send(request: HttpRequest, pk: int) -> HttpResponse:
    dlist = _get_list(pk)
    form = SendForm(request.POST, prefix="send")
    if form.is_valid():
        try:
            svc.destruction_list_send(
                destruction_list=dlist,
                actor=request.user,
                reference=form.cleaned_data["reference"].strip(),
            )
        except RegistersError as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, _("บันทึกการส่งบัญชีไปหอจดหมายเหตุแห่งชาติแล้ว"))
            return redirect("registers:retention-destruction", pk=dlist.pk)
    return _destruction_page(request, dlist, status=400, send_form=form)


@retention_staff_required
@require_POST
def retention_destruction_answer(request: HttpRequest, pk: int) -> HttpResponse:
    dlist = _get_list(pk)
    form = AnswerForm(request.POST, prefix="answer")
    if form.is_valid():
        try:
            svc.destruction_list_record_answer(
                destruction_list=dlist,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                answered_on=form.cleaned_data["answered_on"],
                note=form.cleaned_data["note"].strip(),
            )
        except RegistersError as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, _("บันทึกคำตอบของหอจดหมายเหตุแล้ว"))
            return redirect("registers:retention-destruction", pk=dlist.pk)
    return _destruction_page(request, dlist, status=400, answer_form=form)


@retention_staff_required
@require_POST
def retention_destruction_destroy(request: HttpRequest, pk: int) -> HttpResponse:
    dlist = _get_list(pk)
    expected = _destruction_counts(dlist)[DestructionDecision.DESTROY]
    form = DestroyForm(request.POST, prefix="destroy", expected=expected)
    if form.is_valid():
        try:
            svc.destruction_list_destroy(destruction_list=dlist, actor=request.user)
        except RegistersError as error:
            form.add_error(None, error.text())
        else:
            messages.success(
                request, _("ทำลายหนังสือ %(count)s ฉบับแล้ว ข้อมูลทะเบียนยังคงอยู่") % {"count": expected}
            )
            return redirect("registers:retention-destruction", pk=dlist.pk)
    return _destruction_page(request, dlist, status=400, destroy_form=form)


# --- handover at 20 years (form 21) -----------------------------------------------------------


@retention_staff_required
def retention_handover_lists(request: HttpRequest) -> HttpResponse:
    return _yearly_lists_page(
        request,
        section="handover",
        due_for=selectors.letters_due_for_handover,
        lists=HandoverList.objects.all(),
        template="registers/admin/handover_lists.html",
    )


@retention_staff_required
@require_POST
def retention_handover_create(request: HttpRequest) -> HttpResponse:
    form = YearForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("year", []):
            messages.error(request, str(error))
        return redirect("registers:retention-handover-lists")
    try:
        hlist = svc.handover_list_create(year=form.cleaned_data["year"], actor=request.user)
    except RegistersError as error:
        _refused(request, error)
        return redirect("registers:retention-handover-lists")
    messages.success(
        request,
        _("จัดทำบัญชีส่งมอบหนังสือครบ 20 ปี พ.ศ. %(year)s แล้ว (%(count)s รายการ)")
        % {"year": hlist.year, "count": hlist.items.count()},
    )
    return redirect("registers:retention-handover", pk=hlist.pk)


@retention_staff_required
def retention_handover(request: HttpRequest, pk: int) -> HttpResponse:
    hlist = get_object_or_404(HandoverList, pk=pk)
    items = list(hlist.items.select_related("letter", "letter__storage"))
    _mark_visible(request.user, [item.letter for item in items])
    context = {
        "section": "handover",
        "hlist": hlist,
        "items": items,
        "formats": FORMATS,
        "can_archive": _can_archive(request),
    }
    return page(request, "registers/admin/handover.html", context)


@retention_staff_required
@require_POST
def retention_handover_complete(request: HttpRequest, pk: int) -> HttpResponse:
    hlist = get_object_or_404(HandoverList, pk=pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("โปรดทำเครื่องหมายยืนยันการส่งมอบ"))
        return redirect("registers:retention-handover", pk=hlist.pk)
    try:
        svc.handover_list_complete(handover_list=hlist, actor=request.user)
    except RegistersError as error:
        _refused(request, error)
    else:
        messages.success(request, _("บันทึกการส่งมอบหนังสือให้หอจดหมายเหตุแห่งชาติแล้ว"))
    return redirect("registers:retention-handover", pk=hlist.pk)


# --- downloads --------------------------------------------------------------------------------


@retention_staff_required
def retention_report(
    request: HttpRequest, kind: str, fmt: str, pk: int | None = None
) -> HttpResponse:
    """Form 19/20 for a date range, or form 25/21 of one list, as PDF or XLSX."""
    if fmt not in FORMATS or kind not in REPORT_KINDS:
        raise Http404
    start = end = None
    if kind in STORAGE_KINDS and pk is None:
        form = StorageRangeForm(request.GET or None)
        if form.is_bound and form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    elif kind == "destruction_list":
        get_object_or_404(DestructionList, pk=pk)
    elif kind == "handover_list":
        get_object_or_404(HandoverList, pk=pk)
    else:
        raise Http404
    try:
        rendered = report_render(kind, fmt, start=start, end=end, list_id=pk)
    except RegistersError as error:
        _refused(request, error)
        return redirect("registers:retention")
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=rendered.filename
    )
    return response
