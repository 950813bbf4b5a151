"""Conduct linter: forbidden phrases and required disclosures in Spanish, Chinese and English.

`lint` finds the phrases of COMPLIANCE-RULES.md 8.2 (threats, impersonation, third-party
disclosure, pressure to borrow ...) and decides: templates and approved scripts with a hit are
blocked, notes and drafts are flagged for review. `check_disclosures` lists the required
disclosures (identity, creditor, the US mini-Miranda ...) a text does not make. Pure functions:
no I/O; see docs/conduct.md for the categories, the measured precision and recall, and limits.
"""

from arrears.domain.conduct.categories import (
    CATEGORY_INFO,
    Category,
    CategoryInfo,
    Decision,
    Language,
    Script,
    Severity,
    TextKind,
    rule_ids,
)
from arrears.domain.conduct.disclosures import (
    DISCLOSURE_PRESETS,
    Disclosure,
    MissingDisclosure,
    check_disclosures,
    required_disclosures,
)
from arrears.domain.conduct.evaluation import (
    Counts,
    Evaluation,
    LabelledSentence,
    Split,
    evaluate,
    parse_labelled,
    parse_labelled_lines,
)
from arrears.domain.conduct.language import UnsupportedLanguage, detect_language
from arrears.domain.conduct.linter import Hit, LintResult, Span, lint

__all__ = [
    "CATEGORY_INFO",
    "DISCLOSURE_PRESETS",
    "Category",
    "CategoryInfo",
    "Counts",
    "Decision",
    "Disclosure",
    "Evaluation",
    "Hit",
    "LabelledSentence",
    "Language",
    "LintResult",
    "MissingDisclosure",
    "Script",
    "Severity",
    "Span",
    "Split",
    "TextKind",
    "UnsupportedLanguage",
    "check_disclosures",
    "detect_language",
    "evaluate",
    "lint",
    "parse_labelled",
    "parse_labelled_lines",
    "required_disclosures",
    "rule_ids",
]
