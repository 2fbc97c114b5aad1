"""Errors of the second step and of factor management, each with a stable slug."""

from __future__ import annotations

from typing import ClassVar

from goodstanding.kit.errors import Conflict, DomainError


class WrongCode(DomainError):
    """A wrong second-step answer; its count against the limits must survive the failed request
    (``keeps_changes``, as in accounts.errors)."""

    slug = "mfa-wrong-code"
    status = 400
    title = "The code is not right"
    keeps_changes: ClassVar[bool] = True


class CodeAlreadyUsed(WrongCode):
    slug = "mfa-code-already-used"
    title = "The code was already used"


class ClockOutOfSync(WrongCode):
    slug = "mfa-clock-out-of-sync"
    title = "The authenticator's clock is off"


class PasskeyRefused(DomainError):
    slug = "mfa-passkey-refused"
    status = 400
    title = "The passkey could not be verified"


class NoPendingStep(Conflict):
    slug = "mfa-no-pending-step"
    title = "There is nothing to confirm"
