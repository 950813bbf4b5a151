"""The engine SQL is written once, in DuckDB's dialect; `transpile` turns it into another engine's.

SQLGlot does the translation (parse as DuckDB, generate for the target). It knows the syntax of both
dialects but not the types of the columns, so a construct whose meaning depends on the types can
come out valid and wrong. The engine SQL therefore keeps to constructs that mean the same in both
engines (docs/engines.md), and this module adds the few rewrites SQLGlot's output needs:

- `date_diff('day', a, b)` becomes Spark's two-argument `DATEDIFF(b, a)`. SQLGlot writes
  `DATEDIFF(DAY, a, b)`, Spark's `timestampdiff`, which counts whole 24-hour periods between
  timestamps, while DuckDB counts the day boundaries crossed; the two-argument form counts calendar
  days (the difference of the two dates), as DuckDB does, for DATE and TIMESTAMP operands alike.
- `date_diff` in any other unit (week, month, year, ...) is refused: Spark has no function that
  counts boundaries crossed as DuckDB does, and "whole months between" is not the same number.

Everything else relies on SQLGlot and is checked by the engine equivalence tests: `x::T` becomes
`CAST(x AS T)`, `DATE 'yyyy-mm-dd'` a cast of the string, `ORDER BY x` gains DuckDB's default
`NULLS LAST` (Spark's default is NULLS FIRST), `FILTER (WHERE ...)` and `date + integer` pass
through (Spark reads the latter as `date_add`). Anything SQLGlot cannot express in the target raises
instead of coming out approximated.

`date - date` cannot be rewritten here: without column types it looks like `date - integer`, which
is fine. `date_subtractions` finds it given the inputs' column types, for each engine step's tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

SOURCE = "duckdb"
SPARK_FAMILY = frozenset({"spark", "spark2", "databricks"})
DAY_UNITS = frozenset({"DAY", "DAYS", "D", "DD", "DAYOFMONTH"})


class UnsupportedSql(ValueError):
    """The DuckDB SQL uses a construct that would not mean the same in the target dialect."""


def _spark_date_diff(node: exp.Expression) -> exp.Expression:
    if not isinstance(node, exp.DateDiff):
        return node
    unit = node.args.get("unit")
    name = unit.name.upper() if unit is not None else "DAY"
    if name not in DAY_UNITS:
        raise UnsupportedSql(
            f"date_diff in unit {name.lower()!r} has no exact Spark equivalent: DuckDB counts "
            f"{name.lower()} boundaries crossed, Spark whole periods; only 'day' is supported"
        )
    # DuckDB date_diff(unit, start, end) parses to DateDiff(this=end, expression=start)
    return exp.Anonymous(this="DATEDIFF", expressions=[node.this, node.expression])


REWRITES: dict[str, tuple[Callable[[exp.Expression], exp.Expression], ...]] = dict.fromkeys(
    SPARK_FAMILY, (_spark_date_diff,)
)


def transpile(sql: str, *, to: str = "spark") -> str:
    """`sql`, one statement in DuckDB's dialect, in dialect `to` (any SQLGlot dialect name).

    Raises `UnsupportedSql` for constructs that would change meaning and SQLGlot's `ParseError`
    for text that is not valid DuckDB SQL.
    """
    if to == SOURCE:
        return sql
    statements = [s for s in sqlglot.parse(sql, read=SOURCE, error_level=ErrorLevel.RAISE) if s]
    if len(statements) != 1:
        raise UnsupportedSql(f"expected one SQL statement, got {len(statements)}")
    tree = statements[0]
    for rewrite in REWRITES.get(to, ()):
        tree = tree.transform(rewrite)
    return tree.sql(dialect=to, unsupported_level=ErrorLevel.RAISE)


def date_subtractions(sql: str, schema: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The `a - b` in `sql` (DuckDB) where both sides are DATEs, given the inputs' column types
    (`{"installments": {"due_date": "DATE", ...}}`): days in DuckDB, an INTERVAL in Spark. Write
    `date_diff('day', b, a)` instead. (`date - integer` is a DATE in both and is not listed.)"""
    tables: dict[str, object] = {name: dict(columns) for name, columns in schema.items()}
    tree = qualify(sqlglot.parse_one(sql, read=SOURCE), schema=tables, dialect=SOURCE)
    tree = annotate_types(tree, schema=tables, dialect=SOURCE)
    return [
        sub.sql(dialect=SOURCE)
        for sub in tree.find_all(exp.Sub)
        if all(
            side.type is not None and side.type.is_type("date") for side in sub.iter_expressions()
        )
    ]
