"""The public page a letter's QR code opens: no login, on the municipality's own site.

It confirms the number, date, subject and SHA-256 of the letter as issued, and lets a holder
check their copy (upload, hashed here and discarded; or a pasted hash). Classified letters
show no subject. An unknown token is a 404 like any other missing page. A letter approved but
not signed yet has no issued copy to check against: the page says it awaits its signature
(the QR code is printed before the signature is made) and offers no check.
"""

from __future__ import annotations

import hashlib

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from letters.forms import VerifyForm
from letters.selectors.drafts import issued_by_token
from registers.agency import current_agency


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    issued = issued_by_token(token)
    if issued is None:
        raise Http404
    if not issued.is_signed:
        return render(
            request,
            "letters/verify.html",
            {
                "issued": issued,
                "letter": issued.letter,
                "agency": current_agency(),
                "awaiting": True,
                "show_subject": not issued.letter.is_restricted,
            },
            status=400 if request.method == "POST" else 200,
        )
    posted = request.method == "POST"
    form = VerifyForm(request.POST if posted else None, request.FILES if posted else None)
    outcome = ""
    if posted and form.is_valid():
        upload = form.cleaned_data.get("copy")
        if upload is not None:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            given = digest.hexdigest()
        else:
            given = form.cleaned_data["sha256"]
        outcome = "same" if given == issued.sha256 else "different"
        form = VerifyForm()
    context = {
        "issued": issued,
        "letter": issued.letter,
        "agency": current_agency(),
        "form": form,
        "outcome": outcome,
        "show_subject": not issued.letter.is_restricted,
    }
    status = 400 if posted and not outcome else 200
    return render(request, "letters/verify.html", context, status=status)
