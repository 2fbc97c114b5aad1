"""AES-256-GCM envelopes: round trip, tamper detection, context binding, key rotation."""

from __future__ import annotations

import os

import pytest

from goodstanding.kit.crypto import KEY_BYTES, NONCE_BYTES, DecryptionFailed, Keyring

OLD_KEY = os.urandom(KEY_BYTES)
NEW_KEY = os.urandom(KEY_BYTES)


class TestEncryptDecrypt:
    def test_round_trip_with_associated_data(self) -> None:
        ring = Keyring.single(NEW_KEY)
        envelope = ring.encrypt(b"passport scan", b"account:42")
        assert ring.decrypt(envelope, b"account:42") == b"passport scan"
        assert b"passport scan" not in envelope

    def test_envelope_layout_is_key_id_nonce_ciphertext_and_tag(self) -> None:
        envelope = Keyring.single(NEW_KEY, key_id=7).encrypt(b"abc")
        assert envelope[0] == 7
        assert len(envelope) == 1 + NONCE_BYTES + len(b"abc") + 16

    def test_nonces_are_fresh(self) -> None:
        ring = Keyring.single(NEW_KEY)
        assert ring.encrypt(b"same") != ring.encrypt(b"same")

    @pytest.mark.parametrize("position", [0, 1, NONCE_BYTES + 1, -1])
    def test_any_altered_byte_is_refused(self, position: int) -> None:
        ring = Keyring({1: OLD_KEY, 2: NEW_KEY}, current_key_id=2)
        envelope = bytearray(ring.encrypt(b"secret"))
        envelope[position] ^= 0x01 if position else 0x03  # key id 2 -> 1, still a configured key
        with pytest.raises(DecryptionFailed):
            ring.decrypt(bytes(envelope))

    def test_other_associated_data_is_refused(self) -> None:
        ring = Keyring.single(NEW_KEY)
        with pytest.raises(DecryptionFailed):
            ring.decrypt(ring.encrypt(b"secret", b"account:42"), b"account:43")

    def test_truncated_envelope_is_refused(self) -> None:
        with pytest.raises(DecryptionFailed, match="too short"):
            Keyring.single(NEW_KEY).decrypt(b"\x01short")


class TestRotation:
    def test_old_envelopes_stay_readable_and_can_be_resealed(self) -> None:
        old_ring = Keyring.single(OLD_KEY, key_id=1)
        envelope = old_ring.encrypt(b"totp seed", b"user:1")
        ring = Keyring({1: OLD_KEY, 2: NEW_KEY}, current_key_id=2)
        assert ring.needs_rotation(envelope)
        rotated = ring.rotate(envelope, b"user:1")
        assert not ring.needs_rotation(rotated)
        assert Keyring.single(NEW_KEY, key_id=2).decrypt(rotated, b"user:1") == b"totp seed"

    def test_retired_key_cannot_decrypt(self) -> None:
        envelope = Keyring.single(OLD_KEY, key_id=1).encrypt(b"x")
        with pytest.raises(DecryptionFailed, match="no key with id 1"):
            Keyring.single(NEW_KEY, key_id=2).decrypt(envelope)


class TestKeyringValidation:
    @pytest.mark.parametrize(
        ("keys", "current", "message"),
        [
            ({1: b"short"}, 1, "AES-256 needs 32"),
            ({256: NEW_KEY}, 256, "one byte"),
            ({1: NEW_KEY}, 2, "has no key"),
        ],
    )
    def test_bad_configuration_is_refused(
        self, keys: dict[int, bytes], current: int, message: str
    ) -> None:
        with pytest.raises(ValueError, match=message):
            Keyring(keys, current)
