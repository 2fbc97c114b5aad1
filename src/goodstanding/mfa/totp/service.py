"""Enrolling an authenticator app and checking its codes.

The seed is encrypted at rest (AES-GCM, bound to the authenticator's id). During enrolment, before
the first code proves the app has it, the seed waits in the browser session, encrypted too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from goodstanding.accounts.flows import FlowContext
from goodstanding.config import Settings
from goodstanding.kit.clock import utcnow
from goodstanding.kit.crypto import Keyring
from goodstanding.kit.db import new_id
from goodstanding.kit.i18n import gettext as _
from goodstanding.mfa.errors import ClockOutOfSync, CodeAlreadyUsed, NoPendingStep, WrongCode
from goodstanding.mfa.service import mfa_service
from goodstanding.mfa.totp import auth
from goodstanding.mfa.totp.qr import qr_data_uri
from goodstanding.models.account import Account
from goodstanding.models.mfa_authenticator import MfaAuthenticator

ENROLMENT_STEP = "totp_enrolment"
ISSUER = "goodstanding"


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str  # shown as text for people who cannot scan
    qr_code: str  # data URI of the otpauth:// link


def keyring(settings: Settings) -> Keyring:
    return Keyring.single(settings.encryption_key_bytes)


def _raise_for(check: auth.TotpCheck) -> None:
    if check.outcome is auth.Outcome.replayed:
        raise CodeAlreadyUsed(_("That code was already used. Wait for the next one."))
    if check.outcome is auth.Outcome.out_of_sync:
        raise ClockOutOfSync(
            _("That code is from another time: check that your phone's clock is set automatically.")
        )
    if check.outcome is not auth.Outcome.accepted:
        raise WrongCode(_("That code is not right. Check the app and try again."))


class TotpService:
    def begin(self, ctx: FlowContext, account: Account) -> TotpEnrolment:
        """Start (or show again) an enrolment kept in the browser session until confirmed."""
        ring = keyring(ctx.settings)
        if ctx.has_step(ENROLMENT_STEP):
            sealed = str(ctx.step(ENROLMENT_STEP)["sealed_secret"])
            secret = ring.decrypt(bytes.fromhex(sealed), account.id.encode()).decode()
        else:
            secret = auth.new_secret()
            sealed = ring.encrypt(secret.encode(), account.id.encode()).hex()
            ctx.save_step(ENROLMENT_STEP, sealed_secret=sealed)
        uri = auth.provisioning_uri(secret, account_name=account.email, issuer=ISSUER)
        return TotpEnrolment(secret=secret, qr_code=qr_data_uri(uri))

    def confirm(
        self, ctx: FlowContext, account: Account, code: str, label: str
    ) -> MfaAuthenticator:
        if not ctx.has_step(ENROLMENT_STEP):
            raise NoPendingStep(_("Start setting up the authenticator app again."))
        sealed = str(ctx.step(ENROLMENT_STEP)["sealed_secret"])
        ring = keyring(ctx.settings)
        secret = ring.decrypt(bytes.fromhex(sealed), account.id.encode()).decode()
        check = auth.check_code(secret, code, utcnow(), last_used_step=None)
        _raise_for(check)
        factor_id = new_id()
        factor = MfaAuthenticator(
            id=factor_id,
            account_id=account.id,
            kind=MfaAuthenticator.Kind.totp,
            label=" ".join(label.split())[:80] or _("Authenticator app"),
            secret=ring.encrypt(secret.encode(), factor_id.encode()),
            last_used_step=check.step,
        )
        ctx.forget_step(ENROLMENT_STEP)
        return mfa_service.add(ctx.db, account, factor)

    def verify(self, db: Session, factor: MfaAuthenticator, code: str, settings: Settings) -> None:
        """Check a code for this factor and burn its time step; raises on any failure."""
        assert factor.secret is not None, "a TOTP authenticator always has a seed"
        secret = keyring(settings).decrypt(factor.secret, factor.id.encode()).decode()
        check = auth.check_code(secret, code, utcnow(), last_used_step=factor.last_used_step)
        _raise_for(check)
        # One conditional UPDATE: two requests racing with the same code cannot both win.
        burned = db.execute(
            update(MfaAuthenticator)
            .where(
                MfaAuthenticator.id == factor.id,
                or_(
                    MfaAuthenticator.last_used_step.is_(None),
                    MfaAuthenticator.last_used_step < check.step,
                ),
            )
            .values(last_used_step=check.step, last_used_at=utcnow())
            .execution_options(synchronize_session="fetch")
        )
        if not burned.rowcount:  # type: ignore[attr-defined]
            raise CodeAlreadyUsed(_("That code was already used. Wait for the next one."))


totp_service = TotpService()
