"""Restricted-product category ids and the default operator policy for each.

The ids are the vocabulary shared by the API, the policy file, the labelled data and the CLI.
The default policy is data: the policy engine replaces it with the operator's settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Category(StrEnum):
    ANIMALS = "animals"
    AUTOMOTIVE = "automotive"
    COMPOSITE_WOOD = "composite_wood"
    COSMETICS = "cosmetics"
    GIFT_CARDS = "gift_cards"
    SUPPLEMENTS = "supplements"
    DRUGS = "drugs"
    ELECTRONICS = "electronics"
    WEAPONS = "weapons"
    EXPORT_CONTROLLED = "export_controlled"
    FOOD_DRINKS = "food_drinks"
    DANGEROUS_GOODS = "dangerous_goods"
    LASERS = "lasers"
    LIGHTING = "lighting"
    LOCK_PICKING = "lock_picking"
    MEDICAL_DEVICES = "medical_devices"
    OFFENSIVE = "offensive"
    PESTICIDES = "pesticides"
    PLANTS_SEEDS = "plants_seeds"
    ELECTRONICS_RECYCLING = "electronics_recycling"
    ADULT = "adult"
    SURVEILLANCE = "surveillance"
    TOBACCO = "tobacco"
    # Counterfeits and forged documents.
    OTHER_EXCLUDED = "other_excluded"
    NONE = "none"


class Restriction(StrEnum):
    PROHIBITED = "prohibited"
    # Gated: a seller may list in the category only once approved for it.
    NEEDS_APPROVAL = "needs_approval"
    ALLOWED = "allowed"


RESTRICTED_CATEGORIES: tuple[Category, ...] = tuple(c for c in Category if c is not Category.NONE)

_PROHIBITED_BY_DEFAULT = frozenset(
    {
        Category.DRUGS,
        Category.WEAPONS,
        Category.LOCK_PICKING,
        Category.OTHER_EXCLUDED,
        Category.TOBACCO,
    }
)

DEFAULT_RESTRICTIONS: Mapping[Category, Restriction] = MappingProxyType(
    {
        category: (
            Restriction.ALLOWED
            if category is Category.NONE
            else Restriction.PROHIBITED
            if category in _PROHIBITED_BY_DEFAULT
            else Restriction.NEEDS_APPROVAL
        )
        for category in Category
    }
)


def parse_category(value: str) -> Category:
    """Read a category id as a person or file wrote it; ValueError lists the valid ids."""
    cleaned = value.strip().lower()
    try:
        return Category(cleaned)
    except ValueError:
        valid = ", ".join(c.value for c in Category)
        raise ValueError(f"unknown category {value!r}; expected one of: {valid}") from None
