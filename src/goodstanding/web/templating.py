"""The Jinja2 environment: autoescaped, translated through the request's locale, HTMX-friendly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from goodstanding import __version__
from goodstanding.kit.i18n import SUPPORTED_LOCALES, gettext, ngettext, use_locale
from goodstanding.web.deps import request_locale

TEMPLATE_DIRS = [Path(__file__).resolve().parent / "templates"]

environment = Environment(
    loader=FileSystemLoader([str(path) for path in TEMPLATE_DIRS]),
    autoescape=select_autoescape(["html", "xml", "txt"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]


def add_template_dir(path: Path) -> None:
    """Let a domain keep its page templates beside its code."""
    loader = environment.loader
    assert isinstance(loader, FileSystemLoader)
    if str(path) not in loader.searchpath:
        loader.searchpath.append(str(path))


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    locale = request_locale(request)
    values = {
        "request": request,
        "locale": locale,
        "locales": SUPPORTED_LOCALES,
        "version": __version__,
        "demo": request.app.state.settings.is_demo,
        **(context or {}),
    }
    with use_locale(locale):
        html = environment.get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code, headers={"content-language": locale})
