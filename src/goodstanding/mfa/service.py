"""What every kind of factor shares: listing, renaming, removing, and what an added or removed
factor sets off (trusted devices voided, every verified channel told, a webhook event)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from goodstanding.accounts.errors import FreshSignInRequired
from goodstanding.kit.errors import InvalidInput, NotFound
from goodstanding.kit.i18n import gettext as _
from goodstanding.mfa import has_second_factor, trusted_devices
from goodstanding.mfa.notifications import (
    SecurityNotice,
    in_account_locale,
    tell_every_verified_channel,
)
from goodstanding.models.account import Account
from goodstanding.models.mfa_authenticator import MfaAuthenticator
from goodstanding.webhooks.outbox import publish

Kind = MfaAuthenticator.Kind
STRENGTH_ORDER = list(Kind)
MAX_LABEL_LENGTH = 80


def kind_name(kind: str) -> str:
    """The kind of factor as people call it, translated."""
    names = {
        Kind.webauthn: _("Passkey or security key"),
        Kind.totp: _("Authenticator app"),
        Kind.sms_code: _("Code by text message"),
        Kind.email_code: _("Code by e-mail"),
        Kind.backup_codes: _("Backup codes"),
    }
    return names.get(Kind(kind), kind)


class MfaService:
    def factors(self, db: Session, account_id: str) -> list[MfaAuthenticator]:
        """Every enrolled factor, strongest kind first, oldest first within a kind."""
        rows = db.scalars(
            select(MfaAuthenticator)
            .where(MfaAuthenticator.account_id == account_id)
            .order_by(MfaAuthenticator.created_at)
        ).all()
        return sorted(rows, key=lambda row: STRENGTH_ORDER.index(Kind(row.kind)))

    def get(self, db: Session, account_id: str, factor_id: str) -> MfaAuthenticator:
        factor = db.get(MfaAuthenticator, factor_id)
        if factor is None or factor.account_id != account_id:
            raise NotFound(_("There is no such sign-in method on your account."))
        return factor

    def rename(self, db: Session, account_id: str, factor_id: str, label: str) -> MfaAuthenticator:
        cleaned = " ".join(label.split())
        if not cleaned or len(cleaned) > MAX_LABEL_LENGTH:
            raise InvalidInput(_("Give it a name of 1 to 80 characters."))
        factor = self.get(db, account_id, factor_id)
        factor.label = cleaned
        return factor

    def would_remove_last(self, db: Session, account_id: str, factor_id: str) -> bool:
        factor = self.get(db, account_id, factor_id)
        if factor.kind == Kind.backup_codes:
            return False
        others = [
            row
            for row in self.factors(db, account_id)
            if row.id != factor_id and row.kind != Kind.backup_codes
        ]
        return not others

    def add(self, db: Session, account: Account, factor: MfaAuthenticator) -> MfaAuthenticator:
        """Store a newly confirmed factor and set off what any change of factors sets off."""
        db.add(factor)
        db.flush()
        with in_account_locale(account):
            notice = SecurityNotice(
                subject=_("A sign-in method was added to your account"),
                message=_(
                    "%(method)s \u201c%(label)s\u201d can now be used for two-step verification."
                )
                % {"method": kind_name(factor.kind), "label": factor.label},
            )
        self._factors_changed(db, account, notice)
        publish(
            db,
            "account.second_factor_added",
            account.id,
            {"account_id": account.id, "factor_id": factor.id, "kind": factor.kind},
        )
        return factor

    def remove(self, db: Session, account: Account, factor_id: str, *, fresh_sign_in: bool) -> None:
        """Remove a factor; removing the last real one needs a fresh sign-in and takes the backup
        codes with it (they are a fallback for a factor, not a factor of their own)."""
        factor = self.get(db, account.id, factor_id)
        removing_last = self.would_remove_last(db, account.id, factor_id)
        if removing_last and not fresh_sign_in:
            raise FreshSignInRequired(
                _("To turn off two-step verification, please sign in again first.")
            )
        kind = factor.kind
        db.delete(factor)
        if removing_last:
            db.execute(
                delete(MfaAuthenticator).where(
                    MfaAuthenticator.account_id == account.id,
                    MfaAuthenticator.kind == Kind.backup_codes,
                )
            )
        db.flush()
        with in_account_locale(account):
            if removing_last:
                message = _(
                    "Two-step verification is now off: signing in needs only your password."
                )
            else:
                message = _("%(method)s \u201c%(label)s\u201d was removed from your account.") % {
                    "method": kind_name(kind),
                    "label": factor.label,
                }
            notice = SecurityNotice(
                subject=_("A sign-in method was removed from your account"), message=message
            )
        self._factors_changed(db, account, notice)
        publish(
            db,
            "account.second_factor_removed",
            account.id,
            {
                "account_id": account.id,
                "factor_id": factor_id,
                "kind": kind,
                "second_factor_left": has_second_factor(db, account.id),
            },
        )

    def wipe_all(self, db: Session, account_id: str) -> int:
        """Remove every factor (identity recovery); the caller tells the person."""
        result = db.execute(
            delete(MfaAuthenticator).where(MfaAuthenticator.account_id == account_id)
        )
        trusted_devices.revoke_all(db, account_id)
        return int(result.rowcount)  # type: ignore[attr-defined]

    def _factors_changed(self, db: Session, account: Account, notice: SecurityNotice) -> None:
        trusted_devices.revoke_all(db, account.id)
        tell_every_verified_channel(db, account, notice)


mfa_service = MfaService()
