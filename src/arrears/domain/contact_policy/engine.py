"""The policy engine: presets compiled to per-channel rule lists, checks, next allowed instant.

The next allowed instant is exact: starting from `now`, every objecting rule says from when it
alone would stop objecting; nothing before the latest of those can be allowed, so the engine
jumps there and asks the rules again, until no rule objects (that instant is returned) or some
rule waits for an event rather than for time (None). Rules that provably stay quiet once quiet
(frequency windows over a frozen history) are not asked again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from arrears.domain.contact_policy.base import Ctx, Needs
from arrears.domain.contact_policy.clock import to_us
from arrears.domain.contact_policy.presets import PRESETS, PolicyOptions, resolve_presets
from arrears.domain.contact_policy.verdict import AppliedOverride, Verdict, decide
from arrears.domain.contact_policy.vocab import Channel, Decision, Effect, Role

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Sequence

    from arrears.domain.contact_policy.base import Rule
    from arrears.domain.contact_policy.events import ContactRequest
    from arrears.domain.contact_policy.ledger import Ledger
    from arrears.domain.contact_policy.verdict import Finding, PresetInfo

MAX_JUMPS: Final = 1000


class Policy:
    """The rules of one or more stacked presets. Build with `build_policy`."""

    __slots__ = ("_by_channel", "options", "presets", "rules")

    def __init__(
        self, rules: Sequence[Rule], presets: tuple[PresetInfo, ...], options: PolicyOptions
    ) -> None:
        self.rules = tuple(rules)
        self.presets = presets
        self.options = options
        self._by_channel = {channel: _Plan(self.rules, channel) for channel in Channel}

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(rule.info.rule_id for rule in self.rules))

    def check(self, ledger: Ledger, request: ContactRequest, now: dt.datetime) -> Verdict:
        """The verdict on `request` at `now` (tz-aware), given the ledger as history."""
        return self.check_at(ledger, request, to_us(now, what="now"))

    def check_many(
        self, ledger: Ledger, planned: Iterable[tuple[ContactRequest, dt.datetime]]
    ) -> list[Verdict]:
        """Bulk checks (the nightly filter): each request at its own planned instant."""
        check_at = self.check_at
        return [
            check_at(ledger, request, to_us(at, what="planned instant")) for request, at in planned
        ]

    def check_at(self, ledger: Ledger, request: ContactRequest, now: int) -> Verdict:
        """As `check`, with `now` in µs since the epoch (the fast path for bulk use)."""
        plan = self._by_channel[request.channel]
        person = ledger.persons.get(request.person_id) or ledger.person(request.person_id)
        ctx = Ctx(ledger, person, request, now)
        group = 0
        if person.role is not Role.CONSUMER:
            group = 2
        elif person.has_facts:
            group = 1
        if plan.debt_facts and not ledger.debt_ids.isdisjoint(request.debt_ids):
            group += 3
        rules = plan.groups[group]
        findings = []
        objecting: list[Rule] = []
        for rule in rules:
            finding = rule.check(ctx, now)
            if finding is not None:
                findings.append(finding)
                if finding.outcome is not Effect.FLAG:
                    objecting.append(rule)
        if not findings:
            return Verdict(request, now, Decision.ALLOW, (), now, self.presets)
        found = tuple(findings)
        if not objecting:
            return Verdict(request, now, Decision.FLAG, found, now, self.presets)
        blocking = [f for f in found if f.outcome is not Effect.FLAG]
        recheck = plan.recheck(group, objecting, call_consents=bool(person.call_consents))
        next_allowed = _next_allowed(ctx, recheck, blocking, now)
        override = request.override
        if override is not None and all(f.rule.overridable for f in blocking):
            applied = AppliedOverride(override, tuple(dict.fromkeys(f.rule_id for f in blocking)))
            return Verdict(request, now, Decision.FLAG, found, next_allowed, self.presets, applied)
        return Verdict(request, now, decide(found), found, next_allowed, self.presets)


class _Plan:
    """The rules of one channel, grouped by what they need to be able to object: `groups[g]` for
    g = 0 (a consumer without facts), 1 (with facts), 2 (a third party or unknown person), plus 3
    when a requested debt has facts. `rechecks` holds, per group and per "has call consents",
    the rules the next-allowed search must ask again (see `Rule.stays_quiet`)."""

    __slots__ = ("debt_facts", "groups", "rechecks")

    def __init__(self, rules: tuple[Rule, ...], channel: Channel) -> None:
        mine = [rule for rule in rules if channel in rule.channels]
        always = tuple(r for r in mine if r.needs is Needs.NOTHING)
        person_facts = always + tuple(r for r in mine if r.needs is Needs.PERSON_FACTS)
        third_party = person_facts + tuple(r for r in mine if r.needs is Needs.THIRD_PARTY)
        self.debt_facts = tuple(r for r in mine if r.needs is Needs.DEBT_FACTS)
        base = (always, person_facts, third_party)
        self.groups = base + tuple(group + self.debt_facts for group in base)
        self.rechecks = {
            (index, consents): tuple(
                r
                for r in group
                if r.info.effect is not Effect.FLAG and not r.stays_quiet(call_consents=consents)
            )
            for index, group in enumerate(self.groups)
            for consents in (False, True)
        }

    def recheck(
        self, group: int, objecting: list[Rule], *, call_consents: bool
    ) -> tuple[Rule, ...]:
        """Those that might object later, and those objecting now."""
        restless = self.rechecks[group, call_consents]
        extra = tuple(r for r in objecting if r not in restless)
        return restless + extra if extra else restless


def _next_allowed(
    ctx: Ctx, rules: tuple[Rule, ...], blocking: list[Finding], now: int
) -> int | None:
    t = now
    current = blocking
    for _ in range(MAX_JUMPS):
        latest = t
        for objection in current:
            if objection.until is None:
                return None
            latest = max(latest, objection.until)
        if latest <= t:  # a rule objecting without moving on: no time-based end
            return None
        t = latest
        current = []
        for rule in rules:
            finding = rule.check(ctx, t)
            if finding is not None and finding.outcome is not Effect.FLAG:
                current.append(finding)
        if not current:
            return t
    return None


def build_policy(presets: Sequence[str], options: PolicyOptions | None = None) -> Policy:
    """Compile stacked presets (e.g. ["us-regf", "us-ma", "house"]) into a `Policy`."""
    chosen = resolve_presets(presets)
    opts = options or PolicyOptions()
    rules: list[Rule] = []
    for preset_id in chosen:
        rules.extend(PRESETS[preset_id].build(opts))
    return Policy(rules, tuple(PRESETS[p].info for p in chosen), opts)
