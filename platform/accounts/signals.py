"""Security events of the accounts app. The registers app records them in its audit trail;
accounts stays below registers and does not import it."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with: action (str), actor (User | None), data (dict): after the change is saved,
# inside its transaction, so the audit entry commits or rolls back with it.
security_event = Signal()
