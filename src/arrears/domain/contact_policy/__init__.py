"""The contact policy: may this call, message, letter or visit happen now, and if not, when?

Pure domain (no I/O, no clock): build a `Ledger` from events once, compile presets into a
`Policy` once, then `policy.check(ledger, request, now)` gives a `Verdict` with the decision
(allow / flag / block / hold), the rule ids and reasons, and the exact next allowed instant.
See docs/compliance.md for the rules, presets and the choices made where the texts leave room.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arrears.domain.contact_policy.engine import Policy, build_policy
from arrears.domain.contact_policy.events import (
    AddressFact,
    CallAttempt,
    Consent,
    ContactRequest,
    Conversation,
    DebtTransferred,
    Designation,
    Dispute,
    EmailFact,
    ForbearanceAssessment,
    Inbound,
    LedgerEvent,
    MessageSent,
    Override,
    PersonFacts,
    PhoneFact,
    Status,
    TimeWindow,
)
from arrears.domain.contact_policy.ledger import Ledger
from arrears.domain.contact_policy.messages import LANGUAGES
from arrears.domain.contact_policy.presets import PRESETS, PolicyOptions
from arrears.domain.contact_policy.verdict import Finding, PresetInfo, RuleInfo, Verdict
from arrears.domain.contact_policy.vocab import (
    Channel,
    ConsentScope,
    ConversationMedium,
    Decision,
    DesignationKind,
    Effect,
    HoursEdge,
    Initiator,
    Outcome,
    OverrideReason,
    OwnerStatus,
    PointKind,
    Purpose,
    Relation,
    Role,
    Signal,
    StatusFlag,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Sequence


def check_contact(
    events: Iterable[LedgerEvent],
    request: ContactRequest,
    now: dt.datetime,
    presets: Sequence[str],
    options: PolicyOptions | None = None,
) -> Verdict:
    """One-shot convenience: index `events`, compile `presets`, check `request` at `now`."""
    return build_policy(presets, options).check(Ledger.build(events), request, now)


__all__ = [
    "LANGUAGES",
    "PRESETS",
    "AddressFact",
    "CallAttempt",
    "Channel",
    "Consent",
    "ConsentScope",
    "ContactRequest",
    "Conversation",
    "ConversationMedium",
    "DebtTransferred",
    "Decision",
    "Designation",
    "DesignationKind",
    "Dispute",
    "Effect",
    "EmailFact",
    "Finding",
    "ForbearanceAssessment",
    "HoursEdge",
    "Inbound",
    "Initiator",
    "Ledger",
    "LedgerEvent",
    "MessageSent",
    "Outcome",
    "Override",
    "OverrideReason",
    "OwnerStatus",
    "PersonFacts",
    "PhoneFact",
    "PointKind",
    "Policy",
    "PolicyOptions",
    "PresetInfo",
    "Purpose",
    "Relation",
    "Role",
    "RuleInfo",
    "Signal",
    "Status",
    "StatusFlag",
    "TimeWindow",
    "Verdict",
    "build_policy",
    "check_contact",
]
