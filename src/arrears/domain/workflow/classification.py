"""Debtor classification into the handbooks' four types, from recorded facts, with its reasons.

Seeds 001 and 003 describe four typical debtors and how each is handled:
cooperative ("normal communication"), lost contact, able but unwilling, willing but unable.
arrears derives the type from facts the system holds (reachability, what the debtor said about
ability and willingness, the promise record, payments, the recorded reason) by an ordered list of
named rules. Every rule that fires is shown; the first decisive one sets the type. A collector
may override the type with a reason (and optionally an end date); the derived type stays visible.

Order of the decisive rules, and why:
1. lost contact (no working number, or many attempts without reaching the debtor): nothing else
   can be known until contact is re-established;
2. hardship recorded: evidence of inability wins over words said in frustration, so that a
   debtor in hardship is offered a plan rather than treated as unwilling;
3. refusal to pay (stated, or a threat such as "I won't pay if you call again");
4. stated inability, a reason that implies it, or partial payments that show effort;
5. broken promises without payment while no inability is known;
6. otherwise cooperative.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from arrears.domain.errors import InvalidConfig
from arrears.domain.workflow.contact_log import Outcome
from arrears.domain.workflow.errors import ReasonRequired
from arrears.domain.workflow.promises import PromiseReliability, reliability
from arrears.domain.workflow.reasons import REASONS, DelinquencyReason
from arrears.domain.workflow.vocab import DebtorType

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from arrears.domain.model import Payment
    from arrears.domain.workflow.contact_log import ContactSummary
    from arrears.domain.workflow.promises import PromiseResult


class Ability(StrEnum):
    CAN_PAY = "can_pay"
    CAN_PAY_PART = "can_pay_part"
    CANNOT_PAY = "cannot_pay"
    UNKNOWN = "unknown"


class Willingness(StrEnum):
    WILLING = "willing"
    REFUSES = "refuses"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ClassificationPolicy:
    window_days: int = 30  # how far back statements and payments count
    lost_contact_days: int = 10  # days without reaching the debtor ...
    lost_contact_min_attempts: int = 6  # ... and at least this many attempts since
    unwilling_broken_promises: int = 2

    def __post_init__(self) -> None:
        if min(self.window_days, self.lost_contact_days) < 1:
            raise InvalidConfig("classification windows must be at least one day")
        if min(self.lost_contact_min_attempts, self.unwilling_broken_promises) < 1:
            raise InvalidConfig("classification thresholds must be at least 1")


@dataclass(frozen=True, slots=True)
class DebtorFacts:
    as_of: dt.date
    attempts_in_window: int = 0
    right_party_contacts_in_window: int = 0
    last_right_party_contact: dt.date | None = None
    attempts_since_right_party_contact: int = 0
    working_numbers: int = 1  # the borrower's numbers not known to be wrong
    stated_ability: Ability = Ability.UNKNOWN
    stated_willingness: Willingness = Willingness.UNKNOWN
    hardship_recorded: bool = False
    dispute_open: bool = False
    reason: DelinquencyReason | None = None
    promises: PromiseReliability = field(default_factory=PromiseReliability)
    payments_in_window: int = 0


class Rule(StrEnum):
    """Stable rule ids: stored with every classification and shown to collectors."""

    NO_WORKING_NUMBER = "lost_contact.no_working_number"
    UNREACHED = "lost_contact.unreached"
    HARDSHIP_RECORDED = "willing_unable.hardship_recorded"
    REFUSES = "able_unwilling.refuses"
    STATES_INABILITY = "willing_unable.states_inability"
    REASON_INABILITY = "willing_unable.reason"
    PARTIAL_EFFORT = "willing_unable.partial_effort"
    BROKEN_PROMISES = "able_unwilling.broken_promises"
    DEFAULT = "cooperative.default"
    # informational: shown, never decisive
    REACHED = "info.reached"
    KEPT_PROMISES = "info.kept_promises"
    TEMPORARY_REASON = "info.temporary_reason"
    DISPUTE_OPEN = "info.dispute_open"
    THIRD_PARTY_USE = "info.third_party_use"


@dataclass(frozen=True, slots=True)
class Finding:
    rule: Rule
    points_to: DebtorType | None
    text: str


@dataclass(frozen=True, slots=True)
class Override:
    debtor_type: DebtorType
    reason: str
    by: str
    at: dt.datetime
    until: dt.date | None = None  # None: until a collector changes it

    def active(self, as_of: dt.date) -> bool:
        return self.until is None or as_of <= self.until


@dataclass(frozen=True, slots=True)
class Classification:
    as_of: dt.date
    debtor_type: DebtorType  # what the workflow uses
    derived_type: DebtorType  # what the rules say
    decided_by: Rule
    findings: tuple[Finding, ...]
    override: Override | None = None

    @property
    def overridden(self) -> bool:
        return self.override is not None and self.debtor_type is not self.derived_type

    def explain(self) -> tuple[str, ...]:
        lines = [f"{f.rule}: {f.text}" for f in self.findings]
        if self.override is not None:
            lines.append(
                f"override by {self.override.by}: {self.override.debtor_type} "
                f"({self.override.reason})"
            )
        return tuple(lines)


_INABILITY = frozenset({Ability.CANNOT_PAY, Ability.CAN_PAY_PART})


def _findings(facts: DebtorFacts, policy: ClassificationPolicy) -> list[Finding]:
    found: list[Finding] = []
    add = found.append
    if facts.working_numbers == 0 and facts.right_party_contacts_in_window == 0:
        add(
            Finding(
                Rule.NO_WORKING_NUMBER,
                DebtorType.LOST_CONTACT,
                "every known number of the debtor is wrong or out of service",
            )
        )
    since = (
        None
        if facts.last_right_party_contact is None
        else (facts.as_of - facts.last_right_party_contact).days
    )
    if facts.attempts_since_right_party_contact >= policy.lost_contact_min_attempts and (
        since is None or since >= policy.lost_contact_days
    ):
        when = "never reached" if since is None else f"last reached {since} days ago"
        add(
            Finding(
                Rule.UNREACHED,
                DebtorType.LOST_CONTACT,
                f"{facts.attempts_since_right_party_contact} attempts without reaching the "
                f"debtor ({when})",
            )
        )
    if facts.hardship_recorded:
        add(Finding(Rule.HARDSHIP_RECORDED, DebtorType.WILLING_UNABLE, "hardship was recorded"))
    if facts.stated_willingness is Willingness.REFUSES or facts.reason is (
        DelinquencyReason.UNWILLING
    ):
        add(Finding(Rule.REFUSES, DebtorType.ABLE_UNWILLING, "the debtor refused to pay"))
    willing = facts.stated_willingness is not Willingness.REFUSES
    if willing and facts.stated_ability in _INABILITY:
        add(
            Finding(
                Rule.STATES_INABILITY,
                DebtorType.WILLING_UNABLE,
                f"the debtor says: {facts.stated_ability}",
            )
        )
    info = REASONS[facts.reason] if facts.reason is not None else None
    if willing and info is not None and info.suggests is DebtorType.WILLING_UNABLE:
        add(
            Finding(
                Rule.REASON_INABILITY,
                DebtorType.WILLING_UNABLE,
                f"reason for delinquency: {info.description}",
            )
        )
    record = facts.promises
    if willing and record.partially_kept > 0 and facts.payments_in_window > 0:
        add(
            Finding(
                Rule.PARTIAL_EFFORT,
                DebtorType.WILLING_UNABLE,
                f"{record.partially_kept} promise(s) partly kept and "
                f"{facts.payments_in_window} payment(s) made",
            )
        )
    if (
        record.broken >= policy.unwilling_broken_promises
        and facts.payments_in_window == 0
        and facts.stated_ability not in _INABILITY
    ):
        add(
            Finding(
                Rule.BROKEN_PROMISES,
                DebtorType.ABLE_UNWILLING,
                f"{record.broken} broken promise(s) and no payment in {policy.window_days} days",
            )
        )
    if facts.right_party_contacts_in_window:
        add(
            Finding(
                Rule.REACHED,
                None,
                f"reached {facts.right_party_contacts_in_window} time(s) in "
                f"{policy.window_days} days",
            )
        )
    if record.kept:
        add(Finding(Rule.KEPT_PROMISES, None, f"{record.kept} promise(s) kept"))
    if info is not None and info.temporary:
        add(Finding(Rule.TEMPORARY_REASON, None, f"usually temporary: {info.description}"))
    if facts.dispute_open or facts.reason is DelinquencyReason.DISPUTE:
        add(
            Finding(
                Rule.DISPUTE_OPEN,
                None,
                "a dispute is open: answer it before collecting (the case belongs on hold)",
            )
        )
    if facts.reason is DelinquencyReason.THIRD_PARTY_USE:
        add(
            Finding(
                Rule.THIRD_PARTY_USE,
                None,
                "says someone else has the money: the borrower remains the party we deal with",
            )
        )
    return found


_PRECEDENCE = (
    Rule.NO_WORKING_NUMBER,
    Rule.UNREACHED,
    Rule.HARDSHIP_RECORDED,
    Rule.REFUSES,
    Rule.STATES_INABILITY,
    Rule.REASON_INABILITY,
    Rule.PARTIAL_EFFORT,
    Rule.BROKEN_PROMISES,
)


def classify(
    facts: DebtorFacts, policy: ClassificationPolicy, *, override: Override | None = None
) -> Classification:
    found = _findings(facts, policy)
    fired = {f.rule: f for f in found}
    decisive = next((fired[r] for r in _PRECEDENCE if r in fired), None)
    if decisive is None or decisive.points_to is None:
        derived, decided_by = DebtorType.COOPERATIVE, Rule.DEFAULT
        found.append(
            Finding(Rule.DEFAULT, DebtorType.COOPERATIVE, "no sign of inability or unwillingness")
        )
    else:
        derived, decided_by = decisive.points_to, decisive.rule
    active = override if override is not None and override.active(facts.as_of) else None
    return Classification(
        as_of=facts.as_of,
        debtor_type=active.debtor_type if active is not None else derived,
        derived_type=derived,
        decided_by=decided_by,
        findings=tuple(found),
        override=active,
    )


def override_classification(
    classification: Classification,
    *,
    debtor_type: DebtorType,
    reason: str,
    by: str,
    at: dt.datetime,
    until: dt.date | None = None,
) -> Classification:
    """A collector sets the type by hand; the reason is required and kept with the derivation."""
    if not reason.strip():
        raise ReasonRequired("overriding a debtor's type needs a reason")
    if not by:
        raise ReasonRequired("an override names who made it")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ReasonRequired("an override's time must carry a time zone")
    made = Override(debtor_type, reason.strip(), by, at, until)
    return replace(classification, debtor_type=debtor_type, override=made)


def facts_from_history(
    *,
    as_of: dt.date,
    summary: ContactSummary,
    borrower_addresses: Iterable[str],
    promise_results: Sequence[PromiseResult],
    payments: Sequence[Payment],
    policy: ClassificationPolicy,
    reason: DelinquencyReason | None = None,
    stated_ability: Ability | None = None,
    dispute_open: bool = False,
) -> DebtorFacts:
    """Build the facts from the contact summary, promise results and payments.

    The latest of promise / hardship / refusal (or threat) said in the window sets the stated
    ability and willingness, unless the collector recorded an ability explicitly.
    """
    start = as_of - dt.timedelta(days=policy.window_days - 1)
    statements = {
        o: d
        for o, d in summary.last_outcome_on.items()
        if start <= d <= as_of
        and o in {Outcome.PROMISE, Outcome.HARDSHIP, Outcome.REFUSED, Outcome.THREAT}
    }
    ability, willingness = Ability.UNKNOWN, Willingness.UNKNOWN
    if statements:
        latest_day = max(statements.values())
        latest = {o for o, d in statements.items() if d == latest_day}
        if latest & {Outcome.REFUSED, Outcome.THREAT}:
            willingness = Willingness.REFUSES
        elif Outcome.HARDSHIP in latest:
            ability, willingness = Ability.CANNOT_PAY, Willingness.WILLING
        else:
            ability, willingness = Ability.CAN_PAY, Willingness.WILLING
    addresses = set(borrower_addresses)
    return DebtorFacts(
        as_of=as_of,
        attempts_in_window=summary.attempts_in_window,
        right_party_contacts_in_window=summary.right_party_contacts_in_window,
        last_right_party_contact=summary.last_right_party_contact,
        attempts_since_right_party_contact=summary.attempts_since_right_party_contact,
        working_numbers=len(addresses - summary.invalid_addresses),
        stated_ability=stated_ability or ability,
        stated_willingness=willingness,
        hardship_recorded=Outcome.HARDSHIP in statements,
        dispute_open=dispute_open,
        reason=reason,
        promises=reliability(promise_results),
        payments_in_window=sum(1 for p in payments if start <= p.paid_on <= as_of),
    )
