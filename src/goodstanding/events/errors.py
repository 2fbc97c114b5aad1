"""Errors of event intake, with their stable problem slugs."""

from __future__ import annotations

from goodstanding.kit.errors import MalformedBody, PayloadTooLarge


class TooManyEvents(PayloadTooLarge):
    slug = "too-many-events"
    title = "Too many events in one batch"


class MalformedEvents(MalformedBody):
    slug = "malformed-events"
    title = "The events cannot be read"
