"""What the two faces (pages and JSON API) share around a flow call."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from sqlalchemy.orm import Session

from goodstanding.accounts.errors import keeps_changes
from goodstanding.kit.errors import DomainError
from goodstanding.kit.i18n import use_locale
from goodstanding.web.deps import request_locale


@contextmanager
def flow_call(request: Request, db: Session) -> Iterator[None]:
    """Run a flow in the request's language; keep the bookkeeping of a counted failure.

    A wrong password or code fails the request, which would roll its counting back; such errors
    commit first, so limits and the five-tries rule hold.
    """
    with use_locale(request_locale(request)):
        try:
            yield
        except DomainError as error:
            if keeps_changes(error):
                db.commit()
            raise


# Every reply that could tell whether an account exists takes at least this long. Module-level so
# tests can shorten it; it only has to exceed the real work (tens of milliseconds).
REPLY_FLOOR_SECONDS = 0.25


@contextmanager
def same_time_reply(request: Request, db: Session) -> Iterator[None]:
    """:func:`flow_call`, then commit and wait out the floor, so the reply time does not depend on
    whether an account exists. Waiting after the commit keeps the store's locks short."""
    started = time.monotonic()
    try:
        with flow_call(request, db):
            yield
        db.commit()
    except DomainError:
        db.rollback()  # what must be kept was committed by flow_call
        raise
    finally:
        remaining = REPLY_FLOOR_SECONDS - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
