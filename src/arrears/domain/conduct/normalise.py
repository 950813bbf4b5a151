"""Text normalisation for matching, with a map back to the caller's original offsets.

Every character of the input is folded on its own: compatibility forms (full-width letters,
ligatures, CJK compatibility ideographs) to their plain form (NFKC), accents dropped (NFKD less
combining marks, so "detención" matches "detencion"), case folded, curly quotes and dashes made
plain, Traditional Chinese folded to Simplified, and runs of white space collapsed to one space.
Pinyin glosses that some copied texts put after characters ("時(shí)") are removed. `index[i]`
is the offset in the original text of the character that produced normalised character `i`, so
a match in the normalised text is reported on the text the user wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from arrears.domain.conduct.categories import Script
from arrears.domain.conduct.hanzi import SIMPLIFIED_ONLY, TRAD_TO_SIMP, TRADITIONAL_ONLY, VARIANTS

_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u300c": '"',
        "\u300d": '"',
        "\u300e": '"',
        "\u300f": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u3002": ".",  # ideographic full stop
        "\u3001": ",",  # ideographic comma
        "\uff61": ".",
    }
)
_PINYIN_GLOSS = re.compile(r"(?<=[\u3400-\u9fff])\([a-z]{1,6}\)")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class Normalised:
    text: str
    index: tuple[int, ...]  # original offset of each normalised character
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original [start, end) that normalised [start, end) came from."""
        if start >= end:
            at = self.index[start] if start < len(self.index) else len(self.original)
            return at, at
        return self.index[start], self.index[end - 1] + 1


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = unicodedata.normalize("NFKC", bare.casefold()).translate(_PUNCTUATION)
    return "".join(VARIANTS.get(c, TRAD_TO_SIMP.get(c, c)) for c in folded)


def normalise(text: str) -> Normalised:
    chars: list[str] = []
    index: list[int] = []
    after_space = True  # drops leading white space
    for offset, char in enumerate(text):
        for piece in _fold_char(char):
            if piece.isspace():
                if after_space:
                    continue
                after_space = True
                chars.append(" ")
            else:
                after_space = False
                chars.append(piece)
            index.append(offset)
    if chars and chars[-1] == " ":
        chars.pop()
        index.pop()
    folded = "".join(chars)
    glosses = list(_PINYIN_GLOSS.finditer(folded))
    if glosses:
        keep = [True] * len(folded)
        for gloss in glosses:
            for i in range(gloss.start(), gloss.end()):
                keep[i] = False
        folded = "".join(c for c, k in zip(folded, keep, strict=True) if k)
        index = [i for i, k in zip(index, keep, strict=True) if k]
    return Normalised(folded, tuple(index), text)


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


def han_share(text: str) -> float:
    """Share of Han characters among the letters of the text."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if _HAN.match(c)) / len(letters)


def chinese_script(text: str) -> Script:
    """Traditional when more Traditional-only than Simplified-only characters are present."""
    traditional = sum(1 for c in text if c in TRADITIONAL_ONLY)
    simplified = sum(1 for c in text if c in SIMPLIFIED_ONLY)
    return Script.HANT if traditional > simplified else Script.HANS
