"""What the nightly cycle prepared for a business date, per stage: the team leader's morning view.

Per stage (in the strategy's order): open cases, cases opened and closed that day, cases by
champion/challenger arm, attempts planned by channel, promises due that day and promises
decided that day (kept / partly kept / broken), cases waiting for a supervisor, and the day's
worklists (assigned to collectors, left in the team queue). Each figure is one GROUP BY in the
database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, select

from arrears.adapters.store import workflow_tables as w

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy import Engine

    from arrears.domain.workflow.stages import Strategy


@dataclass
class StageDay:
    stage_id: str
    name: str
    open_cases: int = 0
    opened: int = 0
    arms: dict[str, int] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)  # channel -> planned
    promises_due: int = 0
    promises_decided: dict[str, int] = field(default_factory=dict)  # status -> count
    referrals: int = 0
    assigned: int = 0  # worklist items with a collector
    queued: int = 0  # worklist items left in the team queue


@dataclass(frozen=True, slots=True)
class DaySummary:
    business_date: dt.date
    stages: tuple[StageDay, ...]
    closed: dict[str, int]  # closure reason -> cases closed that day
    unplanned_contacts: int  # contact records flagged: no planned or reported attempt


def day_summary(engine: Engine, strategy: Strategy, business_date: dt.date) -> DaySummary:
    day = business_date
    stages = {s.stage_id: StageDay(s.stage_id, s.name) for s in strategy.stages}

    def stage(stage_id: str | None) -> StageDay:
        key = stage_id or "(none)"
        if key not in stages:
            stages[key] = StageDay(key, key)
        return stages[key]

    c, a, p, pa_, wl = (
        w.cases,
        w.case_assignments,
        w.promises,
        w.planned_attempts,
        w.worklist_items,
    )
    closed: dict[str, int] = defaultdict(int)
    with engine.connect() as conn:
        for stage_id, arm, count in conn.execute(
            select(a.c.stage_id, a.c.arm, func.count())
            .where(a.c.business_date == day)
            .group_by(a.c.stage_id, a.c.arm)
        ):
            row = stage(stage_id)
            row.arms[arm] = count
            row.open_cases += count
        for stage_id, count in conn.execute(
            select(c.c.stage_id, func.count()).where(c.c.opened_on == day).group_by(c.c.stage_id)
        ):
            stage(stage_id).opened += count
        for reason, count in conn.execute(
            select(c.c.closure, func.count()).where(c.c.closed_on == day).group_by(c.c.closure)
        ):
            closed[reason or "(none)"] += count
        for stage_id, channel, count in conn.execute(
            select(pa_.c.stage_id, pa_.c.channel, func.count())
            .where(pa_.c.business_date == day)
            .group_by(pa_.c.stage_id, pa_.c.channel)
        ):
            stage(stage_id).attempts[channel] = count
        for stage_id, count in conn.execute(
            select(c.c.stage_id, func.count())
            .join(p, p.c.case_id == c.c.case_id)
            .where(p.c.due_on == day)
            .group_by(c.c.stage_id)
        ):
            stage(stage_id).promises_due += count
        for stage_id, status, count in conn.execute(
            select(c.c.stage_id, p.c.status, func.count())
            .join(p, p.c.case_id == c.c.case_id)
            .where(p.c.evaluated_on == day)
            .group_by(c.c.stage_id, p.c.status)
        ):
            stage(stage_id).promises_decided[status] = count
        for stage_id, referral in conn.execute(
            select(c.c.stage_id, c.c.referral).where(
                c.c.open_borrower_id.is_not(None), c.c.referral.is_not(None)
            )
        ):
            if referral and not referral.get("resolved_at"):
                stage(stage_id).referrals += 1
        for stage_id, assigned, count in conn.execute(
            select(c.c.stage_id, wl.c.collector_id.is_not(None), func.count())
            .join(wl, and_(wl.c.case_id == c.c.case_id, wl.c.business_date == day))
            .group_by(c.c.stage_id, wl.c.collector_id.is_not(None))
        ):
            if assigned:
                stage(stage_id).assigned += count
            else:
                stage(stage_id).queued += count
        unplanned = conn.execute(
            select(func.count()).select_from(w.contact_log).where(w.contact_log.c.flag.is_not(None))
        ).scalar_one()
    return DaySummary(
        business_date=day,
        stages=tuple(stages.values()),
        closed=dict(closed),
        unplanned_contacts=int(unplanned),
    )


__all__ = ["DaySummary", "StageDay", "day_summary"]
