"""Pages that belong to no domain: the start page, the language switch, health probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import text

from goodstanding.kit.db import Database
from goodstanding.kit.i18n import SUPPORTED_LOCALES
from goodstanding.migrations import current_revision, head_revision
from goodstanding.web.deps import LOCALE_COOKIE
from goodstanding.web.templating import render

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only same-site paths: an attacker's link must not bounce people to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/")
def home(request: Request) -> Response:
    return render(request, "pages/home.html")


@router.get("/language/{code}")
def choose_language(code: str, request: Request, next: str | None = None) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in SUPPORTED_LOCALES:
        response.set_cookie(
            LOCALE_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="lax"
        )
    return response


@router.get("/api/v1/docs")
def api_docs(request: Request) -> Response:
    return render(request, "pages/api_docs.html")


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    database: Database = request.app.state.database
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = current_revision(database.engine)
    except Exception as error:  # any driver failure means "not ready", never a 500
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable", "detail": type(error).__name__},
            status_code=503,
        )
    head = head_revision(database.url)
    if current != head:
        return JSONResponse(
            {
                "status": "unavailable",
                "database": "ok",
                "migrations": "pending",
                "current": current,
                "head": head,
            },
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok", "migrations": "current"})
