"""The conduct vocabulary: forbidden-phrase categories, their stable rule ids, and decisions.

Category values and rule ids are stable: they are stored with lint results and quoted in
reviews, so a new meaning gets a new id rather than a changed one. The regulatory rule ids
(`US-3P`, `UK-MISREP`, `CN-CONDUCT` ...) are the ones of COMPLIANCE-RULES.md section 7; the
statutory references are those of its section 8.2.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Category(StrEnum):
    """What a forbidden phrase does (COMPLIANCE-RULES.md 8.2; #9 is `Disclosure`)."""

    THREAT_ARREST = "threat_arrest"
    IMPERSONATION = "impersonation"
    THIRD_PARTY = "third_party"
    THREAT_ACTION = "threat_action"
    FALSE_CONSEQUENCE = "false_consequence"
    ABUSE = "abuse"
    PRESSURE_TO_BORROW = "pressure_to_borrow"
    PRETEXT = "pretext"
    PUBLIC_SHAMING = "public_shaming"
    UNAUTHORISED_FEE = "unauthorised_fee"


class Severity(StrEnum):
    """How bad a hit is if it is what it looks like; every hit still needs a human decision."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"


class TextKind(StrEnum):
    """Where a text comes from; decides whether hits block or only flag."""

    TEMPLATE = "template"
    APPROVED_SCRIPT = "approved_script"
    NOTE = "note"
    DRAFT = "draft"


class Decision(StrEnum):
    BLOCK = "block"
    FLAG = "flag"
    PASS = "pass"  # noqa: S105 - a decision, not a password


class Language(StrEnum):
    ES = "es"
    ZH = "zh"
    EN = "en"


class Script(StrEnum):
    """Written form of a text: Latin, or Simplified / Traditional Chinese characters."""

    LATIN = "Latn"
    HANS = "Hans"
    HANT = "Hant"


BLOCKING_KINDS = frozenset({TextKind.TEMPLATE, TextKind.APPROVED_SCRIPT})


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    rule_id: str  # the linter's own stable id, first in every hit's rule ids
    regulatory_rules: tuple[str, ...]  # rule ids of COMPLIANCE-RULES.md section 7
    references: str  # the statutes and rules behind them (section 8.2)
    severity: Severity
    title: str


CATEGORY_INFO: MappingProxyType[Category, CategoryInfo] = MappingProxyType(
    {
        Category.THREAT_ARREST: CategoryInfo(
            "CONDUCT-THREAT-ARREST",
            ("UK-MISREP", "CN-CONDUCT", "EU-CONDUCT"),
            "1692e(4),(5),(7); 1006.18(b)(3),(c)(1); CONC 7.11.6R; CN 恐吓/威胁",
            Severity.CRITICAL,
            "Threat of arrest, jail or criminal prosecution",
        ),
        Category.IMPERSONATION: CategoryInfo(
            "CONDUCT-IMPERSONATION",
            ("UK-MISREP", "CN-CONDUCT", "EU-CONDUCT"),
            "1692e(1),(3),(9),(13),(14); 1006.18(b)(1),(c)(3); CONC 7.11.1R-7.11.3R",
            Severity.CRITICAL,
            "Posing as a court, the police, a government body or lawyers",
        ),
        Category.THIRD_PARTY: CategoryInfo(
            "CONDUCT-THIRD-PARTY",
            ("US-3P", "US-SOCIAL", "UK-3P", "EU-GDPR-3P", "CN-3P", "CN-TARGET", "CN-PIPL"),
            "1692c(b); 1006.6(d), 1006.22(f)(4); CONC 7.9.6R-7.9.7R; GDPR; CN 不得向第三人透露",
            Severity.CRITICAL,
            "Telling, or threatening to tell, employer, family, neighbours or social media",
        ),
        Category.THREAT_ACTION: CategoryInfo(
            "CONDUCT-THREAT-ACTION",
            ("US-TIMEBAR", "UK-PROPORTION", "UK-MISREP", "UK-STATBAR", "CN-CONDUCT"),
            "1692e(4),(5); 1006.18(b)(3); 1006.26(b); CONC 7.3.18R, 7.11.6R, 7.15",
            Severity.HIGH,
            "Seizure, garnishment, freezing or lawsuit threatened as certain or immediate",
        ),
        Category.FALSE_CONSEQUENCE: CategoryInfo(
            "CONDUCT-FALSE-CONSEQUENCE",
            ("UK-MISREP", "CN-CONDUCT", "EU-CONDUCT"),
            "1692e(2),(8),(10); CONC 7.9.2R, 7.11.9R; CN 虚构或夸大事实",
            Severity.HIGH,
            "Exaggerated or invented consequences (children's education, jobs, lifelong lists)",
        ),
        Category.ABUSE: CategoryInfo(
            "CONDUCT-ABUSE",
            ("CN-CONDUCT", "EU-CONDUCT"),
            "1692d(2); 1006.14(d); CN 辱骂; ES injurias",
            Severity.HIGH,
            "Abusive, obscene or demeaning language",
        ),
        Category.PRESSURE_TO_BORROW: CategoryInfo(
            "CONDUCT-PRESSURE-BORROW",
            ("UK-NO-PRESSURE", "CN-CONDUCT", "EU-CONDUCT"),
            "CONC 7.3.10R; CN 诱导债务人通过新增借贷还款",
            Severity.HIGH,
            "Pressure to borrow, sell assets or pay beyond one's means",
        ),
        Category.PRETEXT: CategoryInfo(
            "CONDUCT-PRETEXT",
            ("UK-MISLEAD-CONTACT", "CN-CONDUCT", "EU-CONDUCT"),
            "1692e(10),(14); 1006.18(c)(4); CONC 7.9.2R, 7.9.3G",
            Severity.HIGH,
            "Pretext or hidden purpose (parcels, prizes, surveys)",
        ),
        Category.PUBLIC_SHAMING: CategoryInfo(
            "CONDUCT-PUBLIC-SHAMING",
            ("US-3P", "UK-3P", "CN-3P", "CN-CONDUCT"),
            "1692d(3); 1006.14(e); CONC 7.9.7R; CN 散布隐私",
            Severity.CRITICAL,
            "Debtor lists and public shaming",
        ),
        Category.UNAUTHORISED_FEE: CategoryInfo(
            "CONDUCT-UNAUTHORISED-FEE",
            ("US-AMOUNT", "UK-CHARGES", "EU-DEFAULT-FEES", "ES-COLL-FEE"),
            "1692f(1); 1006.22(b); CONC 7.7.5R",
            Severity.MEDIUM,
            "Fees or amounts not authorised by the agreement or the law",
        ),
    }
)


def rule_ids(category: Category) -> tuple[str, ...]:
    """The linter's stable id for the category followed by its regulatory rule ids."""
    info = CATEGORY_INFO[category]
    return (info.rule_id, *info.regulatory_rules)


def decide(kind: TextKind, *, has_hits: bool) -> Decision:
    """Templates and approved scripts are blocked by any hit; notes and drafts are flagged."""
    if not has_hits:
        return Decision.PASS
    return Decision.BLOCK if kind in BLOCKING_KINDS else Decision.FLAG
