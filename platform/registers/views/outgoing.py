"""หนังสือส่ง: draft an outgoing letter and give it its number (ออกเลข)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from registers.agency import current_agency
from registers.errors import RegistersError
from registers.forms import OutgoingForm, ReferenceFormSet, reference_inputs
from registers.models import RegisterEntry
from registers.services.letters import letter_create_outgoing, letter_register_outgoing
from registers.views.access import (
    ANY_STAFF,
    CLERKS,
    has_any,
    page,
    roles_required,
    uploaded_files,
)


def numbered_message(request: HttpRequest, entry: RegisterEntry) -> None:
    messages.success(
        request,
        _("ออกเลขแล้ว: ที่ %(reference)s (%(register)s เลข %(number)s/%(period)s)")
        % {
            "reference": entry.reference,
            "register": entry.get_register_display(),
            "number": entry.number,
            "period": entry.period,
        },
    )


@roles_required(ANY_STAFF)
def outgoing_new(request: HttpRequest) -> HttpResponse:
    """Anyone drafts; clerks may also number at once ("บันทึกและออกเลข")."""
    can_number = has_any(request, CLERKS)
    agency = current_agency()
    initial = {"sender": agency.name_th}
    form = OutgoingForm(request.POST or None, request.FILES or None, initial=initial)
    if not can_number:
        del form.fields["register"]
    refs = ReferenceFormSet(request.POST or None, prefix="ref")
    if request.method == "POST" and form.is_valid() and refs.is_valid():
        try:
            letter = letter_create_outgoing(
                data=form.to_input(reference_inputs(refs)),
                files=form.file_inputs(),
                actor=request.user,
            )
        except RegistersError as error:
            form.add_error(None, error.text())
        else:
            if can_number and request.POST.get("action") == "number":
                try:
                    entry = letter_register_outgoing(
                        letter=letter, register=form.cleaned_data["register"], actor=request.user
                    )
                except RegistersError as error:
                    messages.error(request, error.text())
                else:
                    numbered_message(request, entry)
            else:
                messages.success(request, _("บันทึกร่างหนังสือส่งแล้ว"))
            return redirect("registers:letter-detail", pk=letter.pk)
    context = {
        "section": "outgoing",
        "form": form,
        "refs": refs,
        "can_number": can_number,
        "prefix": agency.letter_code_prefix,
        "uploaded": uploaded_files(request) if request.method == "POST" else [],
    }
    return page(request, "registers/outgoing_form.html", context)
