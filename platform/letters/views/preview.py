"""The live preview: the form as typed, rendered to page images (htmx, debounced in the page)."""

from __future__ import annotations

import base64
import dataclasses

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from letters.forms import preview_input
from letters.models import LetterDraft
from letters.pdf.render import letter_pngs
from letters.selectors.drafts import draft_content, drafts_visible
from registers.pdf.render import PdfError
from registers.views.access import ANY_STAFF, roles_required

DRAFT_MARK = "ร่าง"


@require_POST
@roles_required(ANY_STAFF)
def draft_preview(request: HttpRequest) -> HttpResponse:
    """The form as typed so far (not saved)."""
    data = preview_input(request.POST)
    return _preview(request, LetterDraft(**dataclasses.asdict(data)))


@roles_required(ANY_STAFF)
def draft_preview_saved(request: HttpRequest, pk: int) -> HttpResponse:
    """A saved draft, for the approver reading it."""
    draft = get_object_or_404(drafts_visible(request.user), pk=pk)
    return _preview(request, draft)


def _preview(request: HttpRequest, draft: LetterDraft) -> HttpResponse:
    error = ""
    pages: list[str] = []
    try:
        images = letter_pngs(
            draft_content(draft, letter_date=timezone.localdate(), draft_mark=DRAFT_MARK)
        )
        pages = [base64.b64encode(image).decode("ascii") for image in images]
    except PdfError as exc:
        error = str(exc)[:500]
    return render(request, "letters/_preview.html", {"pages": pages, "error": error})
