"""The shape of a language's pattern set, and the helpers the pattern modules build it with.

A `Pattern` is a regular expression over normalised text (see `normalise`) for one category.
Around each match the linter looks, in the same clause, for what turns the phrase lawful:

- a negator in the few words before it ("we will NOT contact your employer"), unless that
  negator belongs to a condition ("if you don't pay, we'll call your boss"), is cut off from the
  match by a payment verb or a new subject, is a fixed phrase that is not a negation ("we won't
  hesitate"), or the sentence is sarcastic ("don't think we won't ...");
- a prohibition anywhere earlier in the sentence ("it is illegal for collectors to threaten
  arrest");
- a pattern's own lawful context before the match (`exempt_before`: hedges such as "may" or "as
  the contract allows" before a lawsuit, "beware of" before "scammers") or right after it
  (`exempt_after`);
- a category's lawful context anywhere in the sentence (a fee "under your agreement", a
  disclosure made "with your consent").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from arrears.domain.conduct.categories import Category, Language, Severity


@dataclass(frozen=True, slots=True)
class Pattern:
    pattern_id: str
    category: Category
    regex: re.Pattern[str]
    negatable: bool = True  # False when the negation is part of the threat ("you'll never ...")
    negation_inside: bool = False  # also read negators inside the match (patterns with gaps)
    exempt_before: re.Pattern[str] | None = None  # lawful context in the clause before the match
    exempt_after: re.Pattern[str] | None = None  # lawful context right after the match
    severity: Severity | None = None  # None: the category's severity


@dataclass(frozen=True, slots=True)
class LanguageRules:
    language: Language
    patterns: tuple[Pattern, ...]
    negator: re.Pattern[str]
    false_negator: re.Pattern[str]  # "won't hesitate", "no later than": not negations
    conditional: re.Pattern[str]  # searched just before a negator: "if you don't ..."
    blocker: re.Pattern[str]  # between negator and match: the negation is about something else
    sarcasm: re.Pattern[str]  # "don't think we won't ...": the threat stands
    prohibition: re.Pattern[str]  # earlier in the sentence: "it is illegal to ..."
    clause_break: re.Pattern[str]
    sentence_break: re.Pattern[str]
    window: int  # how far back a negator may stand: words, or characters for Chinese
    by_words: bool
    category_exempt: Mapping[Category, re.Pattern[str]] = field(
        default_factory=lambda: MappingProxyType({})
    )


def rx(source: str) -> re.Pattern[str]:
    """Compile a pattern over normalised (case-folded, accent-free) text."""
    return re.compile(source)


def words(*alternatives: str) -> str:
    """A non-capturing group of alternatives with word boundaries (Latin-script languages)."""
    return r"\b(?:" + "|".join(alternatives) + r")\b"


def one_of(*alternatives: str) -> str:
    """A non-capturing group of alternatives without boundaries (Chinese)."""
    return "(?:" + "|".join(alternatives) + ")"


class PatternSet:
    """Collects the patterns of one language, numbering them per category."""

    def __init__(self, language: Language, prefix: str) -> None:
        self.language = language
        self.prefix = prefix
        self._patterns: list[Pattern] = []
        self._counts: dict[Category, int] = {}

    def add(
        self,
        category: Category,
        source: str,
        *,
        negatable: bool = True,
        inside: bool = False,
        exempt_before: str | None = None,
        exempt_after: str | None = None,
        severity: Severity | None = None,
    ) -> None:
        number = self._counts.get(category, 0) + 1
        self._counts[category] = number
        self._patterns.append(
            Pattern(
                pattern_id=f"{self.prefix}-{category.value.replace('_', '-')}-{number:02d}",
                category=category,
                regex=rx(source),
                negatable=negatable,
                negation_inside=inside,
                exempt_before=rx(exempt_before) if exempt_before else None,
                exempt_after=rx(exempt_after) if exempt_after else None,
                severity=severity,
            )
        )

    def patterns(self) -> tuple[Pattern, ...]:
        return tuple(self._patterns)
