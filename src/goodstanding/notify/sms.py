"""Text messages through a provider: a sink for development, a Twilio-compatible HTTP adapter."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx

from goodstanding.config import Settings
from goodstanding.kit.clock import utcnow


class SmsProvider(Protocol):
    def send(self, to: str, body: str) -> None: ...


class SinkProvider:
    """Appends each message as one JSON line to a file (the demo's "phone")."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, to: str, body: str) -> None:
        record = {"to": to, "body": body, "sent_at": utcnow().isoformat()}
        with self.path.open("a", encoding="utf-8") as sink:
            sink.write(json.dumps(record) + "\n")


@dataclass(frozen=True)
class SentSms:
    to: str
    body: str


class MemoryProvider:
    """Keeps messages in :data:`memory_sms_outbox` (tests)."""

    def send(self, to: str, body: str) -> None:
        memory_sms_outbox.append(SentSms(to, body))


memory_sms_outbox: list[SentSms] = []


class TwilioCompatibleProvider:
    """POST {api}/2010-04-01/Accounts/{sid}/Messages.json with To, From, Body; basic auth."""

    def __init__(
        self, *, api_url: str, account_sid: str, auth_token: str, sender: str, timeout: float = 10
    ) -> None:
        self.url = f"{api_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.auth = (account_sid, auth_token)
        self.sender = sender
        self.timeout = timeout

    def send(self, to: str, body: str) -> None:
        response = httpx.post(
            self.url,
            data={"To": to, "From": self.sender, "Body": body},
            auth=self.auth,
            timeout=self.timeout,
        )
        response.raise_for_status()


def sms_provider(settings: Settings) -> SmsProvider:
    if settings.sms_provider == "twilio":
        if not settings.sms_account_sid or not settings.sms_auth_token:
            raise ValueError("GOODSTANDING_SMS_ACCOUNT_SID and GOODSTANDING_SMS_AUTH_TOKEN needed")
        return TwilioCompatibleProvider(
            api_url=settings.sms_api_url,
            account_sid=settings.sms_account_sid,
            auth_token=settings.sms_auth_token,
            sender=settings.sms_from,
        )
    if settings.sms_provider == "memory":
        return MemoryProvider()
    return SinkProvider(Path(settings.sms_sink_path))
