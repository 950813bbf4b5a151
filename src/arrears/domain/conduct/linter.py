"""`lint`: find forbidden phrases in a text and decide what happens to it."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from arrears.domain.conduct.alternatives import alternative
from arrears.domain.conduct.categories import (
    CATEGORY_INFO,
    Category,
    Decision,
    Language,
    Script,
    Severity,
    TextKind,
    decide,
    rule_ids,
)
from arrears.domain.conduct.language import resolve_language
from arrears.domain.conduct.normalise import Normalised, chinese_script, has_han, normalise
from arrears.domain.conduct.patterns_en import RULES as EN_RULES
from arrears.domain.conduct.patterns_es import RULES as ES_RULES
from arrears.domain.conduct.patterns_zh import RULES as ZH_RULES
from arrears.domain.errors import InvalidInput

if TYPE_CHECKING:
    import re

    from arrears.domain.conduct.rules import LanguageRules, Pattern

RULES_BY_LANGUAGE: dict[Language, LanguageRules] = {
    Language.EN: EN_RULES,
    Language.ES: ES_RULES,
    Language.ZH: ZH_RULES,
}
MAX_TEXT_CHARS = 200_000


@dataclass(frozen=True, slots=True)
class Span:
    """Where a hit is, in the caller's original text: text[start:end] == matched."""

    start: int
    end: int
    matched: str


@dataclass(frozen=True, slots=True)
class Hit:
    category: Category
    rule_ids: tuple[str, ...]  # the category's stable id first, then the regulatory rules
    pattern_id: str  # which pattern matched, e.g. "en-threat-arrest-02"
    span: Span
    severity: Severity
    alternative: str  # lawful phrasing, in the language (and script) of the text
    language: Language

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "rule_ids": list(self.rule_ids),
            "pattern_id": self.pattern_id,
            "start": self.span.start,
            "end": self.span.end,
            "matched": self.span.matched,
            "severity": self.severity.value,
            "alternative": self.alternative,
            "language": self.language.value,
        }


@dataclass(frozen=True, slots=True)
class LintResult:
    language: Language
    script: Script
    kind: TextKind
    hits: tuple[Hit, ...]
    decision: Decision

    @property
    def categories(self) -> frozenset[Category]:
        return frozenset(hit.category for hit in self.hits)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for hit in self.hits:
            seen.update(dict.fromkeys(hit.rule_ids))
        return tuple(seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language.value,
            "script": self.script.value,
            "kind": self.kind.value,
            "decision": self.decision.value,
            "hits": [hit.to_dict() for hit in self.hits],
        }


def lint(text: str, *, language: str | None = None, kind: TextKind | str) -> LintResult:
    """Lint `text` for forbidden phrases.

    `language` is "es", "zh" or "en" (a tag such as "zh-Hant" or "es-MX" is read by its first
    part; "zh-Hant"/"zh-TW"/"zh-HK" also fix the script of the alternatives); when it is None
    it is detected from the script and the words. Chinese patterns also run on any Chinese
    characters inside a Spanish or English text. The decision is `block` for templates and
    approved scripts with any hit, `flag` for notes and drafts with hits, `pass` otherwise.
    """
    text_kind = _text_kind(kind)
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(f"text is longer than {MAX_TEXT_CHARS} characters; lint it in parts")
    lang, script = resolve_language(text, language)
    normalised = normalise(text)
    if lang is Language.ZH and script is Script.LATIN:
        script = chinese_script(text)
    languages = [lang]
    if lang is not Language.ZH and has_han(text):
        languages.append(Language.ZH)
    hits: list[Hit] = []
    for each in languages:
        hit_script = script if each is lang else chinese_script(text)
        hits.extend(_find(normalised, RULES_BY_LANGUAGE[each], hit_script))
    hits.sort(key=lambda hit: (hit.span.start, hit.span.end, hit.category.value))
    return LintResult(
        language=lang,
        script=script,
        kind=text_kind,
        hits=tuple(hits),
        decision=decide(text_kind, has_hits=bool(hits)),
    )


def _text_kind(kind: TextKind | str) -> TextKind:
    try:
        return TextKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in TextKind)
        raise InvalidInput(f"unknown text kind {kind!r}; expected one of {choices}") from None


class _Breaks:
    """Clause and sentence boundaries of one normalised text, for one language."""

    def __init__(self, text: str, rules: LanguageRules) -> None:
        self.clauses = [m.end() for m in rules.clause_break.finditer(text)]
        self.sentence_starts = [m.end() for m in rules.sentence_break.finditer(text)]
        self.sentence_ends = [m.start() for m in rules.sentence_break.finditer(text)]
        self.length = len(text)

    def clause_start(self, at: int) -> int:
        i = bisect.bisect_right(self.clauses, at) - 1
        return self.clauses[i] if i >= 0 else 0

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.sentence_starts, start) - 1
        begin = self.sentence_starts[i] if i >= 0 else 0
        j = bisect.bisect_left(self.sentence_ends, end)
        finish = self.sentence_ends[j] if j < len(self.sentence_ends) else self.length
        return begin, finish


def _find(normalised: Normalised, rules: LanguageRules, script: Script) -> list[Hit]:
    text = normalised.text
    breaks = _Breaks(text, rules)
    found: list[tuple[int, int, Pattern]] = []
    for pattern in rules.patterns:
        for match in pattern.regex.finditer(text):
            start, end = match.span()
            if start == end or not _applies(
                text, start, end, pattern=pattern, rules=rules, breaks=breaks
            ):
                continue
            found.append((start, end, pattern))
    hits: list[Hit] = []
    for start, end, pattern in _merge(found):
        original_start, original_end = normalised.span(start, end)
        hits.append(
            Hit(
                category=pattern.category,
                rule_ids=rule_ids(pattern.category),
                pattern_id=pattern.pattern_id,
                span=Span(
                    original_start,
                    original_end,
                    normalised.original[original_start:original_end],
                ),
                severity=pattern.severity or CATEGORY_INFO[pattern.category].severity,
                alternative=alternative(pattern.category, rules.language, script),
                language=rules.language,
            )
        )
    return hits


def _merge(found: list[tuple[int, int, Pattern]]) -> list[tuple[int, int, Pattern]]:
    """One hit per category and stretch of text: overlapping matches keep the longest."""
    by_category: dict[Category, list[tuple[int, int, Pattern]]] = {}
    for item in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
        kept = by_category.setdefault(item[2].category, [])
        if kept and item[0] < kept[-1][1]:
            if item[1] - item[0] > kept[-1][1] - kept[-1][0]:
                kept[-1] = item
            continue
        kept.append(item)
    return [item for items in by_category.values() for item in items]


def _applies(
    text: str, start: int, end: int, *, pattern: Pattern, rules: LanguageRules, breaks: _Breaks
) -> bool:
    clause_start = breaks.clause_start(start)
    before = text[clause_start:start]
    if pattern.exempt_before is not None and pattern.exempt_before.search(before):
        return False
    if pattern.exempt_after is not None and pattern.exempt_after.search(text[end:]):
        return False
    sentence_start, sentence_end = breaks.sentence(start, end)
    if rules.prohibition.search(text, sentence_start, start):
        return False
    exempt = rules.category_exempt.get(pattern.category)
    if exempt is not None and exempt.search(text, sentence_start, sentence_end):
        return False
    inside = text[start:end] if pattern.negation_inside else ""
    return not (pattern.negatable and _negated(before, inside, rules))


def _mask(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(lambda m: " " * len(m.group()), text)


def _window(before: str, rules: LanguageRules) -> str:
    if not rules.by_words:
        return before[-rules.window :]
    tokens = before.rstrip().split(" ")
    return " ".join(tokens[-rules.window :]) + (" " if before.endswith(" ") else "")


def _negated(before: str, inside: str, rules: LanguageRules) -> bool:
    window = _window(before, rules)
    if rules.sarcasm.search(window):
        return False
    window = _mask(rules.false_negator, window)
    for negator in rules.negator.finditer(window):
        if rules.conditional.search(window, 0, negator.start()):
            continue
        if rules.blocker.search(window, negator.end()):
            continue
        return True
    inside = _mask(rules.false_negator, inside)
    for negator in rules.negator.finditer(inside):
        if not rules.conditional.search(inside, 0, negator.start()):
            return True
    return False
