"""Routing over the API: overdue lists by role, forwarding refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from accounts.models import OrgUnit
from registers.models import Assignment
from registers.selectors.routing import bangkok_today
from tests.registers.helpers_api import RECEIVE_FIELDS, api_client, is_thai, staff_with_token

pytestmark = [pytest.mark.registers, pytest.mark.django_db]

OVERDUE = "/api/v1/tasks/overdue/"


def _registered_letter(client: Any, **fields: Any) -> int:
    letter = client.post("/api/v1/letters/intake/", {**RECEIVE_FIELDS, **fields}, format="json")
    assert letter.status_code == 201, letter.content
    pk = int(letter.json()["id"])
    assert client.post(f"/api/v1/letters/{pk}/register/", {}, format="json").status_code == 201
    return pk


def test_overdue_lists_follow_the_roles(alpha: Any) -> None:
    _clerk, clerk_raw = staff_with_token(alpha, "od_clerk", "central_clerk")
    late, late_raw = staff_with_token(alpha, "od_late", "officer", org_unit_code="engineering")
    _other, other_raw = staff_with_token(alpha, "od_other", "officer", org_unit_code="finance")
    clerk = api_client(alpha, clerk_raw)
    pk = _registered_letter(clerk)
    forwarded = clerk.post(
        f"/api/v1/letters/{pk}/forward/",
        {"to_user": late.pk, "due_date": bangkok_today().isoformat()},
        format="json",
    ).json()
    with alpha:  # it was due yesterday
        yesterday = bangkok_today() - timedelta(days=1)
        Assignment.objects.filter(pk=forwarded["id"]).update(due_date=yesterday)
        engineering = late.org_unit_id
        finance = OrgUnit.objects.get(code="finance")

    def overdue_ids(raw: str, query: str = "") -> list[int]:
        response = api_client(alpha, raw).get(OVERDUE + query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert overdue_ids(late_raw) == [forwarded["id"]]
    assert overdue_ids(other_raw) == []
    assert overdue_ids(clerk_raw) == [forwarded["id"]]  # the registry sees everyone's
    assert overdue_ids(clerk_raw, "?mine=true") == []
    assert overdue_ids(clerk_raw, f"?unit={engineering}") == [forwarded["id"]]
    assert overdue_ids(clerk_raw, f"?unit={finance.pk}") == []
    assert api_client(alpha, late_raw).get("/api/v1/tasks/").json()["count"] == 1


def test_forward_refusals_are_bilingual(alpha: Any) -> None:
    _clerk, clerk_raw = staff_with_token(alpha, "fw_clerk", "central_clerk")
    clerk = api_client(alpha, clerk_raw)
    pk = _registered_letter(clerk)
    nobody = clerk.post(f"/api/v1/letters/{pk}/forward/", {"instruction": "ด่วน"}, format="json")
    assert nobody.status_code == 400
    (error,) = nobody.json()["errors"]
    assert error["field"] == "non_field_errors" and is_thai(error["detail_th"])

    intake_only = clerk.post(
        "/api/v1/letters/intake/", {**RECEIVE_FIELDS, "reference": "ขก 5/5"}, format="json"
    ).json()
    with alpha:
        unit = OrgUnit.objects.get(code="finance")
    not_yet = clerk.post(
        f"/api/v1/letters/{intake_only['id']}/forward/", {"to_unit": unit.pk}, format="json"
    )
    assert not_yet.status_code == 409  # not registered yet: nothing to route
    assert not_yet.json()["code"] == "invalid_state"
    past = clerk.post(
        f"/api/v1/letters/{pk}/forward/",
        {"to_unit": unit.pk, "due_date": (bangkok_today() - timedelta(days=2)).isoformat()},
        format="json",
    )
    assert past.status_code == 400 and past.json()["code"] == "invalid_letter"
