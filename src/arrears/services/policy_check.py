"""`arrears policy check`: JSON lines of history plus contact requests in, verdicts out.

The input format is docs/schemas/contact-events.schema.json (generated from the models below by
`contact_events_schema()`; a test keeps the file in step). One JSON object per line, each with a
`type`: the ledger events of the event model, and one or more `contact_request` lines. Every
problem (malformed JSON, unknown type or field, naive timestamp, unknown IANA zone, bad phone
number, inconsistent history) raises `InvalidInput` naming the line: a bad input never becomes
an allow.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Literal

import phonenumbers
from phonenumbers import timezone as phone_timezones
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from arrears.domain.contact_policy import (
    LANGUAGES,
    AddressFact,
    CallAttempt,
    Channel,
    Consent,
    ConsentScope,
    ContactRequest,
    Conversation,
    ConversationMedium,
    DebtTransferred,
    Designation,
    DesignationKind,
    Dispute,
    EmailFact,
    ForbearanceAssessment,
    Inbound,
    Initiator,
    Ledger,
    LedgerEvent,
    MessageSent,
    Outcome,
    Override,
    OverrideReason,
    OwnerStatus,
    PersonFacts,
    PhoneFact,
    PointKind,
    PolicyOptions,
    Purpose,
    Relation,
    Role,
    Signal,
    Status,
    StatusFlag,
    TimeWindow,
    build_policy,
)
from arrears.domain.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _iana(value: str) -> str:
    if value not in _zones():
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. America/New_York)")
    return value


def _e164(value: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise ValueError(f"{value!r} is not a phone number in E.164 form (+country code)") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"{value!r} is not a possible phone number")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _address(value: str) -> str:
    """Addresses compare exactly, so they are normalised: numbers (a leading +) to E.164,
    email addresses to lower case, anything else (address ids, handles) kept as given."""
    text = value.strip()
    if text.startswith("+"):
        return _e164(text)
    if "@" in text:
        return text.lower()
    return text


def phone_zones(e164: str) -> tuple[str, ...]:
    """The IANA zones phonenumbers associates with a number's prefix (empty when unknown)."""
    number = phonenumbers.parse(e164, None)
    return tuple(zone for zone in phone_timezones.time_zones_for_number(number) if zone in _zones())


Zone = Annotated[str, AfterValidator(_iana)]
Phone = Annotated[str, AfterValidator(_e164)]
Id = Annotated[str, Field(min_length=1, max_length=200)]
Address = Annotated[str, Field(min_length=1, max_length=320), AfterValidator(_address)]
Instant = AwareDatetime


class _Line(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PhoneIn(_Line):
    number: Phone
    kind: PointKind = PointKind.MOBILE
    time_zones: list[Zone] = Field(
        default_factory=list,
        description="zones known for this number besides those of its prefix",
    )


class AddressIn(_Line):
    address_id: Id
    kind: PointKind = PointKind.HOME
    time_zone: Zone | None = Field(None, description="null: unknown (contact is then blocked)")


class EmailIn(_Line):
    address: Address
    employer_provided: bool = False


class PersonLine(_Line):
    """Who a person is: role, relation to the consumer, and every contact point with zones."""

    type: Literal["person"]
    person_id: Id
    role: Role = Role.CONSUMER
    relation: Relation | None = None
    consumer_id: Id | None = None
    phones: list[PhoneIn] = Field(default_factory=list)
    addresses: list[AddressIn] = Field(default_factory=list)
    emails: list[EmailIn] = Field(default_factory=list)
    time_zones: list[Zone] = Field(default_factory=list)

    def domain(self, dialled: Iterable[str] = ()) -> PersonFacts:
        """`dialled`: numbers contact requests will use; one not listed among the phones still
        brings the zones of its prefix (every number is a candidate location)."""
        phones = [
            PhoneFact(
                p.number, p.kind, tuple(dict.fromkeys((*phone_zones(p.number), *p.time_zones)))
            )
            for p in self.phones
        ]
        listed = {p.number for p in self.phones}
        phones.extend(
            PhoneFact(n, PointKind.OTHER, phone_zones(n)) for n in sorted(set(dialled) - listed)
        )
        return PersonFacts(
            self.person_id,
            self.role,
            self.relation,
            self.consumer_id,
            tuple(phones),
            tuple(AddressFact(a.address_id, a.kind, a.time_zone) for a in self.addresses),
            tuple(EmailFact(e.address, e.employer_provided) for e in self.emails),
            tuple(self.time_zones),
        )


class CallAttemptLine(_Line):
    """An outbound call and how it ended; `attributed_debt_ids` per Reg F 1006.14(b)(4)."""

    type: Literal["call_attempt"]
    id: Id
    ts: Instant
    person_id: Id
    number: Phone
    attributed_debt_ids: list[Id] = Field(min_length=1)
    outcome: Outcome
    number_owner_status: OwnerStatus = OwnerStatus.CONSUMER
    override_reason: OverrideReason | None = None

    def domain(self) -> CallAttempt:
        return CallAttempt(
            self.id,
            self.ts,
            self.person_id,
            self.number,
            tuple(self.attributed_debt_ids),
            self.outcome,
            self.number_owner_status,
            self.override_reason,
        )


class ConversationLine(_Line):
    """A conversation; `debts_discussed` empty = general. `call_id` links it to our call."""

    type: Literal["conversation"]
    id: Id
    ts: Instant
    person_id: Id
    initiated_by: Initiator
    call_id: Id | None = None
    debts_discussed: list[Id] = Field(default_factory=list)
    medium: ConversationMedium = ConversationMedium.PHONE
    signals: list[Signal] = Field(default_factory=list)

    def domain(self) -> Conversation:
        return Conversation(
            self.id,
            self.ts,
            self.person_id,
            self.initiated_by,
            self.call_id,
            tuple(self.debts_discussed),
            self.medium,
            tuple(self.signals),
        )


class MessageSentLine(_Line):
    """Any outbound contact but a call: email, text, letter, postcard, social message, visit."""

    type: Literal["message_sent"]
    id: Id
    ts: Instant = Field(description="when it was sent (ts_sent)")
    person_id: Id
    channel: Channel
    debt_ids: list[Id] = Field(default_factory=list)
    address: Address | None = None
    purpose: Purpose = Purpose.COLLECTION
    in_reply_to: Id | None = None
    template_id: Id | None = None

    def domain(self) -> MessageSent:
        return MessageSent(
            self.id,
            self.ts,
            self.person_id,
            self.channel,
            tuple(self.debt_ids),
            self.address,
            self.purpose,
            self.in_reply_to,
            self.template_id,
        )


class InboundLine(_Line):
    """The person contacted us: opens the one-reply exceptions."""

    type: Literal["inbound"]
    id: Id
    ts: Instant
    person_id: Id
    channel: Channel
    address: Address | None = None

    def domain(self) -> Inbound:
        return Inbound(self.id, self.ts, self.person_id, self.channel, self.address)


class ConsentLine(_Line):
    """Prior consent; `debt_id` null = every debt."""

    type: Literal["consent"]
    person_id: Id
    scope: ConsentScope
    received_ts: Instant
    received_via: Channel | None = None
    debt_id: Id | None = None
    direct: bool = True
    explicit_end: Instant | None = None
    revoked_ts: Instant | None = None
    address: Address | None = None
    third_party_id: Id | None = None

    def domain(self) -> Consent:
        return Consent(
            self.person_id,
            self.scope,
            self.received_ts,
            self.debt_id,
            self.direct,
            self.explicit_end,
            self.revoked_ts,
            self.address,
            self.third_party_id,
        )


class WindowIn(_Line):
    start: dt.time = Field(description="local wall-clock time, e.g. 15:00")
    end: dt.time = Field(description="end (exclusive); end <= start wraps past midnight")
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        default_factory=list, description="0 = Monday … 6 = Sunday; empty = every day"
    )
    first_date: dt.date | None = None
    last_date: dt.date | None = None


class DesignationLine(_Line):
    """What a person told us that limits contact (until `withdrawn_ts`)."""

    type: Literal["designation"]
    person_id: Id
    kind: DesignationKind
    received_ts: Instant
    withdrawn_ts: Instant | None = None
    debt_ids: list[Id] = Field(default_factory=list, description="empty = every debt")
    windows: list[WindowIn] = Field(default_factory=list)
    place: Address | None = Field(None, description="home, work, or an address id / number")
    channel: Channel | None = None
    address: Address | None = None
    in_writing: bool = False
    attorney_consent_ts: Instant | None = None

    def domain(self) -> Designation:
        windows = tuple(
            TimeWindow(w.start, w.end, frozenset(w.weekdays), w.first_date, w.last_date)
            for w in self.windows
        )
        return Designation(
            self.person_id,
            self.kind,
            self.received_ts,
            self.withdrawn_ts,
            tuple(self.debt_ids),
            windows,
            self.place,
            self.channel,
            self.address,
            self.in_writing,
            self.attorney_consent_ts,
        )


class DisputeLine(_Line):
    """A dispute, or (type oc_request) a request for the original creditor's name and address."""

    type: Literal["dispute", "oc_request"]
    person_id: Id
    debt_id: Id
    received_ts: Instant
    medium: Channel | None = None
    in_writing: bool = False
    within_validation_period: bool = False
    resolved_ts: Instant | None = None

    def domain(self) -> Dispute:
        return Dispute(
            self.person_id,
            self.debt_id,
            self.received_ts,
            self.in_writing,
            self.within_validation_period,
            self.resolved_ts,
            original_creditor_request=self.type == "oc_request",
        )


class ForbearanceLine(_Line):
    type: Literal["forbearance_assessment"]
    person_id: Id
    debt_id: Id
    ts: Instant
    advice_referral: bool = False

    def domain(self) -> ForbearanceAssessment:
        return ForbearanceAssessment(self.person_id, self.debt_id, self.ts, self.advice_referral)


class DebtTransferredLine(_Line):
    type: Literal["debt_transferred"]
    debt_id: Id
    ts: Instant

    def domain(self) -> DebtTransferred:
        return DebtTransferred(self.debt_id, self.ts)


class StatusLine(_Line):
    """A status flag valid on [start_ts, end_ts) for a person (and optionally one debt)."""

    type: Literal["status"]
    person_id: Id
    flag: StatusFlag
    start_ts: Instant
    end_ts: Instant | None = None
    debt_id: Id | None = None

    def domain(self) -> Status:
        return Status(self.person_id, self.flag, self.start_ts, self.end_ts, self.debt_id)


class OverrideIn(_Line):
    reason: OverrideReason
    supervisor_id: Id
    controlled_by: Id | None = None


class ContactRequestLine(_Line):
    """A planned contact to check. `at`: its instant (else --now, else the current time)."""

    type: Literal["contact_request"]
    request_id: Id | None = None
    at: Instant | None = None
    person_id: Id
    channel: Channel
    debt_ids: list[Id] = Field(min_length=1)
    address: Address | None = None
    purpose: Purpose = Purpose.COLLECTION
    discloses_debt: bool | None = None
    has_opt_out_notice: bool = False
    in_reply_to: Id | None = None
    collectors: Annotated[int, Field(ge=0)] = 1
    location_followup: bool = False
    court_permission: bool = False
    override: OverrideIn | None = None

    @model_validator(mode="after")
    def _numbers_for_phones(self) -> ContactRequestLine:
        if self.channel in {Channel.CALL, Channel.SMS} and not (self.address or "").startswith("+"):
            raise ValueError(f"a {self.channel} needs an E.164 phone number as address")
        return self

    def domain(self) -> ContactRequest:
        override = None
        if self.override is not None:
            override = Override(
                self.override.reason, self.override.supervisor_id, self.override.controlled_by
            )
        return ContactRequest(
            self.person_id,
            self.channel,
            tuple(self.debt_ids),
            self.address,
            self.purpose,
            self.discloses_debt,
            self.has_opt_out_notice,
            self.in_reply_to,
            self.collectors,
            self.location_followup,
            self.court_permission,
            override,
            self.request_id,
        )


EventLine = (
    PersonLine
    | CallAttemptLine
    | ConversationLine
    | MessageSentLine
    | InboundLine
    | ConsentLine
    | DesignationLine
    | DisputeLine
    | ForbearanceLine
    | DebtTransferredLine
    | StatusLine
)
InputLine = Annotated[EventLine | ContactRequestLine, Field(discriminator="type")]
_ADAPTER: TypeAdapter[Any] = TypeAdapter(InputLine)
LINE_TYPES = (
    "person",
    "call_attempt",
    "conversation",
    "message_sent",
    "inbound",
    "consent",
    "designation",
    "dispute",
    "oc_request",
    "forbearance_assessment",
    "debt_transferred",
    "status",
    "contact_request",
)


def contact_events_schema() -> dict[str, Any]:
    """The JSON Schema of one input line (docs/schemas/contact-events.schema.json)."""
    schema = _ADAPTER.json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "arrears contact-policy input line",
        "description": (
            "One JSON object per line: ledger events (the event model of COMPLIANCE-RULES.md "
            "1.1) and contact_request lines, checked by `arrears policy check`. Timestamps are "
            "ISO 8601 with an offset (naive ones are refused); zones are IANA names; phone "
            "numbers are E.164."
        ),
        **schema,
    }


# ----------------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class PlannedContact:
    where: str  # source:line
    request: ContactRequest
    at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ParsedInput:
    events: tuple[LedgerEvent, ...]
    requests: tuple[PlannedContact, ...]


def _describe(error: ValidationError, kind: str) -> str:
    parts = []
    for item in error.errors()[:3]:
        loc = item["loc"][1:] if item["loc"][:1] == (kind,) else item["loc"]
        where = ".".join(str(part) for part in loc)
        kind = item["type"]
        if kind == "timezone_aware":
            text = "timestamp has no time zone offset (naive timestamps are refused)"
        elif kind == "extra_forbidden":
            text = "unknown field"
        else:
            text = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {text}" if where else text)
    more = len(error.errors()) - 3
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def validate_line(text: str, where: str) -> Any:
    """One JSON line → its validated line model; bad input raises InvalidInput naming `where`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"{where}: malformed JSON ({error.msg} at column {error.colno})"
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: each line must be a JSON object")
    kind = data.get("type")
    if kind not in LINE_TYPES:
        raise InvalidInput(
            f"{where}: unknown event type {kind!r} (expected one of: {', '.join(LINE_TYPES)})"
        )
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as error:
        raise InvalidInput(f"{where}: {kind}: {_describe(error, kind)}") from None


def parse_lines(lines: Iterable[str], *, source: str = "input") -> ParsedInput:
    """Validate every line; the first bad one raises InvalidInput naming `source:line`."""
    parsed = [
        (where, validate_line(text, where))
        for number, raw in enumerate(lines, start=1)
        if (text := raw.strip()) and (where := f"{source}:{number}")
    ]
    dialled: dict[str, set[str]] = {}
    for _, line in parsed:
        if isinstance(line, ContactRequestLine) and line.channel in {Channel.CALL, Channel.SMS}:
            dialled.setdefault(line.person_id, set()).add(line.address or "")
    events: list[LedgerEvent] = []
    requests: list[PlannedContact] = []
    for where, line in parsed:
        try:
            if isinstance(line, PersonLine):
                events.append(line.domain(dialled.get(line.person_id, ())))
            elif isinstance(line, ContactRequestLine):
                requests.append(PlannedContact(where, line.domain(), line.at))
            else:
                events.append(line.domain())
        except (InvalidInput, ValueError) as error:
            detail = error.message if isinstance(error, InvalidInput) else str(error)
            raise InvalidInput(f"{where}: {line.type}: {detail}") from None
    if not requests:
        raise InvalidInput(f"{source}: no contact_request line: nothing to check")
    return ParsedInput(tuple(events), tuple(requests))


def check_lines(
    lines: Iterable[str],
    *,
    presets: Sequence[str],
    now: dt.datetime | None,
    lang: str = "en",
    options: PolicyOptions | None = None,
    source: str = "input",
) -> list[dict[str, Any]]:
    """Parse, index, check every contact request; one verdict dictionary per request.

    A request is checked at its own `at`, else at `now`; with neither, it is an error."""
    if lang not in LANGUAGES:
        raise InvalidInput(f"unknown language {lang!r} (expected one of: {', '.join(LANGUAGES)})")
    if now is not None and (now.tzinfo is None or now.utcoffset() is None):
        raise InvalidInput(f"--now {now.isoformat()} has no time zone offset")
    policy = build_policy(presets, options)
    parsed = parse_lines(lines, source=source)
    try:
        ledger = Ledger.build(parsed.events)
    except InvalidInput as error:
        raise InvalidInput(f"{source}: {error.message}") from None
    verdicts = []
    for planned in parsed.requests:
        at = planned.at or now
        if at is None:
            raise InvalidInput(
                f"{planned.where}: contact_request has no `at` and no --now was given"
            )
        verdicts.append(policy.check(ledger, planned.request, at).to_dict(lang))
    return verdicts


__all__ = [
    "ContactRequestLine",
    "ParsedInput",
    "PlannedContact",
    "check_lines",
    "contact_events_schema",
    "parse_lines",
    "phone_zones",
    "validate_line",
]
