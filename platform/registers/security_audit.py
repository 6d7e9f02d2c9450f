"""Login-security changes (accounts.signals.security_event) go into the municipality's audit
trail next to its letters, so one chain answers "who changed what"."""

from __future__ import annotations

from typing import Any

from registers.services.audit import audit_append


def record_security_event(
    sender: Any, *, action: str, actor: Any, data: dict[str, Any], **kwargs: Any
) -> None:
    audit_append(action=action, actor=actor, data=data)
