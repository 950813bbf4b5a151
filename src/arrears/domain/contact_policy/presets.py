"""Jurisdiction presets: which rules, with which parameters, with their sources.

Presets stack: `build_policy(["us-regf", "us-ma", "house"])` evaluates the union of their rules
and the most restrictive wins. `us-ma` brings `us-regf` along; `es` brings `eu`. Each preset has a
version and an as-of date that every verdict reports, so a later change of a rule can be audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Final

import holidays

from arrears.domain.contact_policy.base import to_local_time
from arrears.domain.contact_policy.clock import date_of, day_number, weekday
from arrears.domain.contact_policy.rules_conduct import (
    CEASE_KINDS,
    ChinaTarget,
    ChinaThirdParty,
    DesignatedPlaces,
    DesignatedTimes,
    DesignationHold,
    DisputeHold,
    ElectronicOptOutNotice,
    EmployerProhibits,
    ForbearanceGate,
    ForbiddenChannel,
    LocationOnce,
    LocationViaAttorney,
    MediumOptOut,
    NegotiationHold,
    StatusHold,
    ThirdPartyDisclosure,
    TransferNotice,
    TwoCollectors,
    WorkEmail,
)
from arrears.domain.contact_policy.rules_time import (
    CALLS,
    CallPattern,
    CallsPerDebt,
    ConvenientHours,
    ConversationCooldown,
    DailyCap,
    MassachusettsCalls,
    TimeSlots,
)
from arrears.domain.contact_policy.verdict import PresetInfo, RuleInfo
from arrears.domain.contact_policy.vocab import (
    CONTACT_CHANNELS,
    ENFORCEMENT_STEPS,
    ESCALATION,
    Channel,
    DesignationKind,
    Effect,
    HoursEdge,
    Purpose,
    Relation,
    StatusFlag,
)
from arrears.domain.errors import InvalidConfig, InvalidInput

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from arrears.domain.contact_policy.base import Rule

# ------------------------------------------------------------------------------------ options


@dataclass(frozen=True, slots=True)
class PolicyOptions:
    """The choices a firm makes inside what the presets allow (see docs/compliance.md)."""

    hours_edge: HoursEdge = HoursEdge.STRICT
    house_max_contacts: int = 5
    house_period_days: int = 1
    house_slots: tuple[dt.time, ...] = (dt.time(12), dt.time(18))  # slot boundaries after 00:00
    uk_caps: tuple[tuple[Channel, int, int], ...] = (
        (Channel.CALL, 3, 10),  # (channel, per local day, per 7 local days): flag at the cap
        (Channel.SMS, 2, 7),
        (Channel.EMAIL, 2, 7),
    )
    uk_forbearance_max_age_days: int = 90
    uk_negotiation_hold_days: int = 30
    cn_count_all_attempts: bool = True
    extra_holidays: frozenset[dt.date] = field(default_factory=frozenset)  # ES local days
    es_region: str | None = None  # ISO 3166-2 subdivision of Spain whose holidays apply

    def __post_init__(self) -> None:
        for name in (
            "house_max_contacts",
            "house_period_days",
            "uk_forbearance_max_age_days",
            "uk_negotiation_hold_days",
        ):
            if getattr(self, name) < 1:
                raise InvalidConfig(f"{name} must be at least 1, got {getattr(self, name)}")
        for channel, per_day, per_week in self.uk_caps:
            if per_day < 1 or per_week < 1:
                raise InvalidConfig(f"uk_caps for {channel}: caps must be at least 1")
        if any(slot.tzinfo is not None for slot in self.house_slots):
            raise InvalidConfig("house_slots are local times without a zone")


# ------------------------------------------------------------------------------ relation sets

# 1006.6(a): persons that count as the consumer for communications (plus co-obligors)
US_CONSUMER_LIKE: Final = frozenset(
    {
        Relation.SPOUSE,
        Relation.PARENT_OF_MINOR,
        Relation.GUARDIAN,
        Relation.EXECUTOR,
        Relation.SUCCESSOR,
        Relation.GUARANTOR,
    }
)
# the persons listed in 1006.6(d)(1), items ii to vi
US_PERMITTED: Final = frozenset(
    {
        Relation.CONSUMER_ATTORNEY,
        Relation.CRA,
        Relation.CREDITOR,
        Relation.CREDITOR_ATTORNEY,
        Relation.COLLECTOR_ATTORNEY,
    }
)
REPRESENTATIVES: Final = frozenset(
    {
        Relation.GUARANTOR,
        Relation.CONSUMER_ATTORNEY,
        Relation.AUTHORISED_REPRESENTATIVE,
        Relation.DEBT_ADVISER,
    }
)
RECOVERY: Final = frozenset(
    {Purpose.COLLECTION, Purpose.LOCATION_INFO, Purpose.REMEDY_NOTICE, *ESCALATION}
)
STILL_ALLOWED_IN_HOLDS: Final = frozenset(
    {Purpose.LEGALLY_REQUIRED, Purpose.REPLY, Purpose.DISPUTE_RESPONSE}
)

# ---------------------------------------------------------------------------------- holidays


@lru_cache(maxsize=256)
def spanish_holidays(year: int, region: str | None = None) -> frozenset[int]:
    """Public holidays of Spain as day numbers, from the `holidays` package: the national ones,
    and the region's (ISO 3166-2 subdivision, e.g. "MD", "CT") when it is known. Local and
    municipal days come from `PolicyOptions.extra_holidays`."""
    calendar = holidays.country_holidays("ES", subdiv=region, years=year)
    return frozenset(day_number(day) for day in calendar)


def spanish_working_day(extra: frozenset[int], region: str | None) -> Callable[[int], bool]:
    def allowed(day: int) -> bool:
        return (
            weekday(day) < 5
            and day not in spanish_holidays(date_of(day).year, region)
            and day not in extra
        )

    return allowed


# ----------------------------------------------------------------------------------- presets


def _info(
    rule_id: str, effect: Effect, source: str, *, overridable: bool = False, enforce: bool = True
) -> RuleInfo:
    return RuleInfo(rule_id, effect, source, overridable=overridable, enforce=enforce)


B, H, F = Effect.BLOCK, Effect.HOLD, Effect.FLAG


def _us_regf(options: PolicyOptions) -> list[Rule]:
    strict = options.hours_edge is HoursEdge.STRICT
    cease_exempt = frozenset(
        {Purpose.CEASE_CONFIRMATION, Purpose.REMEDY_NOTICE, Purpose.LEGALLY_REQUIRED}
    )
    dispute_exempt = frozenset({Purpose.DISPUTE_RESPONSE, Purpose.LEGALLY_REQUIRED})
    return [
        ConvenientHours(
            _info(
                "US-TIME", B, "15 U.S.C. 1692c(a)(1); 12 CFR 1006.6(b)(1)(i); cmt 6(b)(1)(i)-1, -2"
            ),
            opens=to_local_time(8),
            closes=to_local_time(21),
            strict=strict,
        ),
        CallsPerDebt(
            _info(
                "US-CALL-7IN7",
                B,
                "12 CFR 1006.14(b)(2)(i)(A), (b)(3), (b)(4); cmts 14(b)(2)(i)-1, 14(b)(3)(ii)-1",
                overridable=True,
            )
        ),
        ConversationCooldown(
            _info(
                "US-CALL-CONV7",
                B,
                "12 CFR 1006.14(b)(2)(i)(B); cmts 14(b)(2)(ii)-1.ii, 14(b)(3)(i)-2, 14(b)(4)-1.ii",
                overridable=True,
            )
        ),
        CallPattern(_info("US-CALL-PATTERN", F, "cmt 14(b)(2)(i)-2; 1006.14(a)", enforce=False)),
        DesignatedTimes(
            _info("US-TIME-DESIG", B, "12 CFR 1006.6(b)(1)(i); cmts 6(b)(1)-1, -2"),
            reply_exception=True,
        ),
        DesignatedPlaces(
            _info("US-PLACE", B, "12 CFR 1006.6(b)(1)(ii); cmt 6(b)(1)(ii)-1"), reply_exception=True
        ),
        MediumOptOut(
            _info("US-MEDIUM", B, "12 CFR 1006.14(h); cmts 14(h)(1)-1..3"), exceptions=True
        ),
        EmployerProhibits(_info("US-EMPLOYER", B, "15 U.S.C. 1692c(a)(3); 12 CFR 1006.6(b)(3)")),
        WorkEmail(_info("US-WORK-EMAIL", B, "12 CFR 1006.22(f)(3); 1006.6(d)(4); cmt 22(f)(3)-1")),
        DesignationHold(
            _info("US-ATTY", H, "15 U.S.C. 1692c(a)(2); 12 CFR 1006.6(b)(2); cmt 6(b)(2)-1"),
            kinds=frozenset({DesignationKind.ATTORNEY_REPRESENTED}),
            key="attorney",
            exempt=frozenset(),
            allow_reply=True,
        ),
        DesignationHold(
            _info("US-CEASE", H, "15 U.S.C. 1692c(c); 12 CFR 1006.6(c); cmt 6(c)(1)-1"),
            kinds=CEASE_KINDS,
            key="cease",
            exempt=cease_exempt,
            allow_reply=False,
        ),
        DisputeHold(
            _info("US-DISPUTE", H, "15 U.S.C. 1692g(b); 12 CFR 1006.38(d)"),
            original_creditor=False,
            written_in_period=True,
            exempt=dispute_exempt,
        ),
        DisputeHold(
            _info("US-OC-REQ", H, "15 U.S.C. 1692g(b); 12 CFR 1006.38(c)"),
            original_creditor=True,
            written_in_period=True,
            exempt=dispute_exempt,
        ),
        ThirdPartyDisclosure(
            _info("US-3P", B, "15 U.S.C. 1692c(b); 12 CFR 1006.6(a), (d)(1)-(2)"),
            consumer_like=US_CONSUMER_LIKE,
            permitted=US_PERMITTED,
        ),
        LocationViaAttorney(_info("US-LOC", B, "15 U.S.C. 1692b(6); 12 CFR 1006.10(b)(5)")),
        LocationOnce(
            _info("US-LOC-ONCE", B, "15 U.S.C. 1692b(3); 12 CFR 1006.10(c)"),
            consumer_like=US_CONSUMER_LIKE,
        ),
        ElectronicOptOutNotice(_info("US-E-OPTOUT", B, "12 CFR 1006.6(e); cmt 6(e)-1")),
        ForbiddenChannel(
            _info("US-SOCIAL", B, "12 CFR 1006.22(f)(4); cmt 22(f)(4)-1"),
            channel=Channel.SOCIAL_PUBLIC,
            key="social_public",
        ),
        ForbiddenChannel(
            _info("US-MAIL", B, "15 U.S.C. 1692f(7); 12 CFR 1006.22(f)(1); 1006.10(b)(3)"),
            channel=Channel.POSTCARD,
            key="postcard",
        ),
        StatusHold(
            _info("US-TIMEBAR", B, "12 CFR 1006.26(b)"),
            flag=StatusFlag.TIME_BARRED,
            key="status_hold",
            purposes=ENFORCEMENT_STEPS,
        ),
    ]


def _us_ma(options: PolicyOptions) -> list[Rule]:
    del options
    return [
        MassachusettsCalls(
            _info(
                "US-MA-2IN7", B, "209 CMR 18.16(1)(d); 940 CMR 7.04(1)(f); Armata v. Target (2018)"
            ),
            consumer_like=US_CONSUMER_LIKE,
        )
    ]


def _uk_fca(options: PolicyOptions) -> list[Rule]:
    strict = options.hours_edge is HoursEdge.STRICT
    rules: list[Rule] = [
        ConvenientHours(
            _info("UK-HOURS", B, "CONC 7.9.4R; MCOB 13.5.4G by analogy (08:00-21:00)"),
            opens=to_local_time(8),
            closes=to_local_time(21),
            strict=strict,
        ),
        DesignatedTimes(_info("UK-PREFS", B, "CONC 7.9.4R"), reply_exception=False),
        DesignatedPlaces(_info("UK-PREFS", B, "CONC 7.9.4R"), reply_exception=False),
        MediumOptOut(_info("UK-PREFS", B, "CONC 7.9.4R"), exceptions=False),
        ThirdPartyDisclosure(
            _info("UK-3P", B, "CONC 7.9.6R-7.9.8G"),
            consumer_like=frozenset(),
            permitted=REPRESENTATIVES,
        ),
        DisputeHold(
            _info("UK-DISPUTE", H, "CONC 7.14.1R-7.14.6R"),
            original_creditor=False,
            written_in_period=False,
            exempt=frozenset({Purpose.DISPUTE_RESPONSE, Purpose.LEGALLY_REQUIRED}),
        ),
        StatusHold(
            _info("UK-CAPACITY", H, "CONC 7.10.1R-7.10.3G"),
            flag=StatusFlag.MENTAL_CAPACITY_CONCERN,
            key="status_hold",
            exempt=STILL_ALLOWED_IN_HOLDS,
        ),
        StatusHold(
            _info("UK-BREATHING", H, "SI 2020/1311 (Debt Respite Scheme) moratorium protections"),
            flag=StatusFlag.IN_BREATHING_SPACE,
            key="status_hold",
            purposes=RECOVERY,
        ),
        StatusHold(
            _info("UK-STATBAR", B, "CONC 7.15 (statute-barred debts)"),
            flag=StatusFlag.TIME_BARRED,
            key="status_hold",
            purposes=ENFORCEMENT_STEPS,
        ),
        StatusHold(
            _info("UK-STATBAR", H, "CONC 7.15 (limitation invoked by the customer)"),
            flag=StatusFlag.LIMITATION_INVOKED,
            key="status_hold",
            purposes=RECOVERY,
        ),
        StatusHold(
            _info("UK-VISIT", B, "CONC 7.9.12R; CONC 7.2.1R (vulnerable customers)"),
            flag=StatusFlag.VULNERABLE,
            key="vulnerable_visit",
            channels=frozenset({Channel.VISIT}),
        ),
        ForbearanceGate(
            _info("UK-FORBEAR", B, "CONC 7.3.4R and guidance; PRIN 2A (Consumer Duty)"),
            purposes=ESCALATION,
            include_visits=True,
            max_age_days=options.uk_forbearance_max_age_days,
            need_referral=False,
        ),
        NegotiationHold(
            _info("UK-NEGOTIATE", H, "CONC 7.3.9R (suspend recovery while a plan is developed)"),
            days=options.uk_negotiation_hold_days,
            purposes=RECOVERY,
        ),
    ]
    for channel, per_day, per_week in options.uk_caps:
        for limit, days in ((per_day, 1), (per_week, 7)):
            rules.append(
                DailyCap(
                    _info("UK-FREQ", F, "CONC 7.3.10R, 7.9.4R; firm-set caps", enforce=False),
                    source="channel",
                    limit=limit,
                    days=days,
                    key="frequency_cap",
                    channels=frozenset({channel}),
                )
            )
    return rules


def _eu(options: PolicyOptions) -> list[Rule]:
    del options
    return [
        ThirdPartyDisclosure(
            _info("EU-GDPR-3P", B, "GDPR Arts 5(1)(f), 6; Dir. 2021/2167 Art. 10(1)"),
            consumer_like=frozenset(),
            permitted=REPRESENTATIVES,
        ),
        ForbearanceGate(
            _info(
                "EU-FORBEAR-GATE", B, "Dir. (EU) 2023/2225 (CCD2) Arts 35-36; Dir. 2014/17 Art. 28"
            ),
            purposes=ENFORCEMENT_STEPS,
            include_visits=False,
            max_age_days=None,
            need_referral=True,
        ),
        TransferNotice(_info("EU-TRANSFER-NOTICE", B, "Dir. (EU) 2021/2167 Art. 10(2)")),
    ]


def _es(options: PolicyOptions) -> list[Rule]:
    extra = frozenset(day_number(day) for day in options.extra_holidays)
    return [
        ConvenientHours(
            _info(
                "ES-HOURS", B, "RDL 1/2007 (TRLGDCU) art. 96.2 as amended by Ley 3/2014: reference"
            ),
            opens=to_local_time(9),
            closes=to_local_time(21),
            strict=options.hours_edge is HoursEdge.STRICT,
            day_allowed=spanish_working_day(extra, options.es_region),
            channels=frozenset({Channel.CALL, Channel.SMS, Channel.VISIT}),
        )
    ]


def _cn(options: PolicyOptions) -> list[Rule]:
    strict = options.hours_edge is HoursEdge.STRICT
    return [
        ConvenientHours(
            _info("CN-QUIET", B, "CBA collection guideline (2026) ch. 3; GB/T 45251-2025"),
            opens=to_local_time(8),
            closes=to_local_time(22),
            strict=strict,
        ),
        DailyCap(
            _info("CN-ATTEMPTS", B, "CBA collection guideline (2026)"),
            source="attempts" if options.cn_count_all_attempts else "unconnected",
            limit=6,
            days=1,
            key="cn_attempts",
            channels=CALLS,
            lifted_by_consent=True,
        ),
        DailyCap(
            _info("CN-VOICE3", B, "GB/T 45251-2025"),
            source="our_conversations",
            limit=3,
            days=1,
            key="cn_voice",
            channels=CALLS,
        ),
        ChinaThirdParty(_info("CN-3P", B, "CBA collection guideline (2026); GB/T 45251-2025")),
        ChinaTarget(
            _info(
                "CN-TARGET", B, "GB/T 45251-2025; credit-card measures art. 68; NIFA 2018 art. 13"
            )
        ),
        TwoCollectors(_info("CN-VISIT", B, "CBA collection guideline (2026) art. 22; NIFA 2018")),
    ]


def _house(options: PolicyOptions) -> list[Rule]:
    return [
        DailyCap(
            _info(
                "HOUSE-MAX-CONTACTS",
                B,
                "house rule (seed practice): at most N contacts a period",
                overridable=True,
            ),
            source="contacts",
            limit=options.house_max_contacts,
            days=options.house_period_days,
            key="house_max",
            channels=CONTACT_CHANNELS,
        ),
        TimeSlots(
            _info(
                "HOUSE-SLOT",
                B,
                "house rule (seed practice): no repeated calls in one time slot",
                overridable=True,
            ),
            bounds=tuple(
                to_local_time(t.hour, t.minute, t.second, t.microsecond)
                for t in options.house_slots
            ),
        ),
    ]


@dataclass(frozen=True, slots=True)
class Preset:
    info: PresetInfo
    includes: tuple[str, ...]
    build: Callable[[PolicyOptions], list[Rule]]


PRESETS: Final[dict[str, Preset]] = {
    "us-regf": Preset(
        PresetInfo("us-regf", "2026.11", "2021-11-30", "USA: FDCPA and Regulation F (12 CFR 1006)"),
        (),
        _us_regf,
    ),
    "us-ma": Preset(
        PresetInfo("us-ma", "2026.11", "2023-01-01", "Massachusetts: 209 CMR 18.00, 940 CMR 7.00"),
        ("us-regf",),
        _us_ma,
    ),
    "uk-fca": Preset(
        PresetInfo("uk-fca", "2026.11", "2025-01-01", "United Kingdom: FCA CONC 7, Consumer Duty"),
        (),
        _uk_fca,
    ),
    "eu": Preset(
        PresetInfo("eu", "2026.11", "2025-01-01", "EU: GDPR, Dir. 2021/2167, CCD2 (2023/2225)"),
        (),
        _eu,
    ),
    "es": Preset(
        PresetInfo("es", "2026.11", "2025-01-01", "Spain (reference hours on top of eu)"),
        ("eu",),
        _es,
    ),
    "cn": Preset(
        PresetInfo("cn", "2026.11", "2026-01-01", "China: CBA guideline 2026, GB/T 45251-2025"),
        (),
        _cn,
    ),
    "house": Preset(
        PresetInfo(
            "house", "2026.11", "2026-11-01", "House rules: contacts per period, time slots"
        ),
        (),
        _house,
    ),
}


def resolve_presets(preset_ids: Sequence[str]) -> list[str]:
    """The presets to apply, with those they include, each once, includes first."""
    if not preset_ids:
        raise InvalidInput(f"name at least one preset ({', '.join(PRESETS)})")
    ordered: list[str] = []

    def add(preset_id: str) -> None:
        key = preset_id.strip().lower()
        preset = PRESETS.get(key)
        if preset is None:
            raise InvalidInput(f"unknown preset {preset_id!r}; known presets: {', '.join(PRESETS)}")
        for included in preset.includes:
            add(included)
        if key not in ordered:
            ordered.append(key)

    for preset_id in preset_ids:
        add(preset_id)
    return ordered
