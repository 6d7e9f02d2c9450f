from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tenants import services
from tenants.models import LifecycleEvent, Municipality

pytestmark = [pytest.mark.foundation, pytest.mark.django_db]


def test_archiving_records_who_and_why_and_keeps_the_schema(
    alpha: Any, alpha_staff_client: Client
) -> None:
    services.municipality_archive(municipality=alpha, actor="vendor:somsak", reason="ยกเลิกสัญญา")
    alpha.refresh_from_db()
    assert alpha.state == "archived" and alpha.archived_at is not None
    event = LifecycleEvent.objects.get(municipality=alpha)
    assert (event.from_state, event.to_state, event.actor) == ("trial", "archived", "vendor:somsak")
    assert Municipality.objects.filter(pk=alpha.pk).exists()

    # Read-only: staff can still read, but nothing can be changed.
    assert alpha_staff_client.get("/staff/").status_code == 200
    refused = alpha_staff_client.post("/staff/", {})
    assert refused.status_code == 403
    assert "อ่านอย่างเดียว" in refused.content.decode()


def test_a_reason_is_required(alpha: Any) -> None:
    with pytest.raises(ValueError, match="reason"):
        services.municipality_set_state(
            municipality=alpha, state="suspended", actor="x", reason=" "
        )


def test_the_console_cannot_delete_a_municipality() -> None:
    from tenants.console import MunicipalityAdmin, vendor_console

    admin = MunicipalityAdmin(Municipality, vendor_console)
    assert admin.has_delete_permission(request=None) is False  # type: ignore[arg-type]
