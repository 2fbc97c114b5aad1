"""Sending a one-time code, with the same limits and the same work whether or not anyone owns
the address: the reply of every flow that sends codes is then the same for both."""

from __future__ import annotations

from typing import Any

from goodstanding.accounts import limits
from goodstanding.accounts.codes import Channel, CodePurpose, issue_code
from goodstanding.accounts.flows import FlowContext
from goodstanding.accounts.notifications import render_code_without_sending, send_code
from goodstanding.accounts.security_events import EventTag, record_event
from goodstanding.kit.i18n import gettext as _


def send_code_to(
    ctx: FlowContext,
    *,
    purpose: CodePurpose,
    channel: Channel,
    destination: str,
    account_id: str | None,
    deliver: bool,
    payload: dict[str, Any] | None = None,
) -> None:
    """Issue a code bound to this browser; deliver it only when ``deliver`` (a real owner)."""
    db = ctx.db
    ip = ctx.info.ip or "unknown"
    busy = _("We have sent several codes already. Wait a while before asking for another.")
    limits.CODE_SEND_GLOBAL.take(db, "all", busy)
    limits.CODE_SEND_IP.take(db, ip, busy)
    limits.CODE_SEND_DESTINATION.take(db, destination, busy)
    issued = issue_code(
        db,
        secret=ctx.settings.secret_key,
        purpose=purpose,
        web_session_id=ctx.session_id,
        channel=channel,
        destination=destination,
        account_id=account_id if deliver else None,
        payload=payload,
    )
    if not deliver:
        render_code_without_sending(destination=destination, purpose=purpose, locale=ctx.locale)
        return
    send_code(
        db,
        channel=channel,
        destination=destination,
        code=issued.code,
        purpose=purpose,
        locale=ctx.locale,
    )
    if account_id is not None:
        record_event(db, EventTag.code_sent, account_id, ctx.info, {"channel": channel})


def check_code_limits(ctx: FlowContext) -> None:
    ip = ctx.info.ip or "unknown"
    busy = _("Too many codes were tried from here. Wait a few minutes and try again.")
    limits.CODE_CHECK_GLOBAL.take(ctx.db, "all", busy)
    limits.CODE_CHECK_IP.take(ctx.db, ip, busy)
