"""The event model the contact policy reads (COMPLIANCE-RULES.md 1.1), and the contact request.

Events are facts about the past (calls, conversations, messages, what a person told us) or
standing facts with a validity interval (consents, designations, holds, statuses). All instants
are tz-aware datetimes; naive ones are refused when the event is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from arrears.domain.contact_policy.vocab import (
    DISCLOSING,
    Channel,
    ConsentScope,
    ConversationMedium,
    DesignationKind,
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
from arrears.domain.errors import InvalidInput

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable


_NO_ADDRESS = frozenset({Channel.ACTION})


def _aware(value: dt.datetime | None, what: str) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise InvalidInput(
            f"{what} {value.isoformat()} has no time zone (naive timestamps are refused)"
        )


def _ordered(start: dt.datetime, end: dt.datetime | None, what: str) -> None:
    if end is not None and end < start:
        raise InvalidInput(
            f"{what} ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        )


def _ids(values: Iterable[str], what: str) -> None:
    for value in values:
        if not value:
            raise InvalidInput(f"{what}: empty debt id")


@dataclass(frozen=True, slots=True)
class PhoneFact:
    number: str
    kind: PointKind = PointKind.MOBILE
    zones: tuple[str, ...] = ()  # IANA zones of the number (phonenumbers); empty = unknown


@dataclass(frozen=True, slots=True)
class AddressFact:
    address_id: str
    kind: PointKind = PointKind.HOME
    zone: str | None = None  # None = unknown


@dataclass(frozen=True, slots=True)
class EmailFact:
    address: str
    employer_provided: bool = False


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """Who a person is and where they may be: every phone, address and email, with zones."""

    person_id: str
    role: Role = Role.CONSUMER
    relation: Relation | None = None
    consumer_id: str | None = None  # for a third party: the consumer they are connected to
    phones: tuple[PhoneFact, ...] = ()
    addresses: tuple[AddressFact, ...] = ()
    emails: tuple[EmailFact, ...] = ()
    time_zones: tuple[str, ...] = ()  # further known locations

    def __post_init__(self) -> None:
        if not self.person_id:
            raise InvalidInput("person_id must not be empty")
        if self.role is Role.THIRD_PARTY and (self.relation is None or not self.consumer_id):
            raise InvalidInput(
                f"third party {self.person_id} needs its relation and the consumer_id it relates to"
            )
        if self.role is Role.CONSUMER and (self.relation is not None or self.consumer_id):
            raise InvalidInput(f"consumer {self.person_id} cannot have a relation or consumer_id")


@dataclass(frozen=True, slots=True)
class CallAttempt:
    """One outbound call (COMPLIANCE-RULES.md: `call_attempt`)."""

    id: str
    ts: dt.datetime
    person_id: str
    number: str
    attributed_debt_ids: tuple[str, ...]
    outcome: Outcome
    owner_status: OwnerStatus = OwnerStatus.CONSUMER
    override: OverrideReason | None = None  # placed under a supervisor override

    def __post_init__(self) -> None:
        _aware(self.ts, f"call {self.id}: ts")
        if not self.attributed_debt_ids:
            raise InvalidInput(
                f"call {self.id}: every call must be attributed to at least one debt "
                "(US-CALL-ATTRIB)"
            )
        _ids(self.attributed_debt_ids, f"call {self.id}")


@dataclass(frozen=True, slots=True)
class Conversation:
    """A conversation with a person. `debts_discussed` empty = a general conversation."""

    id: str
    ts: dt.datetime
    person_id: str
    initiated_by: Initiator
    call_id: str | None = None
    debts_discussed: tuple[str, ...] = ()
    medium: ConversationMedium = ConversationMedium.PHONE
    signals: tuple[Signal, ...] = ()

    def __post_init__(self) -> None:
        _aware(self.ts, f"conversation {self.id}: ts")
        _ids(self.debts_discussed, f"conversation {self.id}")


@dataclass(frozen=True, slots=True)
class MessageSent:
    """Any outbound contact other than a call: messages, letters and field visits."""

    id: str
    ts: dt.datetime
    person_id: str
    channel: Channel
    debt_ids: tuple[str, ...] = ()
    address: str | None = None
    purpose: Purpose = Purpose.COLLECTION
    in_reply_to: str | None = None
    template_id: str | None = None

    def __post_init__(self) -> None:
        _aware(self.ts, f"message {self.id}: ts")
        if self.channel is Channel.CALL:
            raise InvalidInput(f"message {self.id}: calls are recorded as call_attempt events")
        _ids(self.debt_ids, f"message {self.id}")


@dataclass(frozen=True, slots=True)
class Inbound:
    """A person contacted us (call, email, text, letter, web): opens the one-reply exceptions."""

    id: str
    ts: dt.datetime
    person_id: str
    channel: Channel
    address: str | None = None

    def __post_init__(self) -> None:
        _aware(self.ts, f"inbound {self.id}: ts")


@dataclass(frozen=True, slots=True)
class Consent:
    """Prior consent given by a person. `debt_id` None = every debt."""

    person_id: str
    scope: ConsentScope
    received_ts: dt.datetime
    debt_id: str | None = None
    direct: bool = True  # given directly to us (not to the creditor or a previous collector)
    explicit_end: dt.datetime | None = None
    revoked_ts: dt.datetime | None = None
    address: str | None = None  # scope medium/place: the address or number consented to
    third_party_id: str | None = None  # scope third_party: whom we may speak to

    def __post_init__(self) -> None:
        _aware(self.received_ts, "consent: received_ts")
        _aware(self.explicit_end, "consent: explicit_end")
        _aware(self.revoked_ts, "consent: revoked_ts")
        _ordered(self.received_ts, self.explicit_end, "consent")
        _ordered(self.received_ts, self.revoked_ts, "consent")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A recurring local-time window the person called inconvenient.

    `weekdays` (Monday = 0) empty = every day; `end <= start` wraps past midnight; `first_date` /
    `last_date` bound the dates (inclusive) on which the window starts.
    """

    start: dt.time
    end: dt.time
    weekdays: frozenset[int] = frozenset()
    first_date: dt.date | None = None
    last_date: dt.date | None = None

    def __post_init__(self) -> None:
        if any(day not in range(7) for day in self.weekdays):
            raise InvalidInput(
                f"weekdays must be 0 (Monday) to 6 (Sunday), got {sorted(self.weekdays)}"
            )
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise InvalidInput("window times are local wall-clock times, without a zone")
        if self.first_date and self.last_date and self.last_date < self.first_date:
            raise InvalidInput("window last_date is before first_date")


@dataclass(frozen=True, slots=True)
class Designation:
    """Something the person told us that limits contact, until withdrawn.

    `debt_ids` empty = every debt. `place` (inconvenient_place) is `home`, `work` or an address
    id / number; `channel` names the medium of a medium_opt_out; `address` the address or number
    of an address_opt_out.
    """

    person_id: str
    kind: DesignationKind
    received_ts: dt.datetime
    withdrawn_ts: dt.datetime | None = None
    debt_ids: tuple[str, ...] = ()
    windows: tuple[TimeWindow, ...] = ()
    place: str | None = None
    channel: Channel | None = None
    address: str | None = None
    in_writing: bool = False
    attorney_consent_ts: dt.datetime | None = None

    def __post_init__(self) -> None:
        _aware(self.received_ts, "designation: received_ts")
        _aware(self.withdrawn_ts, "designation: withdrawn_ts")
        _aware(self.attorney_consent_ts, "designation: attorney_consent_ts")
        _ordered(self.received_ts, self.withdrawn_ts, "designation")
        needs = {
            DesignationKind.INCONVENIENT_TIME: ("windows", self.windows),
            DesignationKind.INCONVENIENT_PLACE: ("place", self.place),
            DesignationKind.MEDIUM_OPT_OUT: ("channel", self.channel),
            DesignationKind.ADDRESS_OPT_OUT: ("address", self.address),
        }
        if self.kind in needs and not needs[self.kind][1]:
            raise InvalidInput(f"designation {self.kind} needs {needs[self.kind][0]}")


@dataclass(frozen=True, slots=True)
class Dispute:
    """A dispute (or, with `original_creditor_request`, a request for the original creditor)."""

    person_id: str
    debt_id: str
    received_ts: dt.datetime
    in_writing: bool = False
    within_validation_period: bool = False
    resolved_ts: dt.datetime | None = None  # verification / answer sent
    original_creditor_request: bool = False

    def __post_init__(self) -> None:
        _aware(self.received_ts, "dispute: received_ts")
        _aware(self.resolved_ts, "dispute: resolved_ts")
        _ordered(self.received_ts, self.resolved_ts, "dispute")


@dataclass(frozen=True, slots=True)
class ForbearanceAssessment:
    """A recorded forbearance assessment (income & expenditure, options considered, outcome)."""

    person_id: str
    debt_id: str
    ts: dt.datetime
    advice_referral: bool = False  # the person was directed to free debt advice

    def __post_init__(self) -> None:
        _aware(self.ts, "forbearance assessment: ts")


@dataclass(frozen=True, slots=True)
class DebtTransferred:
    """The debt was sold or assigned to us; a transfer notice must precede collection (EU)."""

    debt_id: str
    ts: dt.datetime

    def __post_init__(self) -> None:
        _aware(self.ts, "debt transfer: ts")


@dataclass(frozen=True, slots=True)
class Status:
    """A status flag on a person (and optionally one debt), valid on [start_ts, end_ts)."""

    person_id: str
    flag: StatusFlag
    start_ts: dt.datetime
    end_ts: dt.datetime | None = None
    debt_id: str | None = None

    def __post_init__(self) -> None:
        _aware(self.start_ts, "status: start_ts")
        _aware(self.end_ts, "status: end_ts")
        _ordered(self.start_ts, self.end_ts, "status")


LedgerEvent: TypeAlias = (
    PersonFacts
    | CallAttempt
    | Conversation
    | MessageSent
    | Inbound
    | Consent
    | Designation
    | Dispute
    | ForbearanceAssessment
    | DebtTransferred
    | Status
)


@dataclass(frozen=True, slots=True)
class Override:
    """A supervisor lets blocked overridable rules through; the verdict stays labelled."""

    reason: OverrideReason
    supervisor_id: str
    controlled_by: str | None = None  # EXTERNAL_DEADLINE: who controls the deadline

    def __post_init__(self) -> None:
        if not self.supervisor_id:
            raise InvalidInput("an override needs the supervisor_id of whoever grants it")
        if self.reason is OverrideReason.EXTERNAL_DEADLINE and (
            not self.controlled_by or self.controlled_by.strip().lower() in {"collector", "us"}
        ):
            raise InvalidInput(
                "EXTERNAL_DEADLINE needs controlled_by naming who controls the deadline, and it "
                "must not be the collector (Reg F comment 14(b)(2)(ii)-2.iv)"
            )


@dataclass(frozen=True, slots=True)
class ContactRequest:
    """A planned contact to check: who, how, about which debts, why.

    `address` is the number, email, address id or handle the contact uses. For calls, texts and
    visits it must be one of the person's known points: its zone is what the hours rules read, so
    an unknown one blocks (the service adds dialled numbers to the person with their zones)."""

    person_id: str
    channel: Channel
    debt_ids: tuple[str, ...]
    address: str | None = None  # the number, email, address id or handle to be used
    purpose: Purpose = Purpose.COLLECTION
    discloses_debt: bool | None = None  # None: derived from the purpose
    has_opt_out_notice: bool = False  # electronic messages: the template carries an opt-out
    in_reply_to: str | None = None  # id of the inbound message this answers
    collectors: int = 1  # field visits: collectors assigned
    location_followup: bool = False  # third party asked us to call back / earlier answer wrong
    court_permission: bool = False
    override: Override | None = None
    request_id: str | None = None

    def __post_init__(self) -> None:
        if not self.person_id:
            raise InvalidInput("contact request: person_id must not be empty")
        if not self.debt_ids:
            raise InvalidInput(
                "contact request: name at least one debt the contact is about (US-CALL-ATTRIB)"
            )
        _ids(self.debt_ids, "contact request")
        if self.address is None and self.channel not in _NO_ADDRESS:
            raise InvalidInput(f"contact request: a {self.channel} needs the address it goes to")
        if self.purpose is Purpose.REPLY and not self.in_reply_to:
            raise InvalidInput("contact request: purpose reply needs in_reply_to")
        if self.collectors < 0:
            raise InvalidInput("contact request: collectors must not be negative")

    @property
    def disclosing(self) -> bool:
        if self.discloses_debt is not None:
            return self.discloses_debt
        return self.purpose in DISCLOSING
