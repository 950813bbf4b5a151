"""Planned attempts: a treatment's due steps turned into concrete, identifiable attempts.

Each planned attempt has a deterministic id from (case, business date, stage, treatment, step),
so a rerun of the nightly cycle plans the same attempts, and the contact log can check that a
logged call traces back to one of them. Every attempt still passes the contact policy before it
is made; planning only says what the strategy wants.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from arrears.domain.workflow.stages import StepTarget
from arrears.domain.workflow.vocab import Channel, ContactPurpose, TargetKind

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from arrears.domain.model import Borrower
    from arrears.domain.workflow.contact_plan import ContactPlan, ContactTarget
    from arrears.domain.workflow.stages import DueStep


@dataclass(frozen=True, slots=True)
class PlannedAttempt:
    attempt_id: str
    case_id: str
    planned_for: dt.date
    stage_id: str
    treatment_id: str
    step_index: int
    channel: Channel
    target: StepTarget
    person_id: str
    address: str  # number, email or postal address
    fallbacks: tuple[str, ...]  # further numbers, in order, for the dialer
    purpose: ContactPurpose
    talk_track: str
    contingent: bool  # released only when its condition becomes true during the day


@dataclass(frozen=True, slots=True)
class Skipped:
    step_index: int
    reason: str


def attempt_id(
    case_id: str, as_of: dt.date, stage_id: str, treatment_id: str, step_index: int
) -> str:
    key = "\x1f".join((case_id, as_of.isoformat(), stage_id, treatment_id, str(step_index)))
    return "pa_" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def _postal(borrower: Borrower) -> str | None:
    if not borrower.addresses:
        return None
    first = borrower.addresses[0]
    return f"{first.line}, {first.postal_code} {first.city}, {first.country}"


def _pick(
    channel: Channel, targets: Sequence[ContactTarget], borrower: Borrower
) -> tuple[str, str, tuple[str, ...]] | None:
    """(person, address, fallbacks) for a channel, or None when nothing fits."""
    if channel is Channel.CALL and targets:
        first = targets[0]
        rest = tuple(t.number for t in targets[1:] if t.person_id == first.person_id)
        return first.person_id, first.number, rest
    address: str | None = None
    if channel is Channel.SMS:
        mobile = next((t for t in targets if t.kind is TargetKind.MOBILE), None)
        address = None if mobile is None else mobile.number
    elif channel is Channel.EMAIL:
        address = borrower.emails[0] if borrower.emails else None
    elif channel in {Channel.LETTER, Channel.VISIT}:
        address = _postal(borrower)
    return None if address is None else (borrower.external_id, address, ())


def plan_attempts(
    *,
    case_id: str,
    as_of: dt.date,
    stage_id: str,
    treatment_id: str,
    due: Sequence[DueStep],
    plan: ContactPlan,
    borrower: Borrower,
) -> tuple[tuple[PlannedAttempt, ...], tuple[Skipped, ...]]:
    """Turn due steps into attempts against the contact plan; say why any step is skipped."""
    attempts: list[PlannedAttempt] = []
    skipped: list[Skipped] = []
    for item in due:
        step = item.step
        if step.target is StepTarget.BORROWER:
            targets = plan.for_purpose(ContactPurpose.DEBT)
            purpose = ContactPurpose.DEBT
            if not plan.borrower_reachable and step.channel in {Channel.CALL, Channel.SMS}:
                skipped.append(
                    Skipped(item.index, "no working number for the borrower, or lost contact")
                )
                continue
        elif step.target is StepTarget.REFERENCE:
            targets = plan.for_purpose(ContactPurpose.LOCATION_ONLY)
            purpose = ContactPurpose.LOCATION_ONLY
        else:
            targets = plan.for_purpose(ContactPurpose.GUARANTEE)
            purpose = ContactPurpose.GUARANTEE
        if step.target is not StepTarget.BORROWER and step.channel is not Channel.CALL:
            skipped.append(
                Skipped(item.index, "third parties are only called: a message could disclose")
            )
            continue
        picked = _pick(step.channel, targets, borrower)
        if picked is None:
            skipped.append(
                Skipped(item.index, f"no {step.target} target for a {step.channel} in the plan")
            )
            continue
        person, address, fallbacks = picked
        attempts.append(
            PlannedAttempt(
                attempt_id=attempt_id(case_id, as_of, stage_id, treatment_id, item.index),
                case_id=case_id,
                planned_for=as_of,
                stage_id=stage_id,
                treatment_id=treatment_id,
                step_index=item.index,
                channel=step.channel,
                target=step.target,
                person_id=person,
                address=address,
                fallbacks=fallbacks,
                purpose=purpose,
                talk_track=step.talk_track,
                contingent=item.contingent,
            )
        )
    return tuple(attempts), tuple(skipped)
