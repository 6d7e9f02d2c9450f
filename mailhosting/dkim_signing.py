"""DKIM-sign a message with the active key of the domain it is sent from (one signer for every
message the platform sends in a municipality's name: receipt notices and outgoing letters)."""

from __future__ import annotations

from collections.abc import Sequence

from mailhosting.dkim_keys import decrypt_private_key
from mailhosting.models import DkimKeyStatus, MailDomain

SIGNED_HEADERS: tuple[bytes, ...] = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"in-reply-to",
    b"references",
    b"mime-version",
    b"content-type",
)


def dkim_signature(
    message_bytes: bytes, *, from_address: str, headers: Sequence[bytes] = SIGNED_HEADERS
) -> bytes:
    """The ``DKIM-Signature:`` header line for the message, or b"" when the sender's domain has
    no active key (a domain not hosted here, or a key not yet published)."""
    import dkim

    domain_name = from_address.rpartition("@")[2].lower()
    domain = MailDomain.objects.filter(name=domain_name).first()
    key = domain.dkim_keys.filter(status=DkimKeyStatus.ACTIVE).first() if domain else None
    if key is None:
        return b""
    return bytes(
        dkim.sign(
            message_bytes,
            key.selector.encode(),
            domain_name.encode(),
            decrypt_private_key(key.private_key_encrypted),
            include_headers=list(headers),
        )
    )


def signature_header(signature: bytes) -> tuple[str, str]:
    """Name and value of a signature, unfolded, for APIs that take headers as a mapping."""
    name, _sep, value = signature.decode("ascii").partition(":")
    return name, " ".join(value.split())
