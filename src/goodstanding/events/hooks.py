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
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from goodstanding.events.schemas import Event

EventHook = Callable[[Session, Event], Any]
BatchPreparer = Callable[[Sequence[Event]], Any]
"""Work done once for all the events of a job before each is handed to its hook alone (the
detectors embed every text of the batch in one model call)."""


class KnownHook(NamedTuple):
    module: str
    function: str
    event_types: tuple[str, ...]
    preparer: str | None = None
    """A function of the same module that prepares a batch of these events (``BatchPreparer``)."""


KNOWN_HOOKS: tuple[KnownHook, ...] = (
    KnownHook(
        "goodstanding.detectors.listings.service",
        "screen_listing_event",
        ("listing.created", "listing.updated", "listing.removed"),
        preparer="prepare_listing_events",
    ),
    KnownHook(
        "goodstanding.detectors.reviews.service",
        "screen_review_event",
        ("review.posted",),
        preparer="prepare_review_events",
    ),
    KnownHook(
        "goodstanding.detectors.links.service",
        "apply_identifier_event",
        ("account.signed_in", "payout_account.set", "affiliate.sale"),
    ),
)
"""The detectors' hooks, by name."""

_registry: dict[str, list[EventHook]] = {}
_preparers: list[tuple[frozenset[str], BatchPreparer]] = []
_known_loaded = False


def register(event_type: str, hook: EventHook) -> None:
    hooks = _registry.setdefault(event_type, [])
    if hook not in hooks:
        hooks.append(hook)


def register_preparer(event_types: Iterable[str], preparer: BatchPreparer) -> None:
    entry = (frozenset(event_types), preparer)
    if entry not in _preparers:
        _preparers.append(entry)


def unregister_preparer(preparer: BatchPreparer) -> None:
    _preparers[:] = [entry for entry in _preparers if entry[1] is not preparer]


def unregister(event_type: str, hook: EventHook) -> None:
    if hook in _registry.get(event_type, []):
        _registry[event_type].remove(hook)


def _load_known_hooks() -> None:
    global _known_loaded
    if _known_loaded:
        return
    _known_loaded = True
    for known in KNOWN_HOOKS:
        if not _module_exists(known.module):
            continue
        module = importlib.import_module(known.module)
        hook = getattr(module, known.function, None)
        if callable(hook):
            for event_type in known.event_types:
                register(event_type, hook)
        preparer = getattr(module, known.preparer, None) if known.preparer else None
        if callable(preparer):
            register_preparer(known.event_types, preparer)


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


@cache
def _known_hook_types() -> frozenset[str]:
    return frozenset(
        event_type
        for known in KNOWN_HOOKS
        if _module_exists(known.module)
        for event_type in known.event_types
    )


def has_hooks(event_type: str) -> bool:
    """Whether a hook handles ``event_type``. Intake asks this for every event it stores; it is
    answered without importing the detectors (their models take seconds to load), which only the
    job that runs the hooks does."""
    return event_type in _known_hook_types() or bool(_registry.get(event_type))


def preparations_for(events: Sequence[Event]) -> list[tuple[BatchPreparer, list[Event]]]:
    """Each batch preparer with the events of ``events`` it prepares (those of its types)."""
    _load_known_hooks()
    found = []
    for event_types, preparer in _preparers:
        mine = [event for event in events if event.type in event_types]
        if mine:
            found.append((preparer, mine))
    return found


def hooks_for(event_type: str) -> list[EventHook]:
    _load_known_hooks()
    return list(_registry.get(event_type, ()))
