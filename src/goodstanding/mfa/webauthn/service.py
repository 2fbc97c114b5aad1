"""Passkey registration and sign-in ceremonies; the challenge waits in the browser session."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from goodstanding.accounts.flows import FlowContext
from goodstanding.kit.clock import utcnow
from goodstanding.kit.i18n import gettext as _
from goodstanding.mfa.errors import PasskeyRefused
from goodstanding.mfa.service import mfa_service
from goodstanding.mfa.webauthn import ceremonies
from goodstanding.mfa.webauthn.ceremonies import RelyingParty, StoredCredential
from goodstanding.models.account import Account
from goodstanding.models.mfa_authenticator import MfaAuthenticator

REGISTRATION_STEP = "webauthn_registration"
AUTHENTICATION_STEP = "webauthn_authentication"
Kind = MfaAuthenticator.Kind


def relying_party(ctx: FlowContext) -> RelyingParty:
    return RelyingParty.from_base_url(ctx.settings.base_url)


def stored(factor: MfaAuthenticator) -> StoredCredential:
    data = factor.data
    transports = data.get("transports")
    return StoredCredential(
        credential_id=str(factor.credential_id),
        public_key=str(data["public_key"]),
        sign_count=int(str(data.get("sign_count", 0))),
        transports=[str(t) for t in transports] if isinstance(transports, list) else [],
    )


def _passkeys(db: Session, account_id: str) -> list[MfaAuthenticator]:
    return list(
        db.scalars(
            select(MfaAuthenticator).where(
                MfaAuthenticator.account_id == account_id, MfaAuthenticator.kind == Kind.webauthn
            )
        ).all()
    )


class WebAuthnService:
    def begin_registration(self, ctx: FlowContext, account: Account) -> dict[str, Any]:
        options = ceremonies.registration_options(
            relying_party(ctx),
            user_handle=account.id.encode(),
            user_name=account.email,
            display_name=account.name,
            existing=[stored(f) for f in _passkeys(ctx.db, account.id)],
        )
        ctx.save_step(REGISTRATION_STEP, challenge=options.challenge, account_id=account.id)
        return options.public_key

    def finish_registration(
        self, ctx: FlowContext, account: Account, response: dict[str, Any], label: str
    ) -> MfaAuthenticator:
        state = ctx.step(REGISTRATION_STEP)
        ctx.forget_step(REGISTRATION_STEP)  # a challenge is good for one answer only
        if state.get("account_id") != account.id:
            raise PasskeyRefused(_("Start adding the passkey again."))
        try:
            credential = ceremonies.verify_registration(
                relying_party(ctx), str(state["challenge"]), response
            )
        except ceremonies.CeremonyError:
            raise PasskeyRefused(_("The passkey could not be added. Please try again.")) from None
        factor = MfaAuthenticator(
            account_id=account.id,
            kind=Kind.webauthn,
            label=" ".join(label.split())[:80] or _("Passkey"),
            credential_id=credential.credential_id,
            data={
                "public_key": credential.public_key,
                "sign_count": credential.sign_count,
                "transports": credential.transports,
            },
        )
        return mfa_service.add(ctx.db, account, factor)

    def begin_authentication(self, ctx: FlowContext, account: Account | None) -> dict[str, Any]:
        """For the second step of ``account``, or passwordless (``account`` None)."""
        allowed = [stored(f) for f in _passkeys(ctx.db, account.id)] if account else []
        options = ceremonies.authentication_options(
            relying_party(ctx), allowed=allowed, passwordless=account is None
        )
        ctx.save_step(
            AUTHENTICATION_STEP,
            challenge=options.challenge,
            account_id=account.id if account else None,
        )
        return options.public_key

    def finish_authentication(
        self, ctx: FlowContext, response: dict[str, Any], account: Account | None
    ) -> Account:
        """Verify the answer; returns the account the passkey belongs to."""
        state = ctx.step(AUTHENTICATION_STEP)
        ctx.forget_step(AUTHENTICATION_STEP)
        expected_account = account.id if account else None
        passwordless = account is None
        refused = PasskeyRefused(_("That passkey could not be used to sign in."))
        if state.get("account_id") != expected_account:
            raise refused
        try:
            credential_id = ceremonies.credential_id_of(response)
        except ceremonies.CeremonyError:
            raise refused from None
        factor = ctx.db.scalar(
            select(MfaAuthenticator).where(
                MfaAuthenticator.credential_id == credential_id,
                MfaAuthenticator.kind == Kind.webauthn,
            )
        )
        if factor is None or (account is not None and factor.account_id != account.id):
            raise refused
        try:
            sign_count = ceremonies.verify_authentication(
                relying_party(ctx),
                str(state["challenge"]),
                response,
                stored(factor),
                passwordless=passwordless,
            )
        except ceremonies.CeremonyError:
            raise refused from None
        ctx.db.execute(
            update(MfaAuthenticator)
            .where(MfaAuthenticator.id == factor.id)
            .values(data={**factor.data, "sign_count": sign_count}, last_used_at=utcnow())
        )
        owner = ctx.db.get(Account, factor.account_id)
        if owner is None:
            raise refused
        return owner


webauthn_service = WebAuthnService()
