"""Identifiers that link seller accounts, and their normalisation.

Every function here is pure: raw values in, a canonical `Identifier` out (or `InvalidIdentifier`).
Two accounts are linked exactly when they hold the same canonical identifier, so normalisation must
merge only spellings that reach the same person or mailbox. Where that is not certain we keep the
spellings apart: a missed link costs a reviewer some evidence, a false link can cost an innocent
seller their account.
"""

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import phonenumbers


class IdentifierKind(StrEnum):
    DEVICE = "device"
    BANK_ACCOUNT = "bank_account"
    TAX_ID = "tax_id"
    PHONE = "phone"
    EMAIL = "email"
    SIGN_IN_IP = "sign_in_ip"


class Identifier(NamedTuple):
    """A canonical identifier. A NamedTuple so that hashing stays in C on the hot path."""

    kind: IdentifierKind
    value: str


class InvalidIdentifier(ValueError):
    """A raw value that cannot be turned into a canonical identifier of its kind."""

    def __init__(self, kind: IdentifierKind, raw: str, reason: str) -> None:
        super().__init__(f"invalid {kind.value} {raw!r}: {reason}")
        self.kind = kind
        self.raw = raw
        self.reason = reason


@dataclass(frozen=True, slots=True)
class MailboxRules:
    """How a mail provider maps address spellings onto one mailbox."""

    canonical_domain: str
    ignores_dots: bool
    supports_plus_tags: bool


_GMAIL = MailboxRules("gmail.com", ignores_dots=True, supports_plus_tags=True)
_ICLOUD = MailboxRules("icloud.com", ignores_dots=False, supports_plus_tags=True)
_PROTON = MailboxRules("proton.me", ignores_dots=False, supports_plus_tags=True)

# Only rules the providers document. Outlook.com's consumer domains are separate namespaces
# (jo@hotmail.com and jo@outlook.com can be two people), so each keeps its own domain. Yahoo
# has no plus-tags (its "-keyword" disposable addresses need setting up, and hyphens are
# ordinary characters), so Yahoo, like every domain not listed, is only lower-cased.
MAILBOX_PROVIDERS: Mapping[str, MailboxRules] = {
    "gmail.com": _GMAIL,
    "googlemail.com": _GMAIL,
    "icloud.com": _ICLOUD,
    "me.com": _ICLOUD,
    "mac.com": _ICLOUD,
    "proton.me": _PROTON,
    "protonmail.com": _PROTON,
    "protonmail.ch": _PROTON,
    "pm.me": _PROTON,
    "outlook.com": MailboxRules("outlook.com", ignores_dots=False, supports_plus_tags=True),
    "hotmail.com": MailboxRules("hotmail.com", ignores_dots=False, supports_plus_tags=True),
    "live.com": MailboxRules("live.com", ignores_dots=False, supports_plus_tags=True),
    "fastmail.com": MailboxRules("fastmail.com", ignores_dots=False, supports_plus_tags=True),
}


def normalise_email(raw: str) -> str:
    """The mailbox an address delivers to, e.g. `J.Doe+shop@GoogleMail.com` -> `jdoe@gmail.com`."""
    address = raw.strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise InvalidIdentifier(IdentifierKind.EMAIL, raw, "expected local@domain")
    try:
        domain = domain.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise InvalidIdentifier(IdentifierKind.EMAIL, raw, "domain is not a valid name") from error
    if "." not in domain or any(c.isspace() for c in local):
        raise InvalidIdentifier(IdentifierKind.EMAIL, raw, "expected local@domain")
    # Local parts are case-sensitive by the RFC but no mail provider in use treats them so.
    local = local.lower()
    rules = MAILBOX_PROVIDERS.get(domain)
    if rules is None:
        return f"{local}@{domain}"
    if rules.supports_plus_tags:
        local = local.split("+", 1)[0]
    if rules.ignores_dots:
        local = local.replace(".", "")
    if not local:
        raise InvalidIdentifier(IdentifierKind.EMAIL, raw, "empty mailbox name")
    return f"{local}@{rules.canonical_domain}"


def normalise_phone(raw: str, default_region: str | None = None) -> str:
    """E.164 form. National numbers need `default_region` (ISO 3166 alpha-2, e.g. "GB")."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as error:
        raise InvalidIdentifier(IdentifierKind.PHONE, raw, str(error)) from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier(IdentifierKind.PHONE, raw, "not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


IPV6_SUBSCRIBER_PREFIX = 64


def normalise_sign_in_ip(raw: str) -> str:
    """An IPv4 address, or the /64 network of an IPv6 address.

    IPv6 hosts rotate their interface id (privacy extensions) within the /64 a subscriber is given,
    so the /64 is what stays with one household. Private and reserved addresses identify nobody.
    """
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError as error:
        raise InvalidIdentifier(IdentifierKind.SIGN_IN_IP, raw, "not an IP address") from error
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if not address.is_global:
        raise InvalidIdentifier(IdentifierKind.SIGN_IN_IP, raw, "not a public address")
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    network = ipaddress.IPv6Network((address, IPV6_SUBSCRIBER_PREFIX), strict=False)
    return str(network)


_HEX_DIGEST = re.compile(r"[0-9a-f]{32,128}")


def normalise_bank_account_hash(raw: str) -> str:
    """The payout account arrives already hashed by the payments side; we only check its shape."""
    digest = raw.strip().lower()
    if not _HEX_DIGEST.fullmatch(digest):
        raise InvalidIdentifier(IdentifierKind.BANK_ACCOUNT, raw, "expected a hex digest")
    return digest


_TAX_ID_SEPARATORS = re.compile(r"[\s\-./]")
_TAX_ID = re.compile(r"[A-Z0-9]{5,20}")


def normalise_tax_id(raw: str) -> str:
    """Upper-case letters and digits; the separators people type (spaces, -, ., /) dropped."""
    tax_id = _TAX_ID_SEPARATORS.sub("", raw).upper()
    if not _TAX_ID.fullmatch(tax_id):
        raise InvalidIdentifier(IdentifierKind.TAX_ID, raw, "expected 5-20 letters and digits")
    return tax_id


def normalise_device_id(raw: str) -> str:
    """Device ids are opaque tokens from our own SDKs; only stray whitespace and case differ."""
    device_id = raw.strip().lower()
    if not device_id or any(c.isspace() for c in device_id):
        raise InvalidIdentifier(IdentifierKind.DEVICE, raw, "expected a single token")
    return device_id


def normalise_identifier(
    kind: IdentifierKind, raw: str, *, phone_region: str | None = None
) -> Identifier:
    """The canonical identifier of `kind` for a raw value from an event or a form."""
    match kind:
        case IdentifierKind.EMAIL:
            value = normalise_email(raw)
        case IdentifierKind.PHONE:
            value = normalise_phone(raw, phone_region)
        case IdentifierKind.SIGN_IN_IP:
            value = normalise_sign_in_ip(raw)
        case IdentifierKind.BANK_ACCOUNT:
            value = normalise_bank_account_hash(raw)
        case IdentifierKind.TAX_ID:
            value = normalise_tax_id(raw)
        case IdentifierKind.DEVICE:
            value = normalise_device_id(raw)
    return Identifier(kind, value)
