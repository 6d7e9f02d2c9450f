"""Usage (letters this year, storage) is measured in each municipality's own schema by a task
and stored in the control plane; the console page reads only that row."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum
from django.test import Client

from tenants.models import TenantUsage
from tenants.tasks import usage_refresh
from tests.registers.conftest import letter_input, pdf_bytes

pytestmark = [pytest.mark.portal, pytest.mark.django_db]


def _add_letters(tenant: Any, count: int) -> None:
    from registers.inputs import FileInput
    from registers.services.letters import intake_create

    with tenant:
        for n in range(count):
            intake_create(
                data=letter_input(subject=f"เรื่องทดสอบการใช้งาน {n}"),
                files=[FileInput(name=f"letter-{n}.pdf", content=pdf_bytes(f"usage {n}"))],
            )


def test_usage_is_measured_per_schema_and_shown_on_the_tenant_page(
    alpha: Any, beta: Any, console: Client
) -> None:
    from registers.models import Attachment, Letter

    _add_letters(alpha, 3)
    _add_letters(beta, 1)
    with alpha:
        usage_refresh()  # as the fan-out runs it: in alpha's schema
        letters = Letter.objects.count()
        files = Attachment.objects.aggregate(total=Sum("size"))["total"]
    with beta:
        usage_refresh()
        beta_letters = Letter.objects.count()

    usage = TenantUsage.objects.get(municipality=alpha)
    assert usage.letters_this_year == letters >= 3
    assert usage.files_bytes == files > 0
    assert usage.database_bytes > 0
    assert TenantUsage.objects.get(municipality=beta).letters_this_year == beta_letters
    assert beta_letters < letters  # each schema counted on its own

    page = console.get(f"/console/tenant/{alpha.pk}/").content.decode()
    assert f"<td data-usage-letters>{letters}</td>" in page
