"""The FastAPI application factory: middleware, error handlers, every domain's routes."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

import goodstanding
from goodstanding import __version__
from goodstanding.accounts.sessions import SessionService
from goodstanding.config import Settings, get_settings
from goodstanding.kit.collector import startup_objects_frozen
from goodstanding.kit.db import Database
from goodstanding.kit.errors import Problem, install_problem_handlers
from goodstanding.kit.http import RequestGuard, ResponseHeaders
from goodstanding.kit.jobs import configure_jobs
from goodstanding.kit.logging import configure_logging
from goodstanding.notify import devmail
from goodstanding.policy.service import load_active_policies
from goodstanding.web.templating import render

API_PREFIX = "/api/v1"
STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    with startup_objects_frozen():
        yield


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(json_format=settings.log_format == "json", level=settings.log_level)

    app = FastAPI(
        title="goodstanding",
        version=__version__,
        summary="Account access, recovery and seller good standing for marketplaces.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.database = database or Database(settings.sqlalchemy_url)
    configure_jobs(settings, app.state.database)
    app.state.session_service = SessionService(timedelta(minutes=settings.session_idle_minutes))
    app.state.policies = load_active_policies(settings)

    install_problem_handlers(app, _error_page)
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(ResponseHeaders, trust_forwarded_proto=settings.trust_forwarded_proto)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in domain_routers():
        app.include_router(router)
    if settings.is_demo:
        app.include_router(devmail.router)
    return app


def domain_routers() -> list[APIRouter]:
    """Every domain's ``endpoints.router`` (API, under /api/v1) and ``pages.router`` (pages),
    nested domains included (``detectors.links``).

    A domain joins the app by having those modules; nothing else to register.
    """
    routers: list[APIRouter] = []
    for module in sorted(
        pkgutil.walk_packages(goodstanding.__path__, prefix="goodstanding."),
        key=lambda found: found.name,
    ):
        if module.ispkg or module.name.rsplit(".", 1)[-1] not in ("endpoints", "pages"):
            continue
        router = getattr(importlib.import_module(module.name), "router", None)
        if isinstance(router, APIRouter):
            routers.append(router)
    return routers


def _error_page(request: Request, problem: Problem) -> Response:
    return render(
        request,
        "pages/error.html",
        {"title": problem.title, "detail": problem.detail},
        status_code=problem.status,
    )
