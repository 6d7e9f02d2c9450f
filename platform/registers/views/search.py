"""ค้นหา: full-text search over the letters this person may see, with the register filters."""

from __future__ import annotations

import re
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from registers.forms import SearchForm
from registers.models import RegisterEntry
from registers.search.query import letters_search
from registers.views.access import page, staff_required
from thaiformat.dates import BE_OFFSET, arabic_digits

PAGE_SIZE = 50


def highlight(text: str, query: str) -> SafeString:
    """``text`` escaped, with each word of the query marked (Thai and Arabic digits alike)."""
    terms = [re.escape(escape(arabic_digits(t))) for t in query.split() if len(t) > 1]
    safe = escape(text)
    if not terms:
        return safe
    pattern = re.compile("|".join(sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", safe))  # noqa: S308


@staff_required
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    context: dict[str, Any] = {"section": "search", "form": form, "searched": False}
    if form.has_criteria():
        data = form.cleaned_data
        letters = letters_search(
            user=request.user,
            query=data.get("q") or "",
            register=data.get("register") or None,
            year=data.get("year"),
            urgency=data.get("urgency") or None,
            unit_id=data["unit"].pk if data.get("unit") else None,
            status=data.get("status") or None,
        ).select_related("owner_unit")
        letters = letters.prefetch_related(
            Prefetch("entries", queryset=RegisterEntry.objects.order_by("registered_at", "pk"))
        )
        page_obj = Paginator(letters, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        q = data.get("q") or ""
        context.update(
            searched=True,
            page_obj=page_obj,
            results=[
                {"letter": letter, "subject": highlight(letter.subject, q)}
                for letter in page_obj.object_list
            ],
            query=query.urlencode(),
            be_offset=BE_OFFSET,
        )
    return page(request, "registers/search.html", context)
