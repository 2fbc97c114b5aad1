"""E-mail: a template folder per message (subject.txt, body.txt, body.html), translated by gettext.

Messages are rendered and queued in the transaction that caused them and sent by a job once it
commits (see :func:`queue_email`).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from goodstanding.config import Settings
from goodstanding.kit.i18n import gettext, ngettext, use_locale
from goodstanding.kit.jobs import enqueue

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "email"

_environment = Environment(
    loader=FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    extensions=["jinja2.ext.i18n"],
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RenderedEmail:
    to: str
    subject: str
    text: str
    html: str


def render_email(name: str, *, to: str, locale: str, context: dict[str, Any]) -> RenderedEmail:
    with use_locale(locale):
        subject = _environment.get_template(f"{name}/subject.txt").render(context).strip()
        text = _environment.get_template(f"{name}/body.txt").render(context)
        html = _environment.get_template(f"{name}/body.html").render(context)
    return RenderedEmail(to=to, subject=subject, text=text, html=html)


# The "memory" backend (tests): delivered messages are kept here, newest last.
memory_outbox: list[RenderedEmail] = []


def deliver(settings: Settings, email: RenderedEmail) -> None:
    if settings.email_backend == "memory":
        memory_outbox.append(email)
        return
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Message-ID"] = make_msgid(domain="goodstanding.local")
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    smtp_class = smtplib.SMTP_SSL if settings.smtp_tls == "tls" else smtplib.SMTP
    context = ssl.create_default_context()
    kwargs: dict[str, Any] = {"timeout": 30}
    if settings.smtp_tls == "tls":
        kwargs["context"] = context
    with smtp_class(settings.smtp_host, settings.smtp_port, **kwargs) as smtp:
        if settings.smtp_tls == "starttls":
            smtp.starttls(context=context)
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


def queue_email(
    db: Session, name: str, *, to: str, locale: str, context: dict[str, Any]
) -> RenderedEmail:
    """Render now (inside the request's locale and data), send after commit from a job."""
    from goodstanding.notify.tasks import send_email_task

    email = render_email(name, to=to, locale=locale, context=context)
    enqueue(db, send_email_task, email.to, email.subject, email.text, email.html)
    return email
