"""Models of the correspondence registers; every table lives in the municipality's schema."""

from registers.models.access import ApiToken, LetterAccess
from registers.models.audit import AuditEntry
from registers.models.dispatch import (
    DeliveryRoute,
    DeliveryStatus,
    Dispatch,
    DispatchEvent,
    DispatchRecipient,
)
from registers.models.letters import Attachment, Enclosure, Letter, LetterReference
from registers.models.numbering import NumberCounter, NumberReservation, RegisterEntry
from registers.models.retention import (
    DestructionCommitteeMember,
    DestructionItem,
    DestructionList,
    HandoverItem,
    HandoverList,
    StorageRecord,
)
from registers.models.routing import Assignment, Delegation, Endorsement, ReminderRun
from registers.models.settings import RegistrySettings

__all__ = [
    "ApiToken",
    "Assignment",
    "Attachment",
    "AuditEntry",
    "Delegation",
    "DeliveryRoute",
    "DeliveryStatus",
    "DestructionCommitteeMember",
    "DestructionItem",
    "DestructionList",
    "Dispatch",
    "DispatchEvent",
    "DispatchRecipient",
    "Enclosure",
    "Endorsement",
    "HandoverItem",
    "HandoverList",
    "Letter",
    "LetterAccess",
    "LetterReference",
    "NumberCounter",
    "NumberReservation",
    "RegisterEntry",
    "RegistrySettings",
    "ReminderRun",
    "StorageRecord",
]
