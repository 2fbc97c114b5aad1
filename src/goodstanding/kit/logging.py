"""Structured logs (structlog): JSON in production, readable in development.

Secrets never reach a log line: :func:`redact_secrets` blanks any field whose name says it holds a
password, code, token, secret or document, whatever the caller passed.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

SECRET_FIELD = re.compile(
    r"pass(word|phrase)?|code|token|secret|otp|document|authorization|cookie|api_key|answer",
    re.IGNORECASE,
)
REDACTED = "[redacted]"


def redact_secrets(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if key != "event" and SECRET_FIELD.search(key):
            event_dict[key] = REDACTED
    return event_dict


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    # Looked up on every use, so a replaced sys.stderr (tests, daemons) is honoured.
    return structlog.PrintLogger(sys.stderr)


def configure_logging(*, json_format: bool, level: str) -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json_format
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_secrets,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        # stderr: standard output belongs to the CLI's results (CSV, JSON) and must stay clean.
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=level.upper(), format="%(name)s %(levelname)s %(message)s")
    # uvicorn's access log prints query strings, which may carry one-time links; ours logs paths.
    logging.getLogger("uvicorn.access").disabled = True
