"""The errors accounts flows raise; each becomes problem+json (API) or a form message (pages).

Errors marked ``keeps_changes`` are failures whose bookkeeping must survive the failed request (a
wrong password or code still counts against its limits): the web faces commit before answering.
"""

from __future__ import annotations

from typing import Any, ClassVar

from goodstanding.kit.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
)


def keeps_changes(error: DomainError) -> bool:
    return bool(getattr(error, "keeps_changes", False))


class InvalidField(InvalidInput):
    """One field of a form is wrong; ``field`` names it so the page can point at it."""

    slug = "invalid-field"

    def __init__(self, field: str, detail: str, **extra: Any) -> None:
        super().__init__(detail, field=field, **extra)
        self.field = field


class PasswordRejected(InvalidField):
    slug = "password-rejected"
    title = "Choose a different password"

    def __init__(self, detail: str, reasons: list[str]) -> None:
        super().__init__("password", detail, reasons=reasons)


class SignInFailed(Unauthorized):
    slug = "sign-in-failed"
    title = "Sign-in failed"
    keeps_changes: ClassVar[bool] = True


class CaptchaRequired(InvalidField):
    slug = "captcha-required"
    title = "Show you are not a robot"
    keeps_changes: ClassVar[bool] = True

    def __init__(self, detail: str) -> None:
        super().__init__("altcha", detail)


class WrongCode(InvalidField):
    slug = "wrong-code"
    title = "That code is not right"
    keeps_changes: ClassVar[bool] = True

    def __init__(self, detail: str, attempts_left: int) -> None:
        super().__init__("code", detail, attempts_left=attempts_left)


class CodeUnusable(InvalidField):
    """Expired, used, voided after five wrong tries, or never asked for in this browser."""

    slug = "code-unusable"
    title = "That code can no longer be used"
    keeps_changes: ClassVar[bool] = True

    def __init__(self, detail: str) -> None:
        super().__init__("code", detail)


class StepMissing(Conflict):
    """A later step of a flow was called before the earlier one (or after it timed out)."""

    slug = "step-missing"
    title = "Start again"


class AccountNotUsable(Forbidden):
    slug = "account-not-usable"
    title = "This account cannot be used to sign in"
    keeps_changes: ClassVar[bool] = True


class FreshSignInRequired(Unauthorized):
    slug = "fresh-sign-in-required"
    title = "Confirm it is you"


class SettleFirst(Conflict):
    slug = "settle-first"
    title = "Settle open business first"


class LinkUnusable(NotFound):
    slug = "link-unusable"
    title = "This link can no longer be used"


__all__ = [
    "AccountNotUsable",
    "CaptchaRequired",
    "CodeUnusable",
    "DomainError",
    "FreshSignInRequired",
    "InvalidField",
    "LinkUnusable",
    "PasswordRejected",
    "SettleFirst",
    "SignInFailed",
    "StepMissing",
    "WrongCode",
    "keeps_changes",
]
