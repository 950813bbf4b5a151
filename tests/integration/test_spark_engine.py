"""The Spark engine gives exactly what DuckDB gives, which is exactly what the domain gives.

One local SparkSession serves the whole module (starting the JVM takes seconds). Each Hypothesis
example is one Spark query: several generated portfolios share its policy and as-of date, so a
single job checks many loans. Skipped, with the reason, when no JVM is installed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.adapters.engine.base import DuckDBEngine
from arrears.adapters.engine.delinquency import OUTPUT_COLUMNS, EngineInputs, delinquency_sql
from arrears.adapters.engine.dialects import UnsupportedSql, date_subtractions, transpile
from arrears.domain.allocation import AllocationMode, Waterfall
from arrears.domain.delinquency import (
    Bucket,
    BucketSet,
    DelinquencyPolicy,
    Pause,
    compute_delinquency,
    merge_pauses,
)
from arrears.domain.errors import InvalidConfig
from arrears.domain.model import Charge, Component, Installment, Loan, Payment
from arrears.domain.money import Money
from strategies import as_of_dates, loans, pauses

if TYPE_CHECKING:
    from collections.abc import Iterator

    from arrears.adapters.engine.spark import SparkEngine

pytest.importorskip("pyspark")

pytestmark = pytest.mark.integration

MONEY = pa.decimal128(38, 4)
INPUT_SCHEMAS = {
    "installments": pa.schema(
        [
            ("loan_id", pa.string()),
            ("installment_no", pa.int64()),
            ("due_date", pa.date32()),
            ("principal", MONEY),
            ("interest", MONEY),
            ("fee", MONEY),
        ]
    ),
    "payments": pa.schema(
        [
            ("loan_id", pa.string()),
            ("payment_id", pa.string()),
            ("paid_on", pa.date32()),
            ("amount", MONEY),
        ]
    ),
    "charges": pa.schema(
        [
            ("loan_id", pa.string()),
            ("installment_no", pa.int64()),
            ("charged_on", pa.date32()),
            ("amount", MONEY),
        ]
    ),
    "pauses": pa.schema(
        [("loan_id", pa.string()), ("start_date", pa.date32()), ("end_date", pa.date32())]
    ),
}
INPUTS = EngineInputs(charges="charges", pauses="pauses")


def java_missing() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(Path(java_home) / "bin" / "java", os.X_OK):
        return None
    if shutil.which("java"):
        return None
    return "no JVM: the Spark engine needs Java 17+ (`java` on PATH or JAVA_HOME)"


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkEngine]:
    reason = java_missing()
    if reason:
        pytest.skip(reason)
    from arrears.adapters.engine.spark import SparkEngine  # noqa: PLC0415 - needs a JVM

    engine = SparkEngine(master="local[2]")
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def duck() -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine()
    yield engine
    engine.close()


def book_tables(book: list[Loan], book_pauses: dict[str, tuple[Pause, ...]]) -> dict[str, pa.Table]:
    rows = {
        "installments": [
            (
                ln.external_id,
                i.number,
                i.due_date,
                i.principal.amount,
                i.interest.amount,
                i.fee.amount,
            )
            for ln in book
            for i in ln.installments
        ],
        "payments": [
            (ln.external_id, p.external_id, p.paid_on, p.amount.amount)
            for ln in book
            for p in ln.payments
        ],
        "charges": [
            (ln.external_id, c.installment_no, c.charged_on, c.amount.amount)
            for ln in book
            for c in ln.charges
        ],
        "pauses": [
            (loan, p.start, p.end)
            for loan, items in book_pauses.items()
            for p in merge_pauses(items)
        ],
    }
    return {
        name: pa.Table.from_pylist(
            [dict(zip(INPUT_SCHEMAS[name].names, row, strict=True)) for row in table_rows],
            schema=INPUT_SCHEMAS[name],
        )
        for name, table_rows in rows.items()
    }


def run_both(
    spark: SparkEngine, duck: DuckDBEngine, tables: dict[str, pa.Table], sql: str
) -> tuple[pa.Table, pa.Table]:
    for engine in (spark, duck):
        for name, table in tables.items():
            engine.register_arrow(name, table)
    return spark.query_arrow(sql), duck.query_arrow(sql)


def assert_same_tables(spark_result: pa.Table, duck_result: pa.Table) -> None:
    assert spark_result.column_names == duck_result.column_names == list(OUTPUT_COLUMNS)
    assert spark_result.schema.types == duck_result.schema.types
    assert spark_result.to_pylist() == duck_result.to_pylist()


def assert_equals_domain(
    result: pa.Table,
    book: list[Loan],
    book_pauses: dict[str, tuple[Pause, ...]],
    as_of: dt.date,
    policy: DelinquencyPolicy,
) -> None:
    rows = {r["loan_id"]: r for r in result.to_pylist()}
    assert set(rows) == {ln.external_id for ln in book if ln.installments or ln.payments}
    for loan in book:
        if loan.external_id not in rows:
            continue
        row = rows[loan.external_id]
        status = compute_delinquency(
            loan, as_of, policy, pauses=book_pauses.get(loan.external_id, ())
        )
        assert (row["dpd"], row["bucket"]) == (status.dpd, status.bucket), loan.external_id
        assert row["overdue_principal"] == status.overdue[Component.PRINCIPAL].amount
        assert row["overdue_interest"] == status.overdue[Component.INTEREST].amount
        assert row["overdue_fee"] == status.overdue[Component.FEE].amount
        assert row["overdue_total"] == status.overdue_total.amount
        assert row["missed_installments"] == status.missed_installments
        assert row["oldest_unpaid_due_date"] == status.oldest_unpaid_due_date
        assert row["last_payment_date"] == status.last_payment_date


# --- (a) generated portfolios --------------------------------------------------------------------


@contextmanager
def adaptive_execution_off(spark: SparkEngine) -> Iterator[None]:
    """AQE re-plans after every stage: worth it on a big book, a quarter of the time on a tiny one.
    It chooses how to execute, never what the result is; the other tests run with it on."""
    spark.session.conf.set("spark.sql.adaptive.enabled", "false")
    try:
        yield
    finally:
        spark.session.conf.unset("spark.sql.adaptive.enabled")


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[Loan], dict[str, tuple[Pause, ...]]]:
    """Several portfolios in one book (distinct loan ids): one Spark query checks them all."""
    book = [
        draw(loans(with_charges=True, loan_id=f"P{p}-L{i}"))
        for p in range(draw(st.integers(1, 3)))
        for i in range(draw(st.integers(1, 4)))
    ]
    return book, {loan.external_id: draw(pauses()) for loan in book}


policies = st.builds(
    DelinquencyPolicy,
    grace_days=st.integers(0, 7),
    tolerance=st.integers(0, 2000).map(lambda n: Decimal(n) / 100),
    buckets=st.sampled_from(
        [
            BucketSet.default(),
            BucketSet((Bucket("current", 0, 0), Bucket("early", 1, 10), Bucket("late", 11, None))),
        ]
    ),
    waterfall=st.sampled_from(
        [
            Waterfall(),
            Waterfall(AllocationMode.COMPONENT_FIRST),
            Waterfall(
                components=(
                    Component.PRINCIPAL,
                    Component.INTEREST,
                    Component.FEE,
                    Component.PENALTY,
                )
            ),
            Waterfall(
                AllocationMode.COMPONENT_FIRST,
                components=(
                    Component.INTEREST,
                    Component.PRINCIPAL,
                    Component.PENALTY,
                    Component.FEE,
                ),
            ),
        ]
    ),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches(), run=st.tuples(as_of_dates, policies, st.sampled_from([2, 4])))
def test_spark_equals_duckdb_equals_domain(spark, duck, batch, run):
    book, book_pauses = batch
    as_of, policy, scale = run
    sql = delinquency_sql(policy, as_of, INPUTS, scale=scale)
    with adaptive_execution_off(spark):
        spark_result, duck_result = run_both(spark, duck, book_tables(book, book_pauses), sql)
    assert_same_tables(spark_result, duck_result)
    # generated amounts have at most 2 decimals, so scale 2 rounds nothing away either
    assert_equals_domain(spark_result, book, book_pauses, as_of, policy)


# --- (b) edge cases by example --------------------------------------------------------------------

D = dt.date
AS_OF = D(2026, 2, 1)


def eur(value: str) -> Money:
    return Money.of(value, "EUR")


def ten_due(on: dt.date, number: int = 1) -> Installment:
    return Installment(number, on, eur("10"), eur("0"), eur("0"))


EDGE_BOOK = [
    # paid after as_of: ignored, so 31 days past due and no last payment
    Loan(
        "after", "B", "EUR", (ten_due(D(2026, 1, 1)),), (Payment("a1", D(2026, 3, 1), eur("10")),)
    ),
    # paid five times what is due: nothing overdue, the rest is credit
    Loan("over", "B", "EUR", (ten_due(D(2026, 1, 1)),), (Payment("o1", D(2026, 1, 1), eur("50")),)),
    # no installments, only a payment: a loan all the same, current
    Loan("none", "B", "EUR", (), (Payment("n1", D(2026, 1, 1), eur("5")),)),
    # two payments on one day make up the installment
    Loan(
        "same",
        "B",
        "EUR",
        (ten_due(D(2026, 1, 1)),),
        (Payment("s1", D(2026, 1, 5), eur("4")), Payment("s2", D(2026, 1, 5), eur("6"))),
    ),
    # due on as_of: not yet overdue
    Loan(
        "today",
        "B",
        "EUR",
        (ten_due(D(2026, 1, 1)), ten_due(AS_OF, 2)),
        (Payment("t1", D(2026, 1, 1), eur("10")),),
    ),
    # paid on as_of: counts
    Loan("paidtoday", "B", "EUR", (ten_due(D(2026, 1, 1)),), (Payment("p1", AS_OF, eur("10")),)),
    # part paid, a late charge before as_of (owed) and one after (not yet)
    Loan(
        "charged",
        "B",
        "EUR",
        (Installment(1, D(2026, 1, 1), eur("100"), eur("10.50"), eur("1.25")),),
        (Payment("c1", D(2026, 1, 10), eur("20")),),
        (
            Charge("late", "k1", 1, D(2026, 1, 15), eur("5")),
            Charge("late", "k2", 1, D(2026, 2, 15), eur("5")),
        ),
    ),
    # paused for ten days of its ageing
    Loan("paused", "B", "EUR", (ten_due(D(2026, 1, 1)),)),
    # never a cent and two installments missed
    Loan("missed", "B", "EUR", (ten_due(D(2025, 12, 1)), ten_due(D(2026, 1, 1), 2))),
]
EDGE_PAUSES = {"paused": (Pause(D(2026, 1, 10), D(2026, 1, 20)),)}
EDGE_EXPECTED = {  # loan: (dpd, bucket, overdue_total, missed, last_payment_date)
    "after": (31, "M2", Decimal(10), 1, None),
    "over": (0, "M0", Decimal(0), 0, D(2026, 1, 1)),
    "none": (0, "M0", Decimal(0), 0, D(2026, 1, 1)),
    "same": (0, "M0", Decimal(0), 0, D(2026, 1, 5)),
    "today": (0, "M0", Decimal(0), 0, D(2026, 1, 1)),
    "paidtoday": (0, "M0", Decimal(0), 0, AS_OF),
    "charged": (31, "M2", Decimal("96.75"), 1, D(2026, 1, 10)),
    "paused": (21, "M1", Decimal(10), 1, None),
    "missed": (62, "M3", Decimal(20), 2, None),
}


@pytest.fixture(scope="module")
def edge_results(spark, duck) -> dict[AllocationMode, tuple[pa.Table, pa.Table]]:
    """The edge book through both engines, once per allocation mode (scale 2: the CLI's)."""
    results = {}
    for mode in AllocationMode:
        policy = DelinquencyPolicy(waterfall=Waterfall(mode))
        sql = delinquency_sql(policy, AS_OF, INPUTS, scale=2)
        results[mode] = run_both(spark, duck, book_tables(EDGE_BOOK, EDGE_PAUSES), sql)
    return results


@pytest.mark.parametrize("mode", list(AllocationMode))
def test_edge_cases_agree_everywhere(edge_results, mode):
    spark_result, duck_result = edge_results[mode]
    assert_same_tables(spark_result, duck_result)
    policy = DelinquencyPolicy(waterfall=Waterfall(mode))
    assert_equals_domain(spark_result, EDGE_BOOK, EDGE_PAUSES, AS_OF, policy)
    got = {
        r["loan_id"]: (
            r["dpd"],
            r["bucket"],
            r["overdue_total"],
            r["missed_installments"],
            r["last_payment_date"],
        )
        for r in spark_result.to_pylist()
    }
    assert got == EDGE_EXPECTED


# --- (c) result types -----------------------------------------------------------------------------


def test_result_columns_keep_decimal_money_bigint_days_and_dates(edge_results):
    for spark_result, duck_result in edge_results.values():
        for result in (spark_result, duck_result):
            types = dict(zip(result.column_names, result.schema.types, strict=True))
            assert types == {
                "loan_id": pa.string(),
                "dpd": pa.int64(),
                "bucket": pa.string(),
                "overdue_principal": pa.decimal128(18, 2),
                "overdue_interest": pa.decimal128(18, 2),
                "overdue_fee": pa.decimal128(18, 2),
                "overdue_total": pa.decimal128(18, 2),
                "missed_installments": pa.int64(),
                "oldest_unpaid_due_date": pa.date32(),
                "last_payment_date": pa.date32(),
            }


@pytest.fixture
def fresh_duck() -> Iterator[DuckDBEngine]:
    """DuckDB without the shared engine's tables: DuckDBEngine's Parquet views live in `main`,
    where a temporary table of the same name (from register_arrow) would shadow them."""
    engine = DuckDBEngine()
    yield engine
    engine.close()


def test_parquet_inputs_and_created_tables(spark, fresh_duck, tmp_path):
    """The rest of the protocol: Parquet inputs, CREATE TABLE AS (even over itself), sums."""
    results = []
    for engine in (spark, fresh_duck):
        for name, table in book_tables(EDGE_BOOK, EDGE_PAUSES).items():
            path = tmp_path / engine.name / f"{name}.parquet"
            path.parent.mkdir(exist_ok=True)
            pq.write_table(table, path)
            engine.register_parquet(name, path)
        engine.create_table("status", delinquency_sql(DelinquencyPolicy(), AS_OF, INPUTS, scale=4))
        engine.create_table("status", "SELECT * FROM status WHERE dpd > 0")
        results.append(
            engine.query_arrow(
                "SELECT bucket, count(*) AS loans, sum(overdue_total) AS overdue, "
                "max(dpd) AS worst FROM status GROUP BY bucket ORDER BY bucket"
            )
        )
    spark_result, duck_result = results
    assert (
        spark_result.to_pylist()
        == duck_result.to_pylist()
        == [
            {"bucket": "M1", "loans": 1, "overdue": Decimal("10.0000"), "worst": 21},
            {"bucket": "M2", "loans": 2, "overdue": Decimal("106.7500"), "worst": 31},
            {"bucket": "M3", "loans": 1, "overdue": Decimal("20.0000"), "worst": 62},
        ]
    )
    assert pa.types.is_decimal(spark_result.schema.field("overdue").type)
    assert pa.types.is_decimal(duck_result.schema.field("overdue").type)


def test_session_is_set_up_for_exact_money(spark):
    conf = spark.session.conf
    assert conf.get("spark.sql.ansi.enabled") == "true"
    assert conf.get("spark.sql.decimalOperations.allowPrecisionLoss") == "false"
    assert conf.get("spark.sql.session.timeZone") == "UTC"
    from pyspark.errors import ArithmeticException  # noqa: PLC0415

    with pytest.raises(ArithmeticException, match="cannot be represented as Decimal"):
        spark.query_arrow("SELECT CAST(CAST('12345.678' AS DECIMAL(38, 4)) AS DECIMAL(6, 2))")


def test_a_second_engine_shares_the_running_spark_but_not_its_views(spark):
    from pyspark.errors import AnalysisException  # noqa: PLC0415

    from arrears.adapters.engine.spark import SparkEngine  # noqa: PLC0415

    other = SparkEngine(master="local[1]")  # Spark runs already: its context is shared, not started
    try:
        assert other.session.sparkContext is spark.session.sparkContext
        assert other.session.conf.get("spark.sql.ansi.enabled") == "true"
        other.register_arrow("only_here", pa.table({"x": pa.array([1], pa.int64())}))
        assert other.query_arrow("SELECT x FROM only_here").to_pylist() == [{"x": 1}]
        with pytest.raises(AnalysisException, match="only_here"):
            spark.query_arrow("SELECT x FROM only_here")
    finally:
        other.close()
    assert spark.query_arrow("SELECT 1 AS one").to_pylist() == [{"one": 1}]


# --- (d) transpile -------------------------------------------------------------------------------


def spark_sql(sql: str) -> str:
    return transpile(sql, to="spark")


def test_day_differences_become_calendar_day_datediff():
    assert spark_sql("SELECT date_diff('day', a, b) FROM t") == "SELECT DATEDIFF(b, a) FROM t"
    assert spark_sql("SELECT datediff('days', a, b) FROM t") == "SELECT DATEDIFF(b, a) FROM t"


@pytest.mark.parametrize("unit", ["month", "year", "week"])
def test_date_differences_in_other_units_are_refused(unit):
    with pytest.raises(UnsupportedSql, match="only 'day'"):
        spark_sql(f"SELECT date_diff('{unit}', a, b) FROM t")


def test_casts_literals_filters_and_window_order_transpile_faithfully():
    assert spark_sql("SELECT x::DECIMAL(38, 4)") == "SELECT CAST(x AS DECIMAL(38, 4))"
    assert spark_sql("SELECT NULL::VARCHAR") == "SELECT CAST(NULL AS STRING)"
    assert spark_sql("SELECT DATE '2026-01-31' + 1") == "SELECT CAST('2026-01-31' AS DATE) + 1"
    assert (
        spark_sql("SELECT COUNT(*) FILTER (WHERE x > 0) FROM t")
        == "SELECT COUNT(*) FILTER(WHERE x > 0) FROM t"
    )
    # DuckDB sorts NULLs last by default, Spark first: the default is written out
    assert spark_sql("SELECT SUM(x) OVER (PARTITION BY k ORDER BY n) FROM t") == (
        "SELECT SUM(x) OVER (PARTITION BY k ORDER BY n NULLS LAST) FROM t"
    )


def test_duckdb_is_left_alone_and_one_statement_is_expected():
    sql = "SELECT a - b FROM t"
    assert transpile(sql, to="duckdb") is sql
    with pytest.raises(UnsupportedSql, match="one SQL statement"):
        spark_sql("SELECT 1; SELECT 2")
    with pytest.raises(sqlglot.errors.ParseError):
        spark_sql("SELECT FROM WHERE")


def test_the_delinquency_query_has_no_date_subtraction_left():
    schema = {
        name: {f.name: "DATE" if f.type == pa.date32() else "VARCHAR" for f in table_schema}
        for name, table_schema in INPUT_SCHEMAS.items()
    }
    assert date_subtractions(
        "SELECT due_date - 3, due_date - paid_on FROM installments, payments", schema
    ) == ['"installments"."due_date" - "payments"."paid_on"']
    for mode in AllocationMode:
        policy = DelinquencyPolicy(grace_days=3, waterfall=Waterfall(mode))
        sql = delinquency_sql(policy, AS_OF, INPUTS, scale=2)
        assert date_subtractions(sql, schema) == []
        assert "DATEDIFF(DAY" not in spark_sql(sql)


def test_rewritten_constructs_mean_the_same_on_both_engines(spark, duck):
    sql = """
    SELECT k,
           date_diff('day', a, b) AS days,
           a + 1 AS next_day,
           COUNT(*) FILTER (WHERE n > 1) OVER (PARTITION BY g) AS counted,
           SUM(m) OVER (PARTITION BY g ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
               AS running,
           CAST(m AS DECIMAL(38, 4)) + CAST('0.0001' AS DECIMAL(38, 4)) AS plus
    FROM (VALUES
        (1, DATE '2024-02-28', DATE '2024-03-01', 'x', 1, 1.10::DECIMAL(18, 2)),
        (2, DATE '2025-12-31', DATE '2026-01-01', 'x', NULL, 2.25::DECIMAL(18, 2)),
        (3, DATE '2026-03-01', DATE '2026-02-01', 'y', 2, 99999999.99::DECIMAL(18, 2)),
        (4, DATE '2026-03-28', DATE '2026-03-30', 'y', 3, 0.01::DECIMAL(18, 2))
    ) AS v(k, a, b, g, n, m)
    ORDER BY k
    """
    spark_result, duck_result = spark.query_arrow(sql), duck.query_arrow(sql)
    assert spark_result.to_pylist() == duck_result.to_pylist()
    assert [r["days"] for r in spark_result.to_pylist()] == [2, 1, -28, 2]
    assert spark_result.schema.field("plus").type == pa.decimal128(38, 4)


# --- settings ------------------------------------------------------------------------------------


def test_conf_text_is_parsed_with_commas_inside_values():
    from arrears.adapters.engine.spark import parse_conf  # noqa: PLC0415

    assert parse_conf(" spark.a=1, spark.jars=a.jar,b.jar ,spark.b = x=y") == {
        "spark.a": "1",
        "spark.jars": "a.jar,b.jar",
        "spark.b": "x=y",
    }
    assert parse_conf("") == {}
    with pytest.raises(InvalidConfig, match="not key=value"):
        parse_conf("spark.a")


def test_local_mode_binds_to_loopback_and_a_cluster_does_not():
    from arrears.adapters.engine.spark import spark_settings  # noqa: PLC0415

    local = spark_settings("local[3]")
    assert local["spark.driver.bindAddress"] == "127.0.0.1"
    assert local["spark.sql.shuffle.partitions"] == "3"
    assert local["spark.ui.enabled"] == "false"
    cluster = spark_settings("spark://host:7077", {"spark.sql.shuffle.partitions": "400"})
    assert "spark.driver.bindAddress" not in cluster
    assert cluster["spark.sql.shuffle.partitions"] == "400"
    assert cluster["spark.sql.ansi.enabled"] == "true"


# ------------------------------------------------------------------ the calculator and charges

CALC_INSTALLMENTS = """loan_id,installment_no,due_date,principal,interest,fee
L1,1,2026-01-10,100.00,10.00,1.00
L1,2,2026-02-10,100.00,10.00,1.00
L2,1,2026-02-01,50.00,5.00,0.00
L2,2,2026-06-01,50.00,5.00,0.00
L3,1,2026-03-15,300.00,0.00,0.00
"""
CALC_PAYMENTS = """loan_id,payment_id,paid_on,amount
L1,P1,2026-01-10,111.00
L1,P2,2026-02-20,50.00
L2,P4,2026-01-30,200.00
L3,P5,2026-05-01,300.00
"""


def test_the_calculator_on_spark_writes_exactly_what_duckdb_writes(spark, tmp_path):
    from arrears.services.calculator import run_calculator  # noqa: PLC0415

    (tmp_path / "installments.csv").write_text(CALC_INSTALLMENTS, encoding="utf-8")
    (tmp_path / "payments.csv").write_text(CALC_PAYMENTS, encoding="utf-8")
    outputs = {}
    for engine in ("duckdb", "spark"):
        summary = run_calculator(
            as_of=dt.date(2026, 4, 20),
            installments=tmp_path / "installments.csv",
            payments=tmp_path / "payments.csv",
            out=tmp_path / f"{engine}.csv",
            engine=engine,
        )
        outputs[engine] = (summary.by_bucket, (tmp_path / f"{engine}.csv").read_text("utf-8"))
    assert outputs["spark"] == outputs["duckdb"]
    assert outputs["duckdb"][0]["M3"] == 1  # L1: February short since Feb 10
    assert not list(tmp_path.glob(".arrears-spark-*"))  # the scratch copies are gone


def test_charge_accrual_on_spark_posts_what_duckdb_and_the_domain_post(spark, fresh_duck):
    from arrears.adapters.engine.charges import ChargeWindow, accrue_charges  # noqa: PLC0415
    from arrears.domain.charges import (  # noqa: PLC0415
        ChargePolicy,
        FeeBasis,
        LateFeeRule,
        PenaltyInterestRule,
        assess_charges,
    )

    rules = ChargePolicy(
        late_fees=(
            LateFeeRule("late", 10, flat_amounts={"EUR": Decimal(25)}),
            LateFeeRule(
                "pct",
                20,
                basis=FeeBasis.PERCENT_OF_INSTALLMENT,
                percent=Decimal("0.0525"),
                cap={"EUR": Decimal(30)},
            ),
        ),
        penalty_interest=(PenaltyInterestRule("penalty", Decimal("0.2375")),),
    )
    eur = lambda v: Money(Decimal(v), "EUR")  # noqa: E731
    book = [
        Loan(
            f"L{i}",
            "B",
            "EUR",
            tuple(
                Installment(n, dt.date(2026, n, 5), eur("100.00"), eur("10.00"), eur("0"))
                for n in (1, 2, 3)
            ),
            tuple(Payment(f"P{i}", dt.date(2026, 1, 12), eur(str(45 * i))) for _ in (1,) if i),
        )
        for i in range(4)
    ]
    book_pauses = {"L2": (Pause(dt.date(2026, 1, 10), dt.date(2026, 1, 17)),)}
    cuts = [dt.date(2025, 12, 31), dt.date(2026, 2, 5)]  # one cycle window: fees, a month end
    inputs = {
        "loans": pa.table({"loan_id": [ln.external_id for ln in book], "currency": ["EUR"] * 4}),
        "installments": pa.Table.from_pylist(
            [
                {
                    "loan_id": ln.external_id,
                    "installment_no": i.number,
                    "due_date": i.due_date,
                    "principal": i.principal.amount,
                    "interest": i.interest.amount,
                    "fee": i.fee.amount,
                }
                for ln in book
                for i in ln.installments
            ],
            schema=INPUT_SCHEMAS["installments"],
        ),
        "payments": pa.Table.from_pylist(
            [
                {
                    "loan_id": ln.external_id,
                    "payment_id": p.external_id,
                    "paid_on": p.paid_on,
                    "amount": p.amount.amount,
                }
                for ln in book
                for p in ln.payments
            ],
            schema=INPUT_SCHEMAS["payments"],
        ),
        "pauses": pa.Table.from_pylist(
            [
                {"loan_id": loan, "start_date": p.start, "end_date": p.end}
                for loan, items in book_pauses.items()
                for p in items
            ],
            schema=INPUT_SCHEMAS["pauses"],
        ),
    }
    charge_schema = pa.schema(
        [
            ("loan_id", pa.string()),
            ("installment_no", pa.int64()),
            ("rule_id", pa.string()),
            ("period_key", pa.string()),
            ("charged_on", pa.date32()),
            ("amount", MONEY),
        ]
    )
    policy = DelinquencyPolicy()
    results = {}
    for engine in (spark, fresh_duck):
        for name, table in inputs.items():
            engine.register_arrow(name, table)
        posted: list[dict] = []
        for since, until in itertools.pairwise(cuts):
            engine.register_arrow("charges", pa.Table.from_pylist(posted, schema=charge_schema))
            new = engine.query_arrow(
                "SELECT * FROM " + accrue_charges(engine, policy, rules, ChargeWindow(since, until))
            )
            posted.extend(new.select(charge_schema.names).to_pylist())
        results[engine.name] = sorted(
            (r["loan_id"], r["rule_id"], r["period_key"], r["charged_on"], r["amount"])
            for r in posted
        )
    domain = []
    for loan in book:
        current = loan
        for day in cuts[1:]:
            new_charges = assess_charges(
                current, day, rules, pauses=book_pauses.get(loan.external_id, ())
            )
            current = current.with_charges(new_charges)
            domain.extend(
                (loan.external_id, c.rule_id, c.period_key, c.charged_on, c.amount.amount)
                for c in new_charges
            )
    assert results["spark"] == results["duckdb"] == sorted(domain)
    assert {r[1] for r in domain} == {"late", "pct", "penalty"}
