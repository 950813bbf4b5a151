"""Precision and recall of the linter on a labelled set of sentences.

Two measures are kept apart. *Detection* is per sentence: is a sentence that carries any label
flagged, and is a lawful sentence left alone? *Category* is per (sentence, category) pair:
micro-averaged over the categories the sentence carries and the categories the linter reports,
so a threat to tell the family reported as "public shaming" counts as one false positive and
one false negative. Reading a file is the caller's job; this module parses lines it is given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from arrears.domain.conduct.categories import Category, Language, TextKind
from arrears.domain.conduct.linter import lint
from arrears.domain.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Iterable

ALL = "all"


class Split(StrEnum):
    DEV = "dev"  # the sentences the patterns were written and tuned against
    TEST = "test"  # held out: written apart, measured, not tuned on


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    text: str
    language: Language
    labels: frozenset[Category]
    source: str
    split: Split

    @property
    def unlawful(self) -> bool:
        return bool(self.labels)


def parse_labelled(line: str, *, where: str = "") -> LabelledSentence:
    """One JSON line: {"text", "language", "labels": [...], "source", "split"}."""
    prefix = f"{where}: " if where else ""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"{prefix}not valid JSON ({error.msg})") from None
    if not isinstance(record, dict):
        raise InvalidInput(f"{prefix}expected a JSON object")
    text = record.get("text")
    source = record.get("source", "written")
    labels = record.get("labels")
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(f"{prefix}'text' must be a non-empty string")
    if not isinstance(source, str) or not (source == "written" or source.startswith("seed:")):
        raise InvalidInput(f"{prefix}'source' must be 'written' or 'seed:<file>'")
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise InvalidInput(f"{prefix}'labels' must be a list of category names")
    try:
        language = Language(str(record.get("language")))
        categories = frozenset(Category(label) for label in labels)
        split = Split(record.get("split", Split.DEV))
    except ValueError as error:
        raise InvalidInput(f"{prefix}{error}") from None
    return LabelledSentence(text, language, categories, source, split)


def parse_labelled_lines(lines: Iterable[str], *, name: str = "") -> list[LabelledSentence]:
    """Every non-blank line of a JSON-lines file, with `name:line` in any error."""
    return [
        parse_labelled(line, where=f"{name}:{number}" if name else f"line {number}")
        for number, line in enumerate(lines, start=1)
        if line.strip()
    ]


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True, slots=True)
class Error:
    """A sentence the linter got wrong: what it should have found and what it found."""

    sentence: LabelledSentence
    found: frozenset[Category]
    matched: tuple[str, ...]


@dataclass(slots=True)
class Evaluation:
    sentences: dict[str, int] = field(default_factory=dict)  # per language and "all"
    detection: dict[str, Counts] = field(default_factory=dict)  # sentence level
    categories: dict[str, Counts] = field(default_factory=dict)  # micro over categories
    by_category: dict[tuple[str, Category], Counts] = field(default_factory=dict)
    errors: list[Error] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentences": dict(self.sentences),
            "detection": {k: v.to_dict() for k, v in self.detection.items()},
            "categories": {k: v.to_dict() for k, v in self.categories.items()},
            "by_category": {
                f"{lang}/{category.value}": counts.to_dict()
                for (lang, category), counts in self.by_category.items()
            },
        }


def evaluate(samples: Iterable[LabelledSentence], *, split: Split | None = None) -> Evaluation:
    """Lint every sample (as a draft, with its labelled language) and count hits and misses."""
    result = Evaluation()
    for sample in samples:
        if split is not None and sample.split is not split:
            continue
        linted = lint(sample.text, language=sample.language.value, kind=TextKind.DRAFT)
        found = linted.categories
        for key in (ALL, sample.language.value):
            result.sentences[key] = result.sentences.get(key, 0) + 1
            detection = result.detection.setdefault(key, Counts())
            if sample.unlawful and found:
                detection.tp += 1
            elif sample.unlawful:
                detection.fn += 1
            elif found:
                detection.fp += 1
            else:
                detection.tn += 1
            micro = result.categories.setdefault(key, Counts())
            for category in Category:
                counts = result.by_category.setdefault((key, category), Counts())
                expected, got = category in sample.labels, category in found
                if expected and got:
                    counts.tp += 1
                    micro.tp += 1
                elif expected:
                    counts.fn += 1
                    micro.fn += 1
                elif got:
                    counts.fp += 1
                    micro.fp += 1
                else:
                    counts.tn += 1
        if found != sample.labels:
            matched = tuple(f"{hit.category.value}: {hit.span.matched}" for hit in linted.hits)
            result.errors.append(Error(sample, found, matched))
    return result
