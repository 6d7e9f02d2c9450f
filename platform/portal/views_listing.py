"""The apex's site listing and its open data files (control plane only, never a tenant schema)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe

from portal import opendata, selectors
from tenants.models import OrganisationType

OPEN_DATA_MAX_AGE = 15 * 60


def listing(request: HttpRequest) -> HttpResponse:
    filters = selectors.ListingFilters.from_query(request.GET.dict())
    page, entries = selectors.listing_page(filters, request.GET.get("page", 1))
    query = urlencode(
        {
            k: v
            for k, v in (
                ("q", filters.q),
                ("province", filters.province),
                ("type", filters.organisation_type),
            )
            if v
        }
    )
    context = {
        "filters": filters,
        "page_obj": page,
        "entries": entries,
        "query": query,
        "provinces": selectors.listing_provinces(),
        "types": OrganisationType.choices,
        "failing_days": selectors.FAILING_LISTED_DAYS,
    }
    return render(request, "portal/public_home.html", context)


def _etag(request: HttpRequest) -> str:
    return selectors.listing_version()


def _open_data(
    build: Callable[[], bytes], content_type: str, filename: str
) -> Callable[[HttpRequest], HttpResponse]:
    @require_safe
    @condition(etag_func=_etag)
    @cache_control(public=True, max_age=OPEN_DATA_MAX_AGE)
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse(build(), content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
        return response

    return view


def _dga_title() -> str:
    day = timezone.localdate().isoformat()
    return f"ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลางขององค์กรปกครองส่วนท้องถิ่น ณ วันที่ {day}"


open_data_json = _open_data(
    lambda: opendata.as_json(selectors.listing_all()),
    "application/json; charset=utf-8",
    "saraban-addresses.json",
)
open_data_csv = _open_data(
    lambda: opendata.as_csv(selectors.listing_all()),
    "text/csv; charset=utf-8",
    "saraban-addresses.csv",
)
dga_csv = _open_data(
    lambda: opendata.as_csv(selectors.listing_all(), opendata.DGA_COLUMNS, numbered=True),
    "text/csv; charset=utf-8",
    "dga-central-addresses.csv",
)
dga_xlsx = _open_data(
    lambda: opendata.dga_xlsx(selectors.listing_all(), title=_dga_title()),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "dga-central-addresses.xlsx",
)
