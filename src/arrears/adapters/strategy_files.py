"""Strategy files: a versioned YAML strategy, validated at the boundary into the domain model.

Every error names its key path (`stages.2.segments.0.champion: unknown treatment 'x'`). The
`version` is required; the loaded strategy carries a fingerprint of its content so that the store
can refuse a second, different strategy under a version it already holds.
"""

from __future__ import annotations

import functools
import hashlib
import json
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictStr, ValidationError

from arrears.domain.errors import DomainError, InvalidConfig
from arrears.domain.money import check_currency
from arrears.domain.workflow.arrangements import ApprovalRule, ArrangementPolicy
from arrears.domain.workflow.cases import CaseState, FieldVisitPolicy
from arrears.domain.workflow.classification import ClassificationPolicy
from arrears.domain.workflow.contact_plan import DEFAULT_ORDER, ContactOrder
from arrears.domain.workflow.errors import InvalidStrategy
from arrears.domain.workflow.priority import PriorityWeights
from arrears.domain.workflow.promises import PromisePolicy
from arrears.domain.workflow.stages import (
    Challenger,
    Segment,
    Stage,
    StageKind,
    StepTarget,
    StepWhen,
    Strategy,
    Treatment,
    TreatmentStep,
)
from arrears.domain.workflow.vocab import Channel, DebtorType, Role, TargetKind, Tone

if TYPE_CHECKING:
    from collections.abc import Callable


def _no_float(value: Any) -> Any:
    if isinstance(value, float):
        msg = f"write decimals as quoted strings (e.g. '0.20'), not the float {value!r}"
        raise ValueError(msg)  # noqa: TRY004 - pydantic turns ValueError into a field error
    return value


Dec = Annotated[Decimal, BeforeValidator(_no_float)]
T = TypeVar("T")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StepSpec(_Strict):
    day: int = Field(ge=-60, le=366)
    channel: Channel
    talk_track: str = Field(min_length=1)
    target: StepTarget = StepTarget.BORROWER
    when: StepWhen = StepWhen.ALWAYS
    every_days: int | None = Field(default=None, ge=1, le=90)


class TreatmentSpec(_Strict):
    description: str = ""
    steps: list[StepSpec] = Field(min_length=1)


class ChallengerSpec(_Strict):
    id: str = Field(min_length=1)
    treatment: str = Field(min_length=1)
    share: Dec = Field(gt=0, lt=1)


class SegmentSpec(_Strict):
    id: str = Field(min_length=1)
    champion: str = Field(min_length=1)
    debtor_types: list[DebtorType] = Field(default_factory=list)
    min_score: Dec | None = None
    max_score: Dec | None = None
    challengers: list[ChallengerSpec] = Field(default_factory=list)


class ApprovalSpec(_Strict):
    role: Role
    max_discount_rate: Dec = Field(default=Decimal(0), ge=0, lt=1)
    max_instalments: int = Field(ge=1)
    max_term_days: int = Field(ge=0)


class ArrangementSpec(_Strict):
    plans_allowed: bool = True
    settlements_allowed: bool = False
    max_instalments: int = Field(default=6, ge=1, le=120)
    max_term_days: int = Field(default=180, ge=0, le=3660)
    max_first_due_days: int = Field(default=14, ge=0, le=90)
    min_instalment: dict[str, Dec] = Field(default_factory=dict)
    max_discount_rate: Dec = Field(default=Decimal(0), ge=0, lt=1)
    grace_days: int = Field(default=3, ge=0, le=10)
    missed_to_break: int = Field(default=1, ge=1)
    approvals: list[ApprovalSpec] = Field(default_factory=list)


class StageSpec(_Strict):
    id: str = Field(min_length=1)
    name: str = ""
    kind: StageKind
    tone: Tone
    days_before_due: tuple[int, int] | None = None
    buckets: list[str] = Field(default_factory=list)
    escalations: list[CaseState] = Field(default_factory=list)
    arrangements: ArrangementSpec = ArrangementSpec()
    segments: list[SegmentSpec] = Field(min_length=1)


class PromiseSpec(_Strict):
    max_horizon_days: int = Field(default=3, ge=0, le=31)
    grace_days: int = Field(default=1, ge=0, le=10)
    max_promises_per_set: int = Field(default=3, ge=1, le=12)
    follow_up_partial: bool = True


class ClassificationSpec(_Strict):
    window_days: int = Field(default=30, ge=1, le=366)
    lost_contact_days: int = Field(default=10, ge=1, le=366)
    lost_contact_min_attempts: int = Field(default=6, ge=1)
    unwilling_broken_promises: int = Field(default=2, ge=1)


class CurveBandSpec(_Strict):
    max_dpd: int | None = Field(ge=0)
    probability: Dec = Field(ge=0, le=1)


class PrioritySpec(_Strict):
    dpd_curve: list[CurveBandSpec] | None = None
    promise_due_today: Dec = Field(default=Decimal("0.25"), ge=0, le=1)
    broken_promise: Dec = Field(default=Decimal("0.15"), ge=0, le=1)


class FieldVisitSpec(_Strict):
    min_visitors: int = Field(default=2, ge=1, le=6)
    evidence_required: bool = True
    earliest_hour: int = Field(default=8, ge=0, le=23)
    latest_hour: int = Field(default=20, ge=1, le=24)


class StrategySpec(_Strict):
    version: StrictStr = Field(min_length=1, max_length=64)
    name: str = ""
    shared: dict[str, Any] | None = None  # a home for YAML anchors; not read otherwise
    contact_order: list[TargetKind] = Field(default_factory=lambda: list(DEFAULT_ORDER))
    promises: PromiseSpec = PromiseSpec()
    classification: ClassificationSpec = ClassificationSpec()
    priority: PrioritySpec = PrioritySpec()
    field_visits: FieldVisitSpec = FieldVisitSpec()
    treatments: dict[str, TreatmentSpec] = Field(min_length=1)
    stages: list[StageSpec] = Field(min_length=1)


def default_strategy_path() -> Path:
    return Path(str(resources.files("arrears").joinpath("defaults/strategy.yaml")))


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top)"


def _read(path: Path) -> Any:
    if not path.is_file():
        raise InvalidStrategy(f"{path}: no such file")
    if path.suffix not in {".yaml", ".yml"}:
        raise InvalidStrategy(f"{path}: a strategy is a .yaml file")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InvalidStrategy(f"{path}: not valid YAML: {exc}") from None


def load_strategy(path: Path | None = None) -> Strategy:
    """Load a strategy file (the packaged default when `path` is None).

    A file is parsed once per process and again only when it changes (modification time or
    size): the desk and the API need the strategy on many requests, and parsing the YAML was
    most of a promise request's time under load (docs/decisions.md D91). Strategies are
    immutable, so callers share the parsed one; a bad file is never cached.
    """
    source = path or default_strategy_path()
    if not source.is_file():
        _read(source)  # raises, naming the file
    stat = source.stat()
    return _parsed(source.resolve(), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _parsed(source: Path, modified_ns: int, size: int) -> Strategy:  # noqa: ARG001 - cache key
    return parse_strategy(_read(source), source=str(source))


def parse_strategy(data: Any, *, source: str = "<strategy>") -> Strategy:
    if not isinstance(data, dict):
        raise InvalidStrategy(f"{source}: the top level must be a mapping")
    try:
        spec = StrategySpec.model_validate(data)
    except ValidationError as exc:
        lines = [f"{source}: invalid strategy"]
        lines.extend(f"  {_where(err['loc'])}: {err['msg']}" for err in exc.errors())
        raise InvalidStrategy("\n".join(lines)) from None
    problems: list[str] = []
    strategy = _build(spec, problems)
    if problems or strategy is None:
        raise InvalidStrategy("\n".join([f"{source}: invalid strategy", *problems]))
    return strategy


def fingerprint(spec: StrategySpec) -> str:
    canonical = json.dumps(spec.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _arrangements(spec: ArrangementSpec, where: str, problems: list[str]) -> ArrangementPolicy:
    for currency in spec.min_instalment:
        try:
            check_currency(currency)
        except DomainError as exc:
            problems.append(f"  {where}.min_instalment.{currency}: {exc.message}")
    return ArrangementPolicy(
        plans_allowed=spec.plans_allowed,
        settlements_allowed=spec.settlements_allowed,
        max_instalments=spec.max_instalments,
        max_term_days=spec.max_term_days,
        max_first_due_days=spec.max_first_due_days,
        min_instalment=dict(spec.min_instalment),
        max_discount_rate=spec.max_discount_rate,
        grace_days=spec.grace_days,
        missed_to_break=spec.missed_to_break,
        approvals=tuple(
            ApprovalRule(a.role, a.max_discount_rate, a.max_instalments, a.max_term_days)
            for a in spec.approvals
        ),
    )


def _segment(spec: SegmentSpec, where: str, treatments: set[str], problems: list[str]) -> Segment:
    if spec.champion not in treatments:
        problems.append(f"  {where}.champion: unknown treatment {spec.champion!r}")
    for index, challenger in enumerate(spec.challengers):
        if challenger.treatment not in treatments:
            problems.append(
                f"  {where}.challengers.{index}.treatment: unknown treatment "
                f"{challenger.treatment!r}"
            )
    return Segment(
        segment_id=spec.id,
        champion=spec.champion,
        debtor_types=frozenset(spec.debtor_types),
        min_score=spec.min_score,
        max_score=spec.max_score,
        challengers=tuple(Challenger(c.id, c.treatment, c.share) for c in spec.challengers),
    )


def _stage(spec: StageSpec, where: str, treatments: set[str], problems: list[str]) -> Stage | None:
    segments: list[Segment] = []
    for index, segment in enumerate(spec.segments):
        try:
            segments.append(_segment(segment, f"{where}.segments.{index}", treatments, problems))
        except DomainError as exc:
            problems.append(f"  {where}.segments.{index}: {exc.message}")
    try:
        arrangements = _arrangements(spec.arrangements, f"{where}.arrangements", problems)
    except DomainError as exc:
        problems.append(f"  {where}.arrangements: {exc.message}")
        return None
    if len(segments) != len(spec.segments):
        return None
    try:
        return Stage(
            stage_id=spec.id,
            name=spec.name or spec.id,
            kind=spec.kind,
            tone=spec.tone,
            segments=tuple(segments),
            days_before_due=spec.days_before_due,
            buckets=tuple(spec.buckets),
            escalations=frozenset(spec.escalations),
            arrangements=arrangements,
        )
    except DomainError as exc:
        problems.append(f"  {where}: {exc.message}")
        return None


def _guarded(key: str, build: Callable[[], T], default: T, problems: list[str]) -> T:
    try:
        return build()
    except DomainError as exc:
        problems.append(f"  {key}: {exc.message}")
        return default


def _policies(
    spec: StrategySpec, problems: list[str]
) -> tuple[PromisePolicy, ClassificationPolicy, PriorityWeights, FieldVisitPolicy, ContactOrder]:
    p = spec.priority
    curve = (
        tuple((band.max_dpd, band.probability) for band in p.dpd_curve)
        if p.dpd_curve is not None
        else PriorityWeights().dpd_curve
    )
    return (
        _guarded(
            "promises",
            lambda: PromisePolicy(**spec.promises.model_dump()),
            PromisePolicy(),
            problems,
        ),
        _guarded(
            "classification",
            lambda: ClassificationPolicy(**spec.classification.model_dump()),
            ClassificationPolicy(),
            problems,
        ),
        _guarded(
            "priority",
            lambda: PriorityWeights(curve, p.promise_due_today, p.broken_promise),
            PriorityWeights(),
            problems,
        ),
        _guarded(
            "field_visits",
            lambda: FieldVisitPolicy(**spec.field_visits.model_dump()),
            FieldVisitPolicy(),
            problems,
        ),
        _guarded(
            "contact_order",
            lambda: ContactOrder(tuple(spec.contact_order)),
            ContactOrder(),
            problems,
        ),
    )


def _build(spec: StrategySpec, problems: list[str]) -> Strategy | None:
    treatments: dict[str, Treatment] = {}
    for key, treatment in spec.treatments.items():
        try:
            treatments[key] = Treatment(
                treatment_id=key,
                description=treatment.description,
                steps=tuple(
                    TreatmentStep(
                        day=s.day,
                        channel=s.channel,
                        talk_track=s.talk_track,
                        target=s.target,
                        when=s.when,
                        every_days=s.every_days,
                    )
                    for s in treatment.steps
                ),
            )
        except DomainError as exc:
            problems.append(f"  treatments.{key}: {exc.message}")
    names = set(spec.treatments)
    stages = [
        _stage(stage, f"stages.{index}", names, problems) for index, stage in enumerate(spec.stages)
    ]
    policies = _policies(spec, problems)
    if problems:
        return None
    promises, classification, priority, visits, order = policies
    try:
        return Strategy(
            version=spec.version,
            name=spec.name or spec.version,
            stages=tuple(s for s in stages if s is not None),
            treatments=treatments,
            contact_order=order,
            promises=promises,
            classification=classification,
            priority=priority,
            field_visits=visits,
            fingerprint=fingerprint(spec),
        )
    except InvalidConfig as exc:
        problems.append(f"  stages: {exc.message}")
        return None
