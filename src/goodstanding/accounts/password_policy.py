"""The password rules of NIST SP 800-63B rev 4, checked without the database.

Length counts Unicode code points: at least 15 when the password is the only factor, 8 when the
account has a second factor, and anything up to 256 is accepted (no truncation, no composition
rules). Refused: passwords on a blocklist (zxcvbn's lists of common passwords plus the operator's
file), passwords that contain the person's name, e-mail name or phone digits, and passwords zxcvbn
scores below 3 with those details as its user inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from goodstanding.accounts.passwords import normalize_password
from goodstanding.kit.i18n import gettext as _

MIN_LENGTH_WITH_SECOND_FACTOR = 8
MIN_LENGTH_SINGLE_FACTOR = 15
MAX_LENGTH = 256
MIN_SCORE = 3
# zxcvbn scores only the first characters; a password that long is not guessable by them anyway.
ZXCVBN_PREFIX = 72  # zxcvbn refuses anything longer
SHORTEST_PERSONAL_PART = 3


@dataclass(frozen=True)
class PersonalDetails:
    name: str = ""
    email: str = ""
    phone: str = ""

    def words(self) -> list[str]:
        parts = re.split(r"[\s._+\-@]+", f"{self.name} {self.email.partition('@')[0]}")
        digits = re.sub(r"\D", "", self.phone)
        candidates = [part.lower() for part in parts] + [digits, digits[-7:]]
        return sorted({word for word in candidates if len(word) >= SHORTEST_PERSONAL_PART}, key=len)


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


@cache
def _operator_blocklist(path: str, modified: float) -> frozenset[str]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def on_blocklist(password: str, blocklist_file: Path | None) -> bool:
    lowered = password.lower()
    if lowered in _common_passwords():
        return True
    if blocklist_file is not None and blocklist_file.is_file():
        return lowered in _operator_blocklist(str(blocklist_file), blocklist_file.stat().st_mtime)
    return False


def password_problems(
    password: str,
    *,
    has_second_factor: bool,
    person: PersonalDetails,
    blocklist_file: Path | None = None,
) -> list[str]:
    """Every reason, in plain words, why this password cannot be used; empty when it is fine."""
    password = normalize_password(password)
    minimum = MIN_LENGTH_WITH_SECOND_FACTOR if has_second_factor else MIN_LENGTH_SINGLE_FACTOR
    if len(password) < minimum:
        return [
            _("Use at least %(count)d characters. A few ordinary words in a row work well.")
            % {"count": minimum}
        ]
    if len(password) > MAX_LENGTH:
        return [_("Use at most %(count)d characters.") % {"count": MAX_LENGTH}]
    if on_blocklist(password, blocklist_file):
        return [_("This password is on a list of passwords that attackers try first.")]
    lowered = password.lower()
    if any(word in lowered for word in person.words()):
        return [_("Do not use your name, e-mail address or phone number in your password.")]
    result = zxcvbn(password[:ZXCVBN_PREFIX], user_inputs=person.words())
    if int(result["score"]) < MIN_SCORE:
        return [
            _("This password would be easy to guess. Add more words that do not belong together.")
        ]
    return []
