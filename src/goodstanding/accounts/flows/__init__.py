"""Accounts flows: each multi-step journey in one module, shared by the pages and the JSON API.

A flow receives a :class:`FlowContext` (the transaction, the browser session, the request) and
keeps its between-steps state in the browser session's data under its own key, with the time it
started, so a half-finished flow simply expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from goodstanding.accounts.errors import StepMissing
from goodstanding.accounts.security_events import RequestInfo
from goodstanding.config import Settings
from goodstanding.kit.clock import utcnow
from goodstanding.kit.i18n import gettext as _
from goodstanding.web.deps import BrowserSession, request_locale

STEP_LIFETIME = timedelta(minutes=15)


@dataclass
class FlowContext:
    db: Session
    browser: BrowserSession
    request: Request

    @property
    def settings(self) -> Settings:
        settings: Settings = self.request.app.state.settings
        return settings

    @property
    def info(self) -> RequestInfo:
        return RequestInfo.of(self.request)

    @property
    def locale(self) -> str:
        return request_locale(self.request)

    @property
    def session_id(self) -> str:
        return self.browser.ensure().id

    def save_step(self, key: str, **values: Any) -> None:
        row = self.browser.ensure()
        row.data = {**row.data, key: {**values, "at": utcnow().isoformat()}}

    def step(self, key: str) -> dict[str, Any]:
        """The saved state of ``key``, or :class:`StepMissing` when absent or too old."""
        row = self.browser.row
        state = row.data.get(key) if row is not None else None
        if not isinstance(state, dict) or "at" not in state:
            raise StepMissing(_("This step has expired or was not started. Please start again."))
        if datetime.fromisoformat(str(state["at"])) + STEP_LIFETIME < utcnow():
            self.forget_step(key)
            raise StepMissing(_("This step has expired. Please start again."))
        return state

    def has_step(self, key: str) -> bool:
        try:
            self.step(key)
        except StepMissing:
            return False
        return True

    def forget_step(self, key: str) -> None:
        row = self.browser.row
        if row is not None and key in row.data:
            row.data = {name: value for name, value in row.data.items() if name != key}
