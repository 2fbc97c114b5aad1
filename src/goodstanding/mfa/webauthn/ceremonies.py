"""Pure WebAuthn ceremonies over py_webauthn: options out, verified credentials in.

No database and no request here (Warehouse's utils/webauthn.py does the same); the service keeps
the challenge in the browser session and the credential in the table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import webauthn
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidCBORData,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

RP_NAME = "goodstanding"
TIMEOUT_MS = 120_000
CeremonyError = (
    InvalidRegistrationResponse,
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidCBORData,
    ValueError,
    KeyError,
    TypeError,
)


@dataclass(frozen=True)
class RelyingParty:
    """Who we are to the authenticator: the host of the public base URL, and its origin."""

    id: str
    origin: str

    @classmethod
    def from_base_url(cls, base_url: str) -> RelyingParty:
        parts = urlsplit(base_url)
        return cls(id=parts.hostname or "", origin=f"{parts.scheme}://{parts.netloc}")


@dataclass(frozen=True)
class StoredCredential:
    credential_id: str  # base64url
    public_key: str  # base64url COSE key
    sign_count: int
    transports: list[str]


@dataclass(frozen=True)
class Options:
    challenge: str  # base64url, kept server-side until the answer comes back
    public_key: dict[str, Any]  # JSON for navigator.credentials.create/get


def _descriptor(credential: StoredCredential) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(t) for t in credential.transports if t in _TRANSPORTS]
    return PublicKeyCredentialDescriptor(
        id=base64url_to_bytes(credential.credential_id), transports=transports or None
    )


_TRANSPORTS = {transport.value for transport in AuthenticatorTransport}


def registration_options(
    rp: RelyingParty,
    *,
    user_handle: bytes,
    user_name: str,
    display_name: str,
    existing: list[StoredCredential],
) -> Options:
    """A discoverable credential (a passkey) when the authenticator can keep one."""
    options = webauthn.generate_registration_options(
        rp_id=rp.id,
        rp_name=RP_NAME,
        user_id=user_handle,
        user_name=user_name,
        user_display_name=display_name,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[_descriptor(c) for c in existing],
    )
    return Options(
        challenge=bytes_to_base64url(options.challenge),
        public_key=json.loads(webauthn.options_to_json(options)),
    )


def verify_registration(
    rp: RelyingParty, challenge: str, response: dict[str, Any]
) -> StoredCredential:
    """Raises one of CeremonyError when the answer is not a valid, fresh registration."""
    verified = webauthn.verify_registration_response(
        credential=response,
        expected_challenge=base64url_to_bytes(challenge),
        expected_rp_id=rp.id,
        expected_origin=rp.origin,
    )
    transports = response.get("response", {}).get("transports") or []
    return StoredCredential(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        transports=[str(t) for t in transports],
    )


def authentication_options(
    rp: RelyingParty, *, allowed: list[StoredCredential], passwordless: bool
) -> Options:
    """Passwordless: no list (the authenticator offers its passkeys) and user verification
    required, since the passkey then stands for both factors."""
    options = webauthn.generate_authentication_options(
        rp_id=rp.id,
        timeout=TIMEOUT_MS,
        allow_credentials=[_descriptor(c) for c in allowed],
        user_verification=(
            UserVerificationRequirement.REQUIRED
            if passwordless
            else UserVerificationRequirement.PREFERRED
        ),
    )
    return Options(
        challenge=bytes_to_base64url(options.challenge),
        public_key=json.loads(webauthn.options_to_json(options)),
    )


def credential_id_of(response: dict[str, Any]) -> str:
    """The credential id an answer claims (base64url), to find its stored key."""
    raw = response.get("rawId") or response.get("id")
    if not isinstance(raw, str):
        raise ValueError("the answer names no credential")
    return bytes_to_base64url(base64url_to_bytes(raw))


def verify_authentication(
    rp: RelyingParty,
    challenge: str,
    response: dict[str, Any],
    stored: StoredCredential,
    *,
    passwordless: bool,
) -> int:
    """Check the signature over our challenge; returns the authenticator's new sign count."""
    verified = webauthn.verify_authentication_response(
        credential=response,
        expected_challenge=base64url_to_bytes(challenge),
        expected_rp_id=rp.id,
        expected_origin=rp.origin,
        credential_public_key=base64url_to_bytes(stored.public_key),
        credential_current_sign_count=stored.sign_count,
        require_user_verification=passwordless,
    )
    return int(verified.new_sign_count)
