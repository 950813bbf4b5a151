"""The ledger, indexed once for fast checks.

`Ledger.build(events)` groups the events by person and by debt and keeps, for each, sorted lists
of instants (µs) per the question a rule asks: counted calls per debt, telephone conversations
per debt, attempts per number, contacts per channel … A check then costs a dictionary lookup and
a few bisects. Events are validated while they are indexed; anything inconsistent raises
`InvalidInput` naming the event.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from arrears.domain.contact_policy.clock import (
    DAY,
    ZoneClock,
    day_number,
    to_us,
    utc_clock,
    weekday,
    zone_clock,
)
from arrears.domain.contact_policy.events import (
    CallAttempt,
    Consent,
    Conversation,
    DebtTransferred,
    Designation,
    Dispute,
    ForbearanceAssessment,
    Inbound,
    MessageSent,
    PersonFacts,
    Status,
)
from arrears.domain.contact_policy.vocab import (
    ANSWERED,
    NOT_CONNECTED,
    Channel,
    ConsentScope,
    ConversationMedium,
    DesignationKind,
    Initiator,
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
    from collections.abc import Iterable, KeysView, Mapping

    from arrears.domain.contact_policy.events import LedgerEvent, TimeWindow

ANY_DEBT: Final = "*"  # key of facts that concern every debt of a person
FOREVER: Final = 1 << 62  # an open end

# Reg F 1006.14(b)(3)(iii): calls to these persons never count toward the call frequencies
EXCLUDED_FROM_CALL_COUNTS: Final = frozenset(
    {
        Relation.CONSUMER_ATTORNEY,
        Relation.CRA,
        Relation.CREDITOR,
        Relation.CREDITOR_ATTORNEY,
        Relation.COLLECTOR_ATTORNEY,
    }
)
PERSONAL_POINTS: Final = frozenset({PointKind.HOME, PointKind.MOBILE})

_EMPTY_LIST: Final[list[int]] = []


@dataclass(frozen=True, slots=True)
class Interval:
    start: int
    end: int  # exclusive; FOREVER when open

    def holds(self, instant: int) -> bool:
        return self.start <= instant < self.end


@dataclass(frozen=True, slots=True)
class LocalWindow:
    """A `TimeWindow` in µs of local time of day and local day numbers, for fast checks."""

    start: int
    end: int
    weekdays: frozenset[int]
    first_day: int | None
    last_day: int | None

    @classmethod
    def of(cls, window: TimeWindow) -> LocalWindow:
        return cls(
            _time_us(window.start),
            _time_us(window.end),
            window.weekdays,
            None if window.first_date is None else day_number(window.first_date),
            None if window.last_date is None else day_number(window.last_date),
        )

    def _day_ok(self, day: int) -> bool:
        return (
            (not self.weekdays or weekday(day) in self.weekdays)
            and (self.first_day is None or day >= self.first_day)
            and (self.last_day is None or day <= self.last_day)
        )

    def blocked_until(self, local: int) -> int | None:
        """None when the local instant is outside the window, else the local instant at which
        this occurrence of the window ends."""
        day, time_of_day = divmod(local, DAY)
        if self.start < self.end:
            if self.start <= time_of_day < self.end and self._day_ok(day):
                return day * DAY + self.end
            return None
        # wraps past midnight (start == end: a whole day from `start`)
        if time_of_day >= self.start and self._day_ok(day):
            return (day + 1) * DAY + self.end
        if time_of_day < self.end and self._day_ok(day - 1):
            return day * DAY + self.end
        return None


def _time_us(value: dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


@dataclass(frozen=True, slots=True)
class DesignationView:
    kind: DesignationKind
    active: Interval
    debts: frozenset[str]  # empty = every debt
    windows: tuple[LocalWindow, ...]
    place: str | None
    channel: Channel | None
    address: str | None
    in_writing: bool

    def concerns(self, debts: tuple[str, ...]) -> bool:
        return not self.debts or any(debt in self.debts for debt in debts)


@dataclass(frozen=True, slots=True)
class ConsentView:
    scope: ConsentScope
    active: Interval
    debt: str | None
    address: str | None
    third_party_id: str | None


@dataclass(frozen=True, slots=True)
class StatusView:
    flag: StatusFlag
    active: Interval
    debt: str | None


@dataclass(frozen=True, slots=True)
class InboundView:
    instant: int
    channel: Channel
    address: str | None


@dataclass(frozen=True, slots=True)
class DisputeView:
    active: Interval  # received .. resolved
    in_writing: bool
    within_validation_period: bool
    original_creditor_request: bool


@dataclass(slots=True)
class DebtView:
    """Facts about one debt, whoever is contacted about it."""

    debt_id: str
    disputes: list[DisputeView] = field(default_factory=list)
    transfers: list[int] = field(default_factory=list)
    transfer_notices: list[int] = field(default_factory=list)
    forbearance: list[tuple[int, bool]] = field(default_factory=list)  # (instant, advice referral)


EMPTY_DEBT: Final = DebtView("")


class PersonView:
    """Everything the rules ask about one person, indexed (see the module docstring).

    Built once by `Ledger.build`; read-only afterwards by convention (lists are not copied for
    speed). Containers that are usually empty share one empty instance.
    """

    __slots__ = (
        "attempts",
        "by_channel",
        "call_consents",
        "calls",
        "completed",
        "consents",
        "consumer_id",
        "contacts",
        "conversations",
        "counted",
        "counted_any",
        "day_zones",
        "designations",
        "employer_emails",
        "general_conversations",
        "has_facts",
        "inbound",
        "ma_other",
        "ma_personal",
        "opt_out_confirmations",
        "our_conversations",
        "person_id",
        "phone_conversations",
        "points",
        "recent_calls",
        "relation",
        "replies",
        "role",
        "signals",
        "statuses",
        "unconnected",
        "used_addresses",
        "zone_unknown",
        "zones",
    )

    def __init__(self, person_id: str) -> None:
        self.person_id = person_id
        self.role: Role | None = None  # None: no person facts were given
        self.relation: Relation | None = None
        self.consumer_id: str | None = None
        self.zones: tuple[ZoneClock, ...] = ()
        self.zone_unknown = True
        self.day_zones: tuple[ZoneClock, ...] = (utc_clock(),)
        self.points: dict[str, PointKind] = {}
        self.employer_emails: frozenset[str] = frozenset()
        self.counted: dict[str, list[int]] = {}
        self.counted_any: list[int] = _EMPTY_LIST  # calls counted for at least one debt
        self.conversations: dict[str, list[int]] = {}
        self.phone_conversations: list[int] = _EMPTY_LIST  # all of them, any debt
        self.general_conversations: list[int] = _EMPTY_LIST
        self.call_consents: dict[str, list[Interval]] = {}
        self.attempts: dict[str, list[int]] = {}
        self.unconnected: dict[str, list[int]] = {}
        self.calls: list[int] = _EMPTY_LIST
        self.recent_calls: list[tuple[int, bool]] = []  # (instant, answered), sorted
        self.contacts: list[int] = _EMPTY_LIST
        self.by_channel: dict[Channel, list[int]] = {}
        self.our_conversations: list[int] = _EMPTY_LIST
        self.ma_personal: dict[str, list[int]] = {}
        self.ma_other: dict[str, list[int]] = {}
        self.signals: tuple[tuple[int, Signal], ...] = ()
        # conduct facts: the rules that read them are skipped when has_facts is False
        self.has_facts = False
        self.designations: tuple[DesignationView, ...] = ()
        self.consents: tuple[ConsentView, ...] = ()
        self.statuses: tuple[StatusView, ...] = ()
        self.inbound: dict[str, InboundView] = {}
        self.replies: dict[str, int] = {}  # inbound id -> first reply instant
        self.opt_out_confirmations: list[int] = _EMPTY_LIST
        self.completed: list[int] = _EMPTY_LIST  # completed communications with this person
        self.used_addresses: dict[str, int] = {}  # address the person wrote from -> first use

    def consumer_like(self, relations: frozenset[Relation]) -> bool:
        """A consumer, or a third party the law treats as one (e.g. a spouse under 1006.6(a))."""
        return self.role is Role.CONSUMER or (
            self.relation is not None and self.relation in relations
        )

    def consent_active(
        self,
        scope: ConsentScope,
        instant: int,
        *,
        debts: tuple[str, ...] = (),
        address: str | None = None,
    ) -> bool:
        for consent in self.consents:
            if (
                consent.scope is scope
                and consent.active.holds(instant)
                and (consent.debt is None or not debts or consent.debt in debts)
                and (consent.address is None or consent.address == address)
            ):
                return True
        return False

    def status_active(
        self, flag: StatusFlag, instant: int, debts: tuple[str, ...] = ()
    ) -> StatusView | None:
        for status in self.statuses:
            if (
                status.flag is flag
                and status.active.holds(instant)
                and (status.debt is None or not debts or status.debt in debts)
            ):
                return status
        return None


class Ledger:
    """Persons and debts with their indexed history. Build with `Ledger.build(events)`."""

    __slots__ = ("debt_ids", "debts", "persons", "size")

    def __init__(
        self, persons: dict[str, PersonView], debts: dict[str, DebtView], size: int
    ) -> None:
        self.persons: Mapping[str, PersonView] = persons  # read-only by convention
        self.debts: Mapping[str, DebtView] = debts
        self.debt_ids: KeysView[str] = debts.keys()  # debts with disputes, transfers, assessments
        self.size = size

    def person(self, person_id: str) -> PersonView:
        view = self.persons.get(person_id)
        if view is None:
            view = PersonView(person_id)  # unknown person: no zones, no history
        return view

    def debt(self, debt_id: str) -> DebtView:
        return self.debts.get(debt_id, EMPTY_DEBT)

    def has_debt_facts(self, debt_ids: tuple[str, ...]) -> bool:
        return not self.debt_ids.isdisjoint(debt_ids)

    @classmethod
    def build(cls, events: Iterable[LedgerEvent]) -> Ledger:
        return _Builder().build(events)


# ------------------------------------------------------------------------------------------ build


@dataclass(slots=True)
class _Raw:
    facts: PersonFacts | None = None
    calls: list[CallAttempt] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    messages: list[MessageSent] = field(default_factory=list)
    inbound: list[Inbound] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    designations: list[Designation] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)


def _end(value: dt.datetime | None) -> int:
    return FOREVER if value is None else to_us(value)


class _Builder:
    def __init__(self) -> None:
        self.raw: dict[str, _Raw] = {}
        self.debts: dict[str, DebtView] = {}
        self.calls_by_id: dict[str, CallAttempt] = {}
        self.seen_ids: set[tuple[str, str]] = set()
        self.size = 0

    def _person(self, person_id: str) -> _Raw:
        raw = self.raw.get(person_id)
        if raw is None:
            raw = self.raw[person_id] = _Raw()
        return raw

    def _debt(self, debt_id: str) -> DebtView:
        view = self.debts.get(debt_id)
        if view is None:
            view = self.debts[debt_id] = DebtView(debt_id)
        return view

    def _unique(self, kind: str, event_id: str) -> None:
        if not event_id:
            raise InvalidInput(f"{kind}: id must not be empty")
        key = (kind, event_id)
        if key in self.seen_ids:
            raise InvalidInput(f"{kind} {event_id!r} appears twice")
        self.seen_ids.add(key)

    def build(self, events: Iterable[LedgerEvent]) -> Ledger:
        for event in events:
            self.size += 1
            self._add(event)
        persons = {person_id: self._finish(person_id, raw) for person_id, raw in self.raw.items()}
        for debt in self.debts.values():
            debt.transfers.sort()
            debt.transfer_notices.sort()
            debt.forbearance.sort()
        return Ledger(persons, self.debts, self.size)

    def _add(self, event: LedgerEvent) -> None:
        match event:
            case CallAttempt():
                self._unique("call", event.id)
                self.calls_by_id[event.id] = event
                self._person(event.person_id).calls.append(event)
            case Conversation():
                self._unique("conversation", event.id)
                self._person(event.person_id).conversations.append(event)
            case MessageSent():
                self._unique("message", event.id)
                raw = self._person(event.person_id)
                raw.messages.append(event)
                if event.purpose is Purpose.TRANSFER_NOTICE and event.channel in {
                    Channel.LETTER,
                    Channel.EMAIL,
                }:
                    for debt_id in event.debt_ids:
                        self._debt(debt_id).transfer_notices.append(to_us(event.ts))
            case Inbound():
                self._unique("inbound", event.id)
                self._person(event.person_id).inbound.append(event)
            case PersonFacts():
                raw = self._person(event.person_id)
                if raw.facts is not None:
                    raise InvalidInput(f"person {event.person_id!r} is described twice")
                raw.facts = event
            case Consent():
                self._person(event.person_id).consents.append(event)
            case Designation():
                self._person(event.person_id).designations.append(event)
            case Status():
                self._person(event.person_id).statuses.append(event)
            case Dispute():
                self._person(event.person_id)
                self._debt(event.debt_id).disputes.append(
                    DisputeView(
                        Interval(to_us(event.received_ts), _end(event.resolved_ts)),
                        event.in_writing,
                        event.within_validation_period,
                        event.original_creditor_request,
                    )
                )
            case ForbearanceAssessment():
                self._debt(event.debt_id).forbearance.append(
                    (to_us(event.ts), event.advice_referral)
                )
            case DebtTransferred():
                self._debt(event.debt_id).transfers.append(to_us(event.ts))
            case _:
                raise InvalidInput(f"unknown ledger event {type(event).__name__}")

    # ------------------------------------------------------------------------------ per person

    def _finish(self, person_id: str, raw: _Raw) -> PersonView:
        view = PersonView(person_id)
        self._facts(view, raw.facts)
        calls = sorted(raw.calls, key=lambda call: call.ts)
        conversations = sorted(raw.conversations, key=lambda conv: conv.ts)
        discussed_on_call: dict[str, set[str]] = {}
        phone_conversations: list[tuple[int, frozenset[str]]] = []  # (instant, debts or empty)
        excluded = view.relation in EXCLUDED_FROM_CALL_COUNTS
        our: list[int] = []
        signals: list[tuple[int, Signal]] = []
        completed: list[int] = []
        for conv in conversations:
            instant = to_us(conv.ts)
            debts = set(conv.debts_discussed)
            completed.append(instant)
            signals.extend((instant, signal) for signal in conv.signals)
            if conv.call_id is not None:
                call = self.calls_by_id.get(conv.call_id)
                if call is None:
                    raise InvalidInput(f"conversation {conv.id}: unknown call_id {conv.call_id!r}")
                if call.person_id != person_id:
                    raise InvalidInput(
                        f"conversation {conv.id} is with {person_id!r} but call {call.id} "
                        f"went to {call.person_id!r}"
                    )
                if call.outcome not in ANSWERED:
                    raise InvalidInput(
                        f"conversation {conv.id}: call {call.id} ended {call.outcome}, "
                        "so no conversation can have taken place on it"
                    )
                discussed_on_call.setdefault(call.id, set()).update(debts)
                debts.update(call.attributed_debt_ids)  # cmt 14(b)(4)-2.vi
                if conv.initiated_by is Initiator.US:
                    our.append(instant)
            if conv.medium is ConversationMedium.PHONE and not excluded:
                phone_conversations.append((instant, frozenset(debts)))
        by_debt: dict[str, list[int]] = {}
        general: list[int] = []
        for instant, named in phone_conversations:
            if not named:
                general.append(instant)  # no debt named: counts for every debt (conservative)
            for debt in named:
                by_debt.setdefault(debt, []).append(instant)
        view.conversations = by_debt
        view.general_conversations = general or _EMPTY_LIST
        view.phone_conversations = [instant for instant, _ in phone_conversations] or _EMPTY_LIST
        view.our_conversations = sorted(our) or _EMPTY_LIST
        view.signals = tuple(sorted(signals))
        self._consents(view, raw.consents, phone_conversations)
        self._calls(view, calls, discussed_on_call, excluded=excluded)
        self._messages(view, raw.messages, completed)
        self._conduct(view, raw)
        return view

    def _facts(self, view: PersonView, facts: PersonFacts | None) -> None:
        if facts is None:
            return
        view.role = facts.role
        view.relation = facts.relation
        view.consumer_id = facts.consumer_id
        names: list[str] = []
        unknown = False
        for phone in facts.phones:
            view.points[phone.number] = phone.kind
            names.extend(phone.zones)
            unknown = unknown or not phone.zones
        for address in facts.addresses:
            view.points[address.address_id] = address.kind
            if address.zone:
                names.append(address.zone)
            else:
                unknown = True
        names.extend(facts.time_zones)
        view.employer_emails = frozenset(e.address for e in facts.emails if e.employer_provided)
        zones = tuple(zone_clock(name) for name in dict.fromkeys(names))
        view.zones = zones
        view.zone_unknown = unknown or not zones
        if zones:
            view.day_zones = zones

    def _consents(
        self,
        view: PersonView,
        consents: list[Consent],
        conversations: list[tuple[int, frozenset[str]]],
    ) -> None:
        windows: dict[str, list[Interval]] = {}
        other: list[ConsentView] = []
        for consent in consents:
            if not consent.direct:
                continue  # 1006.6(b)(4)(i) cmt 2: consent given to someone else does not count
            start = to_us(consent.received_ts)
            end = min(_end(consent.explicit_end), _end(consent.revoked_ts))
            if consent.scope is ConsentScope.CALLS:
                # the day of receipt is day 1 of 7, in every candidate zone (the earliest end wins)
                end = min(end, *(z.day_start(z.day(start) + 7) for z in view.day_zones))
                for instant, debts in conversations:  # the next conversation about the debt ends it
                    if instant > start and (
                        not debts or consent.debt_id is None or consent.debt_id in debts
                    ):
                        # +1 µs: the call that carried the conversation was still placed with
                        # consent (cmt 14(b)(3)(i)-3.ii)
                        end = min(end, instant + 1)
                        break
                if end > start:
                    key = consent.debt_id or ANY_DEBT
                    windows.setdefault(key, []).append(Interval(start, end))
            other.append(
                ConsentView(
                    consent.scope,
                    Interval(start, end),
                    consent.debt_id,
                    consent.address,
                    consent.third_party_id,
                )
            )
        for intervals in windows.values():
            intervals.sort(key=lambda interval: interval.start)
        view.call_consents = windows
        view.consents = tuple(other)

    def _calls(
        self,
        view: PersonView,
        calls: list[CallAttempt],
        discussed_on_call: dict[str, set[str]],
        *,
        excluded: bool,
    ) -> None:
        counted: dict[str, list[int]] = {}
        counted_any: list[int] = []
        attempts: dict[str, list[int]] = {}
        unconnected: dict[str, list[int]] = {}
        instants: list[int] = []
        recent: list[tuple[int, bool]] = []
        ma_personal: dict[str, list[int]] = {}
        ma_other: dict[str, list[int]] = {}
        consents = view.call_consents
        for call in calls:
            instant = to_us(call.ts)
            instants.append(instant)
            attempts.setdefault(call.number, []).append(instant)
            answered = call.outcome in ANSWERED
            recent.append((instant, answered))
            if not answered:
                unconnected.setdefault(call.number, []).append(instant)
            if excluded or call.outcome in NOT_CONNECTED:
                continue
            if call.owner_status is OwnerStatus.LATER_FOUND_WRONG:
                continue  # cmt 14(b)(2)(i)-3: not a call to this person at all
            debts = set(call.attributed_debt_ids) | discussed_on_call.get(call.id, set())
            ma = ma_personal if view.points.get(call.number) in PERSONAL_POINTS else ma_other
            any_counted = False
            for debt in debts:
                ma.setdefault(debt, []).append(instant)
                if not _inside(consents.get(debt), instant) and not _inside(
                    consents.get(ANY_DEBT), instant
                ):
                    counted.setdefault(debt, []).append(instant)
                    any_counted = True
            if any_counted:
                counted_any.append(instant)
        view.counted = counted
        view.counted_any = counted_any or _EMPTY_LIST
        view.attempts = attempts
        view.unconnected = unconnected
        view.calls = instants or _EMPTY_LIST
        view.recent_calls = recent
        view.ma_personal = ma_personal
        view.ma_other = ma_other
        if instants:
            view.by_channel[Channel.CALL] = instants

    def _messages(
        self, view: PersonView, messages: list[MessageSent], completed: list[int]
    ) -> None:
        contacts = list(view.calls)
        confirmations: list[int] = []
        for message in sorted(messages, key=lambda m: m.ts):
            instant = to_us(message.ts)
            contacts.append(instant)
            view.by_channel.setdefault(message.channel, []).append(instant)
            if message.channel is not Channel.VISIT:
                completed.append(instant)
            if message.purpose is Purpose.OPT_OUT_CONFIRMATION:
                confirmations.append(instant)
            if message.in_reply_to is not None:
                first = view.replies.get(message.in_reply_to)
                if first is None or instant < first:
                    view.replies[message.in_reply_to] = instant
            elif message.channel is Channel.SMS and message.address is not None:
                # Massachusetts counts collector-initiated texts like calls
                kind = view.points.get(message.address)
                ma = view.ma_personal if kind in PERSONAL_POINTS else view.ma_other
                for debt in message.debt_ids or (ANY_DEBT,):
                    insort(ma.setdefault(debt, []), instant)
        contacts.sort()
        view.contacts = contacts or _EMPTY_LIST
        view.opt_out_confirmations = confirmations or _EMPTY_LIST
        completed.sort()
        view.completed = completed or _EMPTY_LIST

    def _conduct(self, view: PersonView, raw: _Raw) -> None:
        view.designations = tuple(
            DesignationView(
                d.kind,
                # an attorney's consent to direct contact ends the attorney rule (1006.6(b)(2)(ii))
                Interval(
                    to_us(d.received_ts),
                    min(_end(d.withdrawn_ts), _end(d.attorney_consent_ts))
                    if d.kind is DesignationKind.ATTORNEY_REPRESENTED
                    else _end(d.withdrawn_ts),
                ),
                frozenset(d.debt_ids),
                tuple(LocalWindow.of(w) for w in d.windows),
                d.place,
                d.channel,
                d.address,
                d.in_writing,
            )
            for d in sorted(raw.designations, key=lambda d: d.received_ts)
        )
        view.statuses = tuple(
            StatusView(s.flag, Interval(to_us(s.start_ts), _end(s.end_ts)), s.debt_id)
            for s in raw.statuses
        )
        for inbound in raw.inbound:
            instant = to_us(inbound.ts)
            view.inbound[inbound.id] = InboundView(instant, inbound.channel, inbound.address)
            if inbound.address is not None:
                first = view.used_addresses.get(inbound.address)
                if first is None or instant < first:
                    view.used_addresses[inbound.address] = instant
        view.has_facts = bool(
            view.designations or view.consents or view.statuses or view.inbound or view.signals
        )


def _inside(windows: list[Interval] | None, instant: int) -> bool:
    if not windows:
        return False
    return any(window.start <= instant < window.end for window in windows)


__all__ = [
    "ANY_DEBT",
    "FOREVER",
    "ConsentView",
    "DebtView",
    "DesignationView",
    "DisputeView",
    "InboundView",
    "Interval",
    "Ledger",
    "LocalWindow",
    "PersonView",
    "StatusView",
]
