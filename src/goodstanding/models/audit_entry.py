from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, JSON, BigInteger, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base


class AuditEntry(Base):
    """One line of the staff audit trail: a document viewed, a case claimed or decided, a state
    changed. Append-only and hash-chained (``cases/audit.py``): each entry's ``hash`` covers its
    own fields and the previous entry's hash, so editing or deleting any line breaks the chain.

    ``seq`` is assigned by the writer (previous + 1), not by a database sequence, so a gap means a
    deleted line and two concurrent writers collide on the primary key instead of forking the
    chain. Actor and subject are plain strings, not foreign keys: a cascade on a deleted account
    would otherwise rewrite history.
    """

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    at: Mapped[datetime]
    actor_id: Mapped[str | None] = mapped_column(String(32), default=None)
    action: Mapped[str] = mapped_column(String(48))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


# Staff cannot change the trail through the application (there is no update or delete path); the
# store refuses it too, so a stray UPDATE from a console or script fails loudly. Editing the trail
# then takes dropping the trigger first, which `goodstanding audit verify` still detects.
_REFUSE_MESSAGE = "audit_entries is append-only"
event.listen(
    AuditEntry.__table__,
    "after_create",
    DDL(  # type: ignore[no-untyped-call]
        "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{_REFUSE_MESSAGE}'; END $$;"
        " CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries"
        " FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();"
    ).execute_if(dialect="postgresql"),
)
for _operation in ("UPDATE", "DELETE"):
    event.listen(
        AuditEntry.__table__,
        "after_create",
        DDL(  # type: ignore[no-untyped-call]
            f"CREATE TRIGGER audit_entries_no_{_operation.lower()} BEFORE {_operation}"
            f" ON audit_entries BEGIN SELECT RAISE(ABORT, '{_REFUSE_MESSAGE}'); END;"
        ).execute_if(dialect="sqlite"),
    )
