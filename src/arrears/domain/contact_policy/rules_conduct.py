"""Rules about whom, where and through what: designations, holds, third parties, media, gates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arrears.domain.contact_policy.base import (
    MAX_ROUNDS,
    Ctx,
    Needs,
    Rule,
    lifted_later,
    reply_allowed,
)
from arrears.domain.contact_policy.clock import DAY
from arrears.domain.contact_policy.ledger import FOREVER, DesignationView, PersonView
from arrears.domain.contact_policy.verdict import Finding, RuleInfo
from arrears.domain.contact_policy.vocab import (
    CONTACT_CHANNELS,
    ELECTRONIC,
    Channel,
    ConsentScope,
    DesignationKind,
    Effect,
    PointKind,
    Purpose,
    Relation,
    Role,
    StatusFlag,
)

if TYPE_CHECKING:
    from arrears.domain.contact_policy.ledger import Ledger

ALL_CHANNELS: Final = frozenset(Channel)
PLACE_BOUND_MAIL: Final = frozenset({Channel.LETTER, Channel.POSTCARD, Channel.VISIT})
PLACE_BOUND_KINDS: Final = frozenset({PointKind.HOME, PointKind.WORK})
MEDIUM_GROUPS: Final = {
    Channel.CALL: frozenset({Channel.CALL}),
    Channel.SMS: frozenset({Channel.SMS}),
    Channel.EMAIL: frozenset({Channel.EMAIL}),
    Channel.LETTER: frozenset({Channel.LETTER, Channel.POSTCARD}),
    Channel.POSTCARD: frozenset({Channel.LETTER, Channel.POSTCARD}),
    Channel.SOCIAL_PRIVATE: frozenset({Channel.SOCIAL_PRIVATE, Channel.SOCIAL_PUBLIC}),
    Channel.SOCIAL_PUBLIC: frozenset({Channel.SOCIAL_PRIVATE, Channel.SOCIAL_PUBLIC}),
    Channel.VISIT: frozenset({Channel.VISIT}),
    Channel.ACTION: frozenset(),
}
CEASE_KINDS: Final = frozenset({DesignationKind.CEASE_COMMUNICATION, DesignationKind.REFUSE_TO_PAY})


def _end(interval_end: int) -> int | None:
    return None if interval_end >= FOREVER else interval_end


def _active(
    person: PersonView, kinds: frozenset[DesignationKind], t: int, debts: tuple[str, ...]
) -> list[DesignationView]:
    return [
        d
        for d in person.designations
        if d.kind in kinds and d.active.holds(t) and d.concerns(debts)
    ]


def _latest_end(found: list[DesignationView]) -> int | None:
    ends = [d.active.end for d in found]
    return _end(max(ends))


def subjects(ctx: Ctx) -> tuple[PersonView, ...]:
    """The person contacted and, for a third party, the consumer the contact is about."""
    person = ctx.person
    if person.consumer_id:
        return (person, ctx.ledger.person(person.consumer_id))
    return (person,)


_TIME: Final = frozenset({DesignationKind.INCONVENIENT_TIME})
_PLACE: Final = frozenset({DesignationKind.INCONVENIENT_PLACE})
_MEDIUM: Final = frozenset({DesignationKind.MEDIUM_OPT_OUT, DesignationKind.ADDRESS_OPT_OUT})
_EMPLOYER: Final = frozenset({DesignationKind.EMPLOYER_PROHIBITS})
_ATTORNEY: Final = frozenset({DesignationKind.ATTORNEY_REPRESENTED})
_REFUSES: Final = frozenset({DesignationKind.REFUSES_CONTACT, DesignationKind.CEASE_COMMUNICATION})


class DesignatedTimes(Rule):
    """US-TIME-DESIG / UK-PREFS: times the person called inconvenient, in every candidate zone,
    until withdrawn; one reply to a consumer-initiated message is allowed (US)."""

    __slots__ = ("reply_exception",)
    needs = Needs.PERSON_FACTS
    default_channels = CONTACT_CHANNELS - {Channel.LETTER, Channel.POSTCARD}

    def __init__(self, info: RuleInfo, *, reply_exception: bool) -> None:
        super().__init__(info)
        self.reply_exception = reply_exception

    def _blocked_to(self, person: PersonView, found: list[DesignationView], t: int) -> int | None:
        """None when no window covers t; else the instant the covering windows end (max)."""
        best = None
        for designation in found:
            if not designation.active.holds(t):
                continue
            for zone in person.day_zones:
                local = zone.local(t)
                for window in designation.windows:
                    end = window.blocked_until(local)
                    if end is not None:
                        candidate = min(zone.first_at_or_after(t, end), designation.active.end)
                        best = candidate if best is None else max(best, candidate)
        return best

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        person = ctx.person
        if not person.designations:
            return None
        found = [
            d
            for d in person.designations
            if d.kind is DesignationKind.INCONVENIENT_TIME and d.concerns(ctx.request.debt_ids)
        ]
        if not found or self._blocked_to(person, found, t) is None:
            return None
        if self.reply_exception and reply_allowed(ctx, t):
            return None
        if person.consent_active(ConsentScope.TIME, t, debts=ctx.request.debt_ids):
            return None
        until = lifted_later(
            person, ConsentScope.TIME, t, ctx.request.debt_ids, self._release(person, found, t)
        )
        return Finding(self.info, "designated_time", {}, until)

    def _release(self, person: PersonView, found: list[DesignationView], t: int) -> int | None:
        """Step from window end to window end until no window covers the instant."""
        moment = t
        for _ in range(MAX_ROUNDS):
            step = self._blocked_to(person, found, moment)
            if step is None:
                return moment
            if step >= FOREVER or step - t > 1100 * DAY:
                return None  # every day, all day, with no withdrawal in sight
            moment = step
        return None


class DesignatedPlaces(Rule):
    """US-PLACE / UK-PREFS: media bound to a place the person called inconvenient (landlines,
    mail and visits to that address); mobiles and email are not bound to a place."""

    __slots__ = ("reply_exception",)
    needs = Needs.PERSON_FACTS

    def __init__(self, info: RuleInfo, *, reply_exception: bool) -> None:
        super().__init__(info)
        self.reply_exception = reply_exception

    def check(self, ctx: Ctx, t: int) -> Finding | None:  # noqa: PLR0911 - one exit per exception
        person = ctx.person
        if not person.designations:
            return None
        request = ctx.request
        found = _active(person, _PLACE, t, request.debt_ids)
        if not found:
            return None
        point = request.address
        kind = person.points.get(point or "")
        if request.channel in PLACE_BOUND_MAIL:
            bound = True
        else:
            bound = request.channel in {Channel.CALL, Channel.SMS} and kind in PLACE_BOUND_KINDS
        if not bound:
            return None
        hits = [
            d
            for d in found
            if point is None or d.place == point or (kind is not None and d.place == kind.value)
        ]
        if not hits:
            return None
        if self.reply_exception and reply_allowed(ctx, t):
            return None
        if person.consent_active(ConsentScope.PLACE, t, debts=request.debt_ids, address=point):
            return None
        until = lifted_later(
            person, ConsentScope.PLACE, t, request.debt_ids, _latest_end(hits), address=point
        )
        return Finding(self.info, "designated_place", {"place": hits[0].place or ""}, until)


class MediumOptOut(Rule):
    """US-MEDIUM / UK-PREFS: a medium or an address the person asked us not to use, for every
    debt; exceptions: one electronic opt-out confirmation, one reply through the same medium,
    legally required communications (1006.14(h)(2))."""

    __slots__ = ("exceptions",)
    needs = Needs.PERSON_FACTS

    def __init__(self, info: RuleInfo, *, exceptions: bool) -> None:
        super().__init__(info)
        self.exceptions = exceptions

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        person = ctx.person
        if not person.designations:
            return None
        request = ctx.request
        hits = [
            d
            for d in person.designations
            if d.kind in _MEDIUM
            and d.active.holds(t)
            and (
                (d.channel is not None and request.channel in MEDIUM_GROUPS[d.channel])
                or (d.address is not None and d.address == request.address)
            )
        ]
        if not hits:
            return None
        if self.exceptions:
            if request.purpose is Purpose.LEGALLY_REQUIRED:
                return None
            if request.purpose is Purpose.OPT_OUT_CONFIRMATION and request.channel in ELECTRONIC:
                since = min(d.active.start for d in hits)
                if not any(since <= c <= ctx.now for c in person.opt_out_confirmations):
                    return None
            if reply_allowed(ctx, t):
                return None
        first = hits[0]
        if first.channel is not None:
            key, params = "medium_opt_out", {"channel": first.channel.value}
        else:
            key, params = "address_opt_out", {"address": first.address or ""}
        return Finding(self.info, key, params, _latest_end(hits))


class EmployerProhibits(Rule):
    """US-EMPLOYER: the employer forbids such contact at work: work numbers, work addresses and
    employer-provided email are out, unless the consumer consented (1006.6(b)(3), (b)(4))."""

    __slots__ = ()
    needs = Needs.PERSON_FACTS

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        person = ctx.person
        if not person.designations:
            return None
        request = ctx.request
        found = _active(person, _EMPLOYER, t, request.debt_ids)
        if not found:
            return None
        point = request.address or ""
        at_work = person.points.get(point) is PointKind.WORK or point in person.employer_emails
        if not at_work:
            return None
        if reply_allowed(ctx, t) or person.consent_active(
            ConsentScope.PLACE, t, debts=request.debt_ids, address=point
        ):
            return None
        until = lifted_later(
            person, ConsentScope.PLACE, t, request.debt_ids, _latest_end(found), address=point
        )
        return Finding(self.info, "employer", {}, until)


class WorkEmail(Rule):
    """US-WORK-EMAIL: no email to an address anyone told us the employer provides, unless the
    consumer used it with us or consented to it directly (1006.22(f)(3), 1006.6(d)(4)(i))."""

    __slots__ = ()
    default_channels = frozenset({Channel.EMAIL})

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        person = ctx.person
        address = ctx.request.address or ""
        if address not in person.employer_emails:
            return None
        used = person.used_addresses.get(address)
        if used is not None and used <= ctx.now:
            return None
        if person.consent_active(
            ConsentScope.MEDIUM, t, debts=ctx.request.debt_ids, address=address
        ):
            return None
        until = lifted_later(
            person, ConsentScope.MEDIUM, t, ctx.request.debt_ids, None, address=address
        )
        return Finding(self.info, "work_email", {"address": address}, until)


class DesignationHold(Rule):
    """A hold from a designation: US-ATTY (attorney), US-CEASE (cease / refusal to pay).

    `exempt`: purposes that stay allowed (e.g. the cease exceptions of 1006.6(c)(2))."""

    __slots__ = ("allow_reply", "exempt", "key", "kinds")
    needs = Needs.PERSON_FACTS

    def __init__(
        self,
        info: RuleInfo,
        *,
        kinds: frozenset[DesignationKind],
        key: str,
        exempt: frozenset[Purpose],
        allow_reply: bool,
    ) -> None:
        super().__init__(info)
        self.kinds = kinds
        self.key = key
        self.exempt = exempt
        self.allow_reply = allow_reply

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        person = ctx.person
        if not person.designations:
            return None
        request = ctx.request
        if request.purpose in self.exempt:
            return None
        found = _active(person, self.kinds, t, request.debt_ids)
        if not found:
            return None
        if self.allow_reply and reply_allowed(ctx, t):
            return None
        if request.court_permission and self.kinds == _ATTORNEY:
            return None
        debt = next(
            (x for x in request.debt_ids if any(not d.debts or x in d.debts for d in found)), ""
        )
        return Finding(self.info, self.key, {"debt": debt}, _latest_end(found))


class DisputeHold(Rule):
    """US-DISPUTE / US-OC-REQ / UK-DISPUTE: collection of a disputed debt waits for the answer.

    `written_in_period`: the US reading (a written dispute inside the validation period holds;
    any other open dispute is flagged)."""

    __slots__ = ("exempt", "original_creditor", "written_in_period")
    needs = Needs.DEBT_FACTS
    default_channels = ALL_CHANNELS

    def __init__(
        self,
        info: RuleInfo,
        *,
        original_creditor: bool,
        written_in_period: bool,
        exempt: frozenset[Purpose],
    ) -> None:
        super().__init__(info)
        self.original_creditor = original_creditor
        self.written_in_period = written_in_period
        self.exempt = exempt

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        request = ctx.request
        if request.purpose in self.exempt:
            return None
        flagged: Finding | None = None
        for debt in request.debt_ids:
            for dispute in ctx.ledger.debt(debt).disputes:
                if (
                    dispute.original_creditor_request is not self.original_creditor
                    or not dispute.active.holds(t)
                ):
                    continue
                key = "oc_request" if self.original_creditor else "dispute"
                if not self.written_in_period or (
                    dispute.in_writing and dispute.within_validation_period
                ):
                    return Finding(self.info, key, {"debt": debt}, _end(dispute.active.end))
                if not self.original_creditor and flagged is None:
                    flagged = Finding(self.info, "dispute_flag", {"debt": debt}, effect=Effect.FLAG)
        return flagged


class ThirdPartyDisclosure(Rule):
    """US-3P / UK-3P / EU-GDPR-3P: nothing about the debt to anyone but the consumer and the
    persons the law lists, unless the consumer consented directly or a court allowed it."""

    __slots__ = ("consumer_like", "permitted")
    needs = Needs.THIRD_PARTY

    def __init__(
        self, info: RuleInfo, *, consumer_like: frozenset[Relation], permitted: frozenset[Relation]
    ) -> None:
        super().__init__(info)
        self.consumer_like = consumer_like
        self.permitted = permitted

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        person = ctx.person
        if person.consumer_like(self.consumer_like) or person.relation in self.permitted:
            return None
        request = ctx.request
        if not request.disclosing or request.court_permission:
            return None
        opening = None
        if person.consumer_id:
            consumer = ctx.ledger.person(person.consumer_id)
            for consent in consumer.consents:
                if (
                    consent.scope is not ConsentScope.THIRD_PARTY
                    or consent.third_party_id != person.person_id
                ):
                    continue
                if consent.active.holds(t):
                    return None
                if consent.active.start > t and (opening is None or consent.active.start < opening):
                    opening = consent.active.start
        relation = person.relation.value if person.relation else "unknown person"
        return Finding(self.info, "third_party", {"relation": relation}, opening)


class LocationOnce(Rule):
    """US-LOC-ONCE: one completed location communication per third party, unless they asked us
    to come back or their earlier answer looks wrong (1006.10(c))."""

    __slots__ = ("consumer_like",)
    needs = Needs.THIRD_PARTY

    def __init__(self, info: RuleInfo, *, consumer_like: frozenset[Relation]) -> None:
        super().__init__(info)
        self.consumer_like = consumer_like

    def check(self, ctx: Ctx, t: int) -> Finding | None:  # noqa: ARG002 - the rule interface
        request = ctx.request
        person = ctx.person
        if request.purpose is not Purpose.LOCATION_INFO or person.consumer_like(self.consumer_like):
            return None
        if request.location_followup:
            return None
        if person.completed and person.completed[0] <= ctx.now:
            return Finding(self.info, "location_once", {})
        return None


class LocationViaAttorney(Rule):
    """US-LOC: once the consumer's attorney is known, location questions go to the attorney
    only (1006.10(b)(5))."""

    __slots__ = ()
    needs = Needs.THIRD_PARTY

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        person = ctx.person
        if ctx.request.purpose is not Purpose.LOCATION_INFO or not person.consumer_id:
            return None
        if person.relation is Relation.CONSUMER_ATTORNEY:
            return None
        consumer = ctx.ledger.person(person.consumer_id)
        found = (
            _active(consumer, _ATTORNEY, t, ctx.request.debt_ids) if consumer.designations else []
        )
        if not found:
            return None
        return Finding(self.info, "location_attorney", {}, _latest_end(found))


class ElectronicOptOutNotice(Rule):
    """US-E-OPTOUT: every email, text or private message carries a simple opt-out (1006.6(e))."""

    __slots__ = ()
    default_channels = frozenset({Channel.EMAIL, Channel.SMS, Channel.SOCIAL_PRIVATE})

    def stays_quiet(self, *, call_consents: bool) -> bool:
        del call_consents
        return True

    def check(self, ctx: Ctx, t: int) -> Finding | None:  # noqa: ARG002 - the rule interface
        request = ctx.request
        if request.has_opt_out_notice or request.purpose is Purpose.OPT_OUT_CONFIRMATION:
            return None
        return Finding(self.info, "electronic_opt_out", {})


class ForbiddenChannel(Rule):
    """US-SOCIAL (public social-media posts), US-MAIL (postcards): never."""

    __slots__ = ("key",)

    def __init__(self, info: RuleInfo, *, channel: Channel, key: str) -> None:
        super().__init__(info, channels=frozenset({channel}))
        self.key = key

    def check(self, ctx: Ctx, t: int) -> Finding | None:  # noqa: ARG002 - the rule interface
        return Finding(self.info, self.key, {})


class StatusHold(Rule):
    """A hold or block while a status flag is on the person contacted or the consumer the
    contact is about: UK-CAPACITY, UK-BREATHING, UK-STATBAR, UK-VISIT, US-TIMEBAR."""

    __slots__ = ("exempt", "flag", "key", "purposes")
    needs = Needs.PERSON_FACTS

    def __init__(
        self,
        info: RuleInfo,
        *,
        flag: StatusFlag,
        key: str,
        purposes: frozenset[Purpose] | None = None,
        exempt: frozenset[Purpose] = frozenset(),
        channels: frozenset[Channel] | None = None,
    ) -> None:
        super().__init__(info, channels=channels if channels is not None else ALL_CHANNELS)
        self.flag = flag
        self.key = key
        self.purposes = purposes
        self.exempt = exempt

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        purpose = ctx.request.purpose
        if purpose in self.exempt or (self.purposes is not None and purpose not in self.purposes):
            return None
        for subject in subjects(ctx):
            if not subject.statuses:
                continue
            status = subject.status_active(self.flag, t, ctx.request.debt_ids)
            if status is not None:
                return Finding(
                    self.info, self.key, {"flag": self.flag.value}, _end(status.active.end)
                )
        return None


class NegotiationHold(Rule):
    """UK-NEGOTIATE: while a debt adviser develops a repayment plan, recovery is suspended for a
    reasonable period (firm-set, `days`) from when we were told (CONC 7.3.9R; to verify, see
    docs/compliance.md section 5)."""

    __slots__ = ("days", "purposes")
    needs = Needs.PERSON_FACTS
    default_channels = ALL_CHANNELS

    def __init__(self, info: RuleInfo, *, days: int, purposes: frozenset[Purpose]) -> None:
        super().__init__(info)
        self.days = days
        self.purposes = purposes

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        if ctx.request.purpose not in self.purposes:
            return None
        for subject in subjects(ctx):
            for status in subject.statuses:
                if status.flag is not StatusFlag.DEVELOPING_REPAYMENT_PLAN:
                    continue
                end = min(status.active.end, status.active.start + self.days * DAY)
                if status.active.start <= t < end and (
                    status.debt is None or status.debt in ctx.request.debt_ids
                ):
                    return Finding(self.info, "negotiating", {}, _end(end))
        return None


class ForbearanceGate(Rule):
    """UK-FORBEAR / EU-FORBEAR-GATE: escalation waits for a recorded forbearance assessment of
    each debt (recent enough; with a debt-advice referral where required)."""

    __slots__ = ("include_visits", "max_age", "need_referral", "purposes")
    default_channels = ALL_CHANNELS

    def __init__(
        self,
        info: RuleInfo,
        *,
        purposes: frozenset[Purpose],
        include_visits: bool,
        max_age_days: int | None,
        need_referral: bool,
    ) -> None:
        super().__init__(info)
        self.purposes = purposes
        self.include_visits = include_visits
        self.max_age = None if max_age_days is None else max_age_days * DAY
        self.need_referral = need_referral

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        request = ctx.request
        if request.purpose not in self.purposes and not (
            self.include_visits and request.channel is Channel.VISIT
        ):
            return None
        for debt in request.debt_ids:
            assessments = ctx.ledger.debt(debt).forbearance
            if not any(
                instant <= ctx.now
                and (self.max_age is None or instant >= t - self.max_age)
                and (referral or not self.need_referral)
                for instant, referral in assessments
            ):
                key = "forbearance_advice" if self.need_referral else "forbearance"
                days = 0 if self.max_age is None else self.max_age // DAY
                return Finding(self.info, key, {"debt": debt, "days": days})
        return None


class TransferNotice(Rule):
    """EU-TRANSFER-NOTICE: after a transfer, collection waits for the transfer notice on a
    durable medium (letter or email) sent after it (Dir. 2021/2167 Art. 10(2))."""

    __slots__ = ()
    needs = Needs.DEBT_FACTS
    default_channels = ALL_CHANNELS
    _EXEMPT: Final = frozenset(
        {Purpose.TRANSFER_NOTICE, Purpose.LEGALLY_REQUIRED, Purpose.DISPUTE_RESPONSE, Purpose.REPLY}
    )

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        if ctx.request.purpose in self._EXEMPT:
            return None
        for debt in ctx.request.debt_ids:
            view = ctx.ledger.debt(debt)
            transfers = [x for x in view.transfers if x <= t]
            if not transfers:
                continue
            latest = transfers[-1]
            if not any(latest <= n <= ctx.now for n in view.transfer_notices):
                return Finding(self.info, "transfer_notice", {"debt": debt})
        return None


class ChinaThirdParty(Rule):
    """CN-3P: non-debtors only when the debtor cannot be reached (lost contact: flagged, or the
    last three calls unanswered; or deceased / incapacitated), never about the debt, and never
    again after they refuse."""

    __slots__ = ("failed_calls",)
    needs = Needs.THIRD_PARTY

    def __init__(self, info: RuleInfo, *, failed_calls: int = 3) -> None:
        super().__init__(info)
        self.failed_calls = failed_calls

    def _lost(self, ledger: Ledger, consumer_id: str | None, t: int, now: int) -> bool:
        if not consumer_id:
            return False
        consumer = ledger.person(consumer_id)
        for flag in (
            StatusFlag.LOST_CONTACT,
            StatusFlag.DECEASED,
            StatusFlag.MENTAL_CAPACITY_CONCERN,
        ):
            if consumer.statuses and consumer.status_active(flag, t) is not None:
                return True
        past = [answered for instant, answered in consumer.recent_calls if instant <= now]
        last = past[-self.failed_calls :]
        return len(last) == self.failed_calls and not any(last)

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        person = ctx.person
        if person.role is Role.CONSUMER or person.relation is Relation.GUARANTOR:
            return None
        if person.designations and _active(person, _REFUSES, t, ()):
            return Finding(self.info, "cn_refused", {})
        if ctx.request.disclosing or not self._lost(ctx.ledger, person.consumer_id, t, ctx.now):
            return Finding(self.info, "cn_third_party", {})
        return None


class ChinaTarget(Rule):
    """CN-TARGET: demands for payment go to the debtor (or a guarantor) only."""

    __slots__ = ()
    needs = Needs.THIRD_PARTY
    _DEMANDS: Final = frozenset(
        {
            Purpose.COLLECTION,
            Purpose.DEFAULT_NOTICE,
            Purpose.LEGAL_ACTION,
            Purpose.ENFORCEMENT,
            Purpose.REMEDY_NOTICE,
        }
    )

    def check(self, ctx: Ctx, t: int) -> Finding | None:  # noqa: ARG002 - the rule interface
        person = ctx.person
        if person.role is Role.CONSUMER or person.relation is Relation.GUARANTOR:
            return None
        if ctx.request.purpose in self._DEMANDS:
            return Finding(self.info, "cn_target", {})
        return None


class TwoCollectors(Rule):
    """CN-VISIT: a field visit needs at least two collectors."""

    __slots__ = ("minimum",)
    default_channels = frozenset({Channel.VISIT})

    def __init__(self, info: RuleInfo, *, minimum: int = 2) -> None:
        super().__init__(info)
        self.minimum = minimum

    def check(self, ctx: Ctx, t: int) -> Finding | None:  # noqa: ARG002 - the rule interface
        if ctx.request.collectors < self.minimum:
            return Finding(self.info, "cn_visit", {"count": ctx.request.collectors})
        return None
