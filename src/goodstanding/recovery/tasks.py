"""Recovery jobs: the document pre-check after upload, the end of waiting periods, file deletion."""

from __future__ import annotations

from huey import crontab

from goodstanding.kit.clock import utcnow
from goodstanding.kit.jobs import huey, job_context
from goodstanding.models.account import Account
from goodstanding.recovery.precheck import precheck_files
from goodstanding.recovery.service import recovery_service


@huey.task(retries=2, retry_delay=60)  # type: ignore[untyped-decorator]
def precheck_task(case_id: str) -> None:
    """Read the MRZ and compare it with the account, for the reviewer (it never decides)."""
    context = job_context()
    with context.database.transaction() as db:
        case = recovery_service.case(db, case_id)
        account = db.get(Account, case.subject_account_id)
        files = [
            (document.role, document.kind, recovery_service.read_file(document, context.settings))
            for document in recovery_service.files(db, case_id)
        ]
        name = account.name if account else ""
    result = precheck_files(files, account_name=name, today=utcnow().date())
    with context.database.transaction() as db:
        recovery_service.store_precheck(db, case_id, result)


@huey.periodic_task(crontab(minute="*/5"))  # type: ignore[untyped-decorator]
def complete_due_recoveries() -> None:
    context = job_context()
    with context.database.transaction() as db:
        recovery_service.complete_all_due(db, context.settings)


@huey.periodic_task(crontab(minute="17"))  # type: ignore[untyped-decorator]
def purge_expired_recovery_files() -> None:
    with job_context().database.transaction() as db:
        recovery_service.purge_expired_files(db)
