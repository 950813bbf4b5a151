"""Loading CSV / Parquet input files into DuckDB with row-level validation, set-based.

Every column is first read as text with its data row number (1 = first row after the header),
checked by SQL, and only then cast to its type. All bad rows are collected (up to a limit) and
reported together as `RowError`s: file, row, column and reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from arrears.domain.errors import InvalidInput, RejectedRows, RowError

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

ColumnType = Literal["text", "int", "date", "money", "positive_money"]
MAX_REPORTED = 1000
FLOAT_TYPES = {"FLOAT", "DOUBLE", "REAL", "FLOAT4", "FLOAT8"}


@dataclass(frozen=True, slots=True)
class FileSpec:
    name: str
    columns: dict[str, ColumnType]
    key: tuple[str, ...]
    increasing: tuple[str, str, str] | None = None  # (group, order, must-increase column)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def file_format(path: Path) -> Literal["csv", "parquet"]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".parquet":
        return "parquet"
    raise InvalidInput(f"{path}: unsupported file type {suffix or '(none)'}; use .csv or .parquet")


def _scan(path: Path) -> str:
    if file_format(path) == "csv":
        return f"read_csv({_quote(path)}, header = true, all_varchar = true, auto_detect = true)"
    return f"read_parquet({_quote(path)})"


INT_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
}


def _checks(  # noqa: PLR0911 - one return per (kind, physical type) case
    column: str, kind: ColumnType, scale: int, physical: str
) -> list[tuple[str, str]]:
    """(SQL condition TRUE for a bad value, reason) pairs for one column.

    Typed Parquet columns (DATE, integers, DECIMAL) need only null, range and scale checks;
    text (CSV) columns are parsed strictly.
    """
    c = f'"{column}"'
    base = physical.split("(", maxsplit=1)[0]
    if base != "VARCHAR":
        checks = [(f"{c} IS NULL", "is empty")]
        if kind == "text":
            return checks
        if kind == "int" and base in INT_TYPES:
            return [*checks, (f"{c} < 1", "must be at least 1")]
        if kind == "date" and base == "DATE":
            return checks
        if kind.endswith("money") and base in {"DECIMAL", *INT_TYPES}:
            if base == "DECIMAL":
                checks.append(
                    (f"{c} <> round({c}, {scale})", f"has more than {scale} decimal places")
                )
            if kind == "positive_money":
                return [*checks, (f"{c} <= 0", "must be greater than zero")]
            return [*checks, (f"{c} < 0", "must not be negative")]
        c = f"CAST({c} AS VARCHAR)"  # any other physical type: judge it by its text
    missing = (f"{c} IS NULL OR trim({c}) = ''", "is empty")
    if kind == "text":
        return [missing]
    if kind == "int":
        return [
            missing,
            (f"TRY_CAST({c} AS BIGINT) IS NULL", "is not a whole number"),
            (f"TRY_CAST({c} AS BIGINT) < 1", "must be at least 1"),
        ]
    if kind == "date":
        return [
            missing,
            (
                (
                    f"NOT regexp_full_match(trim({c}), '\\d{{4}}-\\d{{2}}-\\d{{2}}') "
                    f"OR TRY_CAST(trim({c}) AS DATE) IS NULL"
                ),
                "is not a date (YYYY-MM-DD)",
            ),
        ]
    number = f"TRY_CAST(trim({c}) AS DECIMAL(38, 4))"
    checks = [
        missing,
        (
            f"NOT regexp_full_match(trim({c}), '-?\\d+(\\.\\d+)?') OR {number} IS NULL",
            "is not a decimal amount",
        ),
        (
            f"length(regexp_extract(trim({c}), '\\.(\\d+)$', 1)) > {scale}",
            f"has more than {scale} decimal places",
        ),
    ]
    if kind == "positive_money":
        checks.append((f"{number} <= 0", "must be greater than zero"))
    else:
        checks.append((f"{number} < 0", "must not be negative"))
    return checks


def _sql_type(kind: ColumnType) -> str:
    return {
        "text": "VARCHAR",
        "int": "BIGINT",
        "date": "DATE",
        "money": "DECIMAL(38, 4)",
        "positive_money": "DECIMAL(38, 4)",
    }[kind]


def _cast(name: str, kind: ColumnType, physical: str) -> str:
    column = f'"{name}"'
    if physical.split("(", maxsplit=1)[0] == "VARCHAR":
        if kind == "text":
            return f"NULLIF(trim({column}), '') AS {column}"
        return f"TRY_CAST(trim({column}) AS {_sql_type(kind)}) AS {column}"
    if kind == "text":
        return f"CAST({column} AS VARCHAR) AS {column}"
    return f"TRY_CAST({column} AS {_sql_type(kind)}) AS {column}"


def load_validated(
    con: duckdb.DuckDBPyConnection, path: Path, spec: FileSpec, *, scale: int
) -> list[RowError]:
    """Create table `spec.name` from `path` if every row is valid; else return the errors.

    A good file costs one scan for the cell checks and one for each cross-row check; row numbers
    (a full-file window) are computed only when something is wrong, to say where.
    """
    label = str(path)
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    try:
        described = con.sql(f"DESCRIBE SELECT * FROM {_scan(path)}").fetchall()
    except Exception as exc:  # noqa: BLE001 - duckdb raises many kinds; all mean "unreadable"
        raise InvalidInput(f"{path}: cannot be read as {file_format(path)}: {exc}") from None
    present = {str(row[0]): str(row[1]).upper() for row in described}
    errors = [
        RowError(file=label, row=None, column=name, reason="missing column")
        for name in spec.columns
        if name not in present
    ]
    for name, kind in spec.columns.items():
        if kind.endswith("money") and present.get(name, "").split("(")[0] in FLOAT_TYPES:
            errors.append(
                RowError(
                    file=label,
                    row=None,
                    column=name,
                    reason=f"money must be decimal or text, not floating point ({present[name]})",
                )
            )
    if errors:
        return errors

    raw = f"raw_{spec.name}"
    columns = ", ".join(f'"{name}"' for name in spec.columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT {columns} FROM {_scan(path)}")
    checks = [
        (name, condition, reason)
        for name, kind in spec.columns.items()
        for condition, reason in _checks(name, kind, scale, present[name])
    ]
    counts = con.sql(
        "SELECT "
        + ", ".join(f"count(*) FILTER (WHERE {condition})" for _, condition, _ in checks)
        + f" FROM {raw}"
    ).fetchall()[0]
    failing = [check for check, count in zip(checks, counts, strict=True) if count]
    numbered = f"numbered_{spec.name}"

    def number_rows() -> None:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {numbered} AS "
            f"SELECT row_number() OVER () AS _row, * FROM {raw}"
        )

    if failing:
        number_rows()
        probes = [
            f"SELECT _row, '{name}' AS col, '{reason.replace(chr(39), chr(39) * 2)}' AS reason, "
            f'CAST("{name}" AS VARCHAR) AS value FROM {numbered} WHERE {condition}'
            for name, condition, reason in failing
        ]
        bad = con.sql(
            f"SELECT _row, col, min(reason), any_value(value) FROM "
            f"({' UNION ALL '.join(probes)}) GROUP BY _row, col ORDER BY _row, col "
            f"LIMIT {MAX_REPORTED}"
        ).fetchall()
        errors.extend(
            RowError(file=label, row=int(r), column=str(c), reason=f"{value!r} {reason}")
            for r, c, reason, value in bad
        )

    # Typed copy: cells that failed a check become NULL, so the cross-row checks below still
    # report duplicates and ordering among the good cells in the same pass.
    typed = ", ".join(_cast(name, kind, present[name]) for name, kind in spec.columns.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE {spec.name} AS SELECT {typed} FROM {raw}")

    keys = ", ".join(f'"{k}"' for k in spec.key)
    not_null = " AND ".join(f'"{k}" IS NOT NULL' for k in spec.key)
    has_dupes = con.sql(
        f"SELECT 1 FROM {spec.name} WHERE {not_null} GROUP BY {keys} HAVING count(*) > 1 LIMIT 1"
    ).fetchall()
    order_check = ""
    if spec.increasing:
        group, order, value = spec.increasing
        order_check = (
            f'SELECT * FROM (SELECT *, lag("{value}") OVER (PARTITION BY "{group}" '
            f'ORDER BY "{order}") AS prev FROM {{table}} WHERE "{group}" IS NOT NULL '
            f'AND "{order}" IS NOT NULL AND "{value}" IS NOT NULL) '
            f'WHERE prev IS NOT NULL AND "{value}" <= prev'
        )
        unordered = con.sql(order_check.format(table=spec.name) + " LIMIT 1").fetchall()
    else:
        unordered = []

    if has_dupes or unordered:
        if not failing:
            number_rows()
        typed_numbered = ", ".join(
            _cast(name, kind, present[name]) for name, kind in spec.columns.items()
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {numbered} AS "
            f"SELECT _row, {typed_numbered} FROM {numbered}"
        )
    if has_dupes:
        dupes = con.sql(
            f"SELECT _row, first_row FROM (SELECT _row, min(_row) OVER (PARTITION BY {keys}) "
            f"AS first_row FROM {numbered} WHERE {not_null}) WHERE _row <> first_row "
            f"ORDER BY _row LIMIT {MAX_REPORTED}"
        ).fetchall()
        errors.extend(
            RowError(
                file=label,
                row=int(r),
                column=spec.key[-1],
                reason=f"duplicate {'/'.join(spec.key)} (first seen on row {first})",
            )
            for r, first in dupes
        )
    if spec.increasing and unordered:
        _, order, value = spec.increasing
        broken = con.sql(
            f"SELECT _row, prev FROM ({order_check.format(table=numbered)}) "
            f"ORDER BY _row LIMIT {MAX_REPORTED}"
        ).fetchall()
        errors.extend(
            RowError(
                file=label,
                row=int(r),
                column=value,
                reason=f"must be later than the previous {order}'s {value} ({prev})",
            )
            for r, prev in broken
        )
    con.execute(f"DROP TABLE IF EXISTS {raw}")
    con.execute(f"DROP TABLE IF EXISTS {numbered}")
    return sorted(errors, key=lambda e: (e.row or 0, e.column or ""))


def load_all(
    con: duckdb.DuckDBPyConnection, files: list[tuple[Path, FileSpec]], *, scale: int
) -> None:
    """Load several files; if any has bad rows, raise one RejectedRows listing all of them."""
    errors: list[RowError] = []
    for path, spec in files:
        errors.extend(load_validated(con, path, spec, scale=scale))
    if errors:
        raise RejectedRows(errors, what="input")
