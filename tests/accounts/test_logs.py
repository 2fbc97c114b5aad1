"""A full sign-in and password reset leaves no password, code or token in the logs."""

from __future__ import annotations

import logging

import pytest

from goodstanding.notify.email import memory_outbox
from tests.accounts.conftest import PASSWORD, Api, Person, last_email_code

NEW_PASSWORD = "purple otters juggle winter lanterns"


def test_no_secret_reaches_the_logs(
    api: Api, ana: Person, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.sign_in(ana.email, "a wrong guess at it")
    api.sign_in(ana.email)
    api.post("/sign-out")
    api.refresh_csrf()
    api.post("/password/forgot", {"identifier": ana.email, "altcha": api.captcha()})
    code = last_email_code(ana.email)
    api.post("/password/forgot/verify", {"code": "000000" if code != "000000" else "111111"})
    api.post("/password/forgot/verify", {"code": code})
    api.post("/password/forgot/reset", {"password": NEW_PASSWORD})
    token = memory_outbox[-1].text.split("/not-me/")[1].split()[0]
    api.post("/not-me", {"token": token})
    captured = capsys.readouterr()
    logs = captured.out + captured.err + caplog.text
    assert "password_reset" in logs and "sign_in_failed" in logs  # the run did log its events
    for secret in (PASSWORD, NEW_PASSWORD, "a wrong guess at it", code, token, api.csrf):
        assert secret not in logs
    session_cookie = api.client.cookies.get("gs_session")
    assert session_cookie is None or session_cookie not in logs
