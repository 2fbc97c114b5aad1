"""Our Standard Webhooks signing checked against the specification's published test vector and
against an independent implementation, the ``standardwebhooks`` package, in both directions."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError as TheirVerificationError

from goodstanding.webhooks.signing import (
    WebhookSecret,
    WebhookSecretError,
    WebhookVerificationError,
    sign,
    signature_headers,
    verify,
)

# The test vector published with the Standard Webhooks specification and its libraries.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

SECRET = WebhookSecret.parse(VECTOR_SECRET)


def vector_headers(**overrides: str) -> dict[str, str]:
    headers = {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": str(VECTOR_TIMESTAMP),
        "webhook-signature": VECTOR_SIGNATURE,
    }
    headers.update(overrides)
    return headers


class TestPublishedVector:
    def test_we_sign_it(self) -> None:
        signed = sign(SECRET, msg_id=VECTOR_ID, timestamp=VECTOR_TIMESTAMP, body=VECTOR_BODY)
        assert signed == VECTOR_SIGNATURE

    def test_we_verify_it(self) -> None:
        verify(SECRET, headers=vector_headers(), body=VECTOR_BODY, now=VECTOR_TIMESTAMP)


class TestAgainstTheIndependentImplementation:
    """The package checks timestamps against the real clock, so these messages are stamped now."""

    def test_they_verify_what_we_send(self) -> None:
        body = b'{"type": "seller.standing_changed", "standing": "suspended"}'
        headers = signature_headers([SECRET], msg_id="msg_1", timestamp=int(time.time()), body=body)
        assert Webhook(VECTOR_SECRET).verify(body, headers) == {
            "type": "seller.standing_changed",
            "standing": "suspended",
        }

    def test_we_verify_what_they_send(self) -> None:
        now = int(time.time())
        body = '{"type": "violation.opened"}'
        signature = Webhook(VECTOR_SECRET).sign("msg_2", datetime.fromtimestamp(now, UTC), body)
        headers = {
            "webhook-id": "msg_2",
            "webhook-timestamp": str(now),
            "webhook-signature": signature,
        }
        verify(SECRET, headers=headers, body=body.encode(), now=now)

    def test_they_refuse_a_tampered_body_we_signed(self) -> None:
        headers = signature_headers(
            [SECRET], msg_id="msg_3", timestamp=int(time.time()), body=b"{}"
        )
        with pytest.raises(TheirVerificationError):
            Webhook(VECTOR_SECRET).verify(b'{"x": 1}', headers)

    def test_rotation_header_verifies_with_either_secret_in_both_implementations(self) -> None:
        new = WebhookSecret.generate()
        now = int(time.time())
        headers = signature_headers([SECRET, new], msg_id="msg_4", timestamp=now, body=b"{}")
        assert len(headers["webhook-signature"].split(" ")) == 2
        for secret in (SECRET, new):
            verify(secret, headers=headers, body=b"{}", now=now)
            Webhook(str(secret)).verify(b"{}", headers)

    @settings(max_examples=40, deadline=None)
    @given(
        body=st.binary(max_size=300).map(lambda raw: raw.hex().encode()),
        msg_id=st.from_regex(r"msg_[A-Za-z0-9]{1,30}", fullmatch=True),
        key=st.binary(min_size=24, max_size=64),
    )
    def test_same_signature_for_any_message(self, body: bytes, msg_id: str, key: bytes) -> None:
        secret = WebhookSecret(key)
        stamp = datetime(2024, 11, 16, 12, 0, tzinfo=UTC)
        theirs = Webhook(key).sign(msg_id, stamp, body.decode())
        assert sign(secret, msg_id=msg_id, timestamp=int(stamp.timestamp()), body=body) == theirs


class TestVerificationRefuses:
    def test_a_changed_body(self) -> None:
        with pytest.raises(WebhookVerificationError, match="no matching signature"):
            verify(SECRET, headers=vector_headers(), body=VECTOR_BODY + b" ", now=VECTOR_TIMESTAMP)

    def test_another_secret(self) -> None:
        with pytest.raises(WebhookVerificationError, match="no matching signature"):
            verify(
                WebhookSecret.generate(),
                headers=vector_headers(),
                body=VECTOR_BODY,
                now=VECTOR_TIMESTAMP,
            )

    def test_timestamps_outside_the_tolerance_either_way(self) -> None:
        body, tolerance = VECTOR_BODY, 300
        verify(SECRET, headers=vector_headers(), body=body, now=VECTOR_TIMESTAMP + tolerance)
        verify(SECRET, headers=vector_headers(), body=body, now=VECTOR_TIMESTAMP - tolerance)
        with pytest.raises(WebhookVerificationError, match="too old"):
            verify(
                SECRET, headers=vector_headers(), body=body, now=VECTOR_TIMESTAMP + tolerance + 1
            )
        with pytest.raises(WebhookVerificationError, match="too new"):
            verify(
                SECRET, headers=vector_headers(), body=body, now=VECTOR_TIMESTAMP - tolerance - 1
            )

    def test_a_timestamp_that_is_not_unix_seconds(self) -> None:
        with pytest.raises(WebhookVerificationError, match="not Unix seconds"):
            verify(
                SECRET,
                headers=vector_headers(**{"webhook-timestamp": "1614265330.5"}),
                body=VECTOR_BODY,
                now=VECTOR_TIMESTAMP,
            )

    @pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
    def test_missing_headers(self, missing: str) -> None:
        headers = vector_headers()
        del headers[missing]
        with pytest.raises(WebhookVerificationError, match="missing header"):
            verify(SECRET, headers=headers, body=VECTOR_BODY, now=VECTOR_TIMESTAMP)

    def test_other_versions_are_ignored(self) -> None:
        v2 = VECTOR_SIGNATURE.replace("v1,", "v2,")
        with pytest.raises(WebhookVerificationError):
            verify(
                SECRET,
                headers=vector_headers(**{"webhook-signature": v2}),
                body=VECTOR_BODY,
                now=VECTOR_TIMESTAMP,
            )

    def test_header_names_are_case_insensitive_and_extra_entries_tolerated(self) -> None:
        headers = {
            "Webhook-Id": VECTOR_ID,
            "Webhook-Timestamp": str(VECTOR_TIMESTAMP),
            "Webhook-Signature": f"v1a,whatever v1,bm90LWl0 {VECTOR_SIGNATURE}",
        }
        verify(SECRET, headers=headers, body=VECTOR_BODY, now=VECTOR_TIMESTAMP)


class TestSecrets:
    def test_round_trip(self) -> None:
        secret = WebhookSecret.generate()
        assert WebhookSecret.parse(str(secret)) == secret
        assert str(secret).startswith("whsec_")
        assert "whsec_" not in repr(secret)

    @pytest.mark.parametrize(
        "text",
        ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!", "whsec_c2hvcnQ="],
    )
    def test_bad_secrets_are_refused(self, text: str) -> None:
        with pytest.raises(WebhookSecretError):
            WebhookSecret.parse(text)

    def test_ids_that_would_blur_the_signed_content_are_refused(self) -> None:
        with pytest.raises(ValueError, match="webhook id"):
            signature_headers([SECRET], msg_id="msg 1", timestamp=VECTOR_TIMESTAMP, body=b"")
        with pytest.raises(ValueError, match="at least one secret"):
            signature_headers([], msg_id="msg_1", timestamp=VECTOR_TIMESTAMP, body=b"")
