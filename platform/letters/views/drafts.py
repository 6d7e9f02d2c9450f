"""Staff pages of drafting: list, write (with the live preview), submit, approve or return."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from letters.choices import DraftKind, DraftStatus
from letters.errors import LettersError
from letters.forms import DraftForm, ReturnForm
from letters.models import LetterDraft
from letters.selectors.drafts import can_approve, can_edit, drafts_awaiting, drafts_visible
from letters.services.drafting import draft_create, draft_return, draft_submit, draft_update
from letters.services.issuing import draft_approve, issued_letter_sign_again
from registers.agency import current_agency
from registers.errors import RegistersError
from registers.views.access import ANY_STAFF, page, roles_required
from thaiformat.bilingual import BilingualError


def _draft_or_404(request: HttpRequest, pk: int) -> LetterDraft:
    draft: LetterDraft = get_object_or_404(drafts_visible(request.user), pk=pk)
    return draft


@roles_required(ANY_STAFF)
def draft_list(request: HttpRequest) -> HttpResponse:
    mine = drafts_visible(request.user).filter(created_by_id=request.user.pk)
    context = {
        "section": "drafts",
        "mine": mine.exclude(status__in=(DraftStatus.ISSUED, DraftStatus.SIGNING))[:100],
        "awaiting": drafts_awaiting(request.user)[:100],
        # Numbered letters, the ones still awaiting their signature included (marked so).
        "issued": drafts_visible(request.user)
        .filter(status__in=(DraftStatus.ISSUED, DraftStatus.SIGNING))
        .select_related("issued")
        .defer("issued__unsigned_pdf")[:50],
        "kinds": DraftKind.choices,
    }
    return page(request, "letters/draft_list.html", context)


def _initial(request: HttpRequest, kind: str) -> dict[str, Any]:
    user: Any = request.user
    agency = current_agency()
    return {
        "kind": kind,
        "signer_name": user.get_full_name(),
        "signer_position": getattr(user, "position", ""),
        "contact": "\n".join(
            part
            for part in (
                getattr(getattr(user, "org_unit", None), "name_th", ""),
                _("โทร. %(phone)s") % {"phone": user.phone} if getattr(user, "phone", "") else "",
            )
            if part
        ),
        "department": agency.name_th if kind == DraftKind.MEMO else "",
    }


@roles_required(ANY_STAFF)
def draft_new(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", DraftKind.EXTERNAL)
    if kind not in DraftKind.values:
        kind = DraftKind.EXTERNAL
    form = DraftForm(request.POST or None, initial=_initial(request, kind))
    if request.method == "POST" and form.is_valid():
        try:
            draft = draft_create(data=form.to_input(), actor=request.user)
        except LettersError as error:
            form.add_error(None, error.text())
        else:
            if request.POST.get("action") == "submit":
                return _submit(request, draft)
            messages.success(request, _("บันทึกร่างหนังสือแล้ว"))
            return redirect("letters:draft-detail", pk=draft.pk)
    return page(request, "letters/draft_form.html", {"section": "drafts", "form": form})


def _submit(request: HttpRequest, draft: LetterDraft) -> HttpResponse:
    try:
        draft_submit(draft=draft, actor=request.user)
    except LettersError as error:
        messages.error(request, error.text())
    else:
        messages.success(request, _("เสนอลงนามแล้ว"))
    return redirect("letters:draft-detail", pk=draft.pk)


@roles_required(ANY_STAFF)
def draft_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The author edits here while it is editable; everyone else reads it and acts on it."""
    draft = _draft_or_404(request, pk)
    editable = can_edit(request.user, draft)
    form = DraftForm(request.POST or None, instance=draft) if editable else None
    if request.method == "POST":
        if form is None:
            return redirect("letters:draft-detail", pk=draft.pk)
        if form.is_valid():
            try:
                draft = draft_update(draft=draft, data=form.to_input(), actor=request.user)
            except LettersError as error:
                form.add_error(None, error.text())
            else:
                if request.POST.get("action") == "submit":
                    return _submit(request, draft)
                messages.success(request, _("บันทึกร่างหนังสือแล้ว"))
                return redirect("letters:draft-detail", pk=draft.pk)
    issued = (
        getattr(draft, "issued", None)
        if draft.status in (DraftStatus.ISSUED, DraftStatus.SIGNING)
        else None
    )
    context = {
        "section": "drafts",
        "draft": draft,
        "form": form,
        "can_approve": can_approve(request.user) and draft.status == DraftStatus.SUBMITTED,
        "return_form": ReturnForm(),
        "issued": issued,
        # The signature failed, or keeps failing: an approver may have it signed again.
        "can_sign_again": issued is not None
        and issued.signing_failing
        and can_approve(request.user),
    }
    return page(request, "letters/draft_detail.html", context)


@require_POST
@roles_required(ANY_STAFF)
def draft_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(request, _draft_or_404(request, pk))


@require_POST
@roles_required(ANY_STAFF)
def draft_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft_or_404(request, pk)
    try:
        issued = draft_approve(
            draft=draft, actor=request.user, ip_address=request.META.get("REMOTE_ADDR")
        )
    except BilingualError as error:  # ours, the registers' or the signing app's refusal
        messages.error(request, error.text())
    else:
        messages.success(
            request,
            _("อนุมัติแล้ว ออกเลขที่ %(reference)s กำลังลงนาม เมื่อลงนามเสร็จจึงดาวน์โหลดหรือส่งได้")
            % {"reference": issued.letter.reference},
        )
    return redirect("letters:draft-detail", pk=draft.pk)


@require_POST
@roles_required(ANY_STAFF)
def issued_sign_again_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ลงนามใหม่: the signature failed; this approver signs it (certificate or typed name)."""
    draft = _draft_or_404(request, pk)
    issued = getattr(draft, "issued", None)
    if issued is None:
        raise Http404
    try:
        issued_letter_sign_again(
            issued=issued, actor=request.user, ip_address=request.META.get("REMOTE_ADDR")
        )
    except BilingualError as error:
        messages.error(request, error.text())
    else:
        messages.success(request, _("สั่งลงนามใหม่แล้ว ระบบกำลังลงนาม"))
    return redirect("letters:draft-detail", pk=draft.pk)


@require_POST
@roles_required(ANY_STAFF)
def draft_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft_or_404(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("โปรดระบุความเห็นที่ให้แก้ไข"))
        return redirect("letters:draft-detail", pk=draft.pk)
    try:
        draft_return(draft=draft, actor=request.user, comment=form.cleaned_data["comment"])
    except LettersError as error:
        messages.error(request, error.text())
    else:
        messages.success(request, _("ส่งกลับให้ผู้จัดทำแก้ไขแล้ว"))
    return redirect("letters:draft-detail", pk=draft.pk)


@roles_required(ANY_STAFF)
def issued_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft_or_404(request, pk)
    issued = getattr(draft, "issued", None)
    if issued is None or not issued.is_signed:  # only the signed copy is ever offered
        raise Http404
    response: Any = FileResponse(
        issued.file.open("rb"),
        content_type="application/pdf",
        filename=f"{issued.letter.reference.replace('/', '-')}.pdf",
    )
    return response  # a streamed file; typed as the decorators expect


@require_POST
@roles_required(ANY_STAFF)
def issued_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ส่งทางอีเมล: the issued letter goes to the addresses on the draft (registers' dispatch)."""
    draft = _draft_or_404(request, pk)
    issued = getattr(draft, "issued", None)
    if draft.status != DraftStatus.ISSUED or draft.letter is None:
        raise Http404
    if issued is None or not issued.is_signed:  # only the signed copy is ever sent
        raise Http404
    from registers.services.dispatch import letter_dispatch_email

    recipients = request.POST.get("recipients") or draft.recipient_email
    try:
        letter_dispatch_email(letter=draft.letter, recipients=recipients, actor=request.user)
    except RegistersError as error:
        messages.error(request, error.text())
    else:
        messages.success(request, _("ส่งหนังสือทางอีเมลแล้ว ติดตามผลการส่งได้ที่หน้าหนังสือ"))
    return redirect("letters:draft-detail", pk=draft.pk)
