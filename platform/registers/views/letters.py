"""One letter: every field, its files and register entries, its timeline, and the actions on it
(ออกเลข, เกษียน/สั่งการ, ส่งต่อ, รับทราบ, ดำเนินการแล้ว, ปิดเรื่อง, จัดเก็บ, สิทธิ์เข้าถึง).

Every action is a small form on the page. A failed one re-renders the page with what was typed
and the reason; a successful one redirects back (POST-redirect-GET).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import RoleCode, User
from registers.choices import (
    AssignmentStatus,
    AttachmentRole,
    Direction,
    EntryStatus,
    LetterStatus,
)
from registers.errors import NotAllowed, RegistersError
from registers.forms import (
    CloseForm,
    EndorseForm,
    ForwardForm,
    GrantAccessForm,
    NoteForm,
    NumberForm,
    ReasonForm,
    StoreForm,
)
from registers.forms_dispatch import DispatchForm
from registers.models import Assignment, Attachment, Endorsement, Letter, RegisterEntry
from registers.selectors.dispatch import dispatch_recipients_of
from registers.selectors.routing import delegator_ids_for, tasks_for
from registers.selectors.timeline import letter_timeline
from registers.services.dispatch import SENDABLE_STATES
from registers.services.downloads import attachment_for_download
from registers.services.letters import letter_grant_access, letter_register_outgoing
from registers.services.retention import letter_store
from registers.services.routing import (
    assignment_acknowledge,
    assignment_complete,
    letter_close,
    letter_endorse,
    letter_forward,
)
from registers.views.access import (
    CLERKS,
    EXECUTIVES,
    ROUTERS,
    forbidden,
    has_any,
    is_htmx,
    page,
    roles_required,
    safe_next,
    staff_required,
    visible_letter_or_404,
)
from registers.views.outgoing import numbered_message

# States in which a letter is still being worked on inside the organisation.
OPEN_STATES = (LetterStatus.REGISTERED, LetterStatus.IN_PROGRESS)


def _refused(form: forms.Form, error: RegistersError) -> int:
    """Show a service's refusal on its form; the status says whether it was a permission."""
    form.add_error(None, error.text())
    return 403 if isinstance(error, NotAllowed) else 200


def _acts_for_executive(request: HttpRequest) -> bool:
    """An executive, or someone an executive delegated to today (they endorse on their behalf)."""
    if has_any(request, EXECUTIVES):
        return True
    ids = delegator_ids_for(request.user)
    return bool(ids) and User.objects.filter(pk__in=ids, roles__code=RoleCode.EXECUTIVE).exists()


def _may_route(request: HttpRequest, my_tasks: list[Assignment]) -> bool:
    return has_any(request, ROUTERS) or bool(my_tasks) or _acts_for_executive(request)


def _letter_queryset() -> Any:
    return Letter.objects.select_related("owner_unit", "created_by").prefetch_related(
        "references",
        "enclosures",
        Prefetch("attachments", queryset=Attachment.objects.order_by("role", "pk")),
        Prefetch(
            "entries",
            queryset=RegisterEntry.objects.select_related("registered_by", "cancelled_by").order_by(
                "registered_at", "pk"
            ),
        ),
        Prefetch(
            "endorsements",
            queryset=Endorsement.objects.select_related("author", "on_behalf_of"),
        ),
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related(
                "to_unit", "to_user", "assigned_by", "acknowledged_by", "done_by"
            ),
        ),
        "access__user",
        "access__role",
    )


def _my_open_tasks(request: HttpRequest, letter: Letter) -> list[Assignment]:
    return list(
        tasks_for(request.user)
        .filter(letter=letter)
        .exclude(status__in=(AssignmentStatus.DONE, AssignmentStatus.CANCELLED))
        .select_related("to_unit", "to_user")
    )


def detail_page(
    request: HttpRequest, letter: Letter, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    """The letter page; ``bound`` holds a failed form so its input and errors show again."""
    letter = _letter_queryset().get(pk=letter.pk)
    clerk = has_any(request, CLERKS)
    my_tasks = _my_open_tasks(request, letter)
    is_open = letter.status in OPEN_STATES
    may_route = _may_route(request, my_tasks)
    attachments = list(letter.attachments.all())
    storage = getattr(letter, "storage", None) if letter.status == LetterStatus.STORED else None
    can = {
        "register": clerk
        and letter.direction == Direction.INCOMING
        and letter.status == LetterStatus.INTAKE,
        "number": clerk
        and letter.direction == Direction.OUTGOING
        and letter.status == LetterStatus.DRAFT,
        "endorse": is_open and _acts_for_executive(request),
        "forward": is_open and may_route,
        "close": is_open and may_route,
        "store": clerk and letter.status == LetterStatus.DONE,
        "grant": clerk and letter.is_restricted,
        "dispatch": clerk
        and letter.direction == Direction.OUTGOING
        and letter.status in SENDABLE_STATES
        and not letter.is_restricted,
        "cancel": clerk,
    }
    context = {
        "section": "registers" if letter.status != LetterStatus.INTAKE else "intake",
        "letter": letter,
        "main_files": [a for a in attachments if a.role == AttachmentRole.MAIN],
        "other_files": [a for a in attachments if a.role == AttachmentRole.ATTACHMENT],
        "stamped_files": [a for a in attachments if a.role == AttachmentRole.STAMPED],
        "entries": list(letter.entries.all()),
        "timeline": letter_timeline(letter),
        "my_tasks": my_tasks,
        "storage": storage,
        "can": can,
        "active_status": EntryStatus.ACTIVE,
        "today": timezone.localdate(),
        "reject_form": bound.get("reject_form") or ReasonForm(),
        "number_form": bound.get("number_form") or NumberForm(),
        "endorse_form": bound.get("endorse_form") or EndorseForm(),
        "forward_form": bound.get("forward_form") or ForwardForm(),
        "close_form": bound.get("close_form") or CloseForm(prefix="close"),
        "done_form": bound.get("done_form") or NoteForm(prefix="done"),
        "store_form": bound.get("store_form") or StoreForm(),
        "grant_form": bound.get("grant_form") or GrantAccessForm(),
        "dispatch_recipients": list(dispatch_recipients_of(letter)),
        "dispatch_form": bound.get("dispatch_form")
        or DispatchForm(initial={"recipients": letter.recipient_email}),
    }
    return page(request, "registers/letter_detail.html", context, status=status)


@staff_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return detail_page(request, visible_letter_or_404(request, pk))


def _back(letter: Letter, anchor: str = "") -> HttpResponse:
    url = reverse("registers:letter-detail", args=[letter.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@staff_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(Attachment.objects.select_related("letter"), pk=pk)
    visible_letter_or_404(request, attachment.letter_id)
    try:
        download = attachment_for_download(attachment=attachment, viewer=request.user)
    except NotAllowed:
        raise Http404 from None
    inline = download.content_type == "application/pdf" or download.content_type.startswith(
        "image/"
    )
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=not inline or request.GET.get("download") == "1",
            filename=download.filename,
        )
        or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@roles_required(CLERKS)
def letter_number(request: HttpRequest, pk: int) -> HttpResponse:
    """ออกเลข for a draft: a new number in the chosen register, or a reserved one."""
    letter = visible_letter_or_404(request, pk)
    form = NumberForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            entry = letter_register_outgoing(
                letter=letter,
                register=form.cleaned_data["register"],
                actor=request.user,
                reserved_entry=form.cleaned_data.get("reserved_entry"),
            )
        except RegistersError as error:
            status = _refused(form, error)
        else:
            numbered_message(request, entry)
            return _back(letter)
    return detail_page(request, letter, status, number_form=form)


@require_POST
@staff_required
def letter_endorse_view(request: HttpRequest, pk: int) -> HttpResponse:
    letter = visible_letter_or_404(request, pk)
    if not _acts_for_executive(request):
        return forbidden(request)
    form = EndorseForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            letter_endorse(
                letter=letter,
                actor=request.user,
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
            )
        except RegistersError as error:
            status = _refused(form, error)
        else:
            messages.success(request, _("บันทึกการเกษียน/สั่งการแล้ว"))
            return _back(letter, "routing")
    return detail_page(request, letter, status, endorse_form=form)


@require_POST
@staff_required
def letter_forward_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ส่งต่อ: clerks and executives route; an assignee may pass their own task on."""
    letter = visible_letter_or_404(request, pk)
    my_tasks = _my_open_tasks(request, letter)
    if not _may_route(request, my_tasks):
        return forbidden(request)
    form = ForwardForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            letter_forward(
                letter=letter,
                actor=request.user,
                to_unit_id=data["to_unit"].pk if data["to_unit"] else None,
                to_user_id=data["to_user"].pk if data["to_user"] else None,
                instruction=data["instruction"],
                due_date=data["due_date"],
                parent=my_tasks[0] if my_tasks else None,
            )
        except RegistersError as error:
            status = _refused(form, error)
        else:
            messages.success(request, _("ส่งต่อแล้ว"))
            return _back(letter, "routing")
    return detail_page(request, letter, status, forward_form=form)


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    assignment = get_object_or_404(Assignment.objects.select_related("letter"), pk=pk)
    visible_letter_or_404(request, assignment.letter_id)
    return assignment


def _task_answer(request: HttpRequest, assignment: Assignment, error: str = "") -> HttpResponse:
    """After รับทราบ / ดำเนินการแล้ว: the task's row (htmx) or back where the person was."""
    if is_htmx(request):
        assignment = Assignment.objects.select_related(
            "letter", "to_unit", "to_user", "assigned_by"
        ).get(pk=assignment.pk)
        return page(
            request,
            "registers/_task_row.html",
            {"task": assignment, "error": error, "today": timezone.localdate()},
        )
    if error:
        messages.error(request, error)
    default = reverse("registers:letter-detail", args=[assignment.letter_id])
    return redirect(safe_next(request, default))


@require_POST
@staff_required
def assignment_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    try:
        assignment_acknowledge(assignment=assignment, actor=request.user)
    except RegistersError as error:
        return _task_answer(request, assignment, error.text())
    if not is_htmx(request):
        messages.success(request, _("รับทราบแล้ว"))
    return _task_answer(request, assignment)


@require_POST
@staff_required
def assignment_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    form = NoteForm(request.POST, prefix="done")
    form.is_valid()  # the note is optional
    try:
        assignment_complete(
            assignment=assignment, actor=request.user, note=form.cleaned_data.get("note", "")
        )
    except RegistersError as error:
        return _task_answer(request, assignment, error.text())
    if not is_htmx(request):
        messages.success(request, _("บันทึกผลการดำเนินการแล้ว"))
    return _task_answer(request, assignment)


@require_POST
@staff_required
def letter_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    letter = visible_letter_or_404(request, pk)
    if not _may_route(request, _my_open_tasks(request, letter)):
        return forbidden(request)
    form = CloseForm(request.POST, prefix="close")
    status = 200
    if form.is_valid():
        try:
            letter_close(
                letter=letter,
                actor=request.user,
                note=form.cleaned_data["note"],
                cancel_open=form.cleaned_data["cancel_open"],
            )
        except RegistersError as error:
            status = _refused(form, error)
        else:
            messages.success(request, _("ปิดเรื่องแล้ว"))
            return _back(letter)
    return detail_page(request, letter, status, close_form=form)


@require_POST
@roles_required(CLERKS)
def letter_store_view(request: HttpRequest, pk: int) -> HttpResponse:
    letter = visible_letter_or_404(request, pk)
    form = StoreForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            record = letter_store(
                letter=letter,
                actor=request.user,
                file_code=form.cleaned_data["file_code"],
                remarks=form.cleaned_data["remarks"],
            )
        except RegistersError as error:
            status = _refused(form, error)
        else:
            messages.success(
                request,
                _("จัดเก็บแล้ว ลำดับที่ %(item)s/%(period)s")
                % {"item": record.item_number, "period": record.period},
            )
            return _back(letter)
    return detail_page(request, letter, status, store_form=form)


@require_POST
@roles_required(CLERKS)
def letter_grant_view(request: HttpRequest, pk: int) -> HttpResponse:
    letter = visible_letter_or_404(request, pk)
    form = GrantAccessForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            letter_grant_access(
                letter=letter,
                actor=request.user,
                user_ids=[user.pk for user in form.cleaned_data["users"]],
                role_ids=[role.pk for role in form.cleaned_data["roles"]],
            )
        except RegistersError as error:
            status = _refused(form, error)
        else:
            messages.success(request, _("เพิ่มผู้มีสิทธิ์เข้าถึงแล้ว"))
            return _back(letter, "access")
    return detail_page(request, letter, status, grant_form=form)
