"""E-mail over real SMTP (to a local aiosmtpd sink), SMS through the Twilio-compatible adapter."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from goodstanding.config import load_settings
from goodstanding.kit.db import Database
from goodstanding.notify.devmail import read_mailbox, start_smtp_sink
from goodstanding.notify.email import deliver, memory_outbox, queue_email, render_email
from goodstanding.notify.sms import SinkProvider, TwilioCompatibleProvider


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TestTemplates:
    def test_english(self) -> None:
        email = render_email(
            "test_message", to="a@example.com", locale="en", context={"name": "Ana"}
        )
        assert email.subject == "A test message from goodstanding"
        assert email.text.startswith("Hello Ana,")
        assert "<p>Hello Ana,</p>" in email.html

    def test_spanish(self) -> None:
        email = render_email(
            "test_message", to="a@example.com", locale="es", context={"name": "Ana"}
        )
        assert email.subject == "Un mensaje de prueba de goodstanding"
        assert email.text.startswith("Hola, Ana:")

    def test_html_escapes_what_people_typed(self) -> None:
        email = render_email(
            "test_message", to="a@example.com", locale="en", context={"name": "<b>"}
        )
        assert "&lt;b&gt;" in email.html


def test_smtp_delivery_reaches_the_sink(tmp_path: Path) -> None:
    port = free_port()
    sink = start_smtp_sink(tmp_path / "mailbox", host="127.0.0.1", port=port)
    try:
        settings = load_settings(smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none")
        email = render_email(
            "test_message", to="ana@example.com", locale="en", context={"name": "Ana"}
        )
        deliver(settings, email)
    finally:
        sink.stop()
    [shown] = read_mailbox(tmp_path / "mailbox", tmp_path / "no-sms.jsonl")
    assert shown.to == "ana@example.com"
    assert shown.subject == "A test message from goodstanding"
    assert "e-mail delivery works" in shown.body


def test_queued_email_leaves_only_after_commit(database: Database) -> None:
    with pytest.raises(RuntimeError), database.transaction() as db:
        queue_email(db, "test_message", to="x@example.com", locale="en", context={"name": "X"})
        raise RuntimeError("rolled back")
    assert memory_outbox == []
    with database.transaction() as db:
        queue_email(db, "test_message", to="y@example.com", locale="en", context={"name": "Y"})
        assert memory_outbox == []
    assert [email.to for email in memory_outbox] == ["y@example.com"]


def test_sms_sink_writes_one_line_per_message(tmp_path: Path) -> None:
    sink = SinkProvider(tmp_path / "sms.jsonl")
    sink.send("+14155550101", "Your code is 123456")
    [record] = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text().splitlines()]
    assert record["to"] == "+14155550101"
    assert record["body"] == "Your code is 123456"


@pytest.fixture
def fake_sms_api() -> Iterator[tuple[str, list[dict[str, object]]]]:
    received: list[dict[str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers["content-length"])
            received.append(
                {
                    "path": self.path,
                    "authorization": self.headers["authorization"],
                    "form": parse_qs(self.rfile.read(length).decode()),
                }
            )
            self.send_response(201)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"sid": "SM1", "status": "queued"}')

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()


def test_twilio_compatible_request_shape(
    fake_sms_api: tuple[str, list[dict[str, object]]],
) -> None:
    url, received = fake_sms_api
    provider = TwilioCompatibleProvider(
        api_url=url, account_sid="AC123", auth_token="tok", sender="+15005550006"
    )
    provider.send("+14155550101", "Your code is 123456")
    [request] = received
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request["form"] == {
        "To": ["+14155550101"],
        "From": ["+15005550006"],
        "Body": ["Your code is 123456"],
    }
    assert str(request["authorization"]).startswith("Basic ")
