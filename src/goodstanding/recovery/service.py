"""Identity recovery: a person who proved the password but lost every second factor sends an
identity document; a reviewer decides; an approval only takes effect after a waiting period.

The waiting period is the defence against account takeover (the weak spot of Keycloak #12759 and
authentik #18639): the real owner is told on every verified channel and can stop it from any of
them with one link. When it ends, every factor, session and trusted device is wiped and the person
signs in with the password alone and enrols a new factor.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from goodstanding.accounts.sessions import SessionService
from goodstanding.cases.service import case_service
from goodstanding.config import Settings
from goodstanding.kit.clock import utcnow
from goodstanding.kit.crypto import Keyring
from goodstanding.kit.db import new_id
from goodstanding.kit.errors import Conflict, Forbidden, NotFound
from goodstanding.kit.files import MAX_UPLOAD_BYTES, SafeFile, inspect_upload
from goodstanding.kit.i18n import gettext as _
from goodstanding.kit.jobs import enqueue
from goodstanding.mfa.notifications import (
    SecurityNotice,
    in_account_locale,
    tell_every_verified_channel,
)
from goodstanding.mfa.service import mfa_service
from goodstanding.models.account import Account
from goodstanding.models.case import Case
from goodstanding.models.recovery_document import RecoveryDocument
from goodstanding.webhooks.outbox import publish

# Defaults of the settings GOODSTANDING_RECOVERY_WAITING_HOURS and
# GOODSTANDING_RECOVERY_DOCUMENT_RETENTION_DAYS (read with these as fall-backs).
REVIEW_SLA = timedelta(hours=48)
KIND = Case.Kind.identity_recovery


class EventType:
    documents_received = "documents_received"
    precheck_done = "precheck_done"
    waiting_period_started = "waiting_period_started"
    cancelled_by_owner = "cancelled_by_owner"
    withdrawn = "withdrawn"
    completed = "completed"


@dataclass(frozen=True)
class RecoveryPolicy:
    waiting_period: timedelta
    retention: timedelta

    @classmethod
    def of(cls, settings: Settings) -> RecoveryPolicy:
        return cls(
            waiting_period=timedelta(hours=settings.recovery_waiting_hours),
            retention=timedelta(days=settings.recovery_document_retention_days),
        )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _keyring(settings: Settings) -> Keyring:
    return Keyring.single(settings.encryption_key_bytes)


class RecoveryService:
    # ---- the person ---------------------------------------------------------------------------
    def case(self, db: Session, case_id: str) -> Case:
        case = case_service.get(db, case_id)
        if case.kind != KIND:
            raise NotFound(_("There is no such case."))
        return case

    def current_case(self, db: Session, account_id: str) -> Case | None:
        return case_service.open_for_subject(db, KIND, account_id)

    def start(
        self,
        db: Session,
        account: Account,
        *,
        document: bytes,
        selfie: bytes | None,
        settings: Settings,
    ) -> Case:
        """Check the files (all of them before storing any), open the case, queue the pre-check.

        RefusedUpload leaves nothing behind: nothing is written before every file passed.
        """
        if self.current_case(db, account.id) is not None:
            raise Conflict(_("You already have an identity recovery in progress."))
        checked: list[tuple[RecoveryDocument.Role, SafeFile]] = [
            (RecoveryDocument.Role.document, inspect_upload(document, max_bytes=MAX_UPLOAD_BYTES))
        ]
        if selfie:
            checked.append(
                (RecoveryDocument.Role.selfie, inspect_upload(selfie, max_bytes=MAX_UPLOAD_BYTES))
            )
        cancel_token = secrets.token_urlsafe(32)
        case = case_service.open(
            db,
            kind=KIND,
            subject_account_id=account.id,
            payload={"cancel_token_hashes": [_token_hash(cancel_token)], "precheck": None},
            sla=REVIEW_SLA,
            actor_id=account.id,
        )
        ring = _keyring(settings)
        for role, safe in checked:
            document_id = new_id()
            db.add(
                RecoveryDocument(
                    id=document_id,
                    case_id=case.id,
                    role=role,
                    kind=safe.kind,
                    size_bytes=len(safe.data_reencoded),
                    content=ring.encrypt(safe.data_reencoded, document_id.encode()),
                )
            )
        db.flush()
        case_service.log(
            db,
            case.id,
            EventType.documents_received,
            actor_id=account.id,
            data={"files": [{"role": role, "kind": safe.kind} for role, safe in checked]},
        )
        with in_account_locale(account):
            notice = SecurityNotice(
                subject=_("Someone asked to recover your account"),
                message=_(
                    "An identity document was sent to recover your account without its "
                    "second sign-in step. If this wasn't you, cancel it now."
                ),
                action_url=self.cancel_url(settings, case.id, cancel_token),
                action_label=_("Cancel the recovery"),
            )
        tell_every_verified_channel(db, account, notice)
        publish(db, "account.identity_recovery_started", account.id, {"case_id": case.id})
        # tasks.py imports this module, so the task is looked up when needed.
        from goodstanding.recovery.tasks import precheck_task

        enqueue(db, precheck_task, case.id)
        return case

    def cancel_url(self, settings: Settings, case_id: str, token: str) -> str:
        return f"{settings.base_url.rstrip('/')}/recovery/cancel/{case_id}/{token}"

    def case_for_cancel_link(self, db: Session, case_id: str, token: str) -> Case:
        case = case_service.get(db, case_id)
        presented = _token_hash(token)
        known = case.payload.get("cancel_token_hashes")
        valid = isinstance(known, list) and any(
            hmac.compare_digest(str(expected), presented) for expected in known
        )
        if case.kind != KIND or not valid:
            raise NotFound(_("This link is not valid."))
        return case

    def cancel_by_link(self, db: Session, case_id: str, token: str, settings: Settings) -> Case:
        """The owner says "this wasn't me": stop the recovery, whatever channel the link came by."""
        case = self.case_for_cancel_link(db, case_id, token)
        cancelled = case_service.transition(
            db,
            case.id,
            allowed_from=(Case.Status.open, Case.Status.approved),
            to=Case.Status.cancelled,
            actor_id=None,
            event_type=EventType.cancelled_by_owner,
        )
        self._schedule_deletion(db, case.id, settings)
        account = db.get(Account, case.subject_account_id)
        if account is not None:
            with in_account_locale(account):
                notice = SecurityNotice(
                    subject=_("The recovery of your account was cancelled"),
                    message=_(
                        "The identity recovery of your account was cancelled and will not "
                        "happen. Someone knew your password: change it now."
                    ),
                )
            tell_every_verified_channel(db, account, notice)
        publish(
            db, "account.identity_recovery_cancelled", case.subject_account_id, {"case_id": case.id}
        )
        return cancelled

    def withdraw(self, db: Session, case_id: str, account: Account, settings: Settings) -> Case:
        """The person who asked takes the request back."""
        withdrawn = case_service.transition(
            db,
            case_id,
            allowed_from=(Case.Status.open, Case.Status.approved),
            to=Case.Status.cancelled,
            actor_id=account.id,
            event_type=EventType.withdrawn,
        )
        self._schedule_deletion(db, case_id, settings)
        return withdrawn

    def waiting_until(self, case: Case) -> datetime | None:
        raw = case.payload.get("waiting_until")
        return datetime.fromisoformat(str(raw)) if raw else None

    # ---- the pre-check ------------------------------------------------------------------------
    def store_precheck(self, db: Session, case_id: str, precheck: dict[str, Any]) -> None:
        case = case_service.get(db, case_id)
        case_service.update_payload(db, case, precheck=precheck)
        case_service.log(
            db,
            case_id,
            EventType.precheck_done,
            actor_id=None,
            data={"mrz_read": precheck.get("mrz") is not None},
        )

    def files(self, db: Session, case_id: str) -> list[RecoveryDocument]:
        return list(
            db.scalars(
                select(RecoveryDocument)
                .where(RecoveryDocument.case_id == case_id)
                .order_by(RecoveryDocument.created_at)
            ).all()
        )

    def read_file(self, document: RecoveryDocument, settings: Settings) -> bytes:
        return _keyring(settings).decrypt(document.content, document.id.encode())

    # ---- the reviewer -------------------------------------------------------------------------
    def approve(
        self, db: Session, case_id: str, *, reviewer: Account, reason: str, settings: Settings
    ) -> Case:
        """Approve; the wipe happens only when the waiting period ends, unless cancelled."""
        self._ensure_not_self(reviewer, case_id, db)
        case_service.decide(
            db, case_id, reviewer_id=reviewer.id, outcome=Case.Status.approved, reason=reason
        )
        policy = RecoveryPolicy.of(settings)
        case = case_service.get(db, case_id)
        until = utcnow() + policy.waiting_period
        cancel_token = secrets.token_urlsafe(32)
        # Links sent earlier keep working: the owner may read any of the messages first.
        earlier = case.payload.get("cancel_token_hashes")
        case_service.update_payload(
            db,
            case,
            waiting_until=until.isoformat(),
            cancel_token_hashes=[
                *(earlier if isinstance(earlier, list) else []),
                _token_hash(cancel_token),
            ],
        )
        case_service.log(
            db,
            case_id,
            EventType.waiting_period_started,
            actor_id=reviewer.id,
            data={"until": until.isoformat()},
        )
        account = db.get(Account, case.subject_account_id)
        if account is not None:
            with in_account_locale(account):
                notice = SecurityNotice(
                    subject=_("Someone is recovering your account"),
                    message=_(
                        "Someone is recovering your account with an identity document. On "
                        "%(date)s UTC its sign-in methods will be removed. If this isn't you, "
                        "cancel here."
                    )
                    % {"date": until.strftime("%Y-%m-%d %H:%M")},
                    action_url=self.cancel_url(settings, case_id, cancel_token),
                    action_label=_("Cancel the recovery"),
                )
            tell_every_verified_channel(db, account, notice)
        publish(
            db,
            "account.identity_recovery_approved",
            case.subject_account_id,
            {"case_id": case_id, "waiting_until": until.isoformat()},
        )
        return case

    def reject(
        self, db: Session, case_id: str, *, reviewer: Account, reason: str, settings: Settings
    ) -> Case:
        self._ensure_not_self(reviewer, case_id, db)
        case = case_service.decide(
            db, case_id, reviewer_id=reviewer.id, outcome=Case.Status.rejected, reason=reason
        )
        self._schedule_deletion(db, case_id, settings)
        account = db.get(Account, case.subject_account_id)
        if account is not None:
            with in_account_locale(account):
                notice = SecurityNotice(
                    subject=_("Your account recovery was not approved"),
                    message=_(
                        "We could not confirm your identity from the document you sent. "
                        "Reason: %(reason)s"
                    )
                    % {"reason": reason.strip()},
                )
            tell_every_verified_channel(db, account, notice)
        return case

    def _ensure_not_self(self, reviewer: Account, case_id: str, db: Session) -> None:
        if case_service.get(db, case_id).subject_account_id == reviewer.id:
            raise Forbidden(_("You cannot decide a case about your own account."))

    # ---- the end of the waiting period --------------------------------------------------------
    def complete_if_due(self, db: Session, account: Account, settings: Settings) -> bool:
        """Apply an approved recovery whose waiting period is over; True when it did."""
        case = self.current_case(db, account.id)
        if case is None or case.status != Case.Status.approved:
            return False
        until = self.waiting_until(case)
        if until is None or until > utcnow():
            return False
        case_service.transition(
            db,
            case.id,
            allowed_from=(Case.Status.approved,),
            to=Case.Status.completed,
            actor_id=None,
            event_type=EventType.completed,
        )
        mfa_service.wipe_all(db, account.id)
        # Any idle lifetime will do: revoking needs none.
        SessionService(timedelta(0)).revoke_all(db, account_id=account.id)
        self._schedule_deletion(db, case.id, settings)
        with in_account_locale(account):
            notice = SecurityNotice(
                subject=_("Your account was recovered"),
                message=_(
                    "Your account's sign-in methods were removed and every session ended. Sign "
                    "in with your password and set up a new way to confirm it's you."
                ),
            )
        tell_every_verified_channel(db, account, notice)
        publish(db, "account.identity_recovery_completed", account.id, {"case_id": case.id})
        return True

    def complete_all_due(self, db: Session, settings: Settings) -> int:
        done = 0
        for case in case_service.with_status(db, KIND, Case.Status.approved):
            account = db.get(Account, case.subject_account_id)
            if account is not None and self.complete_if_due(db, account, settings):
                done += 1
        return done

    def _schedule_deletion(self, db: Session, case_id: str, settings: Settings) -> None:
        db.execute(
            update(RecoveryDocument)
            .where(RecoveryDocument.case_id == case_id)
            .values(delete_after=utcnow() + RecoveryPolicy.of(settings).retention)
        )

    def purge_expired_files(self, db: Session) -> int:
        result = db.execute(
            delete(RecoveryDocument).where(
                RecoveryDocument.delete_after.is_not(None),
                RecoveryDocument.delete_after <= utcnow(),
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


recovery_service = RecoveryService()
