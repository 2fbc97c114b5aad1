"""Errors of the metrics service, with their stable problem slugs."""

from __future__ import annotations

from goodstanding.kit.errors import InvalidInput, NotFound


class UnknownSeller(NotFound):
    slug = "unknown-seller"
    title = "No such seller"


class UnknownMetric(InvalidInput):
    slug = "unknown-metric"
    title = "No such metric"
