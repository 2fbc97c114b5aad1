"""Standard Webhooks signing and verification (https://www.standardwebhooks.com/).

A message carries three headers: ``webhook-id`` (unique per message, the same on every retry),
``webhook-timestamp`` (Unix seconds) and ``webhook-signature``: space-separated ``v1,<base64>``
entries, each an HMAC-SHA256 of ``"{id}.{timestamp}.{body}"`` under one secret. Several entries let
an endpoint rotate its secret: we sign with both old and new while the receiver switches over.
Secrets are written ``whsec_<base64 of the key>``.

Pure functions: the caller passes the clock reading, so tests and retries are deterministic.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 5 * 60
SECRET_BYTES = 32  # the specification asks for 24 to 64 bytes

HEADER_ID = "webhook-id"
HEADER_TIMESTAMP = "webhook-timestamp"
HEADER_SIGNATURE = "webhook-signature"


class WebhookSecretError(ValueError):
    """A secret that is not ``whsec_`` followed by base64 of a key of 24 to 64 bytes."""


class WebhookVerificationError(Exception):
    """A message that must not be trusted; the message says why."""


@dataclass(frozen=True)
class WebhookSecret:
    key: bytes

    def __post_init__(self) -> None:
        if not 24 <= len(self.key) <= 64:
            raise WebhookSecretError(f"a webhook key must be 24 to 64 bytes, got {len(self.key)}")

    @classmethod
    def generate(cls) -> WebhookSecret:
        return cls(secrets.token_bytes(SECRET_BYTES))

    @classmethod
    def parse(cls, text: str) -> WebhookSecret:
        if not text.startswith(SECRET_PREFIX):
            raise WebhookSecretError(f"a webhook secret starts with {SECRET_PREFIX!r}")
        try:
            key = base64.b64decode(text[len(SECRET_PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            raise WebhookSecretError("a webhook secret is base64 after its prefix") from None
        return cls(key)

    def __str__(self) -> str:
        return SECRET_PREFIX + base64.b64encode(self.key).decode("ascii")

    def __repr__(self) -> str:
        return "WebhookSecret(<hidden>)"


def sign(secret: WebhookSecret, *, msg_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` signature entry."""
    digest = hmac.new(secret.key, _signed_content(msg_id, timestamp, body), hashlib.sha256)
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest.digest()).decode('ascii')}"


def signature_headers(
    secrets_in_use: Sequence[WebhookSecret], *, msg_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three headers to send, signed with every secret in use (one while not rotating)."""
    if not secrets_in_use:
        raise ValueError("at least one secret is needed to sign a webhook")
    _check_msg_id(msg_id)
    return {
        HEADER_ID: msg_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: " ".join(
            sign(secret, msg_id=msg_id, timestamp=timestamp, body=body) for secret in secrets_in_use
        ),
    }


def verify(
    secret: WebhookSecret,
    *,
    headers: Mapping[str, str],
    body: bytes,
    now: int,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Raise WebhookVerificationError unless one ``v1`` entry matches and the timestamp is recent.

    The timestamp must lie within ``tolerance_seconds`` of ``now`` either way, so a captured
    message cannot be replayed later.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    msg_id = lowered.get(HEADER_ID)
    timestamp_text = lowered.get(HEADER_TIMESTAMP)
    signature_header = lowered.get(HEADER_SIGNATURE)
    if not (msg_id and timestamp_text and signature_header):
        raise WebhookVerificationError(
            f"missing header: {HEADER_ID}, {HEADER_TIMESTAMP} and {HEADER_SIGNATURE} are required"
        )
    if not timestamp_text.isascii() or not timestamp_text.isdigit():
        raise WebhookVerificationError(
            f"{HEADER_TIMESTAMP} is not Unix seconds: {timestamp_text!r}"
        )
    timestamp = int(timestamp_text)
    if timestamp < now - tolerance_seconds:
        raise WebhookVerificationError("message timestamp too old")
    if timestamp > now + tolerance_seconds:
        raise WebhookVerificationError("message timestamp too new")
    expected = sign(secret, msg_id=msg_id, timestamp=timestamp, body=body).encode("ascii")
    for entry in signature_header.split(" "):
        if entry.startswith(f"{SIGNATURE_VERSION},") and hmac.compare_digest(
            entry.encode("ascii", "replace"), expected
        ):
            return
    raise WebhookVerificationError("no matching signature")


def _signed_content(msg_id: str, timestamp: int, body: bytes) -> bytes:
    return f"{msg_id}.{timestamp}.".encode() + body


def _check_msg_id(msg_id: str) -> None:
    # The id is part of the signed content with "." as separator; the header must stay one token.
    if not msg_id or any(char in msg_id for char in " .\r\n"):
        raise ValueError(f"a webhook id must be non-empty, without spaces or dots: {msg_id!r}")
