"""The demo's mailbox: a local SMTP sink (aiosmtpd) and /dev/mail, which shows mail and texts.

Mounted only when the environment is ``demo``: it shows one-time codes to anyone who opens it.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from fastapi import APIRouter, Request
from fastapi.responses import Response

from goodstanding.kit.clock import utcnow
from goodstanding.web.templating import render


class MailboxHandler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        name = f"{utcnow().strftime('%Y%m%dT%H%M%S%f')}-{secrets.token_hex(4)}.eml"
        (self.directory / name).write_bytes(envelope.content)
        return "250 Message accepted for delivery"


def start_smtp_sink(directory: Path, *, host: str, port: int) -> Controller:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP verb
    controller = Controller(MailboxHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


@dataclass
class ShownMessage:
    kind: str  # "email" or "sms"
    to: str
    subject: str
    body: str
    sent_at: datetime


def read_mailbox(directory: Path, sms_file: Path, limit: int = 50) -> list[ShownMessage]:
    shown: list[ShownMessage] = []
    if directory.exists():
        for path in sorted(directory.glob("*.eml"), reverse=True)[:limit]:
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            assert isinstance(message, EmailMessage)
            part = message.get_body(preferencelist=("plain",))
            body = part.get_content() if part is not None else ""
            shown.append(
                ShownMessage(
                    "email",
                    str(message["To"]),
                    str(message["Subject"]),
                    str(body),
                    datetime.strptime(path.name.split("-")[0], "%Y%m%dT%H%M%S%f"),
                )
            )
    if sms_file.exists():
        for line in sms_file.read_text(encoding="utf-8").splitlines()[-limit:]:
            record = json.loads(line)
            sent_at = datetime.fromisoformat(record["sent_at"]).replace(tzinfo=None)
            shown.append(ShownMessage("sms", record["to"], "", record["body"], sent_at))
    shown.sort(key=lambda message: message.sent_at, reverse=True)
    return shown[:limit]


router = APIRouter(include_in_schema=False)


@router.get("/dev/mail")
def demo_mailbox(request: Request) -> Response:
    settings = request.app.state.settings
    messages = read_mailbox(Path(settings.demo_mailbox_dir), Path(settings.sms_sink_path))
    return render(request, "pages/dev_mail.html", {"messages": messages})
