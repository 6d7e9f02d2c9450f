"""Sentry: the tenant schema as a tag, and no personal data leaves the platform."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from config.sentry import init_sentry, tag_tenant

pytestmark = pytest.mark.foundation


class _Capture(Transport):
    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self.events: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Any) -> None:
        for item in envelope.items:
            if item.type == "event":
                self.events.append(item.payload.json)


@pytest.fixture
def captured() -> Iterator[_Capture]:
    init_sentry(dsn="http://public@127.0.0.1:9/1", environment="test")
    client = sentry_sdk.get_client()
    transport = _Capture(client.options)
    client.transport = transport
    yield transport
    client.close()
    sentry_sdk.init(dsn=None)


def test_events_carry_the_tenant_and_no_personal_data(captured: _Capture) -> None:
    # A local variable built at run time (so it is not in the source context the SDK may send).
    secret_subject = "ลับ" * 3 + str(12345)  # noqa: F841
    with sentry_sdk.new_scope():
        tag_tenant("alpha")
        try:
            raise RuntimeError("boom")
        except RuntimeError as exc:
            sentry_sdk.capture_exception(exc)
    (event,) = captured.events
    assert event["tags"]["tenant"] == "alpha"
    assert "user" not in event or not event["user"].get("ip_address")
    assert "ลับลับลับ12345" not in repr(event)  # no frame variables
