"""Finds reviews that disclose, or were written for, compensation (English and Spanish).

The phrases live in `incentive_phrases.toml` so that policy staff can extend them without touching
code. A compensation word alone proves nothing ("I got a refund because it broke"), so a sentence is
flagged only when the compensation is tied to the review itself, or when a standalone phrase already
says so ("in exchange for my honest review").
"""

import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

PHRASES_FILE = Path(__file__).with_name("incentive_phrases.toml")

# Sentences end at terminal punctuation or a line break; a disclosure rarely spans two sentences,
# and keeping to one sentence stops "refund" in one complaint pairing with "review" in another.
_SENTENCE_BREAK = re.compile(r"[.!?;]+(?=\s|$)|\n+")
_QUOTE_LIMIT = 160


class Compensation(StrEnum):
    FREE_PRODUCT = "free_product"
    DISCOUNT = "discount"
    REFUND = "refund"
    GIFT_CARD = "gift_card"
    MONEY = "money"
    BONUS = "bonus"
    CONTEST = "contest"
    UNSPECIFIED = "unspecified"

    @property
    def description(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class LanguagePhrases:
    language: str
    negation: tuple[re.Pattern[str], ...]
    standalone: tuple[re.Pattern[str], ...]
    review_link: tuple[re.Pattern[str], ...]
    compensation: Mapping[Compensation, tuple[re.Pattern[str], ...]]


@dataclass(frozen=True)
class IncentiveHit:
    """One sentence that ties compensation to the review, quoted as the reviewer wrote it."""

    compensation: frozenset[Compensation]
    language: str
    quote: str

    @property
    def reason(self) -> str:
        kinds = ", ".join(sorted(kind.description for kind in self.compensation))
        return f"discloses compensation for the review ({kinds}): \u201c{self.quote}\u201d"


def _compile(patterns: Sequence[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


def parse_phrases(document: Mapping[str, object]) -> tuple[LanguagePhrases, ...]:
    """Builds the matchers from the phrase file's structure; raises on a malformed section."""
    languages: list[LanguagePhrases] = []
    for language, section in document.items():
        if not isinstance(section, dict):
            raise TypeError(f"phrase section {language!r} must be a table")
        try:
            compensation = {
                Compensation(name): _compile(patterns)
                for name, patterns in section["compensation"].items()
            }
            languages.append(
                LanguagePhrases(
                    language=language,
                    negation=_compile(section["negation"]),
                    standalone=_compile(section["standalone"]),
                    review_link=_compile(section["review_link"]),
                    compensation=compensation,
                )
            )
        except (KeyError, TypeError, ValueError, re.error) as error:
            raise ValueError(f"phrase section {language!r} is malformed: {error}") from error
    return tuple(languages)


@cache
def load_phrases(path: Path = PHRASES_FILE) -> tuple[LanguagePhrases, ...]:
    with path.open("rb") as handle:
        return parse_phrases(tomllib.load(handle))


def fold_accents(text: str) -> str:
    """Lower-cases and strips accents one character at a time, so offsets still match `text`."""
    folded = []
    for char in text:
        lowered = char.lower()[:1]
        base = unicodedata.normalize("NFKD", lowered)[:1]
        folded.append(base if base.isascii() else lowered)
    return "".join(folded)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    return [(begin, end) for begin, end in spans if text[begin:end].strip()]


def _quote(original: str) -> str:
    quote = " ".join(original.split())
    return quote if len(quote) <= _QUOTE_LIMIT else quote[: _QUOTE_LIMIT - 1] + "\u2026"


def _match_sentence(sentence: str, phrases: LanguagePhrases) -> frozenset[Compensation] | None:
    if any(pattern.search(sentence) for pattern in phrases.negation):
        return None
    kinds = frozenset(
        kind
        for kind, patterns in phrases.compensation.items()
        if any(pattern.search(sentence) for pattern in patterns)
    )
    if kinds and any(pattern.search(sentence) for pattern in phrases.review_link):
        return kinds
    if any(pattern.search(sentence) for pattern in phrases.standalone):
        return kinds or frozenset({Compensation.UNSPECIFIED})
    return None


def find_incentives(
    text: str, phrases: Sequence[LanguagePhrases] | None = None
) -> list[IncentiveHit]:
    """Every sentence of `text` that discloses compensation for the review, in order."""
    languages = load_phrases() if phrases is None else phrases
    folded = fold_accents(text)
    hits: list[IncentiveHit] = []
    for begin, end in _sentence_spans(folded):
        for language in languages:
            kinds = _match_sentence(folded[begin:end], language)
            if kinds is not None:
                hits.append(IncentiveHit(kinds, language.language, _quote(text[begin:end])))
                break
    return hits
