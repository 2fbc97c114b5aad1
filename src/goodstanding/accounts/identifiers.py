"""E-mail addresses and phone numbers: checking, normalising and masking (pure functions).

An address is compared in one normal form (lower case, the domain in ASCII), so ``Ana@Example.com``
and ``ana@example.com`` are one account. The part before ``@`` must be plain ASCII: a look-alike
letter from another script (Cyrillic "а" for Latin "a") is refused rather than accepted as a
second, confusable address.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from email_validator import EmailNotValidError, validate_email

from goodstanding.kit.i18n import gettext as _

MAX_EMAIL_LENGTH = 254


@dataclass(frozen=True)
class IdentifierProblem(Exception):
    message: str


def normalize_email(raw: str, *, refuse_disposable: bool = False) -> str:
    value = raw.strip()
    if not value:
        raise IdentifierProblem(_("Enter your e-mail address."))
    if len(value) > MAX_EMAIL_LENGTH:
        raise IdentifierProblem(_("That e-mail address is too long."))
    try:
        checked = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise IdentifierProblem(
            _("Enter an e-mail address like name@example.com, using plain letters before the @.")
        ) from None
    email = f"{checked.local_part}@{checked.ascii_domain}".lower()
    if refuse_disposable and checked.ascii_domain.lower() in DISPOSABLE_DOMAINS:
        raise IdentifierProblem(
            _("That address is from a throw-away mail service. Use an address you will keep.")
        )
    return email


def normalize_phone(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise IdentifierProblem(_("Enter your phone number."))
    if len(value) > 32 or not value.isascii():
        raise IdentifierProblem(_("Enter a phone number with digits only, like +14155550101."))
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise IdentifierProblem(
            _("Enter the phone number with its country code, starting with +, like +14155550101.")
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise IdentifierProblem(_("That is not a phone number we can send a text message to."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(raw: str) -> bool:
    """E-mail or phone in one sign-in box: a phone starts with + or a digit and has no @."""
    value = raw.strip()
    return "@" not in value and value[:1] in "+0123456789" and value != ""


def _mask_word(word: str) -> str:
    return (word[:1] + "***") if word else "***"


def mask_email(email: str) -> str:
    """``jane@example.com`` -> ``j***@e***.com``: enough to recognise, not enough to learn."""
    local, _sep, domain = email.partition("@")
    name, dot, suffix = domain.rpartition(".")
    if not dot:
        return f"{_mask_word(local)}@{_mask_word(domain)}"
    return f"{_mask_word(local)}@{_mask_word(name)}.{suffix}"


def mask_phone(phone: str) -> str:
    """``+14155550101`` -> ``+1 ••• ••• 0101``: the country code and last two digits only."""
    try:
        number = phonenumbers.parse(phone, None)
        country = f"+{number.country_code}"
    except phonenumbers.NumberParseException:
        country = "+"
    return f"{country} ••• ••• ••{phone[-2:]}"
