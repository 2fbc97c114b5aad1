"""Multilingual phrase layer: finds restricted-product phrases in listing text.

The phrases are data (`phrases/<language>.toml`); this module only normalises text and runs one
Aho-Corasick automaton over it, so a listing is scanned once whatever the number of phrases.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files
from pathlib import Path

import ahocorasick

from goodstanding.detectors.categories import Category, parse_category

PHRASE_LANGUAGES: tuple[str, ...] = ("en", "es")

_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]")
_NOT_WORD = re.compile(r"[\W_]+")


class PhraseStrength(StrEnum):
    # The phrase alone names a product of the category ("lock pick set", "cocaína").
    STRONG = "strong"
    # The phrase often but not always means the category ("gun", "réplica").
    WEAK = "weak"


@dataclass(frozen=True, slots=True)
class PhraseRule:
    phrase: str
    # None marks an exception: an innocent phrase that silences the restricted words it covers.
    category: Category | None
    strength: PhraseStrength
    language: str


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    phrase: str
    category: Category
    strength: PhraseStrength
    language: str


@dataclass(frozen=True, slots=True)
class PhraseScan:
    matches: list[PhraseMatch]
    # Categories whose phrase sat inside an exception ("gun" in "massage gun"): the listing
    # uses the word in its innocent sense.
    cleared: frozenset[Category]


def normalize_text(text: str) -> str:
    """Lower-case, strip accents, and turn every run of non-letters/digits into one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = _COMBINING_MARKS.sub("", decomposed).casefold()
    return _NOT_WORD.sub(" ", without_accents).strip()


class PhraseMatcher:
    """Finds whole-word phrase matches; a longer match swallows the shorter ones inside it."""

    def __init__(self, rules: Iterable[PhraseRule]) -> None:
        self._automaton = ahocorasick.Automaton()
        by_phrase: dict[str, PhraseRule] = {}
        for rule in rules:
            phrase = normalize_text(rule.phrase)
            if not phrase:
                raise ValueError(f"empty phrase in the {rule.language} phrase list")
            known = by_phrase.get(phrase)
            if known is not None and (known.category, known.strength) != (
                rule.category,
                rule.strength,
            ):
                raise ValueError(
                    f"phrase {phrase!r} is listed twice with different meanings "
                    f"({known.language}: {known.category} {known.strength}; "
                    f"{rule.language}: {rule.category} {rule.strength})"
                )
            by_phrase[phrase] = PhraseRule(phrase, rule.category, rule.strength, rule.language)
        if not by_phrase:
            raise ValueError("a phrase matcher needs at least one phrase")
        for phrase, rule in by_phrase.items():
            # Padding keys and text with spaces makes the automaton respect word boundaries:
            # " gun " cannot match inside " gunmetal ".
            self._automaton.add_word(f" {phrase} ", (len(phrase) + 2, rule))
        self._automaton.make_automaton()
        self.rules: tuple[PhraseRule, ...] = tuple(by_phrase.values())

    def find(self, text: str) -> list[PhraseMatch]:
        return self.scan(text).matches

    def scan(self, text: str) -> PhraseScan:
        """Matches in `text`, and the categories whose words an exception explained away."""
        padded = f" {normalize_text(text)} "
        spans: list[tuple[int, int, PhraseRule]] = []
        for end, (length, rule) in self._automaton.iter(padded):
            # Spans exclude the padding spaces so that adjacent phrases do not overlap.
            spans.append((end - length + 2, end, rule))
        if not spans:
            return PhraseScan([], frozenset())
        matches: list[PhraseMatch] = []
        cleared: set[Category] = set()
        seen: set[str] = set()
        for start, end, rule in spans:
            if rule.category is None or rule.phrase in seen:
                continue
            covering = [
                other
                for other_start, other_end, other in spans
                if other_start <= start
                and end <= other_end
                and (other_end - other_start) > (end - start)
            ]
            if covering:
                if any(other.category is None for other in covering):
                    cleared.add(rule.category)
                continue
            seen.add(rule.phrase)
            matches.append(PhraseMatch(rule.phrase, rule.category, rule.strength, rule.language))
        return PhraseScan(matches, frozenset(cleared))


def read_phrase_rules(source: str, language: str) -> list[PhraseRule]:
    """Parse one phrase list (TOML text); raise ValueError on an unknown category or strength."""
    data = tomllib.loads(source)
    rules: list[PhraseRule] = []
    for category_id, strengths in data.get("categories", {}).items():
        category = parse_category(category_id)
        if category is Category.NONE:
            raise ValueError("phrases for 'none' belong under [exceptions]")
        for strength_name, phrases in strengths.items():
            strength = PhraseStrength(strength_name)
            rules.extend(PhraseRule(p, category, strength, language) for p in phrases)
    exceptions = data.get("exceptions", {}).get("phrases", [])
    rules.extend(PhraseRule(p, None, PhraseStrength.STRONG, language) for p in exceptions)
    return rules


def load_phrase_rules(paths: Sequence[Path] | None = None) -> list[PhraseRule]:
    """Read the given phrase files (language = file stem), or the packaged ones when None."""
    if paths is None:
        folder = files("goodstanding.detectors.listings") / "phrases"
        return [
            rule
            for language in PHRASE_LANGUAGES
            for rule in read_phrase_rules(
                (folder / f"{language}.toml").read_text(encoding="utf-8"), language
            )
        ]
    return [
        rule for path in paths for rule in read_phrase_rules(path.read_text("utf-8"), path.stem)
    ]


@cache
def default_matcher() -> PhraseMatcher:
    return PhraseMatcher(load_phrase_rules())
