"""Hooks: what other domains do with the events that are not about orders.

Intake stores every event; order events feed the metrics engine, and every other event is handed
to the hooks registered for its type after the intake commits (``events.tasks.run_event_hooks``,
one transaction per event). A domain registers with ``register("listing.created", screen)`` (a
hook is ``hook(db, event)``) from a module of its own.

The detectors are wired by name in ``KNOWN_HOOKS`` and resolved the first time they are needed, so
that intake does not import the detectors (and their models) unless they are installed, and a
detector that is not written yet is simply skipped.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from goodstanding.events.schemas import Event

EventHook = Callable[[Session, Event], Any]

KNOWN_HOOKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "goodstanding.detectors.listings.service",
        "screen_listing_event",
        ("listing.created", "listing.updated", "listing.removed"),
    ),
    ("goodstanding.detectors.reviews.service", "screen_review_event", ("review.posted",)),
    (
        "goodstanding.detectors.links.service",
        "apply_identifier_event",
        ("account.signed_in", "payout_account.set", "affiliate.sale"),
    ),
)
"""(module, function, event types) of the detectors' hooks."""

_registry: dict[str, list[EventHook]] = {}
_known_loaded = False


def register(event_type: str, hook: EventHook) -> None:
    hooks = _registry.setdefault(event_type, [])
    if hook not in hooks:
        hooks.append(hook)


def unregister(event_type: str, hook: EventHook) -> None:
    if hook in _registry.get(event_type, []):
        _registry[event_type].remove(hook)


def _load_known_hooks() -> None:
    global _known_loaded
    if _known_loaded:
        return
    _known_loaded = True
    for module_name, function_name, event_types in KNOWN_HOOKS:
        if not _module_exists(module_name):
            continue
        hook = getattr(importlib.import_module(module_name), function_name, None)
        if callable(hook):
            for event_type in event_types:
                register(event_type, hook)


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


@cache
def _known_hook_types() -> frozenset[str]:
    return frozenset(
        event_type
        for module_name, _, event_types in KNOWN_HOOKS
        if _module_exists(module_name)
        for event_type in event_types
    )


def has_hooks(event_type: str) -> bool:
    """Whether a hook handles ``event_type``. Intake asks this for every event it stores; it is
    answered without importing the detectors (their models take seconds to load), which only the
    job that runs the hooks does."""
    return event_type in _known_hook_types() or bool(_registry.get(event_type))


def hooks_for(event_type: str) -> list[EventHook]:
    _load_known_hooks()
    return list(_registry.get(event_type, ()))
