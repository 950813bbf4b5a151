"""Written communications: message kinds, the facts each states, their validation, the US
validation notice's required content, and the outbox's states and retry schedule.

Pure domain (no I/O, no clock, no templates): rendering is in `arrears.adapters.render`, sending
in `arrears.adapters.channels`, queueing and dispatch in `arrears.services.comms`
(docs/communications.md).
"""

from arrears.domain.comms.facts import (
    FACTS_BY_KIND,
    ArrangementConfirmation,
    BrokenPromise,
    Facts,
    FormalDemand,
    Header,
    Party,
    PaymentNotice,
    PlannedPayment,
    PromiseConfirmation,
    Reminder,
    Sender,
    validate_facts,
)
from arrears.domain.comms.kinds import (
    DISCLOSURE_PRESET,
    KIND_CHANNELS,
    KIND_PURPOSE,
    LOCALES,
    Language,
    MessageChannel,
    MessageKind,
    check_channel,
    language_for,
    mentions_opt_out,
    parse_channel,
    parse_kind,
    parse_language,
    presets_for_country,
)
from arrears.domain.comms.outbox import (
    DUE_STATES,
    FINAL_STATES,
    OutboxState,
    RetryPolicy,
    after_crash,
)
from arrears.domain.comms.validation_notice import (
    CFPB_WEBSITE,
    REQUIRED_STATEMENTS,
    ItemizationDateType,
    ValidationNotice,
    mask_account,
    required_values,
    validation_period_end,
)

__all__ = [
    "CFPB_WEBSITE",
    "DISCLOSURE_PRESET",
    "DUE_STATES",
    "FACTS_BY_KIND",
    "FINAL_STATES",
    "KIND_CHANNELS",
    "KIND_PURPOSE",
    "LOCALES",
    "REQUIRED_STATEMENTS",
    "ArrangementConfirmation",
    "BrokenPromise",
    "Facts",
    "FormalDemand",
    "Header",
    "ItemizationDateType",
    "Language",
    "MessageChannel",
    "MessageKind",
    "OutboxState",
    "Party",
    "PaymentNotice",
    "PlannedPayment",
    "PromiseConfirmation",
    "Reminder",
    "RetryPolicy",
    "Sender",
    "ValidationNotice",
    "after_crash",
    "check_channel",
    "language_for",
    "mask_account",
    "mentions_opt_out",
    "parse_channel",
    "parse_kind",
    "parse_language",
    "presets_for_country",
    "required_values",
    "validate_facts",
    "validation_period_end",
]
