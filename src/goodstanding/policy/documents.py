"""Seller documents: requests with a deadline, uploads with an expiry date, kept encrypted.

Files go through the same safe intake as identity recovery (``kit.files.inspect_upload``: typed by
content, re-encoded) and are sealed with AES-GCM bound to the row's id. Whether a missing or
expired document breaks a policy is decided by the documents policy, not here.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from goodstanding.config import Settings
from goodstanding.kit.clock import utcnow
from goodstanding.kit.crypto import Keyring
from goodstanding.kit.db import new_id
from goodstanding.kit.errors import InvalidInput
from goodstanding.kit.files import inspect_upload
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.document_request import DocumentRequest
from goodstanding.models.seller_document import SellerDocument
from goodstanding.policy.enums import DocumentKind
from goodstanding.policy.repository import policy_repository
from goodstanding.policy.service import policy_service

MAX_DEADLINE_DAYS = 365


def _keyring(settings: Settings) -> Keyring:
    return Keyring.single(settings.encryption_key_bytes)


class DocumentService:
    def request(
        self, db: Session, seller_id: str, kind: DocumentKind, *, deadline: date, actor: str
    ) -> DocumentRequest:
        policy_service.seller(db, seller_id)
        today = utcnow().date()
        if not today <= deadline or (deadline - today).days > MAX_DEADLINE_DAYS:
            raise InvalidInput(
                _("The deadline must be between today and %(days)d days from now.")
                % {"days": MAX_DEADLINE_DAYS}
            )
        request = DocumentRequest(
            seller_id=seller_id,
            kind=kind,
            requested_on=today,
            deadline=deadline,
            requested_by=actor,
        )
        db.add(request)
        db.flush()
        return request

    def upload(
        self,
        db: Session,
        seller_id: str,
        kind: DocumentKind,
        data: bytes,
        *,
        expires_on: date | None,
        settings: Settings,
    ) -> SellerDocument:
        """Store a checked, re-encoded, encrypted copy; raises kit.files.RefusedUpload."""
        policy_service.seller(db, seller_id)
        today = utcnow().date()
        if expires_on is not None and expires_on < today:
            raise InvalidInput(_("This document has already expired; send one that is in date."))
        safe = inspect_upload(data)
        document_id = new_id()
        document = SellerDocument(
            id=document_id,
            seller_id=seller_id,
            kind=kind,
            file_kind=safe.kind,
            size_bytes=len(safe.data_reencoded),
            content=_keyring(settings).encrypt(safe.data_reencoded, document_id.encode()),
            uploaded_on=today,
            expires_on=expires_on,
        )
        db.add(document)
        now = utcnow()
        for request in policy_repository.document_requests(db, seller_id):
            if request.kind == kind and request.fulfilled_at is None:
                request.fulfilled_at = now
        db.flush()
        return document

    def read(self, document: SellerDocument, settings: Settings) -> bytes:
        return _keyring(settings).decrypt(document.content, document.id.encode())

    def documents(self, db: Session, seller_id: str) -> list[SellerDocument]:
        return policy_repository.documents(db, seller_id)

    def requests(self, db: Session, seller_id: str) -> list[DocumentRequest]:
        return policy_repository.document_requests(db, seller_id)


document_service = DocumentService()
