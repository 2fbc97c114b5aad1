"""Security events: one catalogue of typed tags, one way to record them.

Each event is stored for the person's "Security activity" page (time, IP, user agent) and queued
for the marketplace as the webhook ``account.<tag>`` in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import structlog
from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.kit.i18n import gettext as _
from goodstanding.models.security_event import SecurityEvent
from goodstanding.webhooks.outbox import publish

log = structlog.get_logger(__name__)


class EventTag(StrEnum):
    signed_up = "signed_up"
    sign_in_succeeded = "sign_in_succeeded"
    sign_in_failed = "sign_in_failed"
    signed_out = "signed_out"
    code_sent = "code_sent"
    password_changed = "password_changed"
    password_reset = "password_reset"
    name_changed = "name_changed"
    email_changed = "email_changed"
    phone_changed = "phone_changed"
    identifier_change_undone = "identifier_change_undone"
    session_ended = "session_ended"
    other_sessions_ended = "other_sessions_ended"
    reported_not_me = "reported_not_me"
    account_locked = "account_locked"
    account_closed = "account_closed"


def describe(tag: str) -> str:
    """The tag in words for the person's "Security activity" page, in the current language."""
    words = {
        EventTag.signed_up: _("Account created"),
        EventTag.sign_in_succeeded: _("Signed in"),
        EventTag.sign_in_failed: _("Failed sign-in attempt"),
        EventTag.signed_out: _("Signed out"),
        EventTag.code_sent: _("Security code sent"),
        EventTag.password_changed: _("Password changed"),
        EventTag.password_reset: _("Password reset with a code"),
        EventTag.name_changed: _("Name changed"),
        EventTag.email_changed: _("E-mail address changed"),
        EventTag.phone_changed: _("Phone number changed"),
        EventTag.identifier_change_undone: _("A change of e-mail or phone was undone"),
        EventTag.session_ended: _("A session was ended"),
        EventTag.other_sessions_ended: _("All other sessions were ended"),
        EventTag.reported_not_me: _("A change was reported as not made by you"),
        EventTag.account_locked: _("Account locked"),
        EventTag.account_closed: _("Account closed"),
    }
    try:
        return words[EventTag(tag)]
    except ValueError:
        return tag


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None
    user_agent: str | None

    @classmethod
    def of(cls, request: Request) -> RequestInfo:
        return cls(
            ip=request.client.host if request.client else None,
            user_agent=(request.headers.get("user-agent") or "")[:512] or None,
        )


def record_event(
    db: Session,
    tag: EventTag,
    account_id: str,
    request_info: RequestInfo,
    details: dict[str, Any] | None = None,
) -> SecurityEvent:
    event = SecurityEvent(
        account_id=account_id,
        tag=tag.value,
        ip=request_info.ip,
        user_agent=request_info.user_agent,
        details=details or {},
    )
    db.add(event)
    db.flush()
    log.info("security_event", tag=tag.value, account_id=account_id, ip=request_info.ip)
    publish(
        db,
        f"account.{tag.value}",
        account_id,
        {
            "tag": tag.value,
            "at": event.created_at.isoformat(),
            "ip": request_info.ip,
            **(details or {}),
        },
    )
    return event


def recent_events(db: Session, account_id: str, limit: int = 100) -> list[SecurityEvent]:
    return list(
        db.scalars(
            select(SecurityEvent)
            .where(SecurityEvent.account_id == account_id)
            .order_by(SecurityEvent.created_at.desc())
            .limit(limit)
        )
    )
