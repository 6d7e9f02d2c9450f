"""ส่งทางอีเมล: e-mail a registered outgoing letter (the result per recipient shows on its page)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registers.errors import RegistersError
from registers.forms_dispatch import DispatchForm
from registers.services.dispatch import letter_dispatch_email
from registers.views.access import CLERKS, roles_required, visible_letter_or_404


@require_POST
@roles_required(CLERKS)
def letter_dispatch_view(request: HttpRequest, pk: int) -> HttpResponse:
    from registers.views.letters import detail_page

    letter = visible_letter_or_404(request, pk)
    form = DispatchForm(request.POST)
    if form.is_valid():
        try:
            dispatch = letter_dispatch_email(
                letter=letter, recipients=form.cleaned_data["recipients"], actor=request.user
            )
        except RegistersError as error:
            form.add_error(None, error.text())
        else:
            count = dispatch.recipients.count()
            if count:
                messages.success(request, _("สั่งส่งทางอีเมลแล้ว %(count)s ราย") % {"count": count})
            else:
                messages.info(request, _("ส่งถึงผู้รับเหล่านี้แล้ว ไม่ส่งซ้ำ"))
            return redirect(reverse("registers:letter-detail", args=[letter.pk]) + "#dispatch")
    return detail_page(request, letter, 200, dispatch_form=form)
