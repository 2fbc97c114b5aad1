"""The policy engine's errors, each with a stable slug for problem+json."""

from __future__ import annotations

from goodstanding.kit.errors import Conflict, NotFound


class SellerNotFound(NotFound):
    slug = "seller-not-found"
    title = "No such seller"


class ViolationNotFound(NotFound):
    slug = "violation-not-found"
    title = "No such violation"


class StandingChangedMeanwhile(Conflict):
    """Another worker moved the seller between our read and our update; the caller may retry."""

    slug = "standing-changed-meanwhile"
    title = "The seller's standing changed while this change was being made"
