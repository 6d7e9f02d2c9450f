"""Append to and verify the hash-chained audit trail of this municipality."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from registers.models import AuditEntry, Letter

GENESIS = "0" * 64
# First key of pg_advisory_xact_lock(int, int); the second is the schema's hash.
_AUDIT_LOCK = 72_001


def _canonical(value: Any) -> Any:
    """What jsonb gives back: plain JSON types, dates as ISO strings."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def link_hash(
    *,
    seq: int,
    created_at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    letter_id: int | None,
    data: Any,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        {
            "seq": seq,
            "at": created_at.astimezone(UTC).isoformat(),
            "actor": actor_id,
            "actor_name": actor_name,
            "action": action,
            "letter": letter_id,
            "data": data,
            "prev": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class AuditLink:
    """One link to append: what happened, by whom, to which letter."""

    action: str
    actor: Any = None
    letter: Letter | None = None
    data: dict[str, Any] | None = None


def audit_append(
    *,
    action: str,
    actor: Any = None,
    letter: Letter | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one link. Serialised per schema by a transaction-scoped advisory lock."""
    (entry,) = audit_append_many([AuditLink(action, actor, letter, data)])
    return entry


def audit_append_many(links: Sequence[AuditLink]) -> list[AuditEntry]:
    """Add links in order, with one lock, one read of the chain's end and one insert (the mail
    ingest records a whole batch of arrivals at once)."""
    if not links:
        return []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", [_AUDIT_LOCK]
            )
        last = AuditEntry.objects.order_by("-seq").values("seq", "hash").first()
        seq = last["seq"] if last else 0
        prev = last["hash"] if last else GENESIS
        now = timezone.now()
        entries = []
        for link in links:
            seq += 1
            fields: dict[str, Any] = {
                "seq": seq,
                "created_at": now,
                "actor_id": link.actor.pk if link.actor is not None else None,
                "actor_name": str(link.actor) if link.actor is not None else "",
                "action": link.action,
                "letter_id": link.letter.pk if link.letter is not None else None,
                "data": _canonical(link.data or {}),
                "prev_hash": prev,
            }
            digest = link_hash(**fields)
            entries.append(AuditEntry(**fields, hash=digest))
            prev = digest
        return AuditEntry.objects.bulk_create(entries)


@dataclasses.dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def audit_verify() -> ChainReport:
    """Recompute every link in order; name the first one whose hash or order does not match."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    rows = AuditEntry.objects.order_by("seq").values_list(
        "seq", "created_at", "actor_id", "actor_name", "action", "letter_id", "data",
        "prev_hash", "hash",
    )  # fmt: skip
    for seq, at, actor_id, actor_name, action, letter_id, data, prev_hash, stored in rows.iterator(
        chunk_size=5000
    ):
        if seq != expected_seq:
            return ChainReport(checked, expected_seq, f"link {expected_seq} is missing")
        if prev_hash != prev:
            return ChainReport(checked, seq, "previous-hash does not match the link before")
        computed = link_hash(
            seq=seq,
            created_at=at,
            actor_id=actor_id,
            actor_name=actor_name,
            action=action,
            letter_id=letter_id,
            data=data,
            prev_hash=prev_hash,
        )
        if computed != stored:
            return ChainReport(checked, seq, "contents were changed after they were written")
        prev = stored
        expected_seq += 1
        checked += 1
    return ChainReport(checked)
