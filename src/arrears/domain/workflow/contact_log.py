"""Contact logging: outcome codes, an append-only log per case, and the "no fake records" check.

- A record is never changed or deleted. A correction is a new record that `amends` the one it
  corrects and says why; the log shows the latest version of each chain and keeps every version.
- Every record has exactly one *reach* outcome (how far the attempt got) and any number of
  *result* outcomes (what came of a conversation), checked against channel and party.
- Seed 004 forbids false records ("不可做假記錄"): a logged call, and any outbound contact, must
  reference an attempt that the system planned or the dialer reported. Records that do not are
  flagged for review (they are kept: deleting them would be a second falsification).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from arrears.domain.workflow.errors import InvalidContactRecord
from arrears.domain.workflow.vocab import Channel, ContactPurpose, Direction, TargetKind

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


class Outcome(StrEnum):
    # reach: exactly one per record
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"
    WRONG_NUMBER = "wrong_number"
    NOT_IN_SERVICE = "not_in_service"
    SENT = "sent"
    UNDELIVERED = "undelivered"
    NOT_HOME = "not_home"
    RIGHT_PARTY_CONTACT = "right_party_contact"
    THIRD_PARTY = "third_party"
    # results of a conversation
    PROMISE = "promise"
    HARDSHIP = "hardship"
    DISPUTE = "dispute"
    REFUSED = "refused"
    PAYMENT_CLAIMED = "payment_claimed"
    THREAT = "threat"
    ABUSIVE = "abusive"
    CALLBACK_REQUESTED = "callback_requested"
    CEASE_REQUESTED = "cease_requested"
    NEW_CONTACT_INFO = "new_contact_info"
    DECEASED = "deceased"
    HUNG_UP = "hung_up"


CONVERSATION = frozenset({Outcome.RIGHT_PARTY_CONTACT, Outcome.THIRD_PARTY})
REACH_BY_CHANNEL: Mapping[Channel, frozenset[Outcome]] = {
    Channel.CALL: frozenset(
        {
            Outcome.NO_ANSWER,
            Outcome.BUSY,
            Outcome.VOICEMAIL,
            Outcome.WRONG_NUMBER,
            Outcome.NOT_IN_SERVICE,
            *CONVERSATION,
        }
    ),
    Channel.SMS: frozenset({Outcome.SENT, Outcome.UNDELIVERED, Outcome.WRONG_NUMBER}),
    Channel.EMAIL: frozenset({Outcome.SENT, Outcome.UNDELIVERED}),
    Channel.LETTER: frozenset({Outcome.SENT, Outcome.UNDELIVERED}),
    Channel.VISIT: frozenset({Outcome.NOT_HOME, Outcome.UNDELIVERED, *CONVERSATION}),
}
REACH = frozenset().union(*REACH_BY_CHANNEL.values())
RESULTS = frozenset(Outcome) - REACH
# results that only a liable party (the debtor, or a guarantor asked to honour a guarantee) gives
LIABLE_PARTY_RESULTS = frozenset(
    {
        Outcome.PROMISE,
        Outcome.HARDSHIP,
        Outcome.DISPUTE,
        Outcome.REFUSED,
        Outcome.PAYMENT_CLAIMED,
        Outcome.THREAT,
    }
)
INVALID_ADDRESS = frozenset({Outcome.WRONG_NUMBER, Outcome.NOT_IN_SERVICE, Outcome.UNDELIVERED})
# outcomes that need a supervisor at once (seed 002 item 14: "再催我就不還了" -> report upwards)
SUPERVISOR_NOW = frozenset({Outcome.THREAT})


def _aware(value: dt.datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidContactRecord(f"{what} has no time zone (naive timestamps are refused)")


@dataclass(frozen=True, slots=True)
class ContactRecord:
    record_id: str
    case_id: str
    at: dt.datetime  # when the contact happened (tz-aware)
    logged_at: dt.datetime  # when it was written (tz-aware)
    channel: Channel
    direction: Direction
    address: str  # the number, email or postal address id used
    party: TargetKind
    party_id: str
    purpose: ContactPurpose
    outcomes: tuple[Outcome, ...]
    collector_id: str
    notes: str = ""
    talk_track: str | None = None
    duration_seconds: int | None = None
    attempt_id: str | None = None  # the planned or dialer-reported attempt this records
    amends: str | None = None  # the record this one corrects
    amend_reason: str | None = None

    def __post_init__(self) -> None:
        where = f"contact {self.record_id}"
        if not self.record_id or not self.case_id:
            raise InvalidContactRecord("a contact record needs a record_id and a case_id")
        _aware(self.at, f"{where}: at")
        _aware(self.logged_at, f"{where}: logged_at")
        if self.logged_at < self.at:
            raise InvalidContactRecord(f"{where}: logged before it happened")
        object.__setattr__(self, "outcomes", tuple(dict.fromkeys(self.outcomes)))
        reach = [o for o in self.outcomes if o in REACH]
        if len(reach) != 1:
            raise InvalidContactRecord(
                f"{where}: exactly one reach outcome is needed, got {[str(o) for o in reach]}"
            )
        if reach[0] not in REACH_BY_CHANNEL[self.channel]:
            raise InvalidContactRecord(f"{where}: {reach[0]} is not an outcome of a {self.channel}")
        results = [o for o in self.outcomes if o in RESULTS]
        if results and reach[0] not in CONVERSATION:
            raise InvalidContactRecord(
                f"{where}: {[str(o) for o in results]} need a conversation, the reach was "
                f"{reach[0]}"
            )
        self._check_party(reach[0], results)
        if self.duration_seconds is not None and (
            self.duration_seconds < 0 or self.channel not in {Channel.CALL, Channel.VISIT}
        ):
            raise InvalidContactRecord(f"{where}: a duration belongs to calls and visits only")
        if (self.amends is None) != (self.amend_reason is None) or (
            self.amend_reason is not None and not self.amend_reason.strip()
        ):
            raise InvalidContactRecord(f"{where}: a correction names the record and its reason")

    def _check_party(self, reach: Outcome, results: list[Outcome]) -> None:
        where = f"contact {self.record_id}"
        allowed = {
            TargetKind.REFERENCE: {ContactPurpose.LOCATION_ONLY},
            TargetKind.GUARANTOR: {ContactPurpose.LOCATION_ONLY, ContactPurpose.GUARANTEE},
        }.get(self.party, {ContactPurpose.DEBT})
        if self.purpose not in allowed:
            raise InvalidContactRecord(
                f"{where}: a {self.party} cannot be contacted for {self.purpose}"
            )
        liable = self.party.is_borrower or self.purpose is ContactPurpose.GUARANTEE
        if reach is Outcome.RIGHT_PARTY_CONTACT and not liable:
            raise InvalidContactRecord(
                f"{where}: a {self.party} contacted for {self.purpose} is a third party"
            )
        leaked = [str(o) for o in results if o in LIABLE_PARTY_RESULTS]
        if leaked and reach is not Outcome.RIGHT_PARTY_CONTACT:
            raise InvalidContactRecord(f"{where}: {leaked} can only come from the right party")

    @property
    def reach(self) -> Outcome:
        return next(o for o in self.outcomes if o in REACH)

    @property
    def is_right_party_contact(self) -> bool:
        return Outcome.RIGHT_PARTY_CONTACT in self.outcomes

    @property
    def needs_attempt(self) -> bool:
        """Calls (either way) and every outbound contact must point at a known attempt."""
        return self.channel is Channel.CALL or self.direction is Direction.OUTBOUND

    @property
    def needs_supervisor(self) -> bool:
        return any(o in SUPERVISOR_NOW for o in self.outcomes)


@dataclass(frozen=True, slots=True)
class ContactLog:
    """One case's contact records, append-only."""

    case_id: str
    records: tuple[ContactRecord, ...] = ()

    def __post_init__(self) -> None:
        seen: set[str] = set()
        corrected: set[str] = set()
        for record in self.records:
            _check_append(self.case_id, seen, corrected, record)
            seen.add(record.record_id)
            if record.amends is not None:
                corrected.add(record.amends)

    def _by_id(self) -> dict[str, ContactRecord]:
        return {r.record_id: r for r in self.records}

    def append(self, record: ContactRecord) -> ContactLog:
        """A new log with the record added; the record must not rewrite history."""
        return ContactLog(self.case_id, (*self.records, record))

    def current(self) -> tuple[ContactRecord, ...]:
        """The latest version of each record, in the order the contacts happened."""
        amended = {r.amends for r in self.records if r.amends is not None}
        heads = [r for r in self.records if r.record_id not in amended]
        return tuple(sorted(heads, key=lambda r: (r.at, r.record_id)))

    def versions(self, record_id: str) -> tuple[ContactRecord, ...]:
        """Every version of a record, the original first."""
        known = self._by_id()
        if record_id not in known:
            raise InvalidContactRecord(f"contact {record_id} is not logged")
        chain = [known[record_id]]
        while chain[0].amends is not None:
            chain.insert(0, known[chain[0].amends])
        successor = {r.amends: r for r in self.records if r.amends is not None}
        while chain[-1].record_id in successor:
            chain.append(successor[chain[-1].record_id])
        return tuple(chain)

    def original_id(self, record: ContactRecord) -> str:
        return self.versions(record.record_id)[0].record_id


def _check_append(case_id: str, seen: set[str], corrected: set[str], record: ContactRecord) -> None:
    if record.case_id != case_id:
        raise InvalidContactRecord(
            f"contact {record.record_id} belongs to case {record.case_id}, not {case_id}"
        )
    if record.record_id in seen:
        raise InvalidContactRecord(f"contact {record.record_id} is already logged")
    if record.amends is not None:
        if record.amends not in seen:
            raise InvalidContactRecord(
                f"contact {record.record_id} corrects {record.amends}, which is not logged"
            )
        if record.amends in corrected:
            raise InvalidContactRecord(
                f"{record.amends} was already corrected: correct the latest version"
            )


class AttemptSource(StrEnum):
    PLANNED = "planned"  # the nightly cycle or a collector's worklist planned it
    DIALER = "dialer"  # the dialer or phone system reported it (inbound calls too)


@dataclass(frozen=True, slots=True)
class KnownAttempt:
    attempt_id: str
    source: AttemptSource
    case_id: str
    channel: Channel


class FlagCode(StrEnum):
    NO_ATTEMPT = "no_attempt"  # free-floating: references nothing
    UNKNOWN_ATTEMPT = "unknown_attempt"  # references an attempt nobody planned or reported
    OTHER_CASE = "other_case"
    CHANNEL_MISMATCH = "channel_mismatch"
    ATTEMPT_REUSED = "attempt_reused"  # two different contacts claim the same attempt


@dataclass(frozen=True, slots=True)
class ReferenceFlag:
    record_id: str
    code: FlagCode
    detail: str


def reference_flags(
    log: ContactLog, known: Mapping[str, KnownAttempt]
) -> tuple[ReferenceFlag, ...]:
    """Flag records that do not trace back to a planned or dialer-reported attempt.

    Checked on the current version of each record; versions of one record may share an attempt.
    """
    flags: list[ReferenceFlag] = []
    claimed: dict[str, str] = {}
    for record in log.current():
        if not record.needs_attempt:
            continue
        rid = record.record_id
        if record.attempt_id is None:
            flags.append(ReferenceFlag(rid, FlagCode.NO_ATTEMPT, "references no attempt"))
            continue
        attempt = known.get(record.attempt_id)
        if attempt is None:
            flags.append(
                ReferenceFlag(
                    rid,
                    FlagCode.UNKNOWN_ATTEMPT,
                    f"attempt {record.attempt_id} was neither planned nor reported by the dialer",
                )
            )
            continue
        if attempt.case_id != record.case_id:
            flags.append(
                ReferenceFlag(rid, FlagCode.OTHER_CASE, f"attempt is for case {attempt.case_id}")
            )
        if attempt.channel is not record.channel:
            flags.append(
                ReferenceFlag(
                    rid,
                    FlagCode.CHANNEL_MISMATCH,
                    f"attempt was a {attempt.channel}, the record a {record.channel}",
                )
            )
        first = claimed.setdefault(record.attempt_id, rid)
        if first != rid:
            flags.append(
                ReferenceFlag(
                    rid, FlagCode.ATTEMPT_REUSED, f"attempt {record.attempt_id} is also {first}"
                )
            )
    return tuple(flags)


@dataclass(frozen=True, slots=True)
class ContactSummary:
    """What the log says about reaching the debtor, as of a business date."""

    attempts_in_window: int
    right_party_contacts_in_window: int
    last_right_party_contact: dt.date | None
    attempts_since_right_party_contact: int
    invalid_addresses: frozenset[str]
    last_outcome_on: Mapping[Outcome, dt.date]  # from contacts with the borrower
    last_third_party_outcome_on: Mapping[Outcome, dt.date]  # references, guarantors

    def last(self, outcome: Outcome) -> dt.date | None:
        return self.last_outcome_on.get(outcome)


def summarize(
    records: Iterable[ContactRecord], *, as_of: dt.date, window_days: int, tz: dt.tzinfo
) -> ContactSummary:
    """Summarise current records up to the close of `as_of` (dates read in zone `tz`)."""
    start = as_of - dt.timedelta(days=window_days - 1)
    ordered = sorted(
        (r for r in records if r.at.astimezone(tz).date() <= as_of),
        key=lambda r: (r.at, r.record_id),
    )
    attempts = rpcs = since_rpc = 0
    last_rpc: dt.date | None = None
    last_seen: dict[Outcome, dt.date] = {}
    last_seen_others: dict[Outcome, dt.date] = {}
    latest_by_address: dict[str, Outcome] = {}
    for record in ordered:
        day = record.at.astimezone(tz).date()
        to_borrower = record.party.is_borrower
        for outcome in record.outcomes:
            (last_seen if to_borrower else last_seen_others)[outcome] = day
        if to_borrower:
            latest_by_address[record.address] = record.reach
        outbound = record.direction is Direction.OUTBOUND and to_borrower
        if outbound and day >= start:
            attempts += 1
        if record.is_right_party_contact and to_borrower:
            last_rpc = day
            since_rpc = 0
            if day >= start:
                rpcs += 1
        elif outbound:
            since_rpc += 1
    invalid = frozenset(a for a, reach in latest_by_address.items() if reach in INVALID_ADDRESS)
    return ContactSummary(
        attempts_in_window=attempts,
        right_party_contacts_in_window=rpcs,
        last_right_party_contact=last_rpc,
        attempts_since_right_party_contact=since_rpc,
        invalid_addresses=invalid,
        last_outcome_on=last_seen,
        last_third_party_outcome_on=last_seen_others,
    )
