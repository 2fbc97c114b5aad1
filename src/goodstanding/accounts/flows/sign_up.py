"""Sign-up: details, then a code to the e-mail address, then a code to the phone, then the account.

Nothing is created until both are proven. An address or phone that already has an account gets a
notice instead of a code, and the page carries on exactly as for a new one, so sign-up cannot be
used to learn who has an account.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from goodstanding.accounts import repository
from goodstanding.accounts.codes import CodePurpose, check_code
from goodstanding.accounts.errors import CodeUnusable, InvalidField, PasswordRejected, StepMissing
from goodstanding.accounts.flows import FlowContext
from goodstanding.accounts.flows.sending import check_code_limits, send_code_to
from goodstanding.accounts.flows.sign_in import complete_sign_in
from goodstanding.accounts.identifiers import IdentifierProblem, normalize_email, normalize_phone
from goodstanding.accounts.notifications import send_account_exists_email, send_phone_in_use_sms
from goodstanding.accounts.password_policy import PersonalDetails, password_problems
from goodstanding.accounts.passwords import hash_password
from goodstanding.accounts.security_events import EventTag, record_event
from goodstanding.kit.clock import utcnow
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.account import Account

SIGN_UP = "sign_up"
MAX_NAME_LENGTH = 200
OPTIONAL_ROLES = (Account.Role.seller.value, Account.Role.affiliate.value)


def clean_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise InvalidField("name", _("Enter your name."))
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidField("name", _("Use at most 200 characters for your name."))
    if not name.isprintable():
        raise InvalidField("name", _("Your name contains characters we cannot show."))
    return name


def checked_email(raw: str, field: str = "email") -> str:
    try:
        return normalize_email(raw, refuse_disposable=True)
    except IdentifierProblem as problem:
        raise InvalidField(field, problem.message) from None


def checked_phone(raw: str, field: str = "phone") -> str:
    try:
        return normalize_phone(raw)
    except IdentifierProblem as problem:
        raise InvalidField(field, problem.message) from None


def check_new_password(
    db: Session, password: str, person: PersonalDetails, *, account_id: str | None, ctx: FlowContext
) -> None:
    from goodstanding.accounts.second_factor import has_second_factor

    has_factor = account_id is not None and has_second_factor(db, account_id)
    problems = password_problems(
        password,
        has_second_factor=has_factor,
        person=person,
        blocklist_file=ctx.settings.password_blocklist_file,
    )
    if problems:
        raise PasswordRejected(problems[0], problems)


def start_sign_up(
    ctx: FlowContext, *, name: str, email: str, phone: str, password: str, roles: list[str]
) -> str:
    """Check the details and send the e-mail code; returns the address it went to."""
    clean = clean_name(name)
    address = checked_email(email)
    number = checked_phone(phone)
    unknown_roles = [role for role in roles if role not in OPTIONAL_ROLES]
    if unknown_roles:
        raise InvalidField("roles", _("Choose only from: seller, affiliate."))
    check_new_password(
        ctx.db, password, PersonalDetails(clean, address, number), account_id=None, ctx=ctx
    )
    taken = repository.email_taken(ctx.db, address)
    send_code_to(
        ctx,
        purpose=CodePurpose.signup_email,
        channel="email",
        destination=address,
        account_id=None,
        deliver=not taken,
    )
    if taken:
        send_account_exists_email(
            ctx.db, to=address, locale=ctx.locale, base_url=ctx.settings.base_url
        )
    ctx.save_step(
        SIGN_UP,
        name=clean,
        email=address,
        phone=number,
        password_hash=hash_password(password),
        roles=[Account.Role.buyer.value, *roles],
        email_verified=False,
    )
    return address


def _check_sign_up_code(ctx: FlowContext, purpose: CodePurpose, code: str) -> None:
    check_code_limits(ctx)
    check_code(
        ctx.db,
        secret=ctx.settings.secret_key,
        purpose=purpose,
        web_session_id=ctx.session_id,
        code=code,
    )


def verify_sign_up_email(ctx: FlowContext, code: str) -> str:
    """Prove the e-mail address, then send the phone code; returns the phone it went to."""
    state = ctx.step(SIGN_UP)
    _check_sign_up_code(ctx, CodePurpose.signup_email, code)
    phone = str(state["phone"])
    taken = repository.phone_taken(ctx.db, phone)
    send_code_to(
        ctx,
        purpose=CodePurpose.signup_phone,
        channel="sms",
        destination=phone,
        account_id=None,
        deliver=not taken,
    )
    if taken:
        send_phone_in_use_sms(ctx.db, to=phone, locale=ctx.locale)
    ctx.save_step(SIGN_UP, **{**state, "email_verified": True})
    return phone


def verify_sign_up_phone(ctx: FlowContext, code: str) -> Account:
    """Prove the phone, create the account and sign it in."""
    state = ctx.step(SIGN_UP)
    if not state.get("email_verified"):
        raise StepMissing(_("Confirm your e-mail address first."))
    _check_sign_up_code(ctx, CodePurpose.signup_phone, code)
    email, phone = str(state["email"]), str(state["phone"])
    if repository.email_taken(ctx.db, email) or repository.phone_taken(ctx.db, phone):
        # Only reachable by someone who saw a code sent to a taken address: they own it already.
        raise CodeUnusable(_("This e-mail address or phone number already has an account."))
    now = utcnow()
    account = Account(
        name=str(state["name"]),
        email=email,
        email_verified_at=now,
        phone=phone,
        phone_verified_at=now,
        password_hash=str(state["password_hash"]),
        roles=list(state["roles"]),
        locale=ctx.locale,
    )
    ctx.db.add(account)
    ctx.db.flush()
    ctx.forget_step(SIGN_UP)
    record_event(ctx.db, EventTag.signed_up, account.id, ctx.info, {"roles": account.roles})
    complete_sign_in(ctx.db, ctx.browser, account, ctx.request)
    return account
