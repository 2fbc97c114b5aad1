"""The enforced policy file is checked at start: a typo stops the server with the line named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from goodstanding.config import SettingsError, load_settings
from goodstanding.policy.schema import PolicyFileError
from goodstanding.policy.service import load_active_policies


def run_serve(policy_file: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GOODSTANDING_POLICY_FILE": str(policy_file),
        "GOODSTANDING_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "goodstanding", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            '[policies.cancel_rate.condition]\nkind = "metric"\nmetric = "cancel_rat"\n'
            'target = "below"\nthreshold = 0.02\nwindow_days = 7\n',
            3,
            "unknown metric 'cancel_rat'",
        ),
        ('[policies.fraud]\nseverity = "critical"\nladder = ["ban"]\n', 3, "unknown action 'ban'"),
    ],
)
def test_serve_refuses_a_bad_policy_file_in_one_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    policy_file = tmp_path / "ops.toml"
    policy_file.write_text(text, encoding="utf-8")
    result = run_serve(policy_file, tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"{policy_file}:{line}:" in lines[0] and message in lines[0]
    assert "GOODSTANDING_POLICY_FILE" in lines[0]


def test_a_good_override_is_what_the_app_enforces(tmp_path: Path) -> None:
    policy_file = tmp_path / "ops.toml"
    policy_file.write_text("[policies.cancel_rate]\nshadow = true\n", encoding="utf-8")
    settings = load_settings(policy_file=policy_file)
    assert load_active_policies(settings).by_id["cancel_rate"].shadow is True


def test_the_loader_itself_names_the_line(tmp_path: Path) -> None:
    policy_file = tmp_path / "ops.toml"
    policy_file.write_text('[policies.fraud]\nladder = ["ban"]\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"ops.toml:2: policies.fraud.ladder\[0\]"):
        load_settings(policy_file=policy_file)
    settings = load_settings()
    with pytest.raises(PolicyFileError):
        load_active_policies(settings.model_copy(update={"policy_file": policy_file}))
