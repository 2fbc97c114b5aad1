"""Category ids and the default operator policy."""

import pytest

from goodstanding.detectors.categories import (
    DEFAULT_RESTRICTIONS,
    RESTRICTED_CATEGORIES,
    Category,
    Restriction,
    parse_category,
)

ISSUE_IDS = [
    "animals",
    "automotive",
    "composite_wood",
    "cosmetics",
    "gift_cards",
    "supplements",
    "drugs",
    "electronics",
    "weapons",
    "export_controlled",
    "food_drinks",
    "dangerous_goods",
    "lasers",
    "lighting",
    "lock_picking",
    "medical_devices",
    "offensive",
    "pesticides",
    "plants_seeds",
    "electronics_recycling",
    "adult",
    "surveillance",
    "tobacco",
    "other_excluded",
    "none",
]


class TestCategoryIds:
    def test_are_the_ids_of_the_api_and_the_data(self) -> None:
        assert [c.value for c in Category] == ISSUE_IDS

    def test_restricted_excludes_only_none(self) -> None:
        assert set(RESTRICTED_CATEGORIES) == set(Category) - {Category.NONE}


class TestDefaultRestrictions:
    def test_prohibits_drugs_weapons_lock_picks_counterfeits_tobacco(self) -> None:
        prohibited = {c for c, r in DEFAULT_RESTRICTIONS.items() if r is Restriction.PROHIBITED}
        assert prohibited == {
            Category.DRUGS,
            Category.WEAPONS,
            Category.LOCK_PICKING,
            Category.OTHER_EXCLUDED,
            Category.TOBACCO,
        }

    def test_gates_every_other_restricted_category(self) -> None:
        gated = {c for c, r in DEFAULT_RESTRICTIONS.items() if r is Restriction.NEEDS_APPROVAL}
        assert len(gated) == len(Category) - 1 - 5
        assert Category.NONE not in gated

    def test_allows_none(self) -> None:
        assert DEFAULT_RESTRICTIONS[Category.NONE] is Restriction.ALLOWED

    def test_cannot_be_changed_in_place(self) -> None:
        with pytest.raises(TypeError):
            DEFAULT_RESTRICTIONS[Category.DRUGS] = Restriction.ALLOWED  # type: ignore[index]


class TestParseCategory:
    def test_accepts_case_and_spaces(self) -> None:
        assert parse_category("  Lock_Picking ") is Category.LOCK_PICKING

    def test_names_the_valid_ids_on_error(self) -> None:
        with pytest.raises(ValueError, match="unknown category 'guns'.*weapons"):
            parse_category("guns")
