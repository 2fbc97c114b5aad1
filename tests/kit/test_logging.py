from __future__ import annotations

import json

import pytest
import structlog

from goodstanding.kit.logging import REDACTED, configure_logging


def test_secrets_never_reach_the_log(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(json_format=True, level="info")
    structlog.get_logger("t").info(
        "signed_in", account_id="a1", password="hunter2", reset_code="123456", api_token="t0k"
    )
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["account_id"] == "a1"
    assert line["password"] == REDACTED
    assert line["reset_code"] == REDACTED
    assert line["api_token"] == REDACTED
    assert "hunter2" not in json.dumps(line)
