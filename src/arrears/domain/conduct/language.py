"""Which language a text is in: Chinese from its script, Spanish or English from its words."""

from __future__ import annotations

import re

from arrears.domain.conduct.categories import Language, Script
from arrears.domain.conduct.normalise import han_share, has_han
from arrears.domain.errors import InvalidInput


class UnsupportedLanguage(InvalidInput):
    code = "conduct_unsupported_language"
    message_template = "{detail}"


_ALIASES = {
    "es": Language.ES,
    "spa": Language.ES,
    "spanish": Language.ES,
    "en": Language.EN,
    "eng": Language.EN,
    "english": Language.EN,
    "zh": Language.ZH,
    "zho": Language.ZH,
    "chi": Language.ZH,
    "cmn": Language.ZH,
    "yue": Language.ZH,
    "chinese": Language.ZH,
}
_TRADITIONAL_TAGS = {"hant", "tw", "hk", "mo"}
_SIMPLIFIED_TAGS = {"hans", "cn", "sg", "my"}
_SPANISH_WORDS = frozenset(
    [
        "de",
        "la",
        "que",
        "el",
        "en",
        "los",
        "se",
        "las",
        "por",
        "un",
        "una",
        "con",
        "para",
        "su",
        "sus",
        "es",
        "al",
        "del",
        "lo",
        "le",
        "les",
        "usted",
        "ha",
        "hemos",
        "pero",
        "este",
        "esta",
        "muy",
        "nos",
        "ya",
        "si",
        "mas",
        "como",
        "sobre",
        "pago",
        "deuda",
        "cuenta",
        "plazo",
    ]
)
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "to",
        "of",
        "you",
        "your",
        "is",
        "we",
        "will",
        "for",
        "this",
        "that",
        "be",
        "on",
        "with",
        "are",
        "it",
        "our",
        "not",
        "have",
        "in",
        "please",
        "if",
        "or",
        "can",
        "may",
        "would",
        "about",
        "payment",
        "debt",
        "account",
        "call",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")
_SPANISH_MARKS = re.compile(r"[áéíóúñü¿¡]", re.IGNORECASE)


def parse_language(tag: str) -> tuple[Language, Script | None]:
    """Read a language tag ("es", "en-GB", "zh-Hant", "zh_TW") into language and script."""
    parts = [p for p in re.split(r"[-_]", tag.strip().lower()) if p]
    language = _ALIASES.get(parts[0]) if parts else None
    if language is None:
        raise UnsupportedLanguage(f"unsupported language {tag!r}; expected es, zh or en")
    script: Script | None = None
    if language is Language.ZH:
        rest = set(parts[1:])
        if rest & _TRADITIONAL_TAGS:
            script = Script.HANT
        elif rest & _SIMPLIFIED_TAGS:
            script = Script.HANS
    else:
        script = Script.LATIN
    return language, script


def detect_language(text: str) -> Language:
    """Chinese when Han characters make up a third of the letters; else Spanish or English by
    common words and Spanish accents (English when nothing tells them apart)."""
    if has_han(text) and han_share(text) >= 1 / 3:
        return Language.ZH
    words = [w.casefold() for w in _WORD.findall(text)]
    spanish = sum(w in _SPANISH_WORDS for w in words) + 2 * len(_SPANISH_MARKS.findall(text))
    english = sum(w in _ENGLISH_WORDS for w in words)
    return Language.ES if spanish > english else Language.EN


def resolve_language(text: str, tag: str | None) -> tuple[Language, Script]:
    """The language to lint with and the script of the alternatives (Latin until known)."""
    if tag is None:
        return detect_language(text), Script.LATIN
    language, script = parse_language(tag)
    return language, script or Script.LATIN
