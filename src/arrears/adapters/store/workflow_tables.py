"""Tables of the collections workflow: cases, promises, arrangements, contact log, worklists.

A *case* is one borrower's collection episode: the nightly cycle opens it when the borrower
enters a stage (pre-due window or delinquency) and closes it as cured when no stage applies any
more; people move it through escalation states. Case ids are deterministic
(`C-<borrower external id>-<yyyymmdd opened>`) so that a rerun of the cycle opens nothing twice.

Append-only (database triggers, like the ledger): `case_events`, `contact_log`,
`classification_overrides`, `case_facts`. Promises, arrangements and worklist items carry a
status that the cycle or a person moves on; each such change writes an audit event in the same
transaction.

They live on the one `MetaData` of `tables.py` (which imports this module at its end), with
the same conventions: Money for amounts, UtcDateTime for instants, Id for surrogate keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    event,
    text,
)

from arrears.adapters.store.tables import Id, Money, Payload, UtcDateTime, metadata

if TYPE_CHECKING:
    from sqlalchemy import MetaData
    from sqlalchemy.engine import Connection

CASE_STATES = (
    "active",
    "arrangement",
    "letter",
    "formal_demand",
    "field_visit",
    "legal_review",
    "legal_referral",
    "agency",
    "on_hold",
    "written_off",
    "closed",
)
PROMISE_STATUSES = ("pending", "kept", "partially_kept", "broken", "superseded", "cancelled")
ARRANGEMENT_STATUSES = (
    "pending_approval",
    "active",
    "completed",
    "broken",
    "rejected",
    "cancelled",
)
WORK_STATUSES = ("open", "claimed", "done", "released", "held")
ATTEMPT_STATUSES = ("planned", "released", "done", "skipped")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


collectors = Table(
    "collectors",
    metadata,
    Column("collector_id", String(64), primary_key=True),
    Column("full_name", String(200), nullable=False),
    Column("team", String(64), nullable=False, server_default=text("'default'")),
    Column("languages", String(200), nullable=False),  # space-separated BCP 47 primary tags
    Column("stages", String(400), nullable=False, server_default=text("''")),  # '' = any stage
    Column("capacity", Integer, nullable=False),  # cases per day
    Column("active", Boolean, nullable=False, server_default=text("true")),
    CheckConstraint("capacity >= 0", name="capacity_not_negative"),
)

cases = Table(
    "cases",
    metadata,
    Column("case_id", String(80), primary_key=True),
    Column("borrower_id", Id, ForeignKey("borrowers.id"), nullable=False, index=True),
    # the borrower's id while the case is open, NULL once closed: one open case per borrower
    Column("open_borrower_id", Id, unique=True),
    Column("state", String(20), nullable=False, server_default=text("'active'")),
    Column("opened_on", Date, nullable=False),
    Column("closed_on", Date),
    Column("closure", String(40)),
    # the strategy's latest assignment (history in case_assignments)
    Column("stage_id", String(64)),
    Column("stage_entered_on", Date),
    Column("segment_id", String(64)),
    Column("arm", String(64)),  # "champion" or a challenger arm
    Column("treatment_id", String(64)),
    Column("debtor_type", String(24), nullable=False, server_default=text("'cooperative'")),
    Column("collector_id", String(64), ForeignKey("collectors.collector_id")),
    Column("hold_until", Date),  # a supervisor's hold: out of worklists until this date
    Column("hold_reason", Text),
    Column("referral", Payload),  # an open supervisor referral (threat, three stops, ...)
    Column("follow_up_on", Date),  # a broken promise's follow-up day
    Column("version", Integer, nullable=False, server_default=text("1")),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint(_in("state", CASE_STATES), name="state"),
    CheckConstraint(
        "(state = 'closed' AND open_borrower_id IS NULL AND closed_on IS NOT NULL)"
        " OR (state <> 'closed' AND open_borrower_id IS NOT NULL)",
        name="open_borrower",
    ),
    Index(None, "state", "stage_id"),
    Index(None, "collector_id"),
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", String(80), ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("kind", String(40), nullable=False),  # transition, escalated, hold, reassigned, ...
    Column("before", String(40)),
    Column("after", String(40)),
    Column("reason", String(60)),
    Column("note", Text, nullable=False, server_default=text("''")),
    Column("actor_id", String(200), nullable=False),
    Column("actor_role", String(40), nullable=False),
)

case_assignments = Table(
    "case_assignments",
    metadata,
    Column("business_date", Date, primary_key=True),
    Column("case_id", String(80), ForeignKey("cases.case_id"), primary_key=True),
    Column("strategy_version", String(40), nullable=False),
    Column("stage_id", String(64), nullable=False),
    Column("segment_id", String(64), nullable=False),
    Column("arm", String(64), nullable=False),
    Column("treatment_id", String(64), nullable=False),
    Column("point", Integer, nullable=False),
    Column("dpd", Integer, nullable=False),
    Column("days_before_due", Integer),
    Column("treatment_day", Integer, nullable=False),
    Column("overdue_total", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Index(None, "case_id"),
)

promises = Table(
    "promises",
    metadata,
    Column("promise_id", String(64), primary_key=True),
    Column("case_id", String(80), ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("set_id", String(64), nullable=False),
    Column("made_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("deadline", Date, nullable=False),  # due_on + grace, fixed when made
    Column("amount", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("method", String(20)),
    Column("status", String(20), nullable=False, server_default=text("'pending'")),
    Column("credited", Money, nullable=False, server_default=text("0")),
    Column("evaluated_on", Date),
    Column("follow_up_on", Date),
    Column("made_by", String(200), nullable=False),
    Column("contact_record_id", String(64)),
    Column("created_at", UtcDateTime(), nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint(_in("status", PROMISE_STATUSES), name="status"),
    Index(None, "status", "deadline"),
)

arrangements = Table(
    "arrangements",
    metadata,
    Column("arrangement_id", String(64), primary_key=True),
    Column("case_id", String(80), ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),  # plan | settlement
    Column("status", String(20), nullable=False),
    Column("agreed_on", Date, nullable=False),
    Column("balance", Money, nullable=False),
    Column("total", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("frequency", String(20), nullable=False),
    Column("required_role", String(40)),  # who must approve; NULL: within the collector's limits
    Column("proposed_by", String(200), nullable=False),
    Column("decided_by", String(200)),
    Column("decided_at", UtcDateTime()),
    Column("decision_note", Text),
    Column("broken_on", Date),
    Column("created_at", UtcDateTime(), nullable=False),
    CheckConstraint(_in("status", ARRANGEMENT_STATUSES), name="status"),
)

arrangement_instalments = Table(
    "arrangement_instalments",
    metadata,
    Column(
        "arrangement_id",
        String(64),
        ForeignKey("arrangements.arrangement_id"),
        primary_key=True,
    ),
    Column("number", Integer, primary_key=True),
    Column("due_on", Date, nullable=False),
    Column("amount", Money, nullable=False),
    Column("paid", Money, nullable=False, server_default=text("0")),
    Column("status", String(20), nullable=False, server_default=text("'scheduled'")),
)

planned_attempts = Table(
    "planned_attempts",
    metadata,
    Column("attempt_id", String(120), primary_key=True),
    Column("business_date", Date, nullable=False),
    Column("case_id", String(80), ForeignKey("cases.case_id"), nullable=False),
    Column("source", String(10), nullable=False),  # planned | dialer
    Column("stage_id", String(64)),
    Column("treatment_id", String(64)),
    Column("step_index", Integer),
    Column("channel", String(12), nullable=False),
    Column("target", String(12), nullable=False),
    Column("person_id", String(64)),
    Column("address", String(320)),
    Column("purpose", String(24), nullable=False),
    Column("talk_track", String(80)),
    Column("contingent", Boolean, nullable=False, server_default=text("false")),
    Column("status", String(12), nullable=False, server_default=text("'planned'")),
    CheckConstraint(_in("status", ATTEMPT_STATUSES), name="status"),
    Index(None, "business_date", "case_id"),
)

contact_log = Table(
    "contact_log",
    metadata,
    Column("record_id", String(64), primary_key=True),
    Column("case_id", String(80), ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("logged_at", UtcDateTime(), nullable=False),
    Column("channel", String(12), nullable=False),
    Column("direction", String(10), nullable=False),
    Column("address", String(320), nullable=False),
    Column("party", String(12), nullable=False),
    Column("party_id", String(64), nullable=False),
    Column("purpose", String(24), nullable=False),
    Column("outcomes", String(400), nullable=False),  # space-separated outcome codes
    Column("collector_id", String(200), nullable=False),
    Column("notes", Text, nullable=False, server_default=text("''")),
    Column("talk_track", String(80)),
    Column("duration_seconds", Integer),
    Column("attempt_id", String(120)),
    Column("flag", String(40)),  # e.g. unplanned: no planned or dialer attempt behind it
    Column("amends", String(64)),
    Column("amend_reason", Text),
)

case_facts = Table(
    "case_facts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", String(80), ForeignKey("cases.case_id"), nullable=False, index=True),
    Column(
        "kind", String(24), nullable=False
    ),  # reason | ability | willingness | hardship | dispute
    Column("value", String(60), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("by", String(200), nullable=False),
    Column("note", Text, nullable=False, server_default=text("''")),
)

classification_overrides = Table(
    "classification_overrides",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", String(80), ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("debtor_type", String(24), nullable=False),
    Column("reason", Text, nullable=False),
    Column("by", String(200), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("until", Date),
)

field_visits = Table(
    "field_visits",
    metadata,
    Column("visit_id", String(64), primary_key=True),
    Column("case_id", String(80), ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("address_id", String(64), nullable=False),
    Column("scheduled_for", UtcDateTime(), nullable=False),
    Column("visitors", String(400), nullable=False),  # space-separated collector ids
    Column("purpose", Text, nullable=False),
    Column("status", String(12), nullable=False, server_default=text("'scheduled'")),
    Column("outcome", String(40)),
    Column("evidence", Payload),  # [{"kind": ..., "ref": ...}]
    Column("notes", Text, nullable=False, server_default=text("''")),
    Column("completed_at", UtcDateTime()),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

worklist_items = Table(
    "worklist_items",
    metadata,
    Column("business_date", Date, primary_key=True),
    Column("case_id", String(80), ForeignKey("cases.case_id"), primary_key=True),
    Column("collector_id", String(64), ForeignKey("collectors.collector_id")),  # NULL: team queue
    Column("queue", String(64), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("expected_value", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reasons", Text, nullable=False),  # the priority's explanation, human readable
    Column("status", String(12), nullable=False, server_default=text("'open'")),
    Column("claimed_by", String(64)),
    Column("claimed_at", UtcDateTime()),
    CheckConstraint(_in("status", WORK_STATUSES), name="status"),
    Index(None, "business_date", "queue", "status", "rank"),
    Index(None, "business_date", "collector_id", "status", "rank"),
)

WORKFLOW_APPEND_ONLY = ("case_events", "contact_log", "case_facts", "classification_overrides")

# Plain SQL shared by the migration (which copies it) and create_all. The PostgreSQL function
# arrears_refuse_change() is created by migration 0001 / tables.py.
WORKFLOW_GUARDS_SQLITE: tuple[str, ...] = tuple(
    f"CREATE TRIGGER {name}_no_{verb.lower()} BEFORE {verb} ON {name} "
    f"BEGIN SELECT RAISE(ABORT, '{name} is append-only'); END"
    for name in WORKFLOW_APPEND_ONLY
    for verb in ("DELETE", "UPDATE")
)
WORKFLOW_GUARDS_POSTGRESQL: tuple[str, ...] = tuple(
    f"CREATE TRIGGER {name}_no_{verb.lower()} BEFORE {verb} ON {name} "
    "FOR EACH ROW EXECUTE FUNCTION arrears_refuse_change()"
    for name in WORKFLOW_APPEND_ONLY
    for verb in ("DELETE", "UPDATE")
)


@event.listens_for(metadata, "after_create")
def _create_workflow_guards(_target: MetaData, connection: Connection, **_: Any) -> None:
    """Give `create_all` databases the same guards as migrated ones."""
    statements = {"sqlite": WORKFLOW_GUARDS_SQLITE, "postgresql": WORKFLOW_GUARDS_POSTGRESQL}
    for statement in statements.get(connection.dialect.name, ()):
        connection.execute(text(statement))


__all__ = [
    "ARRANGEMENT_STATUSES",
    "CASE_STATES",
    "PROMISE_STATUSES",
    "WORKFLOW_APPEND_ONLY",
    "WORKFLOW_GUARDS_POSTGRESQL",
    "WORKFLOW_GUARDS_SQLITE",
    "WORK_STATUSES",
    "arrangement_instalments",
    "arrangements",
    "case_assignments",
    "case_events",
    "case_facts",
    "cases",
    "classification_overrides",
    "collectors",
    "contact_log",
    "field_visits",
    "planned_attempts",
    "promises",
    "worklist_items",
]
