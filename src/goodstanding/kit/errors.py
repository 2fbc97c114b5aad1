"""Domain errors and their RFC 9457 problem+json form.

Every error a client can see has a stable ``type`` (``/problems/<slug>``), a title, the HTTP
status and a human ``detail``. Domain errors are raised by services (no HTTP there) and turned into
responses in one place, :func:`install_problem_handlers`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_CONTENT_TYPE = "application/problem+json"
log = structlog.get_logger(__name__)


class DomainError(Exception):
    """Base of every error meant for the caller; subclasses set ``slug``, ``status``, ``title``."""

    slug: ClassVar[str] = "domain-error"
    status: ClassVar[int] = 400
    title: ClassVar[str] = "The request cannot be done"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    slug = "not-found"
    status = 404
    title = "Not found"


class Conflict(DomainError):
    slug = "conflict"
    status = 409
    title = "Conflict with the current state"


class IllegalTransition(Conflict):
    slug = "illegal-transition"
    title = "This change is not allowed from the current state"


class Forbidden(DomainError):
    slug = "forbidden"
    status = 403
    title = "Not allowed"


class Unauthorized(DomainError):
    slug = "unauthorized"
    status = 401
    title = "Sign-in or API key required"


class TooManyAttempts(DomainError):
    slug = "too-many-attempts"
    status = 429
    title = "Too many attempts"

    def __init__(self, detail: str, *, retry_after_seconds: int, **extra: Any) -> None:
        super().__init__(detail, retry_after_seconds=retry_after_seconds, **extra)
        self.retry_after_seconds = retry_after_seconds


class InvalidInput(DomainError):
    slug = "invalid-input"
    status = 422
    title = "The request is not valid"


class PayloadTooLarge(DomainError):
    slug = "payload-too-large"
    status = 413
    title = "The request body is too large"


class UnsupportedMediaType(DomainError):
    slug = "unsupported-media-type"
    status = 415
    title = "Unsupported content type"


class MalformedBody(DomainError):
    slug = "malformed-body"
    status = 400
    title = "The request body cannot be read"


def problem_type(slug: str) -> str:
    return f"/problems/{slug}"


@dataclass(frozen=True)
class Problem:
    status: int
    slug: str
    title: str
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)

    def response(self, instance: str) -> JSONResponse:
        body: dict[str, Any] = {
            "type": problem_type(self.slug),
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
            **self.extra,
        }
        headers = {}
        if "retry_after_seconds" in self.extra:
            headers["Retry-After"] = str(self.extra["retry_after_seconds"])
        return JSONResponse(
            body, status_code=self.status, media_type=PROBLEM_CONTENT_TYPE, headers=headers
        )


_HTTP_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Sign-in or API key required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("payload-too-large", "The request body is too large"),
    415: ("unsupported-media-type", "Unsupported content type"),
}


def _from_validation(exc: RequestValidationError) -> Problem:
    errors = [
        {"location": [str(part) for part in error["loc"]], "message": str(error["msg"])}
        for error in exc.errors()
    ]
    if any(error.get("type") == "json_invalid" for error in exc.errors()):
        return Problem(400, MalformedBody.slug, MalformedBody.title, "The body is not valid JSON.")
    first = errors[0] if errors else {"location": [], "message": "invalid"}
    where = ".".join(first["location"][1:]) or "request"
    return Problem(
        422,
        InvalidInput.slug,
        InvalidInput.title,
        f"{where}: {first['message']}",
        {"errors": errors},
    )


def problem_from(exc: Exception) -> Problem:
    if isinstance(exc, DomainError):
        return Problem(exc.status, exc.slug, exc.title, exc.detail, dict(exc.extra))
    if isinstance(exc, RequestValidationError):
        return _from_validation(exc)
    if isinstance(exc, StarletteHTTPException):
        slug, title = _HTTP_SLUGS.get(exc.status_code, ("http-error", "Request failed"))
        return Problem(exc.status_code, slug, title, str(exc.detail))
    if _store_busy(exc):
        return Problem(
            503,
            "store-busy",
            "The store is busy",
            "Another request held what this one needed; nothing was changed. Send it again.",
            {"retry_after_seconds": 1},
        )
    return Problem(
        500,
        "internal-error",
        "Something went wrong on our side",
        "The error was logged; please try again later.",
    )


# PostgreSQL's deadlock, serialization failure and lock timeout: the transaction was rolled back
# whole, so the same request can be sent again (intake's dedupe makes that safe for events).
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001", "55P03"})


def _store_busy(exc: Exception) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    # SQLite: another writer held the file for longer than the busy timeout.
    return "database is locked" in str(exc.orig)


PageRenderer = Callable[[Request, Problem], Response]


def install_problem_handlers(app: FastAPI, render_page: PageRenderer) -> None:
    """Programs get problem+json; people (HTML pages, outside /api/) get a page saying the same."""

    async def handle(request: Request, exc: Exception) -> Response:
        problem = problem_from(exc)
        if problem.status >= 500:
            log.exception("unhandled_error", path=request.url.path)
        wants_page = not request.url.path.startswith("/api/") and "text/html" in (
            request.headers.get("accept", "")
        )
        if wants_page:
            return render_page(request, problem)
        return problem.response(request.url.path)

    for exception_class in (DomainError, RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(exception_class, handle)
