"""The accounts JSON API under /api/v1/auth: the same flows as the pages, answered in JSON.

A browser-driven client first reads ``GET /auth/session`` for its CSRF token and sends it as
``X-CSRF-Token`` on every POST and DELETE.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from goodstanding.accounts import captcha
from goodstanding.accounts.deps import SignedIn, require_fresh_sign_in, signed_in_account
from goodstanding.accounts.devices import describe_device, describe_place
from goodstanding.accounts.flows import FlowContext, manage, password_reset, sign_in, sign_up
from goodstanding.accounts.flows import username_recovery as recovery
from goodstanding.accounts.schemas import (
    AccountView,
    Code,
    Confirmation,
    Email,
    EventView,
    ForgotPassword,
    ForgotUsername,
    MaskedIdentifiersView,
    Name,
    Next,
    Password,
    Phone,
    SessionState,
    SessionView,
    SignIn,
    SignUp,
    Token,
)
from goodstanding.accounts.security_events import describe, recent_events
from goodstanding.accounts.sessions import SessionService
from goodstanding.accounts.web import flow_call, same_time_reply
from goodstanding.kit.errors import NotFound
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.account import Account
from goodstanding.web.deps import AppSettings, Browser, CsrfChecked, DbSession

router = APIRouter(prefix="/api/v1/auth", tags=["accounts"])
Fresh = Annotated[Account, Depends(require_fresh_sign_in(minutes=5))]


@router.get("/session")
def session_state(db: DbSession, browser: Browser) -> SessionState:
    account = signed_in_account(db, browser)
    return SessionState(
        signed_in=account is not None,
        csrf_token=browser.csrf_token,
        account=AccountView.of(account) if account else None,
    )


@router.get("/captcha")
def captcha_challenge(settings: AppSettings) -> dict[str, Any]:
    """A fresh proof-of-work challenge for the ALTCHA widget (or any API client)."""
    return captcha.new_challenge(settings.secret_key)


@router.post("/sign-up", status_code=202, dependencies=[CsrfChecked])
def start_sign_up(body: SignUp, request: Request, db: DbSession, browser: Browser) -> Next:
    with flow_call(request, db):
        sent_to = sign_up.start_sign_up(
            FlowContext(db, browser, request),
            name=body.name,
            email=body.email,
            phone=body.phone,
            password=body.password,
            roles=list(body.roles),
        )
    return Next(next="verify_email", sent_to=sent_to)


@router.post("/sign-up/verify-email", dependencies=[CsrfChecked])
def verify_sign_up_email(body: Code, request: Request, db: DbSession, browser: Browser) -> Next:
    with flow_call(request, db):
        phone = sign_up.verify_sign_up_email(FlowContext(db, browser, request), body.code)
    return Next(next="verify_phone", sent_to=phone)


@router.post("/sign-up/verify-phone", status_code=201, dependencies=[CsrfChecked])
def verify_sign_up_phone(
    body: Code, request: Request, db: DbSession, browser: Browser
) -> AccountView:
    with flow_call(request, db):
        account = sign_up.verify_sign_up_phone(FlowContext(db, browser, request), body.code)
    return AccountView.of(account)


@router.post("/sign-in", dependencies=[CsrfChecked])
def do_sign_in(body: SignIn, request: Request, db: DbSession, browser: Browser) -> Next:
    with flow_call(request, db):
        result = sign_in.sign_in(
            FlowContext(db, browser, request), body.identifier, body.password, body.altcha
        )
    return Next(next=result.next)


@router.post("/sign-out", status_code=204, dependencies=[CsrfChecked])
def do_sign_out(request: Request, db: DbSession, browser: Browser) -> Response:
    with flow_call(request, db):
        sign_in.sign_out(FlowContext(db, browser, request))
    return Response(status_code=204)


@router.post("/reauthenticate", dependencies=[CsrfChecked])
def reauthenticate(
    body: Password, request: Request, db: DbSession, browser: Browser, account: SignedIn
) -> Next:
    with flow_call(request, db):
        sign_in.reauthenticate(FlowContext(db, browser, request), account, body.password)
    return Next(next="done")


@router.post("/password/forgot", status_code=202, dependencies=[CsrfChecked])
def forgot_password(
    body: ForgotPassword, request: Request, db: DbSession, browser: Browser
) -> Next:
    with same_time_reply(request, db):
        sent_to = password_reset.request_reset(
            FlowContext(db, browser, request), body.identifier, body.altcha
        )
    return Next(next="code", sent_to=sent_to)


@router.post("/password/forgot/verify", dependencies=[CsrfChecked])
def forgot_password_code(body: Code, request: Request, db: DbSession, browser: Browser) -> Next:
    with flow_call(request, db):
        password_reset.verify_reset_code(FlowContext(db, browser, request), body.code)
    return Next(next="new_password")


@router.post("/password/forgot/reset", dependencies=[CsrfChecked])
def forgot_password_reset(
    body: Password, request: Request, db: DbSession, browser: Browser
) -> Next:
    with flow_call(request, db):
        password_reset.choose_new_password(FlowContext(db, browser, request), body.password)
    return Next(next="sign_in")


@router.post("/username/forgot", status_code=202, dependencies=[CsrfChecked])
def forgot_username(
    body: ForgotUsername, request: Request, db: DbSession, browser: Browser
) -> Next:
    with same_time_reply(request, db):
        sent_to = recovery.request_username(
            FlowContext(db, browser, request), body.phone, body.altcha
        )
    return Next(next="code", sent_to=sent_to)


@router.post("/username/forgot/verify", dependencies=[CsrfChecked])
def forgot_username_code(
    body: Code, request: Request, db: DbSession, browser: Browser
) -> MaskedIdentifiersView:
    with flow_call(request, db):
        shown = recovery.reveal_identifiers(FlowContext(db, browser, request), body.code)
    return MaskedIdentifiersView(next="new_password", email=shown.email, phone=shown.phone)


@router.get("/sessions")
def list_sessions(
    request: Request, db: DbSession, browser: Browser, account: SignedIn
) -> list[SessionView]:
    service: SessionService = request.app.state.session_service
    current = browser.row.id if browser.row else None
    with flow_call(request, db):
        return [
            SessionView(
                id=row.id,
                device=describe_device(row.user_agent),
                place=describe_place(row.ip),
                created_at=row.created_at,
                last_seen_at=row.last_seen_at,
                current=row.id == current,
            )
            for row in service.active_for(db, account.id)
        ]


@router.delete("/sessions/{session_id}", status_code=204, dependencies=[CsrfChecked])
def end_session(
    session_id: str, request: Request, db: DbSession, browser: Browser, account: SignedIn
) -> Response:
    with flow_call(request, db):
        if not manage.end_session(FlowContext(db, browser, request), account, session_id):
            raise NotFound(_("There is no such session."))
    return Response(status_code=204)


@router.post("/sessions/end-others", dependencies=[CsrfChecked])
def end_other_sessions(
    request: Request, db: DbSession, browser: Browser, account: SignedIn
) -> dict[str, int]:
    with flow_call(request, db):
        ended = manage.end_other_sessions(FlowContext(db, browser, request), account)
    return {"ended": ended}


@router.get("/security-events")
def security_events(request: Request, db: DbSession, account: SignedIn) -> list[EventView]:
    with flow_call(request, db):
        return [
            EventView(
                tag=event.tag,
                description=describe(event.tag),
                at=event.created_at,
                ip=event.ip,
                user_agent=event.user_agent,
            )
            for event in recent_events(db, account.id)
        ]


@router.post("/account/name", dependencies=[CsrfChecked])
def change_name(
    body: Name, request: Request, db: DbSession, browser: Browser, account: Fresh
) -> AccountView:
    with flow_call(request, db):
        manage.change_name(FlowContext(db, browser, request), account, body.name)
    return AccountView.of(account)


@router.post("/account/email", status_code=202, dependencies=[CsrfChecked])
def change_email(
    body: Email, request: Request, db: DbSession, browser: Browser, account: Fresh
) -> Next:
    with flow_call(request, db):
        sent_to = manage.start_identifier_change(
            FlowContext(db, browser, request), account, "email", body.email
        )
    return Next(next="verify", sent_to=sent_to)


@router.post("/account/email/verify", dependencies=[CsrfChecked])
def confirm_email(
    body: Code, request: Request, db: DbSession, browser: Browser, account: Fresh
) -> AccountView:
    with flow_call(request, db):
        manage.confirm_identifier_change(
            FlowContext(db, browser, request), account, "email", body.code
        )
    return AccountView.of(account)


@router.post("/account/phone", status_code=202, dependencies=[CsrfChecked])
def change_phone(
    body: Phone, request: Request, db: DbSession, browser: Browser, account: Fresh
) -> Next:
    with flow_call(request, db):
        sent_to = manage.start_identifier_change(
            FlowContext(db, browser, request), account, "phone", body.phone
        )
    return Next(next="verify", sent_to=sent_to)


@router.post("/account/phone/verify", dependencies=[CsrfChecked])
def confirm_phone(
    body: Code, request: Request, db: DbSession, browser: Browser, account: Fresh
) -> AccountView:
    with flow_call(request, db):
        manage.confirm_identifier_change(
            FlowContext(db, browser, request), account, "phone", body.code
        )
    return AccountView.of(account)


@router.post("/account/close", dependencies=[CsrfChecked])
def close_account(
    body: Confirmation, request: Request, db: DbSession, browser: Browser, account: Fresh
) -> Next:
    with flow_call(request, db):
        manage.close_account(FlowContext(db, browser, request), account, body.confirmation)
    return Next(next="closed")


@router.post("/not-me", dependencies=[CsrfChecked])
def not_me(body: Token, request: Request, db: DbSession, browser: Browser) -> Next:
    with flow_call(request, db):
        manage.report_not_me(FlowContext(db, browser, request), body.token)
    return Next(next="recovery")


@router.post("/undo-change", dependencies=[CsrfChecked])
def undo_change(body: Token, request: Request, db: DbSession, browser: Browser) -> Next:
    with flow_call(request, db):
        manage.undo_identifier_change(FlowContext(db, browser, request), body.token)
    return Next(next="forgot_password")
