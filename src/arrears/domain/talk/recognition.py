"""Recognising what a debtor means: results, examples, the keyword recogniser, evaluation.

The embedding recogniser (an adapter, `arrears.adapters.embeddings`) and the keyword recogniser
here give the same `Recognition`, so callers do not care which one answered; `method` says it.
The keyword recogniser is the fallback when the embedding model is not installed: it counts the
intent's cue phrases found in the normalised text (accents and case folded, Traditional Chinese
folded to Simplified) and picks the intent with the most.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from arrears.domain.conduct.normalise import normalise
from arrears.domain.talk.keywords import CUES
from arrears.domain.talk.vocab import Intent

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from arrears.domain.conduct.categories import Language


class Method(StrEnum):
    EMBEDDING = "embedding"
    KEYWORD = "keyword"


@dataclass(frozen=True, slots=True)
class Example:
    """One utterance with the intent it expresses, in a language."""

    text: str
    intent: Intent
    language: Language


@dataclass(frozen=True, slots=True)
class Recognition:
    intent: Intent | None  # None: nothing recognised
    confidence: float  # 0..1; for embeddings the cosine similarity of the best match
    method: Method
    runner_up: Intent | None = None
    margin: float = 0.0  # best score minus the runner-up's (same scale as confidence)
    note: str = ""  # e.g. why the keyword fallback answered


class Recogniser(Protocol):
    method: Method

    def recognise(self, text: str) -> Recognition: ...

    def recognise_many(self, texts: Sequence[str]) -> list[Recognition]: ...


class KeywordRecogniser:
    """Cue phrases per intent and language; the most cues found wins (ties: fewer is unknown)."""

    method = Method.KEYWORD

    def __init__(
        self,
        cues: Mapping[Intent, Mapping[Language, tuple[str, ...]]] | None = None,
        *,
        note: str = "",
    ) -> None:
        source = CUES if cues is None else cues
        self._patterns: tuple[tuple[Intent, re.Pattern[str]], ...] = tuple(
            (intent, re.compile(cue))
            for intent, by_lang in source.items()
            for cues_ in by_lang.values()
            for cue in cues_
        )
        self.note = note

    def recognise(self, text: str) -> Recognition:
        folded = normalise(text).text
        counts: dict[Intent, int] = {}
        for intent, pattern in self._patterns:
            if pattern.search(folded):
                counts[intent] = counts.get(intent, 0) + 1
        if not counts:
            return Recognition(None, 0.0, self.method, note=self.note)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], list(Intent).index(item[0])))
        best, hits = ranked[0]
        second = ranked[1] if len(ranked) > 1 else None
        total = sum(counts.values())
        return Recognition(
            best,
            round(hits / total, 4),
            self.method,
            runner_up=second[0] if second else None,
            margin=round((hits - (second[1] if second else 0)) / total, 4),
            note=self.note,
        )

    def recognise_many(self, texts: Sequence[str]) -> list[Recognition]:
        return [self.recognise(text) for text in texts]


@dataclass(frozen=True, slots=True)
class LanguageScore:
    language: Language
    total: int
    correct: int
    confusion: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (truth, guess)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def top_confusions(self, n: int = 5) -> list[tuple[str, str, int]]:
        pairs = [(t, g, c) for (t, g), c in self.confusion.items() if t != g]
        pairs.sort(key=lambda item: (-item[2], item[0], item[1]))
        return pairs[:n]


def score(
    language: Language, examples: Sequence[Example], results: Sequence[Recognition]
) -> LanguageScore:
    """Accuracy and confusion counts of `results` against the labelled `examples`."""
    if len(examples) != len(results):
        msg = "one result per example"
        raise ValueError(msg)
    confusion: dict[tuple[str, str], int] = {}
    correct = 0
    for example, result in zip(examples, results, strict=True):
        guess = result.intent.value if result.intent else "(none)"
        key = (example.intent.value, guess)
        confusion[key] = confusion.get(key, 0) + 1
        correct += result.intent is example.intent
    return LanguageScore(language, len(examples), correct, MappingProxyType(confusion))


def by_language(examples: Iterable[Example]) -> dict[Language, list[Example]]:
    grouped: dict[Language, list[Example]] = {}
    for example in examples:
        grouped.setdefault(example.language, []).append(example)
    return grouped
