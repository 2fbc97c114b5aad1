"""FastAPI dependencies shared by every domain's routes: the transaction, the browser session, CSRF.

One request is one transaction (``DbSession``), committed right after the route returns and before
the response leaves, so a client never reads a reply for work that was rolled back.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from goodstanding.accounts.sessions import SESSION_COOKIE, SessionService
from goodstanding.config import Settings
from goodstanding.kit.db import Database
from goodstanding.kit.errors import Forbidden
from goodstanding.kit.i18n import SUPPORTED_LOCALES, negotiate
from goodstanding.models.account import Account
from goodstanding.models.web_session import WebSession

LOCALE_COOKIE = "gs_lang"


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_db(request: Request) -> Iterator[Session]:
    with get_database(request).transaction() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


class BrowserSession:
    """The browser's server-side session, created only once something must remember the browser."""

    def __init__(self, request: Request, db: Session, service: SessionService) -> None:
        self._request = request
        self._db = db
        self._service = service
        self.row: WebSession | None = service.load(db, request.cookies.get(SESSION_COOKIE))

    def ensure(self) -> WebSession:
        if self.row is None:
            created = self._service.create(
                self._db,
                ip=client_ip(self._request),
                user_agent=self._request.headers.get("user-agent"),
            )
            self.row = created.row
            self._queue_cookie(created.token)
        return self.row

    def rotate(self) -> WebSession:
        """Give the browser a new session id (after sign-in), carrying its data over."""
        fresh = self._service.rotate(self._db, self.ensure())
        self.row = fresh.row
        self._queue_cookie(fresh.token)
        return fresh.row

    @property
    def account_id(self) -> str | None:
        return self.row.account_id if self.row else None

    @property
    def csrf_token(self) -> str:
        return self.ensure().csrf_token

    def check_csrf(self, presented: str | None) -> None:
        if (
            self.row is None
            or not presented
            or not hmac.compare_digest(self.row.csrf_token, presented)
        ):
            raise Forbidden("This form has expired. Please reload the page and try again.")

    def _queue_cookie(self, token: str) -> None:
        settings: Settings = self._request.app.state.settings
        secure = self._request.state.https or settings.environment == "production"
        max_age = int(self._service.idle_lifetime.total_seconds())
        cookie = f"{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax"
        if secure:
            cookie += "; Secure"
        cookies: list[str] = self._request.scope.setdefault("state", {}).setdefault(
            "set_cookies", []
        )
        cookies.append(cookie)


def get_browser_session(request: Request, db: DbSession) -> BrowserSession:
    service: SessionService = request.app.state.session_service
    browser = BrowserSession(request, db, service)
    account = db.get(Account, browser.account_id) if browser.account_id else None
    if account is not None and account.locale:
        request.state.locale = account.locale
    return browser


def request_locale(request: Request) -> str:
    """The account's preference wins, then the language picked on the page, then the browser's."""
    chosen: str | None = getattr(request.state, "locale", None)
    return chosen or negotiate_request_locale(request)


def negotiate_request_locale(request: Request) -> str:
    picked = request.cookies.get(LOCALE_COOKIE)
    if picked in SUPPORTED_LOCALES:
        return picked
    settings: Settings = request.app.state.settings
    return negotiate(request.headers.get("accept-language"), settings.default_locale)


Browser = Annotated[BrowserSession, Depends(get_browser_session)]


async def require_csrf(request: Request, browser: Browser) -> None:
    """Every state-changing form or browser API call carries the session's CSRF token."""
    presented = request.headers.get("x-csrf-token")
    if presented is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        presented = value if isinstance(value, str) else None
    browser.check_csrf(presented)


CsrfChecked = Depends(require_csrf)
