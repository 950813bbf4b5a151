"""Verdicts: the decision, the findings (rule, effect, reason, until), the next allowed instant."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from arrears.domain.contact_policy.clock import from_us, iso
from arrears.domain.contact_policy.messages import render
from arrears.domain.contact_policy.vocab import Decision, Effect

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from arrears.domain.contact_policy.events import ContactRequest, Override


_NO_PARAMS: Mapping[str, object] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a rule is: its stable id, what it does when it fires, and where it comes from."""

    rule_id: str
    effect: Effect
    source: str
    overridable: bool = False  # a supervisor may let it through with a rebuttal factor
    enforce: bool = True  # E (enforce) or S (support) in COMPLIANCE-RULES.md


class Finding(NamedTuple):
    """One rule objecting. `until`: earliest instant >= the check at which this rule alone
    would stop objecting (µs), or None when only an event can end it.

    A NamedTuple rather than a frozen dataclass: as immutable, and several times cheaper to
    create on the hot path of bulk checks."""

    rule: RuleInfo
    key: str
    params: Mapping[str, object] = _NO_PARAMS
    until: int | None = None
    effect: Effect | None = None  # None: the rule's own effect

    @property
    def rule_id(self) -> str:
        return self.rule.rule_id

    @property
    def outcome(self) -> Effect:
        return self.effect or self.rule.effect

    def reason(self, lang: str = "en") -> str:
        return render(self.key, lang, self.params)


@dataclass(frozen=True, slots=True)
class PresetInfo:
    preset_id: str
    version: str
    as_of: str
    title: str


@dataclass(frozen=True, slots=True)
class AppliedOverride:
    """A supervisor override that let blocking findings through; the label never goes away."""

    override: Override
    rule_ids: tuple[str, ...]

    def label(self, lang: str = "en") -> str:
        return render(
            "override",
            lang,
            {
                "rules": ", ".join(self.rule_ids),
                "reason": self.override.reason.value,
                "supervisor": self.override.supervisor_id,
            },
        )


_ORDER = {Effect.FLAG: 1, Effect.BLOCK: 2, Effect.HOLD: 3}
_DECISION = {0: Decision.ALLOW, 1: Decision.FLAG, 2: Decision.BLOCK, 3: Decision.HOLD}


def decide(findings: tuple[Finding, ...]) -> Decision:
    worst = 0
    for finding in findings:
        worst = max(worst, _ORDER[finding.outcome])
    return _DECISION[worst]


class Verdict(NamedTuple):
    """The answer for one contact request at one instant (a NamedTuple for speed, see Finding)."""

    request: ContactRequest
    checked_at: int  # µs
    decision: Decision
    findings: tuple[Finding, ...]
    next_allowed: int | None  # µs; == checked_at when allowed now
    presets: tuple[PresetInfo, ...]
    override: AppliedOverride | None = None

    @property
    def allowed(self) -> bool:
        return self.decision in {Decision.ALLOW, Decision.FLAG}

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.rule_id for f in self.findings))

    @property
    def presumed_violation(self) -> bool:
        return self.override is not None

    @property
    def next_allowed_at(self) -> dt.datetime | None:
        return None if self.next_allowed is None else from_us(self.next_allowed)

    @property
    def waiting_for(self) -> tuple[str, ...]:
        """Rules that block with no time-based end (they wait for an event)."""
        return tuple(
            dict.fromkeys(
                f.rule_id for f in self.findings if f.outcome is not Effect.FLAG and f.until is None
            )
        )

    def reasons(self, lang: str = "en") -> list[str]:
        return [f"{f.rule_id}: {f.reason(lang)}" for f in self.findings]

    def summary(self, lang: str = "en") -> str:
        if not self.findings:
            return render("allowed", lang, {})
        parts = self.reasons(lang)
        if self.override is not None:
            parts.append(self.override.label(lang))
        if not self.allowed:
            if self.next_allowed is not None:
                parts.append(render("next_allowed", lang, {"instant": iso(self.next_allowed)}))
            else:
                parts.append(render("no_next", lang, {"rules": ", ".join(self.waiting_for)}))
        return "; ".join(parts)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        request = self.request
        return {
            "request_id": request.request_id,
            "person_id": request.person_id,
            "channel": request.channel.value,
            "purpose": request.purpose.value,
            "debt_ids": list(request.debt_ids),
            "checked_at": iso(self.checked_at),
            "decision": self.decision.value,
            "allowed": self.allowed,
            "rules": list(self.rule_ids),
            "findings": [
                {
                    "rule": f.rule_id,
                    "effect": f.outcome.value,
                    "reason": f.reason(lang),
                    "until": None if f.until is None else iso(f.until),
                    "source": f.rule.source,
                    "overridden": self.override is not None and f.rule_id in self.override.rule_ids,
                }
                for f in self.findings
            ],
            "reason": self.summary(lang),
            "next_allowed": None if self.next_allowed is None else iso(self.next_allowed),
            "waiting_for": list(self.waiting_for),
            "presumed_violation": self.presumed_violation,
            "override": None
            if self.override is None
            else {
                "reason": self.override.override.reason.value,
                "supervisor_id": self.override.override.supervisor_id,
                "rules": list(self.override.rule_ids),
                "label": self.override.label(lang),
            },
            "presets": [
                {"id": p.preset_id, "version": p.version, "as_of": p.as_of} for p in self.presets
            ],
            "lang": lang,
        }
