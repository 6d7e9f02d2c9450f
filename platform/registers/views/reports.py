"""รายงาน: the registers and lists of the regulation as PDF or XLSX, for a BE date range."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from registers.errors import RegistersError
from registers.forms import ReportForm
from registers.models import DestructionList, HandoverList
from registers.reports import REPORT_KINDS, report_render
from registers.selectors.settings import registry_settings
from registers.views.access import OVERSEERS, page, roles_required


@roles_required(OVERSEERS)
def reports(request: HttpRequest) -> HttpResponse:
    """GET with a kind downloads the file (idempotent, so it works in read-only mode too)."""
    destruction = [
        (dl.pk, f"{dl.year} · {dl.get_status_display()}")
        for dl in DestructionList.objects.order_by("-year", "-pk")[:50]
    ]
    handover = [(hl.pk, str(hl.year)) for hl in HandoverList.objects.order_by("-year", "-pk")[:50]]
    bound = "kind" in request.GET
    form = ReportForm(
        request.GET if bound else None,
        initial={"thai_digits": registry_settings().thai_digits},
        kinds={kind: str(title) for kind, title in REPORT_KINDS.items()},
        destruction_lists=destruction,
        handover_lists=handover,
    )
    if bound and form.is_valid():
        data = form.cleaned_data
        try:
            rendered = report_render(
                data["kind"],
                data["fmt"],
                start=data["start"],
                end=data["end"],
                list_id=form.list_id(),
                thai_digits=data["thai_digits"],
            )
        except RegistersError as error:
            form.add_error(None, error.text())
        else:
            response = HttpResponse(rendered.content, content_type=rendered.content_type)
            response["Content-Disposition"] = (
                content_disposition_header(as_attachment=True, filename=rendered.filename)
                or "attachment"
            )
            return response
    return page(request, "registers/reports.html", {"section": "reports", "form": form})
