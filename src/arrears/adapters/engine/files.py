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


def _checks(column: str, kind: ColumnType, scale: int) -> list[tuple[str, str]]:
    """(SQL condition that is TRUE for a bad value, reason) pairs for one column."""
    c = f'"{column}"'
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


def load_validated(
    con: duckdb.DuckDBPyConnection, path: Path, spec: FileSpec, *, scale: int
) -> list[RowError]:
    """Create table `spec.name` from `path` if every row is valid; else return the errors."""
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
    select = ", ".join(f'CAST("{name}" AS VARCHAR) AS "{name}"' for name in spec.columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {raw} AS "
        f"SELECT row_number() OVER () AS _row, {select} FROM {_scan(path)}"
    )
    probes = []
    for name, kind in spec.columns.items():
        for condition, reason in _checks(name, kind, scale):
            reason_sql = reason.replace("'", "''")
            probes.append(
                f"SELECT _row, '{name}' AS col, '{reason_sql}' AS reason, "
                f'CAST("{name}" AS VARCHAR) AS value FROM {raw} WHERE {condition}'
            )
    bad = con.sql(
        f"SELECT _row, col, min(reason), any_value(value) FROM ({' UNION ALL '.join(probes)}) "
        f"GROUP BY _row, col ORDER BY _row, col LIMIT {MAX_REPORTED}"
    ).fetchall()
    errors.extend(
        RowError(file=label, row=int(r), column=str(c), reason=f"{value!r} {reason}")
        for r, c, reason, value in bad
    )

    # Typed copy: cells that failed a check become NULL, so the cross-row checks below still
    # report duplicates and ordering among the good cells in the same pass.
    typed = ", ".join(
        f'TRY_CAST(trim("{name}") AS {_sql_type(kind)}) AS "{name}"'
        if kind != "text"
        else f'NULLIF(trim("{name}"), \'\') AS "{name}"'
        for name, kind in spec.columns.items()
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {spec.name} AS SELECT _row, {typed} FROM {raw}")
    con.execute(f"DROP TABLE {raw}")

    keys = ", ".join(f'"{k}"' for k in spec.key)
    not_null = " AND ".join(f'"{k}" IS NOT NULL' for k in spec.key)
    dupes = con.sql(
        f"SELECT _row, first_row FROM (SELECT _row, min(_row) OVER (PARTITION BY {keys}) "
        f"AS first_row FROM {spec.name} WHERE {not_null}) WHERE _row <> first_row ORDER BY _row "
        f"LIMIT {MAX_REPORTED}"
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
    if spec.increasing:
        group, order, value = spec.increasing
        broken = con.sql(
            f'SELECT _row, prev FROM (SELECT _row, "{value}", lag("{value}") OVER '
            f'(PARTITION BY "{group}" ORDER BY "{order}") AS prev FROM {spec.name}) '
            f'WHERE prev IS NOT NULL AND "{value}" <= prev ORDER BY _row LIMIT {MAX_REPORTED}'
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
