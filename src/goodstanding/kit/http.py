"""ASGI middleware for every response: request ids, security headers, body limits, content types."""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import structlog

from goodstanding.kit.errors import PROBLEM_CONTENT_TYPE, problem_type

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = structlog.get_logger("goodstanding.http")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
API_BODY_TYPES = (
    "application/json",
    "application/x-ndjson",
    "application/problem+json",
    "multipart/form-data",
    "application/x-www-form-urlencoded",
)


async def send_problem(send: Send, status: int, slug: str, title: str, detail: str) -> None:
    body = json.dumps(
        {"type": problem_type(slug), "title": title, "status": status, "detail": detail}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestGuard:
    """Refuses oversized bodies (413) and, under /api/, bodies of a type the API can't read (415).

    The declared length is checked first; a chunked body is counted while it streams so a client
    cannot get past the limit by leaving out Content-Length.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(send)
            return
        content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        has_body = declared not in (None, "0") or _header(scope, b"transfer-encoding")
        if (
            str(scope["path"]).startswith("/api/")
            and has_body
            and content_type not in API_BODY_TYPES
            and not content_type.endswith("+json")
        ):
            await send_problem(
                send,
                415,
                "unsupported-media-type",
                "Unsupported content type",
                f"Send application/json, not {content_type or 'no content type'}.",
            )
            return

        received = 0
        too_large = False

        async def counting_receive() -> Message:
            # Past the limit the app is told the client left, so it stops reading; whatever it
            # then answers is replaced by the 413 below.
            nonlocal received, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        answered = False

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            if not too_large:
                await send(message)
            elif not answered:
                answered = True
                await self._too_large(send)

        await self.app(scope, counting_receive, guarded_send)

    async def _too_large(self, send: Send) -> None:
        await send_problem(
            send,
            413,
            "payload-too-large",
            "The request body is too large",
            f"The body must be at most {self.max_body_bytes} bytes.",
        )


class ResponseHeaders:
    """Adds the security headers, a request id, and any cookie a handler queued in request.state."""

    def __init__(self, app: ASGIApp, *, trust_forwarded_proto: bool) -> None:
        self.app = app
        self.trust_forwarded_proto = trust_forwarded_proto

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _header(scope, b"x-request-id") or secrets.token_hex(8)
        request_id = request_id[:64]
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        https = scope.get("scheme") == "https" or (
            self.trust_forwarded_proto and _header(scope, b"x-forwarded-proto") == "https"
        )
        state["https"] = https
        path = str(scope["path"])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"x-request-id", request_id.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                ]
                if https:
                    headers.append(
                        (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
                    )
                if path.startswith("/static/"):
                    headers.append((b"cache-control", b"public, max-age=86400"))
                elif not any(name == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                for cookie in state.get("set_cookies", []):
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, with_headers)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
