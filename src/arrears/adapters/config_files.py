"""Policy files (YAML or TOML) read and validated at the boundary into domain objects."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from arrears.domain.allocation import AllocationMode, Waterfall
from arrears.domain.charges import ChargePolicy, FeeBasis, LateFeeRule, PenaltyInterestRule
from arrears.domain.delinquency import Bucket, BucketSet, DelinquencyPolicy, Pause, merge_pauses
from arrears.domain.errors import DomainError, InvalidConfig
from arrears.domain.model import Component


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BucketSpec(_Strict):
    name: str = Field(min_length=1, max_length=16)
    min: int = Field(ge=0)
    max: int | None = Field(default=None, ge=0)


class PauseSpec(_Strict):
    loan_id: str = Field(min_length=1)
    start: dt.date
    end: dt.date


class AllocationSpec(_Strict):
    mode: AllocationMode = AllocationMode.INSTALLMENT_FIRST
    order: tuple[Component, ...] = tuple(Component)


def _no_float_amounts(value: Any) -> Any:
    if isinstance(value, dict) and any(isinstance(v, float) for v in value.values()):
        msg = "write money as a quoted decimal string (e.g. '25.00'), not a float"
        raise ValueError(msg)
    return value


class LateFeeSpec(_Strict):
    rule_id: str = Field(min_length=1, max_length=64)
    days_after_due: int = Field(ge=1, le=3650)
    basis: FeeBasis = FeeBasis.FLAT
    amount: dict[str, Decimal] = Field(default_factory=dict, description="per currency")
    percent: Decimal = Decimal(0)
    cap: dict[str, Decimal] = Field(default_factory=dict, description="per currency")

    _amounts = field_validator("amount", "cap", mode="before")(_no_float_amounts)


class PenaltyInterestSpec(_Strict):
    rule_id: str = Field(min_length=1, max_length=64)
    annual_rate: Decimal


class ChargesSpec(_Strict):
    """Late fees and penalty interest (docs/cycle.md); none by default."""

    late_fees: list[LateFeeSpec] = Field(default_factory=list)
    penalty_interest: list[PenaltyInterestSpec] = Field(default_factory=list)

    def policy(self) -> ChargePolicy:
        return ChargePolicy(
            late_fees=tuple(
                LateFeeRule(f.rule_id, f.days_after_due, f.basis, f.amount, f.percent, dict(f.cap))
                for f in self.late_fees
            ),
            penalty_interest=tuple(
                PenaltyInterestRule(p.rule_id, p.annual_rate) for p in self.penalty_interest
            ),
        )


class DelinquencyConfig(_Strict):
    grace_days: int = Field(default=0, ge=0, le=365)
    tolerance: Decimal = Field(default=Decimal(0), ge=0)
    tolerance_by_currency: dict[str, Decimal] = Field(default_factory=dict)
    scale: int = Field(default=2, ge=0, le=4, description="decimals of output amounts")
    allocation: AllocationSpec = AllocationSpec()
    buckets: list[BucketSpec] | None = None
    pauses: list[PauseSpec] = Field(default_factory=list)
    charges: ChargesSpec = ChargesSpec()

    @field_validator("tolerance", mode="before")
    @classmethod
    def _no_float(cls, value: Any) -> Any:
        if isinstance(value, float):
            msg = "write money as a quoted decimal string (e.g. '5.00'), not a float"
            raise ValueError(msg)  # noqa: TRY004 - pydantic turns ValueError into a field error
        return value


@dataclass(frozen=True, slots=True)
class LoadedDelinquencyConfig:
    policy: DelinquencyPolicy
    pauses: dict[str, tuple[Pause, ...]]
    scale: int
    charges: ChargePolicy = field(default_factory=ChargePolicy)


def read_mapping(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InvalidConfig(f"{path}: no such file")
    text = path.read_text(encoding="utf-8")
    kind: Literal["yaml", "toml"]
    if path.suffix in {".yaml", ".yml"}:
        kind = "yaml"
    elif path.suffix == ".toml":
        kind = "toml"
    else:
        raise InvalidConfig(f"{path}: config must be .yaml, .yml or .toml")
    try:
        data = yaml.safe_load(text) if kind == "yaml" else tomllib.loads(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise InvalidConfig(f"{path}: not valid {kind.upper()}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidConfig(f"{path}: the top level must be a mapping")
    return data


def _format_validation(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: invalid configuration"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top)"
        lines.append(f"  {where}: {err['msg']}")
    return "\n".join(lines)


def load_delinquency_config(path: Path | None) -> LoadedDelinquencyConfig:
    """Read grace, tolerance, buckets, allocation and per-loan pauses; every error names its key."""
    raw = read_mapping(path) if path else {}
    try:
        spec = DelinquencyConfig.model_validate(raw)
    except ValidationError as exc:
        raise InvalidConfig(_format_validation(path or Path("<defaults>"), exc)) from None
    try:
        buckets = (
            BucketSet(tuple(Bucket(b.name, b.min, b.max) for b in spec.buckets))
            if spec.buckets
            else BucketSet.default()
        )
        policy = DelinquencyPolicy(
            grace_days=spec.grace_days,
            tolerance=spec.tolerance,
            tolerance_by_currency=spec.tolerance_by_currency,
            buckets=buckets,
            waterfall=Waterfall(spec.allocation.mode, spec.allocation.order),
        )
        charges = spec.charges.policy()
        by_loan: dict[str, list[Pause]] = {}
        for index, item in enumerate(spec.pauses):
            try:
                by_loan.setdefault(item.loan_id, []).append(Pause(item.start, item.end))
            except InvalidConfig as exc:
                raise InvalidConfig(f"pauses.{index}: {exc.message}") from None
    except DomainError as exc:
        raise InvalidConfig(f"{path}: {exc.message}") from None
    pauses = {loan: merge_pauses(items) for loan, items in by_loan.items()}
    return LoadedDelinquencyConfig(policy=policy, pauses=pauses, scale=spec.scale, charges=charges)
