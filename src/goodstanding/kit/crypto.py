"""AES-256-GCM for data at rest (identity documents, second-factor secrets).

Envelope: one key-id byte, the 96-bit random nonce, then ciphertext with its 16-byte tag. The key
id lets old envelopes be read after a new key becomes current, so keys can rotate without a
flag day. The key id is also authenticated, so an envelope cannot be relabelled.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
_HEADER_BYTES = 1 + NONCE_BYTES
_TAG_BYTES = 16


class DecryptionFailed(Exception):
    """The envelope was altered, is not ours, or its key is no longer configured."""


@dataclass(frozen=True)
class Keyring:
    """Keys by id (0-255); new envelopes use ``current_key_id``, old ones are read by their id."""

    keys: Mapping[int, bytes]
    current_key_id: int
    _ciphers: dict[int, AESGCM] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for key_id, key in self.keys.items():
            if not 0 <= key_id <= 255:
                raise ValueError(f"key id {key_id} does not fit in one byte (0-255)")
            if len(key) != KEY_BYTES:
                raise ValueError(f"key {key_id} is {len(key)} bytes; AES-256 needs {KEY_BYTES}")
        if self.current_key_id not in self.keys:
            raise ValueError(f"current key id {self.current_key_id} has no key")
        ciphers = {key_id: AESGCM(key) for key_id, key in self.keys.items()}
        object.__setattr__(self, "_ciphers", ciphers)

    @classmethod
    def single(cls, key: bytes, key_id: int = 1) -> Keyring:
        """A keyring of one key, e.g. ``Keyring.single(settings.encryption_key_bytes)``."""
        return cls({key_id: key}, key_id)

    def encrypt(self, plaintext: bytes, associated_data: bytes = b"") -> bytes:
        """Encrypt under the current key. ``associated_data`` (e.g. the owner's id) is not stored
        but must be given again to decrypt, which ties the envelope to its context."""
        header = bytes([self.current_key_id]) + os.urandom(NONCE_BYTES)
        cipher = self._ciphers[self.current_key_id]
        return header + cipher.encrypt(header[1:], plaintext, header[:1] + associated_data)

    def decrypt(self, envelope: bytes, associated_data: bytes = b"") -> bytes:
        if len(envelope) < _HEADER_BYTES + _TAG_BYTES:
            raise DecryptionFailed("the envelope is too short to be one of ours")
        key_id, nonce = envelope[0], envelope[1:_HEADER_BYTES]
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise DecryptionFailed(f"no key with id {key_id} is configured")
        try:
            return cipher.decrypt(nonce, envelope[_HEADER_BYTES:], envelope[:1] + associated_data)
        except InvalidTag:
            raise DecryptionFailed(
                "the envelope was altered, or the associated data differs"
            ) from None

    def needs_rotation(self, envelope: bytes) -> bool:
        """Whether the envelope was sealed with a key other than the current one."""
        return bool(envelope) and envelope[0] != self.current_key_id

    def rotate(self, envelope: bytes, associated_data: bytes = b"") -> bytes:
        """Re-seal an envelope under the current key (for a rotation job)."""
        return self.encrypt(self.decrypt(envelope, associated_data), associated_data)
