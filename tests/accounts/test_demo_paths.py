"""The demo buyer (Ana Buyer) walks the recovery paths with the codes read from /dev/mail, the
demo's mailbox, exactly as a person trying the demo would."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from goodstanding.app import create_app
from goodstanding.config import load_settings
from goodstanding.demo.loader import DEMO_PEOPLE, load_demo
from goodstanding.kit.db import Database
from goodstanding.notify.devmail import start_smtp_sink
from tests.accounts.conftest import Api

ANA = DEMO_PEOPLE[0]
NEW_PASSWORDS = ("purple otters juggle winter lanterns", "seven cobalt herons over the quay")


@pytest.fixture
def store() -> str:
    return "sqlite"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def demo_api(database: Database, database_url: str, tmp_path: Path) -> Iterator[Api]:
    port = _free_port()
    settings = load_settings(
        environment="demo",
        database_url=database_url,
        jobs_immediate=True,
        smtp_port=port,
        demo_mailbox_dir=str(tmp_path / "mailbox"),
        sms_sink_path=str(tmp_path / "sms.jsonl"),
    )
    with database.transaction() as db:
        load_demo(db, seed=7)
    sink = start_smtp_sink(Path(settings.demo_mailbox_dir), host="127.0.0.1", port=port)
    try:
        with TestClient(create_app(settings, database)) as client:
            yield Api(client)
    finally:
        sink.stop()


def newest_code_in_mailbox(api: Api) -> str:
    page = api.client.get("/dev/mail").text
    found = re.search(r"\b(\d{6})\b", page)
    assert found, "no code in the demo mailbox"
    return found.group(1)


def test_demo_buyer_resets_by_email_then_by_text(demo_api: Api) -> None:
    assert ANA.name == "Ana Buyer"
    for identifier, password in zip((ANA.email, ANA.phone), NEW_PASSWORDS, strict=True):
        demo_api.post("/password/forgot", {"identifier": identifier, "altcha": demo_api.captcha()})
        code = newest_code_in_mailbox(demo_api)
        assert demo_api.post("/password/forgot/verify", {"code": code}).status_code == 200
        reset = demo_api.post("/password/forgot/reset", {"password": password})
        assert reset.status_code == 200
    assert demo_api.sign_in(ANA.phone, NEW_PASSWORDS[1]).status_code == 200


def test_demo_buyer_recovers_the_username(demo_api: Api) -> None:
    demo_api.post("/username/forgot", {"phone": ANA.phone, "altcha": demo_api.captcha()})
    shown = demo_api.post("/username/forgot/verify", {"code": newest_code_in_mailbox(demo_api)})
    assert shown.json()["email"] == "a***@d***.dev"
