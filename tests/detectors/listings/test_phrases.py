"""Phrase layer alone. Every listing title here was written for the test (not real data)."""

from pathlib import Path

import pytest

from goodstanding.detectors.categories import Category
from goodstanding.detectors.listings.phrases import (
    PhraseMatcher,
    PhraseRule,
    PhraseStrength,
    default_matcher,
    load_phrase_rules,
    normalize_text,
    read_phrase_rules,
)


def found(text: str) -> set[tuple[str, Category]]:
    return {(m.phrase, m.category) for m in default_matcher().find(text)}


def categories(text: str) -> set[Category]:
    return {m.category for m in default_matcher().find(text)}


class TestNormalizeText:
    def test_folds_case_accents_and_punctuation(self) -> None:
        assert (
            normalize_text("  COCAÍNA -- Puño_americano! AK-47 ") == "cocaina puno americano ak 47"
        )

    def test_keeps_letters_of_other_scripts(self) -> None:
        assert normalize_text("Ωμέγα 茶") == "ωμεγα 茶"


class TestRestrictedPhrasesEnglish:
    @pytest.mark.parametrize(
        ("title", "category"),
        [
            ("Glock 19 Gen5 with two magazines", Category.WEAPONS),
            ("500 rounds 9mm ammunition", Category.WEAPONS),
            ("AK-47 style rifle", Category.WEAPONS),
            ("LSD blotters, 25 tabs", Category.DRUGS),
            ("Glass BONG 30cm", Category.DRUGS),
            ("Professional lock pick set with tension wrench", Category.LOCK_PICKING),
            ("Marlboro Red cigarettes, carton", Category.TOBACCO),
            ("Replica Rolex, AAA 1:1 copy", Category.OTHER_EXCLUDED),
            ("Steam gift card 50 USD", Category.GIFT_CARDS),
            ("Green laser pointer 1000mW", Category.LASERS),
            ("Hidden camera in a USB charger", Category.SURVEILLANCE),
            ("Weed killer concentrate 1L", Category.PESTICIDES),
            ("Pulse oximeter for fingertip", Category.MEDICAL_DEVICES),
        ],
    )
    def test_finds_the_category(self, title: str, category: Category) -> None:
        assert category in categories(title)

    def test_strong_and_weak_are_told_apart(self) -> None:
        strengths = {m.phrase: m.strength for m in default_matcher().find("glock or a gun")}
        assert strengths == {"glock": PhraseStrength.STRONG, "gun": PhraseStrength.WEAK}


class TestRestrictedPhrasesSpanish:
    @pytest.mark.parametrize(
        ("title", "category"),
        [
            ("Pistola Glock de 9 mm", Category.WEAPONS),
            ("Munición para escopeta", Category.WEAPONS),
            ("Cogollos de MARIHUANA 10 g", Category.DRUGS),
            ("Cocaína pura", Category.DRUGS),
            ("Juego de ganzúas profesional", Category.LOCK_PICKING),
            ("Tabaco de liar 50 g", Category.TOBACCO),
            ("Billetes falsos de 50 euros", Category.OTHER_EXCLUDED),
            ("Tarjeta regalo de 25 euros", Category.GIFT_CARDS),
            ("Cámara espía oculta en un reloj", Category.SURVEILLANCE),
        ],
    )
    def test_finds_the_category(self, title: str, category: Category) -> None:
        assert category in categories(title)


class TestHardNegatives:
    @pytest.mark.parametrize(
        "title",
        [
            "Toy gun for kids with foam darts",
            "Gunmetal grey wireless mouse",
            "Killer deal: cotton bedsheets",
            "Stainless steel pipe wrench 14 inch",
            "Bongo drums for kids",
            "Hot glue gun with 20 sticks",
            "Water pistol, 2 pack",
            "Massage gun deep tissue",
            "Bath bomb gift set",
            "Car cigarette lighter USB charger",
            "Guitar picks, set of 12",
            "Diet Coke 24 cans",
            "Hash browns, frozen, 1 kg",
            "Pistola de agua para niños",
            "Pistola de silicona caliente",
            "Silenciador de escape para moto",
            "Cartuchos de tinta HP 302",
            "Tambores bongo de madera",
            "Bomba de agua sumergible",
        ],
    )
    def test_match_nothing_restricted(self, title: str) -> None:
        assert found(title) == set()

    def test_an_exception_silences_only_what_it_covers(self) -> None:
        assert found("Toy gun and a real Glock") == {("glock", Category.WEAPONS)}

    def test_an_exception_reports_the_category_it_explained_away(self) -> None:
        scan = default_matcher().scan("Massage gun, 6 speeds")
        assert scan.matches == [] and scan.cleared == {Category.WEAPONS}

    def test_words_inside_other_words_do_not_match(self) -> None:
        assert found("Gunsmoke DVD, bongos, methodology book") == set()


class TestPhraseData:
    def test_every_exception_covers_a_restricted_phrase(self) -> None:
        rules = load_phrase_rules()
        restricted = {normalize_text(r.phrase) for r in rules if r.category is not None}
        for rule in rules:
            if rule.category is None:
                padded = f" {normalize_text(rule.phrase)} "
                assert any(f" {phrase} " in padded for phrase in restricted), rule.phrase

    def test_both_languages_are_shipped(self) -> None:
        assert {r.language for r in load_phrase_rules()} == {"en", "es"}


class TestPhraseMatcherErrors:
    def test_rejects_a_phrase_with_two_meanings(self) -> None:
        rules = [
            PhraseRule("pipe", Category.DRUGS, PhraseStrength.WEAK, "en"),
            PhraseRule("Pipe", Category.TOBACCO, PhraseStrength.WEAK, "es"),
        ]
        with pytest.raises(ValueError, match="'pipe' is listed twice"):
            PhraseMatcher(rules)

    def test_rejects_an_empty_phrase(self) -> None:
        with pytest.raises(ValueError, match="empty phrase"):
            PhraseMatcher([PhraseRule(" - ", Category.DRUGS, PhraseStrength.WEAK, "en")])

    def test_rejects_an_unknown_category_in_a_file(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="unknown category 'guns'"):
            read_phrase_rules('[categories.guns]\nstrong = ["gun"]\n', "en")

    def test_reads_phrase_files_given_by_path(self, tmp_path: Path) -> None:
        path = tmp_path / "fr.toml"
        path.write_text('[categories.tobacco]\nstrong = ["tabac à rouler"]\n', encoding="utf-8")
        matcher = PhraseMatcher(load_phrase_rules([path]))
        assert [(m.phrase, m.language) for m in matcher.find("TABAC A ROULER 50g")] == [
            ("tabac a rouler", "fr")
        ]
