"""The system of record's tables (SQLAlchemy Core, one MetaData), portable to SQLite and PostgreSQL.

Conventions:
- surrogate keys are integer autoincrement (`BIGINT` on PostgreSQL); business keys are the
  `external_id`s of the import files, unique;
- money is `NUMERIC(19, 4)` (never float) and travels as `Decimal`;
- instants are timezone-aware and stored in UTC (`UtcDateTime`); business dates are `DATE`;
- audit payloads are JSON (`JSONB` on PostgreSQL);
- `bucket_history` and `audit_events` are append-only: the database refuses `DELETE` (and any
  `UPDATE` except lifting an open bucket tag) with triggers, created by the migration (and by
  `create_all` for throwaway databases).

The schema is created by the Alembic migrations in `migrations/`; `metadata.create_all` is only
for throwaway databases. A test compares the two.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.dialects import postgresql

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect
    from sqlalchemy.types import TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# -- portable column types ---------------------------------------------------------------------

#: surrogate keys: BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite
Id = BigInteger().with_variant(Integer(), "sqlite")

MONEY_SCALE = 4


class MoneyType(TypeDecorator[Decimal]):
    """Money, exactly, on both databases: NUMERIC(19, 4) on PostgreSQL; on SQLite, which has no
    decimal type (NUMERIC there is floating point), an INTEGER count of 1/10,000 units. Python
    always sees `Decimal`; values with more than 4 decimals are refused, never rounded."""

    impl = Numeric(19, MONEY_SCALE, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(19, MONEY_SCALE, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal | int) or isinstance(value, bool):
            raise TypeError(f"money must be a Decimal, got {type(value).__name__} {value!r}")
        if dialect.name != "sqlite":
            return value
        scaled = Decimal(value).scaleb(MONEY_SCALE)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {MONEY_SCALE} decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-MONEY_SCALE)
        return Decimal(value)


#: money: 15 integer digits and 4 decimals, enough for every ISO 4217 minor unit
Money = MoneyType()

#: an annual interest rate as a decimal fraction (0.189 = 18.9 %)
Rate = Numeric(9, 6, asdecimal=True)

#: audit payloads; a missing payload is SQL NULL, not JSON null
Payload = JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware instant stored in UTC; naive datetimes are refused, results are aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware (UTC) instant")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":  # stored as text without an offset: always UTC
            return value.replace(tzinfo=None)
        return value

    def process_result_value(
        self,
        value: dt.datetime | None,
        dialect: Dialect,  # noqa: ARG002 - the signature is SQLAlchemy's
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _pk() -> Column[int]:
    return Column("id", Id, primary_key=True, autoincrement=True)


def _created_updated() -> list[Column[dt.datetime]]:
    return [
        Column("created_at", UtcDateTime(), nullable=False),
        Column("updated_at", UtcDateTime(), nullable=False),
    ]


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


PHONE_KINDS = ("mobile", "home", "work")
PARTY_ROLES = ("guarantor", "reference")
RELATIONS = (
    "spouse",
    "parent",
    "child",
    "sibling",
    "relative",
    "friend",
    "colleague",
    "employer",
    "other",
)
PAYMENT_CHANNELS = ("debit", "transfer", "card", "cash", "agency", "other")
IMPORT_KINDS = ("borrowers", "related-parties", "loans", "installments", "payments")

# -- borrowers and their contact points ---------------------------------------------------------

borrowers = Table(
    "borrowers",
    metadata,
    _pk(),
    Column("external_id", String(64), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("language", String(35), nullable=False),  # BCP 47
    Column("country", String(2), nullable=False),  # ISO 3166-1 alpha-2
    Column("region", String(100)),
    Column("occupation", String(100)),
    Column("employer", String(200)),
    Column("national_id", String(64)),  # PII: masked by the desk
    Column("date_of_birth", Date),
    Column("version", Integer, nullable=False, server_default=text("1")),
    *_created_updated(),
)

borrower_phones = Table(
    "borrower_phones",
    metadata,
    _pk(),
    Column(
        "borrower_id",
        Id,
        ForeignKey("borrowers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("kind", String(10), nullable=False),
    Column("e164", String(20), nullable=False),
    Column("region_code", String(2), nullable=False),
    Column("time_zones", Text, nullable=False, server_default=text("''")),  # space-separated IANA
    CheckConstraint(_in("kind", PHONE_KINDS), name="kind"),
    UniqueConstraint("borrower_id", "kind", "e164"),
)

borrower_emails = Table(
    "borrower_emails",
    metadata,
    _pk(),
    Column(
        "borrower_id",
        Id,
        ForeignKey("borrowers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("email", String(320), nullable=False),
    UniqueConstraint("borrower_id", "email"),
)

borrower_addresses = Table(
    "borrower_addresses",
    metadata,
    _pk(),
    Column(
        "borrower_id",
        Id,
        ForeignKey("borrowers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("line", String(300), nullable=False, server_default=text("''")),
    Column("city", String(100), nullable=False, server_default=text("''")),
    Column("postal_code", String(20), nullable=False, server_default=text("''")),
    Column("region", String(100), nullable=False, server_default=text("''")),
    Column("country", String(2), nullable=False),
    Column("time_zone", String(64)),  # IANA
)

related_parties = Table(
    "related_parties",
    metadata,
    _pk(),
    Column("external_id", String(64), nullable=False, unique=True),
    Column("borrower_id", Id, ForeignKey("borrowers.id"), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("relation", String(16), nullable=False),
    Column("full_name", String(200), nullable=False),
    Column("phone_e164", String(20)),
    Column("phone_region_code", String(2)),
    Column("phone_time_zones", Text),  # space-separated IANA zones
    Column("email", String(320)),
    Column("country", String(2)),  # NULL: the borrower's
    Column("language", String(35)),  # NULL: the borrower's
    Column("guarantee_enforceable", Boolean, nullable=False, server_default=text("false")),
    Column("version", Integer, nullable=False, server_default=text("1")),
    *_created_updated(),
    CheckConstraint(_in("role", PARTY_ROLES), name="role"),
    CheckConstraint(_in("relation", RELATIONS), name="relation"),
    CheckConstraint(
        "guarantee_enforceable = false OR role = 'guarantor'", name="enforceable_guarantor"
    ),
)

# -- loans, schedules, money movements ----------------------------------------------------------

loans = Table(
    "loans",
    metadata,
    _pk(),
    Column("external_id", String(64), nullable=False, unique=True),
    Column("borrower_id", Id, ForeignKey("borrowers.id"), nullable=False, index=True),
    Column("product", String(40), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("principal", Money, nullable=False),
    Column("disbursed_on", Date, nullable=False),
    Column("annual_interest_rate", Rate),
    Column("version", Integer, nullable=False, server_default=text("1")),
    *_created_updated(),
    CheckConstraint("principal > 0", name="principal_positive"),
)

installments = Table(
    "installments",
    metadata,
    _pk(),
    Column("loan_id", Id, ForeignKey("loans.id", ondelete="CASCADE"), nullable=False),
    Column("installment_no", Integer, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("principal", Money, nullable=False),
    Column("interest", Money, nullable=False),
    Column("fee", Money, nullable=False),
    # principal + interest + fee of the earlier installments of the same loan; maintained by
    # the import for the set-based batch engine
    Column("cum_due_before", Money, nullable=False, server_default=text("0")),
    UniqueConstraint("loan_id", "installment_no"),
    CheckConstraint("installment_no >= 1", name="installment_no_positive"),
    CheckConstraint(
        "principal >= 0 AND interest >= 0 AND fee >= 0", name="components_not_negative"
    ),
    Index(None, "loan_id", "due_date"),
    Index(None, "due_date"),
)

payments = Table(
    "payments",
    metadata,
    _pk(),
    Column("external_id", String(64), nullable=False, unique=True),
    Column("loan_id", Id, ForeignKey("loans.id"), nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("amount", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("channel", String(16)),
    Column("created_at", UtcDateTime(), nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint(f"channel IS NULL OR {_in('channel', PAYMENT_CHANNELS)}", name="channel"),
    Index(None, "loan_id", "paid_on"),
)

charges = Table(
    "charges",
    metadata,
    _pk(),
    Column("loan_id", Id, ForeignKey("loans.id"), nullable=False),
    Column("installment_no", Integer, nullable=False),
    Column("rule_id", String(64), nullable=False),
    Column("period_key", String(64), nullable=False),
    Column("charged_on", Date, nullable=False),
    Column("amount", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # a fee is charged at most once per rule and period: the database says so
    UniqueConstraint("loan_id", "rule_id", "period_key"),
    CheckConstraint("amount > 0", name="amount_positive"),
)

bucket_history = Table(
    "bucket_history",
    metadata,
    _pk(),
    Column("loan_id", Id, ForeignKey("loans.id"), nullable=False),
    Column("bucket", String(16), nullable=False),
    Column("dpd", Integer, nullable=False),
    Column("added_on", Date, nullable=False),
    Column("lifted_on", Date),  # NULL while the loan is in this bucket
    CheckConstraint("dpd >= 0", name="dpd_not_negative"),
    CheckConstraint("lifted_on IS NULL OR lifted_on >= added_on", name="lifted_after_added"),
    Index(None, "loan_id", "added_on"),
    # at most one open tag per loan
    Index(
        "uq_bucket_history_open",
        "loan_id",
        unique=True,
        sqlite_where=text("lifted_on IS NULL"),
        postgresql_where=text("lifted_on IS NULL"),
    ),
)

# -- audit and import bookkeeping ---------------------------------------------------------------

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("occurred_at", UtcDateTime(), nullable=False, index=True),
    Column("actor", String(200), nullable=False),  # the actor's id / name, kept as text
    Column("action", String(100), nullable=False, index=True),  # source:subject:action
    Column("subject_type", String(50), nullable=False),
    Column("subject_id", String(100), nullable=False),
    Column("request_id", String(64)),
    Column("batch_id", String(64), index=True),
    Column("before", Payload),
    Column("after", Payload),
    Index(None, "subject_type", "subject_id"),
)

import_batches = Table(
    "import_batches",
    metadata,
    Column("id", String(36), primary_key=True),  # app-side uuid4, also audit_events.batch_id
    Column("kind", String(20), nullable=False),
    Column("file_name", String(500), nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("rows", Integer, nullable=False),
    Column("inserted", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime(), nullable=False),
    CheckConstraint(_in("kind", IMPORT_KINDS), name="kind"),
)

# -- append-only guards -------------------------------------------------------------------------
# Kept as plain SQL so that the migration and create_all share one text. The migration copies it
# (migrations are frozen snapshots); tests check that both refuse a delete.

APPEND_ONLY_SQLITE: tuple[str, ...] = (
    (
        "CREATE TRIGGER bucket_history_no_delete BEFORE DELETE ON bucket_history "
        "BEGIN SELECT RAISE(ABORT, 'bucket_history is append-only'); END"
    ),
    (
        "CREATE TRIGGER bucket_history_lift_only BEFORE UPDATE ON bucket_history "
        "WHEN OLD.lifted_on IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.loan_id IS NOT OLD.loan_id "
        "OR NEW.bucket IS NOT OLD.bucket OR NEW.dpd IS NOT OLD.dpd "
        "OR NEW.added_on IS NOT OLD.added_on "
        "BEGIN SELECT RAISE(ABORT, 'bucket_history rows can only be lifted, once'); END"
    ),
    (
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
    ),
    (
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
    ),
)

APPEND_ONLY_POSTGRESQL: tuple[str, ...] = (
    (
        """CREATE FUNCTION arrears_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
    END
    $$"""
    ),
    (
        """CREATE FUNCTION arrears_bucket_lift_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.lifted_on IS NOT NULL OR NEW.id IS DISTINCT FROM OLD.id
           OR NEW.loan_id IS DISTINCT FROM OLD.loan_id OR NEW.bucket IS DISTINCT FROM OLD.bucket
           OR NEW.dpd IS DISTINCT FROM OLD.dpd OR NEW.added_on IS DISTINCT FROM OLD.added_on THEN
            RAISE EXCEPTION 'bucket_history rows can only be lifted, once'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END
    $$"""
    ),
    (
        "CREATE TRIGGER bucket_history_no_delete BEFORE DELETE ON bucket_history "
        "FOR EACH ROW EXECUTE FUNCTION arrears_refuse_change()"
    ),
    (
        "CREATE TRIGGER bucket_history_lift_only BEFORE UPDATE ON bucket_history "
        "FOR EACH ROW EXECUTE FUNCTION arrears_bucket_lift_only()"
    ),
    (
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION arrears_refuse_change()"
    ),
    (
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION arrears_refuse_change()"
    ),
)


# -- the contact ledger (append-only; corrections are new rows that amend an earlier one) -------

LEDGER_SOURCES = ("dialer", "planned", "manual", "import", "system")

contact_ledger = Table(
    "contact_ledger",
    metadata,
    _pk(),
    Column("event_key", String(128), nullable=False, unique=True),  # idempotency key
    Column("type", String(32), nullable=False),
    Column("person_id", String(64), index=True),  # NULL: a debt-level event
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("debt_ids", Payload, nullable=False),
    Column("payload", Payload, nullable=False),  # the validated event line
    Column("source", String(16), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("amends_id", Id, ForeignKey("contact_ledger.id")),
    Column("amend_reason", Text),
    CheckConstraint(_in("source", LEDGER_SOURCES), name="source"),
    CheckConstraint(
        "(amends_id IS NULL AND amend_reason IS NULL) OR "
        "(amends_id IS NOT NULL AND amend_reason IS NOT NULL AND amend_reason <> '')",
        name="amendment_has_reason",
    ),
    Index(None, "person_id", "occurred_at"),
)

LEDGER_GUARDS_SQLITE = (
    (
        "CREATE TRIGGER contact_ledger_no_delete BEFORE DELETE ON contact_ledger "
        "BEGIN SELECT RAISE(ABORT, 'contact_ledger is append-only'); END"
    ),
    (
        "CREATE TRIGGER contact_ledger_no_update BEFORE UPDATE ON contact_ledger "
        "BEGIN SELECT RAISE(ABORT, 'contact_ledger is append-only'); END"
    ),
)
LEDGER_GUARDS_POSTGRESQL = (
    (
        "CREATE TRIGGER contact_ledger_no_delete BEFORE DELETE ON contact_ledger "
        "FOR EACH ROW EXECUTE FUNCTION arrears_refuse_change()"
    ),
    (
        "CREATE TRIGGER contact_ledger_no_update BEFORE UPDATE ON contact_ledger "
        "FOR EACH ROW EXECUTE FUNCTION arrears_refuse_change()"
    ),
)


# -- the nightly cycle: runs, their steps, the per-date lock, and what each step wrote --------

CYCLE_STATUSES = ("running", "completed", "failed")

cycle_runs = Table(
    "cycle_runs",
    metadata,
    Column("run_id", String(36), primary_key=True),
    Column("business_date", Date, nullable=False, index=True),
    Column("engine", String(16), nullable=False),
    Column("status", String(12), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime()),
    CheckConstraint(_in("status", CYCLE_STATUSES), name="status"),
)

cycle_steps = Table(
    "cycle_steps",
    metadata,
    Column("run_id", String(36), ForeignKey("cycle_runs.run_id"), primary_key=True),
    Column("step", String(40), primary_key=True),
    Column("rows", BigInteger, nullable=False),
    Column("finished_at", UtcDateTime(), nullable=False),
)

cycle_locks = Table(
    "cycle_locks",
    metadata,
    Column("business_date", Date, primary_key=True),  # one cycle per business date at a time
    Column("run_id", String(36), ForeignKey("cycle_runs.run_id"), nullable=False),
    Column("acquired_at", UtcDateTime(), nullable=False),
)

delinquency_snapshots = Table(
    "delinquency_snapshots",
    metadata,
    Column("business_date", Date, primary_key=True),
    Column("loan_id", Id, ForeignKey("loans.id"), primary_key=True),
    Column("dpd", Integer, nullable=False),
    Column("bucket", String(16), nullable=False),
    Column("overdue_principal", Money, nullable=False),
    Column("overdue_interest", Money, nullable=False),
    Column("overdue_fee", Money, nullable=False),
    Column("overdue_penalty", Money, nullable=False),
    Column("overdue_total", Money, nullable=False),
    Column("missed_installments", Integer, nullable=False),
    Column("oldest_unpaid_due_date", Date),
    Column("last_payment_date", Date),
    Index(None, "loan_id", "business_date"),
)

borrower_snapshots = Table(
    "borrower_snapshots",
    metadata,
    Column("business_date", Date, primary_key=True),
    Column("borrower_id", Id, ForeignKey("borrowers.id"), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("loans", Integer, nullable=False),
    Column("delinquent_loans", Integer, nullable=False),
    Column("worst_dpd", Integer, nullable=False),
    Column("worst_bucket", String(16), nullable=False),
    Column("overdue_total", Money, nullable=False),
)


@event.listens_for(metadata, "after_create")
def _create_append_only_guards(_target: MetaData, connection: Connection, **_: Any) -> None:
    """Give `create_all` databases the same guards as migrated ones."""
    statements = {
        "sqlite": APPEND_ONLY_SQLITE + LEDGER_GUARDS_SQLITE,
        "postgresql": APPEND_ONLY_POSTGRESQL + LEDGER_GUARDS_POSTGRESQL,
    }
    for statement in statements.get(connection.dialect.name, ()):
        connection.execute(text(statement))


__all__ = [
    "IMPORT_KINDS",
    "PARTY_ROLES",
    "PAYMENT_CHANNELS",
    "PHONE_KINDS",
    "RELATIONS",
    "Money",
    "Payload",
    "UtcDateTime",
    "audit_events",
    "borrower_addresses",
    "borrower_emails",
    "borrower_phones",
    "borrower_snapshots",
    "borrowers",
    "bucket_history",
    "charges",
    "contact_ledger",
    "cycle_locks",
    "cycle_runs",
    "cycle_steps",
    "delinquency_snapshots",
    "import_batches",
    "installments",
    "loans",
    "metadata",
    "payments",
    "related_parties",
]

# The tables of later features live in their own modules on the same MetaData; importing them
# here (after `metadata` exists) makes `metadata` complete for create_all and the migration check.
from arrears.adapters.store import (  # noqa: E402
    outbox_tables,  # noqa: F401
    security_tables,  # noqa: F401
    workflow_tables,  # noqa: F401
)
