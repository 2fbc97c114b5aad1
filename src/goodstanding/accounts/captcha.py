"""A self-hosted proof-of-work captcha (ALTCHA): no third party sees who signs in.

The server hands out a signed challenge; the browser's widget (``web/static/altcha*.js``) spends a
second or so finding the counter that solves it and posts the solution as the ``altcha`` field.
Each solved challenge is accepted once (its nonce is counted in the shared rate-limit store).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from datetime import timedelta
from typing import Any

import altcha
from sqlalchemy.orm import Session

from goodstanding.kit import ratelimit
from goodstanding.kit.clock import utcnow

ALGORITHM = "SHA-256"
# The browser tries counters from 0 up; about 25 000 SHA-256 rounds on average, well under a
# second on a phone, but a real cost for anyone sending thousands of requests.
MAX_COUNTER = 50_000
CHALLENGE_LIFETIME = timedelta(minutes=10)
MAX_PAYLOAD_LENGTH = 4096


def _secrets(secret_key: str) -> tuple[str, str]:
    return f"altcha-challenge:{secret_key}", f"altcha-key:{secret_key}"


def new_challenge(secret_key: str) -> dict[str, Any]:
    challenge_secret, key_secret = _secrets(secret_key)
    challenge = altcha.create_challenge(
        ALGORITHM,
        1,
        counter=secrets.randbelow(MAX_COUNTER),  # read at call time: tests make puzzles smaller
        expires_at=utcnow() + CHALLENGE_LIFETIME,
        hmac_secret=challenge_secret,
        hmac_key_secret=key_secret,
    )
    result: dict[str, Any] = challenge.to_dict()
    return result


def _nonce(payload: str) -> str | None:
    try:
        decoded = json.loads(base64.b64decode(payload, validate=True))
        nonce = decoded["challenge"]["parameters"]["nonce"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None
    return nonce if isinstance(nonce, str) else None


def captcha_solved(db: Session, secret_key: str, payload: str | None) -> bool:
    """True once per solved, unexpired, untampered challenge."""
    if not payload or len(payload) > MAX_PAYLOAD_LENGTH:
        return False
    nonce = _nonce(payload)
    if nonce is None:
        return False
    challenge_secret, key_secret = _secrets(secret_key)
    result = altcha.verify_solution(payload, challenge_secret, hmac_key_secret=key_secret)
    if not result.verified:
        return False
    used = ratelimit.hit(db, f"captcha.used:{nonce[:64]}", CHALLENGE_LIFETIME)
    return used.count == 1
