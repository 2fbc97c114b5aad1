"""The accounts pages: one thing per screen, plain words, errors linked to their fields.

Each handler calls the same flow as the JSON API; on a domain error it shows the form again with
the message next to the field it concerns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from goodstanding.accounts.deps import signed_in_account
from goodstanding.accounts.devices import describe_device, describe_place
from goodstanding.accounts.errors import CaptchaRequired, SignInFailed
from goodstanding.accounts.flows import FlowContext, manage, password_reset, sign_in, sign_up
from goodstanding.accounts.flows import username_recovery as recovery
from goodstanding.accounts.security_events import describe, recent_events
from goodstanding.accounts.sessions import SessionService
from goodstanding.accounts.web import flow_call, same_time_reply
from goodstanding.kit.errors import DomainError
from goodstanding.kit.i18n import gettext as _
from goodstanding.kit.i18n import use_locale
from goodstanding.models.account import Account
from goodstanding.web.deps import Browser, BrowserSession, CsrfChecked, DbSession, request_locale
from goodstanding.web.pages import safe_next
from goodstanding.web.templating import render

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form(max_length=1024)]
Captcha = Annotated[str, Form(max_length=4096)]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"
    autocomplete: str | None = None
    hint: str | None = None
    inputmode: str | None = None
    options: Sequence[tuple[str, str]] = ()


def altcha_strings() -> dict[str, str]:
    return {
        "label": _("I am not a robot"),
        "verifying": _("Checking…"),
        "verified": _("Done: you can continue"),
        "waitAlert": _("Checking, please wait…"),
        "error": _("The check failed. Reload the page and try again."),
        "expired": _("The check expired. It will start again."),
        "verificationRequired": _("Please wait for the check to finish."),
        "loading": _("Loading…"),
        "reload": _("Try again"),
        "verify": _("Check"),
        "cancel": _("Cancel"),
        "footer": "",
        "ariaLinkLabel": "ALTCHA",
        "enterCode": _("Enter code"),
        "enterCodeAria": _("Enter code"),
        "enterCodeFromImage": _("Enter code"),
        "getAudioChallenge": _("Enter code"),
    }


def form_page(
    request: Request,
    browser: BrowserSession,
    build: Callable[[], dict[str, Any]],
    *,
    error: DomainError | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    """Render ``accounts/form.html``; ``build`` makes the page's texts in its language."""
    with use_locale(request_locale(request)):
        context = build()
        fields: list[Field] = context.get("fields", [])
        errors: dict[str, str] = {}
        if error is not None:
            errors[str(error.extra.get("field", "form"))] = error.detail
        context.setdefault("lead", [])
        context.setdefault("links", [])
        if context.get("captcha"):
            context["altcha_strings"] = altcha_strings()
    return render(
        request,
        "accounts/form.html",
        {
            **context,
            "errors": errors,
            "field_names": {field.name for field in fields} | {"altcha"},
            "values": values or {},
            "csrf_token": browser.csrf_token,
        },
        status_code=error.status if error is not None else 200,
    )


def message_page(request: Request, build: Callable[[], dict[str, Any]]) -> Response:
    with use_locale(request_locale(request)):
        context = build()
    context.setdefault("links", [])
    return render(request, "accounts/message.html", context)


def go(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def to_sign_in(request: Request) -> RedirectResponse:
    return go(f"/sign-in?next={request.url.path}")


def to_confirm(request: Request) -> RedirectResponse:
    return go(f"/account/confirm?next={request.url.path}")


# ---- sign-in and sign-out ---------------------------------------------------------------------


def _sign_in_form(captcha: bool, next_path: str) -> Callable[[], dict[str, Any]]:
    return lambda: {
        "title": _("Sign in"),
        "action": f"/sign-in?next={next_path}",
        "fields": [
            Field(
                "identifier",
                _("E-mail address or phone number"),
                autocomplete="username",
                hint=_("A phone number starts with + and the country code."),
            ),
            Field("password", _("Password"), type="password", autocomplete="current-password"),
        ],
        "captcha": captcha,
        "submit": _("Sign in"),
        "links": [
            ("/cant-sign-in", _("Can't sign in?")),
            ("/sign-up", _("Create an account")),
        ],
    }


@router.get("/sign-in")
def sign_in_page(request: Request, browser: Browser, next: str = "/account") -> Response:
    return form_page(request, browser, _sign_in_form(False, safe_next(next)))


@router.post("/sign-in", dependencies=[CsrfChecked])
def sign_in_submit(
    request: Request,
    db: DbSession,
    browser: Browser,
    identifier: FormText = "",
    password: FormText = "",
    altcha: Captcha = "",
    next: str = "/account",
) -> Response:
    target = safe_next(next)
    try:
        with flow_call(request, db):
            result = sign_in.sign_in(
                FlowContext(db, browser, request), identifier, password, altcha or None
            )
    except DomainError as error:
        captcha = isinstance(error, SignInFailed | CaptchaRequired)
        return form_page(
            request,
            browser,
            _sign_in_form(captcha, target),
            error=error,
            values={"identifier": identifier},
        )
    if result.next == "second_factor":
        return go("/sign-in/second-step")
    return go(target)


@router.post("/sign-out", dependencies=[CsrfChecked])
def sign_out_submit(request: Request, db: DbSession, browser: Browser) -> Response:
    with flow_call(request, db):
        sign_in.sign_out(FlowContext(db, browser, request))
    return go("/")


# ---- sign-up ----------------------------------------------------------------------------------


def _sign_up_form() -> dict[str, Any]:
    return {
        "title": _("Create an account"),
        "action": "/sign-up",
        "lead": [
            _(
                "We will send a code to your e-mail address and one to your phone to check "
                "they are yours."
            )
        ],
        "fields": [
            Field("name", _("Your name"), autocomplete="name"),
            Field("email", _("E-mail address"), type="email", autocomplete="email"),
            Field(
                "phone",
                _("Mobile phone number"),
                type="tel",
                autocomplete="tel",
                hint=_("With the country code, like +14155550101."),
            ),
            Field(
                "password",
                _("Choose a password"),
                type="password",
                autocomplete="new-password",
                hint=_(
                    "At least 15 characters. A few unrelated words in a row are easy to "
                    "remember and hard to guess."
                ),
            ),
            Field("seller", _("I also want to sell"), type="checkbox"),
        ],
        "submit": _("Continue"),
        "links": [("/sign-in", _("I already have an account"))],
    }


@router.get("/sign-up")
def sign_up_page(request: Request, browser: Browser) -> Response:
    return form_page(request, browser, _sign_up_form)


@router.post("/sign-up", dependencies=[CsrfChecked])
def sign_up_submit(
    request: Request,
    db: DbSession,
    browser: Browser,
    name: FormText = "",
    email: FormText = "",
    phone: FormText = "",
    password: FormText = "",
    seller: FormText = "",
) -> Response:
    try:
        with flow_call(request, db):
            sign_up.start_sign_up(
                FlowContext(db, browser, request),
                name=name,
                email=email,
                phone=phone,
                password=password,
                roles=["seller"] if seller else [],
            )
    except DomainError as error:
        values = {"name": name, "email": email, "phone": phone, "seller": seller}
        return form_page(request, browser, _sign_up_form, error=error, values=values)
    return go("/sign-up/verify-email")


def _code_form(
    action: str, title: str, lead: str, links: list[tuple[str, str]]
) -> Callable[[], dict[str, Any]]:
    return lambda: {
        "title": title,
        "action": action,
        "lead": [lead],
        "fields": [
            Field(
                "code",
                _("Code"),
                autocomplete="one-time-code",
                inputmode="numeric",
                hint=_("6 digits. It works for 10 minutes, only in this browser."),
            ),
        ],
        "submit": _("Continue"),
        "links": links,
    }


def _sign_up_email_code() -> dict[str, Any]:
    return _code_form(
        "/sign-up/verify-email",
        _("Check your e-mail"),
        _("We sent a 6-digit code to the address you gave. Enter it here."),
        [("/sign-up", _("Change your details or send a new code"))],
    )()


def _sign_up_phone_code() -> dict[str, Any]:
    return _code_form(
        "/sign-up/verify-phone",
        _("Check your phone"),
        _("We sent a 6-digit code by text message to the number you gave. Enter it here."),
        [("/sign-up", _("Change your details or send a new code"))],
    )()


@router.get("/sign-up/verify-email")
def sign_up_email_page(request: Request, browser: Browser) -> Response:
    return form_page(request, browser, _sign_up_email_code)


@router.post("/sign-up/verify-email", dependencies=[CsrfChecked])
def sign_up_email_submit(
    request: Request, db: DbSession, browser: Browser, code: FormText = ""
) -> Response:
    try:
        with flow_call(request, db):
            sign_up.verify_sign_up_email(FlowContext(db, browser, request), code)
    except DomainError as error:
        return form_page(request, browser, _sign_up_email_code, error=error)
    return go("/sign-up/verify-phone")


@router.get("/sign-up/verify-phone")
def sign_up_phone_page(request: Request, browser: Browser) -> Response:
    return form_page(request, browser, _sign_up_phone_code)


@router.post("/sign-up/verify-phone", dependencies=[CsrfChecked])
def sign_up_phone_submit(
    request: Request, db: DbSession, browser: Browser, code: FormText = ""
) -> Response:
    try:
        with flow_call(request, db):
            sign_up.verify_sign_up_phone(FlowContext(db, browser, request), code)
    except DomainError as error:
        return form_page(request, browser, _sign_up_phone_code, error=error)
    return go("/account")


# ---- can't sign in ----------------------------------------------------------------------------

CANT_SIGN_IN_PATHS = {
    "password": "/forgot-password",
    "email": "/forgot-username",
    "second_factor": "/recovery",
    "suspended": "/cant-sign-in/suspended",
}


def _cant_sign_in_form() -> dict[str, Any]:
    return {
        "title": _("Can't sign in?"),
        "action": "/cant-sign-in",
        "lead": [_("Tell us what is wrong and we will take you to the right place.")],
        "fields": [
            Field(
                "problem",
                _("What is the problem?"),
                type="radio",
                options=[
                    (
                        "password",
                        _("I forgot my password, but I can get my e-mail or text messages"),
                    ),
                    (
                        "email",
                        _("I don't remember which e-mail address I used, but I have my phone"),
                    ),
                    (
                        "second_factor",
                        _("I lost the device or app I use for two-step verification"),
                    ),
                    ("suspended", _("My account was suspended or restricted")),
                ],
            ),
        ],
        "submit": _("Continue"),
    }


@router.get("/cant-sign-in")
def cant_sign_in_page(request: Request, browser: Browser) -> Response:
    return form_page(request, browser, _cant_sign_in_form)


@router.post("/cant-sign-in", dependencies=[CsrfChecked])
def cant_sign_in_submit(request: Request, browser: Browser, problem: FormText = "") -> Response:
    if problem not in CANT_SIGN_IN_PATHS:
        from goodstanding.accounts.errors import InvalidField

        with use_locale(request_locale(request)):
            error = InvalidField("problem", _("Choose the answer closest to your problem."))
        return form_page(request, browser, _cant_sign_in_form, error=error)
    return go(CANT_SIGN_IN_PATHS[problem])


@router.get("/cant-sign-in/suspended")
def suspended_page(request: Request) -> Response:
    return message_page(
        request,
        lambda: {
            "title": _("If your account was suspended"),
            "lead": [
                _(
                    "A suspension limits what a seller account can do; it does not stop you "
                    "signing in. Sign in and open your account health page: it shows the rule, "
                    "the numbers behind the decision and how to appeal."
                ),
                _("If you cannot sign in at all, reset your password first."),
            ],
            "links": [("/sign-in", _("Sign in")), ("/forgot-password", _("Reset your password"))],
        },
    )


# ---- forgot password --------------------------------------------------------------------------


def _forgot_password_form() -> dict[str, Any]:
    return {
        "title": _("Reset your password"),
        "action": "/forgot-password",
        "lead": [
            _(
                "Enter the e-mail address or phone number of your account. If it has an "
                "account, we will send it a 6-digit code."
            )
        ],
        "fields": [
            Field(
                "identifier",
                _("E-mail address or phone number"),
                autocomplete="username",
                hint=_("A phone number starts with + and the country code."),
            ),
        ],
        "captcha": True,
        "submit": _("Send the code"),
        "links": [("/forgot-username", _("I don't remember which e-mail address I used"))],
    }


def _forgot_password_code() -> dict[str, Any]:
    return _code_form(
        "/forgot-password/code",
        _("Enter the code"),
        _(
            "If the address you entered belongs to an account, we have sent it a 6-digit code. "
            "It can take a minute to arrive."
        ),
        [("/forgot-password", _("Send a new code"))],
    )()


def _new_password_form() -> dict[str, Any]:
    return {
        "title": _("Choose a new password"),
        "action": "/forgot-password/new-password",
        "lead": [
            _(
                "After this, everyone signed in to your account on any device is signed "
                "out, and we tell you on every channel you have."
            )
        ],
        "fields": [
            Field(
                "password",
                _("New password"),
                type="password",
                autocomplete="new-password",
                hint=_(
                    "At least 15 characters, or 8 if you use two-step verification. A few "
                    "unrelated words in a row are easy to remember and hard to guess."
                ),
            ),
        ],
        "submit": _("Save the new password"),
    }


@router.get("/forgot-password")
def forgot_password_page(request: Request, browser: Browser) -> Response:
    return form_page(request, browser, _forgot_password_form)


@router.post("/forgot-password", dependencies=[CsrfChecked])
def forgot_password_submit(
    request: Request,
    db: DbSession,
    browser: Browser,
    identifier: FormText = "",
    altcha: Captcha = "",
) -> Response:
    try:
        with same_time_reply(request, db):
            password_reset.request_reset(
                FlowContext(db, browser, request), identifier, altcha or None
            )
    except DomainError as error:
        return form_page(
            request,
            browser,
            _forgot_password_form,
            error=error,
            values={"identifier": identifier},
        )
    return go("/forgot-password/code")


@router.get("/forgot-password/code")
def forgot_password_code_page(request: Request, browser: Browser) -> Response:
    return form_page(request, browser, _forgot_password_code)


@router.post("/forgot-password/code", dependencies=[CsrfChecked])
def forgot_password_code_submit(
    request: Request, db: DbSession, browser: Browser, code: FormText = ""
) -> Response:
    try:
        with flow_call(request, db):
            password_reset.verify_reset_code(FlowContext(db, browser, request), code)
    except DomainError as error:
        return form_page(request, browser, _forgot_password_code, error=error)
    return go("/forgot-password/new-password")


@router.get("/forgot-password/new-password")
def new_password_page(request: Request, browser: Browser) -> Response:
    return form_page(request, browser, _new_password_form)


@router.post("/forgot-password/new-password", dependencies=[CsrfChecked])
def new_password_submit(
    request: Request, db: DbSession, browser: Browser, password: FormText = ""
) -> Response:
    try:
        with flow_call(request, db):
            password_reset.choose_new_password(FlowContext(db, browser, request), password)
    except DomainError as error:
        return form_page(request, browser, _new_password_form, error=error)
    return go("/forgot-password/done")


@router.get("/forgot-password/done")
def password_reset_done(request: Request) -> Response:
    return message_page(
        request,
        lambda: {
            "title": _("Your password has been changed"),
            "lead": [
                _(
                    "Everyone who was signed in to your account has been signed out. We have told "
                    "you about the change on every channel you have."
                ),
                _(
                    "Sign in with your new password. If you use two-step verification, it will "
                    "still be asked for."
                ),
            ],
            "links": [("/sign-in", _("Sign in"))],
        },
    )


# ---- forgot username --------------------------------------------------------------------------


def _forgot_username_form() -> dict[str, Any]:
    return {
        "title": _("Find your account"),
        "action": "/forgot-username",
        "lead": [
            _(
                "Enter your mobile phone number. If it belongs to an account, we will text "
                "it a 6-digit code."
            )
        ],
        "fields": [
            Field(
                "phone",
                _("Mobile phone number"),
                type="tel",
                autocomplete="tel",
                hint=_("With the country code, like +14155550101."),
            ),
        ],
        "captcha": True,
        "submit": _("Send the code"),
    }


def _forgot_username_code() -> dict[str, Any]:
    return _code_form(
        "/forgot-username/code",
        _("Enter the code"),
        _("If the number you entered belongs to an account, we have texted it a 6-digit code."),
        [("/forgot-username", _("Send a new code"))],
    )()


@router.get("/forgot-username")
def forgot_username_page(request: Request, browser: Browser) -> Response:
    return form_page(request, browser, _forgot_username_form)


@router.post("/forgot-username", dependencies=[CsrfChecked])
def forgot_username_submit(
    request: Request,
    db: DbSession,
    browser: Browser,
    phone: FormText = "",
    altcha: Captcha = "",
) -> Response:
    try:
        with same_time_reply(request, db):
            recovery.request_username(FlowContext(db, browser, request), phone, altcha or None)
    except DomainError as error:
        return form_page(
            request, browser, _forgot_username_form, error=error, values={"phone": phone}
        )
    return go("/forgot-username/code")


@router.get("/forgot-username/code")
def forgot_username_code_page(request: Request, browser: Browser) -> Response:
    return form_page(request, browser, _forgot_username_code)


@router.post("/forgot-username/code", dependencies=[CsrfChecked])
def forgot_username_code_submit(
    request: Request, db: DbSession, browser: Browser, code: FormText = ""
) -> Response:
    try:
        with flow_call(request, db):
            shown = recovery.reveal_identifiers(FlowContext(db, browser, request), code)
    except DomainError as error:
        return form_page(request, browser, _forgot_username_code, error=error)
    return message_page(
        request,
        lambda: {
            "title": _("This is your account"),
            "lead": [
                _(
                    "For your safety we show only part of each. Sign in with the full e-mail "
                    "address or with your phone number."
                )
            ],
            "items": [(_("E-mail address"), shown.email), (_("Phone number"), shown.phone)],
            "links": [
                ("/sign-in", _("Sign in")),
                ("/forgot-password/new-password", _("Choose a new password")),
            ],
        },
    )


# ---- the signed-in account --------------------------------------------------------------------


@router.get("/account")
def account_page(request: Request, db: DbSession, browser: Browser) -> Response:
    account = signed_in_account(db, browser)
    if account is None:
        return to_sign_in(request)
    return render(
        request,
        "accounts/account.html",
        {
            "account": account,
            "csrf_token": browser.csrf_token,
        },
    )


def _confirm_form(next_path: str) -> Callable[[], dict[str, Any]]:
    return lambda: {
        "title": _("Confirm it is you"),
        "action": f"/account/confirm?next={next_path}",
        "lead": [_("For your safety, enter your password again before changing your details.")],
        "fields": [
            Field("password", _("Password"), type="password", autocomplete="current-password"),
        ],
        "submit": _("Continue"),
    }


@router.get("/account/confirm")
def confirm_page(
    request: Request, db: DbSession, browser: Browser, next: str = "/account"
) -> Response:
    if signed_in_account(db, browser) is None:
        return to_sign_in(request)
    return form_page(request, browser, _confirm_form(safe_next(next)))


@router.post("/account/confirm", dependencies=[CsrfChecked])
def confirm_submit(
    request: Request,
    db: DbSession,
    browser: Browser,
    password: FormText = "",
    next: str = "/account",
) -> Response:
    account = signed_in_account(db, browser)
    if account is None:
        return to_sign_in(request)
    try:
        with flow_call(request, db):
            sign_in.reauthenticate(FlowContext(db, browser, request), account, password)
    except DomainError as error:
        return form_page(request, browser, _confirm_form(safe_next(next)), error=error)
    return go(safe_next(next))


def _change_form(kind: str) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        if kind == "name":
            title, field = _("Change your name"), Field("name", _("Your name"), autocomplete="name")
        elif kind == "email":
            title, field = (
                _("Change your e-mail address"),
                Field(
                    "email",
                    _("New e-mail address"),
                    type="email",
                    autocomplete="email",
                    hint=_(
                        "We will send a code there. The change happens when you enter it, and "
                        "your current address will be told."
                    ),
                ),
            )
        else:
            title, field = (
                _("Change your phone number"),
                Field(
                    "phone",
                    _("New mobile phone number"),
                    type="tel",
                    autocomplete="tel",
                    hint=_(
                        "With the country code. We will text a code there; your current number "
                        "will be told."
                    ),
                ),
            )
        return {
            "title": title,
            "action": f"/account/{kind}",
            "fields": [field],
            "submit": _("Continue"),
            "links": [("/account", _("Back to your account"))],
        }

    return build


def _change_code_form(kind: str) -> Callable[[], dict[str, Any]]:
    return lambda: _code_form(
        f"/account/{kind}/code",
        _("Enter the code"),
        _("We sent a 6-digit code to the new address.")
        if kind == "email"
        else _("We sent a 6-digit code by text message to the new number."),
        [(f"/account/{kind}", _("Send a new code"))],
    )()


def _signed_in_and_fresh(
    request: Request, db: DbSession, browser: BrowserSession
) -> Account | Response:
    account = signed_in_account(db, browser)
    if account is None:
        return to_sign_in(request)
    if not manage.is_fresh(browser.row):
        return to_confirm(request)
    return account


def _change_page(kind: str) -> Callable[..., Response]:
    def page(request: Request, db: DbSession, browser: Browser) -> Response:
        account = _signed_in_and_fresh(request, db, browser)
        if isinstance(account, Response):
            return account
        return form_page(request, browser, _change_form(kind))

    return page


def _change_submit(kind: str) -> Callable[..., Response]:
    def submit(request: Request, db: DbSession, browser: Browser, value: str) -> Response:
        account = _signed_in_and_fresh(request, db, browser)
        if isinstance(account, Response):
            return account
        ctx = FlowContext(db, browser, request)
        try:
            with flow_call(request, db):
                if kind == "name":
                    manage.change_name(ctx, account, value)
                else:
                    manage.start_identifier_change(
                        ctx, account, "email" if kind == "email" else "phone", value
                    )
        except DomainError as error:
            return form_page(
                request, browser, _change_form(kind), error=error, values={kind: value}
            )
        return go("/account" if kind == "name" else f"/account/{kind}/code")

    return submit


for _kind in ("name", "email", "phone"):
    router.add_api_route(f"/account/{_kind}", _change_page(_kind), methods=["GET"])


@router.post("/account/name", dependencies=[CsrfChecked])
def change_name_submit(
    request: Request, db: DbSession, browser: Browser, name: FormText = ""
) -> Response:
    return _change_submit("name")(request, db, browser, name)


@router.post("/account/email", dependencies=[CsrfChecked])
def change_email_submit(
    request: Request, db: DbSession, browser: Browser, email: FormText = ""
) -> Response:
    return _change_submit("email")(request, db, browser, email)


@router.post("/account/phone", dependencies=[CsrfChecked])
def change_phone_submit(
    request: Request, db: DbSession, browser: Browser, phone: FormText = ""
) -> Response:
    return _change_submit("phone")(request, db, browser, phone)


def _change_code_page(kind: str) -> Callable[..., Response]:
    def page(request: Request, db: DbSession, browser: Browser) -> Response:
        account = _signed_in_and_fresh(request, db, browser)
        if isinstance(account, Response):
            return account
        return form_page(request, browser, _change_code_form(kind))

    return page


def _change_code_submit(kind: str) -> Callable[..., Response]:
    def submit(request: Request, db: DbSession, browser: Browser, code: FormText = "") -> Response:
        account = _signed_in_and_fresh(request, db, browser)
        if isinstance(account, Response):
            return account
        try:
            with flow_call(request, db):
                manage.confirm_identifier_change(
                    FlowContext(db, browser, request),
                    account,
                    "email" if kind == "email" else "phone",
                    code,
                )
        except DomainError as error:
            return form_page(request, browser, _change_code_form(kind), error=error)
        return go("/account")

    return submit


for _kind in ("email", "phone"):
    router.add_api_route(f"/account/{_kind}/code", _change_code_page(_kind), methods=["GET"])
    router.add_api_route(
        f"/account/{_kind}/code",
        _change_code_submit(_kind),
        methods=["POST"],
        dependencies=[CsrfChecked],
    )


def _close_form(email: str) -> Callable[[], dict[str, Any]]:
    return lambda: {
        "title": _("Close your account"),
        "action": "/account/close",
        "lead": [
            _(
                "Closing is final: nobody can sign in to this account again, and your personal "
                "details are erased after the retention period. To come back later you would "
                "create a new account."
            ),
        ],
        "fields": [
            Field(
                "confirmation",
                _("To confirm, type the e-mail address of this account: %(email)s")
                % {"email": email},
                autocomplete="off",
            ),
        ],
        "submit": _("Close my account"),
        "danger": True,
        "links": [("/account", _("Keep my account"))],
    }


@router.get("/account/close")
def close_page(request: Request, db: DbSession, browser: Browser) -> Response:
    account = _signed_in_and_fresh(request, db, browser)
    if isinstance(account, Response):
        return account
    return form_page(request, browser, _close_form(account.email))


@router.post("/account/close", dependencies=[CsrfChecked])
def close_submit(
    request: Request, db: DbSession, browser: Browser, confirmation: FormText = ""
) -> Response:
    account = _signed_in_and_fresh(request, db, browser)
    if isinstance(account, Response):
        return account
    try:
        with flow_call(request, db):
            manage.close_account(FlowContext(db, browser, request), account, confirmation)
    except DomainError as error:
        return form_page(request, browser, _close_form(account.email), error=error)
    return message_page(
        request,
        lambda: {
            "title": _("Your account is closed"),
            "lead": [
                _("Thank you for having been with us. We have sent a confirmation by e-mail.")
            ],
            "links": [("/", _("Go to the start page"))],
        },
    )


@router.get("/account/sessions")
def sessions_page(request: Request, db: DbSession, browser: Browser) -> Response:
    account = signed_in_account(db, browser)
    if account is None:
        return to_sign_in(request)
    service: SessionService = request.app.state.session_service
    current = browser.row.id if browser.row else None
    with use_locale(request_locale(request)):
        rows = [
            {
                "id": row.id,
                "device": describe_device(row.user_agent),
                "place": describe_place(row.ip),
                "last_seen_at": row.last_seen_at,
                "current": row.id == current,
            }
            for row in service.active_for(db, account.id)
        ]
    return render(
        request,
        "accounts/sessions.html",
        {
            "sessions": rows,
            "csrf_token": browser.csrf_token,
        },
    )


@router.post("/account/sessions/end-others", dependencies=[CsrfChecked])
def end_others_submit(request: Request, db: DbSession, browser: Browser) -> Response:
    account = signed_in_account(db, browser)
    if account is None:
        return to_sign_in(request)
    with flow_call(request, db):
        manage.end_other_sessions(FlowContext(db, browser, request), account)
    return go("/account/sessions")


@router.post("/account/sessions/{session_id}/end", dependencies=[CsrfChecked])
def end_session_submit(
    session_id: str, request: Request, db: DbSession, browser: Browser
) -> Response:
    account = signed_in_account(db, browser)
    if account is None:
        return to_sign_in(request)
    with flow_call(request, db):
        manage.end_session(FlowContext(db, browser, request), account, session_id)
    return go("/account/sessions")


@router.get("/account/security-activity")
def activity_page(request: Request, db: DbSession, browser: Browser) -> Response:
    account = signed_in_account(db, browser)
    if account is None:
        return to_sign_in(request)
    with use_locale(request_locale(request)):
        events = [
            {
                "created_at": event.created_at,
                "description": describe(event.tag),
                "device": describe_device(event.user_agent),
                "place": describe_place(event.ip),
            }
            for event in recent_events(db, account.id)
        ]
    return render(request, "accounts/activity.html", {"events": events})


# ---- links from notices -----------------------------------------------------------------------


def _link_form(kind: str, token: str) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        if kind == "not-me":
            title = _("This wasn't me")
            lead = _(
                "If you did not change your password, someone else may have. Locking the "
                "account signs everyone out and stops all sign-ins until recovery."
            )
            submit = _("Lock my account")
        else:
            title = _("Undo the change")
            lead = _(
                "This puts your previous e-mail address or phone number back and signs "
                "everyone out. Then choose a new password."
            )
            submit = _("Undo the change")
        return {
            "title": title,
            "action": f"/{kind}/{token}",
            "lead": [lead],
            "fields": [],
            "submit": submit,
            "danger": kind == "not-me",
        }

    return build


@router.get("/not-me/{token}")
def not_me_page(token: str, request: Request, browser: Browser) -> Response:
    return form_page(request, browser, _link_form("not-me", token))


@router.post("/not-me/{token}", dependencies=[CsrfChecked])
def not_me_submit(token: str, request: Request, db: DbSession, browser: Browser) -> Response:
    try:
        with flow_call(request, db):
            manage.report_not_me(FlowContext(db, browser, request), token)
    except DomainError as error:
        return form_page(request, browser, _link_form("not-me", token), error=error)
    return message_page(
        request,
        lambda: {
            "title": _("Your account is locked"),
            "lead": [
                _(
                    "Nobody can sign in to it now, and everyone who was signed in has been "
                    "signed out."
                ),
                _(
                    "To get it back, start account recovery: we check your identity and then "
                    "let you choose a new password."
                ),
            ],
            "links": [("/recovery", _("Start account recovery"))],
        },
    )


@router.get("/undo-change/{token}")
def undo_page(token: str, request: Request, browser: Browser) -> Response:
    return form_page(request, browser, _link_form("undo-change", token))


@router.post("/undo-change/{token}", dependencies=[CsrfChecked])
def undo_submit(token: str, request: Request, db: DbSession, browser: Browser) -> Response:
    try:
        with flow_call(request, db):
            manage.undo_identifier_change(FlowContext(db, browser, request), token)
    except DomainError as error:
        return form_page(request, browser, _link_form("undo-change", token), error=error)
    return message_page(
        request,
        lambda: {
            "title": _("The change is undone"),
            "lead": [
                _(
                    "Your previous details are back and everyone has been signed out. Choose a "
                    "new password now."
                )
            ],
            "links": [("/forgot-password", _("Choose a new password"))],
        },
    )
