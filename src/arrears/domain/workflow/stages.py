"""Strategies: stages, segments, treatments, and champion/challenger assignment.

- A *stage* is a part of the collection process, entered either by a pre-due window (days
  before the next due date: the payment notice, payment tracking) or by DPD buckets (front row
  M1-M2, back row M3-M4, M5 and later).
- Within a stage, *segments* (by debtor type and optionally score) are tried in order; the
  last one catches everyone else.
- Each segment names a champion *treatment* (channel sequence, timing, talk tracks) and may give
  a share of its cases to challenger treatments.
- Group membership is deterministic: a SHA-256 of (strategy version, stage/segment, case id)
  picks a point in [0, 10000); challengers own consecutive ranges of points from 0, the champion
  the rest. Never Python's `hash()`, which is salted per process.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from arrears.domain.workflow.arrangements import ArrangementPolicy
from arrears.domain.workflow.cases import ESCALATION_STATES, CaseState, FieldVisitPolicy
from arrears.domain.workflow.classification import ClassificationPolicy
from arrears.domain.workflow.contact_plan import ContactOrder
from arrears.domain.workflow.errors import InvalidStrategy
from arrears.domain.workflow.priority import PriorityWeights
from arrears.domain.workflow.promises import PromisePolicy

if TYPE_CHECKING:
    from collections.abc import Mapping

    from arrears.domain.delinquency import BucketSet
    from arrears.domain.workflow.vocab import Channel, DebtorType, Tone

POINTS = 10_000  # champion/challenger resolution: shares are multiples of 0.0001
CHAMPION = "champion"


class StageKind(StrEnum):
    PRE_DUE = "pre_due"
    DELINQUENT = "delinquent"


class StepTarget(StrEnum):
    BORROWER = "borrower"
    REFERENCE = "reference"  # location only
    GUARANTOR = "guarantor"  # the guarantee, where enforceable


class StepWhen(StrEnum):
    """When a step runs; all but `always` depend on what happened earlier that day."""

    ALWAYS = "always"
    UNREACHED = "unreached"  # the borrower was not reached by an earlier step that day
    DEBIT_FAILED = "debit_failed"  # the day's direct debit failed (follow up the same day)
    NUMBER_INVALID = "number_invalid"  # no working borrower number: ask a reference


@dataclass(frozen=True, slots=True)
class TreatmentStep:
    day: int  # relative to the stage's anchor: the due date (pre-due) or the day of entry
    channel: Channel
    talk_track: str
    target: StepTarget = StepTarget.BORROWER
    when: StepWhen = StepWhen.ALWAYS
    every_days: int | None = None  # repeat every n days after `day`

    def __post_init__(self) -> None:
        if self.every_days is not None and self.every_days < 1:
            raise InvalidStrategy("every_days must be at least 1")
        if not self.talk_track:
            raise InvalidStrategy("a step names its talk track")

    def runs_on(self, day: int) -> bool:
        if day == self.day:
            return True
        return (
            self.every_days is not None
            and day > self.day
            and ((day - self.day) % self.every_days == 0)
        )


@dataclass(frozen=True, slots=True)
class Treatment:
    treatment_id: str
    description: str
    steps: tuple[TreatmentStep, ...]

    @property
    def talk_tracks(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(step.talk_track for step in self.steps))


@dataclass(frozen=True, slots=True)
class StepContext:
    """What the day has shown so far; None fields are unknown (planning the night before)."""

    reached_today: bool | None = None
    debit_failed_today: bool | None = None
    borrower_number_invalid: bool | None = None
    promise_pending: bool = False  # a debtor with a pending promise is not chased meanwhile


@dataclass(frozen=True, slots=True)
class DueStep:
    index: int
    step: TreatmentStep
    contingent: bool  # its condition is not known yet: release it when it becomes true


def steps_due(
    treatment: Treatment, day: int, context: StepContext | None = None
) -> tuple[DueStep, ...]:
    """The treatment's steps for `day`, filtered by what is known about the day.

    Nothing is due while a promise is pending: the debtor is contacted again when it is kept
    (no need) or broken (the follow-up on the next working day).
    """
    context = context or StepContext()
    if context.promise_pending:
        return ()
    due: list[DueStep] = []
    for index, step in enumerate(treatment.steps):
        if not step.runs_on(day):
            continue
        known: bool | None
        if step.when is StepWhen.ALWAYS:
            known = True
        elif step.when is StepWhen.UNREACHED:
            known = None if context.reached_today is None else not context.reached_today
        elif step.when is StepWhen.DEBIT_FAILED:
            known = context.debit_failed_today
        else:
            known = context.borrower_number_invalid
        if known is not False:
            due.append(DueStep(index, step, contingent=known is None))
    return tuple(due)


@dataclass(frozen=True, slots=True)
class Challenger:
    arm_id: str
    treatment_id: str
    share: Decimal

    def __post_init__(self) -> None:
        if not Decimal(0) < self.share < Decimal(1):
            raise InvalidStrategy(f"challenger {self.arm_id}: share must be between 0 and 1")
        if (self.share * POINTS) != (self.share * POINTS).to_integral_value():
            raise InvalidStrategy(f"challenger {self.arm_id}: shares have at most 4 decimals")
        if self.arm_id == CHAMPION:
            raise InvalidStrategy(f"'{CHAMPION}' is reserved for the champion group")

    @property
    def points(self) -> int:
        return int(self.share * POINTS)


@dataclass(frozen=True, slots=True)
class Segment:
    segment_id: str
    champion: str  # treatment id
    debtor_types: frozenset[DebtorType] = frozenset()  # empty: any type
    min_score: Decimal | None = None  # inclusive
    max_score: Decimal | None = None  # exclusive
    challengers: tuple[Challenger, ...] = ()

    def __post_init__(self) -> None:
        total = sum((c.share for c in self.challengers), Decimal(0))
        if total >= 1:
            raise InvalidStrategy(
                f"segment {self.segment_id}: challenger shares add up to {total}; the champion "
                "must keep a share"
            )
        arms = [c.arm_id for c in self.challengers]
        if len(set(arms)) != len(arms):
            raise InvalidStrategy(f"segment {self.segment_id}: challenger ids repeat")

    @property
    def catch_all(self) -> bool:
        return not self.debtor_types and self.min_score is None and self.max_score is None

    def matches(self, debtor_type: DebtorType, score: Decimal | None) -> bool:
        if self.debtor_types and debtor_type not in self.debtor_types:
            return False
        if self.min_score is not None and (score is None or score < self.min_score):
            return False
        return not (self.max_score is not None and (score is None or score >= self.max_score))


@dataclass(frozen=True, slots=True)
class Stage:
    stage_id: str
    name: str
    kind: StageKind
    tone: Tone
    segments: tuple[Segment, ...]
    days_before_due: tuple[int, int] | None = None  # pre-due: inclusive range
    buckets: tuple[str, ...] = ()  # delinquent: bucket names
    escalations: frozenset[CaseState] = frozenset()  # escalation states allowed in this stage
    arrangements: ArrangementPolicy = field(default_factory=ArrangementPolicy)

    def __post_init__(self) -> None:
        where = f"stage {self.stage_id}"
        if self.kind is StageKind.PRE_DUE:
            if self.days_before_due is None or self.buckets:
                raise InvalidStrategy(f"{where}: a pre-due stage has days_before_due only")
            low, high = self.days_before_due
            if low > high:
                raise InvalidStrategy(f"{where}: days_before_due must be [low, high]")
        elif self.days_before_due is not None or not self.buckets:
            raise InvalidStrategy(f"{where}: a delinquent stage has buckets only")
        if not self.segments or not self.segments[-1].catch_all:
            raise InvalidStrategy(f"{where}: the last segment must match every case")
        ids = [s.segment_id for s in self.segments]
        if len(set(ids)) != len(ids):
            raise InvalidStrategy(f"{where}: segment ids repeat")
        if not self.escalations <= ESCALATION_STATES:
            raise InvalidStrategy(f"{where}: escalations must be escalation states")

    def segment_for(self, debtor_type: DebtorType, score: Decimal | None) -> Segment:
        return next(s for s in self.segments if s.matches(debtor_type, score))


@dataclass(frozen=True, slots=True)
class CasePosition:
    """Where a case stands on the business date."""

    dpd: int
    bucket: str
    days_before_due: int | None = None  # to the next unpaid due date (0: due today)


@dataclass(frozen=True, slots=True)
class Strategy:
    version: str
    name: str
    stages: tuple[Stage, ...]
    treatments: Mapping[str, Treatment]
    contact_order: ContactOrder = field(default_factory=ContactOrder)
    promises: PromisePolicy = field(default_factory=PromisePolicy)
    classification: ClassificationPolicy = field(default_factory=ClassificationPolicy)
    priority: PriorityWeights = field(default_factory=PriorityWeights)
    field_visits: FieldVisitPolicy = field(default_factory=FieldVisitPolicy)
    fingerprint: str = ""  # SHA-256 of the source file: a version must not change silently

    def __post_init__(self) -> None:
        object.__setattr__(self, "treatments", MappingProxyType(dict(self.treatments)))
        if not self.version:
            raise InvalidStrategy("a strategy needs a version")
        ids = [s.stage_id for s in self.stages]
        if len(set(ids)) != len(ids):
            raise InvalidStrategy("stage ids repeat")
        for key, treatment in self.treatments.items():
            if key != treatment.treatment_id:
                raise InvalidStrategy(f"treatment {key} is filed under another id")
        for stage in self.stages:
            for segment in stage.segments:
                for used in (segment.champion, *(c.treatment_id for c in segment.challengers)):
                    if used not in self.treatments:
                        raise InvalidStrategy(
                            f"stage {stage.stage_id}, segment {segment.segment_id}: "
                            f"unknown treatment {used}"
                        )
        owner: dict[str, str] = {}
        for stage in self.stages:
            for bucket in stage.buckets:
                if bucket in owner:
                    raise InvalidStrategy(
                        f"bucket {bucket} is in stages {owner[bucket]} and {stage.stage_id}"
                    )
                owner[bucket] = stage.stage_id
        windows = sorted(
            (s.days_before_due, s.stage_id) for s in self.stages if s.days_before_due is not None
        )
        for (first, first_id), (second, second_id) in itertools.pairwise(windows):
            if second[0] <= first[1]:
                raise InvalidStrategy(f"pre-due windows of {first_id} and {second_id} overlap")

    def stage(self, stage_id: str) -> Stage:
        for stage in self.stages:
            if stage.stage_id == stage_id:
                return stage
        raise InvalidStrategy(f"no stage {stage_id} in strategy {self.version}")

    def stage_for(self, position: CasePosition) -> Stage | None:
        """The stage a case is in: by bucket once it ages, by pre-due window before."""
        if position.dpd > 0:
            return next((s for s in self.stages if position.bucket in s.buckets), None)
        if position.days_before_due is None:
            return None
        for stage in self.stages:
            window = stage.days_before_due
            if window is not None and window[0] <= position.days_before_due <= window[1]:
                return stage
        return None

    def check_buckets(self, buckets: BucketSet) -> None:
        """Every bucket named exists, and every delinquent bucket has a stage."""
        names = set(buckets.names)
        named = {b for s in self.stages for b in s.buckets}
        unknown = sorted(named - names)
        if unknown:
            raise InvalidStrategy(f"strategy {self.version} names unknown buckets {unknown}")
        missing = [b.name for b in buckets.buckets if b.min_dpd > 0 and b.name not in named]
        if missing:
            raise InvalidStrategy(f"strategy {self.version}: no stage for buckets {missing}")


def stable_point(*parts: str) -> int:
    """A point in [0, POINTS) from the parts, the same in every process and on every machine."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % POINTS


@dataclass(frozen=True, slots=True)
class Assignment:
    """Stored per case and business date: every result later reports by `group`."""

    case_id: str
    strategy_version: str
    stage_id: str
    segment_id: str
    group: str  # "champion" or the challenger's arm id
    treatment_id: str
    point: int

    @property
    def is_champion(self) -> bool:
        return self.group == CHAMPION


def assign_group(
    segment: Segment, *, strategy_version: str, stage_id: str, case_id: str
) -> tuple[str, str, int]:
    """(group, treatment id, point) for the case in this segment."""
    point = stable_point(strategy_version, f"{stage_id}/{segment.segment_id}", case_id)
    upper = 0
    for challenger in segment.challengers:
        upper += challenger.points
        if point < upper:
            return challenger.arm_id, challenger.treatment_id, point
    return CHAMPION, segment.champion, point


def assign(
    strategy: Strategy,
    *,
    case_id: str,
    position: CasePosition,
    debtor_type: DebtorType,
    score: Decimal | None = None,
) -> Assignment | None:
    """Stage, segment and group for a case; None when no stage applies (a current account)."""
    stage = strategy.stage_for(position)
    if stage is None:
        return None
    segment = stage.segment_for(debtor_type, score)
    group, treatment_id, point = assign_group(
        segment, strategy_version=strategy.version, stage_id=stage.stage_id, case_id=case_id
    )
    return Assignment(
        case_id=case_id,
        strategy_version=strategy.version,
        stage_id=stage.stage_id,
        segment_id=segment.segment_id,
        group=group,
        treatment_id=treatment_id,
        point=point,
    )


def treatment_day(stage: Stage, position: CasePosition, *, days_in_stage: int) -> int:
    """The day index the treatment's steps are written against.

    Pre-due stages count from the due date (the day before is -1); delinquent stages count from
    the day the case entered the stage (0 on entry).
    """
    if stage.kind is StageKind.PRE_DUE:
        if position.days_before_due is None:
            raise InvalidStrategy(f"stage {stage.stage_id} needs days_before_due")
        return -position.days_before_due
    return days_in_stage
