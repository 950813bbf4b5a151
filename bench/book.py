"""A vectorised benchmark book: N loans of 12 monthly installments, written straight to Parquet.

`arrears generate` builds a realistic book (names, phones, behaviours) at about 90 s per million
accounts; the benchmarks need 10 million, so this writes only what the delinquency engine and the
nightly cycle read, with the same column names and types as `arrears generate --format parquet`
(installments, payments, loans), in chunks of CHUNK loans with numpy and pyarrow compute only.

Shape: every loan has 12 monthly installments on a due day 1-28; loans started 0-14 months
before the as-of date, so 0-12 installments are due. About 80% pay every due installment on time
(direct debit on the due date or a transfer a few days early); about 20% are delinquent: half pay
a share (40-90%) of each installment, half stopped paying 1-6 installments ago. Nothing is paid
after the as-of date. Deterministic: seeded per chunk.

`python -m bench.book 1000000` writes bench/cache/book-1000000/ (skipped if already there).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

CACHE = Path(__file__).resolve().parent / "cache"
AS_OF = dt.date(2026, 11, 23)
CHUNK = 500_000
TERM = 12
MONEY = pa.decimal128(18, 2)
EPOCH = dt.date(1970, 1, 1)

SCHEMAS = {
    "installments": pa.schema(
        [
            ("loan_id", pa.string()),
            ("installment_no", pa.int32()),
            ("due_date", pa.date32()),
            ("principal", MONEY),
            ("interest", MONEY),
            ("fee", MONEY),
        ]
    ),
    "payments": pa.schema(
        [
            ("payment_id", pa.string()),
            ("loan_id", pa.string()),
            ("paid_on", pa.date32()),
            ("amount", MONEY),
            ("currency", pa.string()),
            ("channel", pa.string()),
        ]
    ),
    "loans": pa.schema(
        [
            ("loan_id", pa.string()),
            ("borrower_id", pa.string()),
            ("product", pa.string()),
            ("currency", pa.string()),
            ("principal", MONEY),
            ("disbursed_on", pa.date32()),
            ("annual_interest_rate", pa.decimal128(9, 4)),
        ]
    ),
}


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    text = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, text, "")


def _money(unscaled: np.ndarray, kind: pa.DataType = MONEY) -> pa.Array:
    """int64 unscaled values (cents for MONEY) as decimal128, never through float or Decimal."""
    words = np.empty((len(unscaled), 2), dtype=np.int64)
    words[:, 0] = unscaled
    words[:, 1] = unscaled >> 63  # sign extension into the high word
    return pa.Array.from_buffers(kind, len(unscaled), [None, pa.py_buffer(words)])


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.date32())


def _chunk(first: int, count: int, seed: int) -> dict[str, pa.Table]:
    rng = np.random.default_rng([seed, first])
    loan = np.arange(first, first + count, dtype=np.int64)
    as_of = (AS_OF - EPOCH).days
    as_of_month = AS_OF.year * 12 + AS_OF.month - 1
    due_day = rng.integers(1, 29, count)
    started = rng.integers(0, 15, count)  # months before as_of of the first due month
    first_month = as_of_month - started - (due_day > AS_OF.day)
    principal = rng.integers(5_000, 50_001, count) * 100  # whole units, in cents
    rate_bp = rng.integers(500, 3_001, count)

    # installments: 12 per loan
    li = np.repeat(np.arange(count), TERM)
    number = np.tile(np.arange(1, TERM + 1), count)
    month = first_month[li] + number - 1
    month_start = (np.datetime64("1970-01", "M") + (month - 1970 * 12)).astype("datetime64[D]")
    due = month_start.astype(np.int64) + due_day[li] - 1
    level = principal // TERM
    inst_principal = np.where(number == TERM, principal[li] - level[li] * (TERM - 1), level[li])
    interest = (principal[li] * rate_bp[li]) // 120_000
    fee = np.where(rng.random(count) < 0.1, 200, 0)[li]
    owed = inst_principal + interest + fee

    # behaviour: 0 on time, 1 partial payer, 2 stopped paying
    u = rng.random(count)
    behaviour = np.where(u < 0.8, 0, np.where(u < 0.9, 1, 2))
    is_due = due <= as_of
    n_due = np.bincount(li, weights=is_due, minlength=count).astype(np.int64)
    stop_after = n_due - rng.integers(1, 7, count)  # stopped: paid up to this number
    share_bp = rng.integers(4_000, 9_001, count)
    early = rng.integers(0, 4, len(li))
    debit = rng.random(count) < 0.6
    paid_on = np.where(debit[li], due, due - early)
    amount = np.where(
        behaviour[li] == 1, (owed * share_bp[li]) // 10_000, owed
    )  # partial payers pay a share
    pays = is_due & (amount > 0) & ~((behaviour[li] == 2) & (number > stop_after[li]))
    late = behaviour[li] == 1
    paid_on = np.where(late, due + rng.integers(0, 7, len(li)), paid_on)
    pays &= paid_on <= as_of

    loan_ids = _ids("L", loan, 9)
    inst_loan = loan_ids.take(pa.array(li))
    installments = pa.table(
        [
            inst_loan,
            pa.array(number.astype(np.int32)),
            _dates(due),
            _money(inst_principal),
            _money(interest),
            _money(fee),
        ],
        schema=SCHEMAS["installments"],
    )
    where = np.flatnonzero(pays)
    n_pay = len(where)
    payment_no = loan[li[where]] * TERM + number[where]
    channels = pa.array(np.where(debit[li[where]], "debit", "transfer"))
    payments = pa.table(
        [
            _ids("P", payment_no, 11),
            inst_loan.take(pa.array(where)),
            _dates(paid_on[where]),
            _money(amount[where]),
            pa.array(np.full(n_pay, "EUR")),
            channels,
        ],
        schema=SCHEMAS["payments"],
    )
    first_due = month_start.astype(np.int64)[::TERM] + due_day - 1
    loans = pa.table(
        [
            loan_ids,
            _ids("B", (loan * 9) // 10, 9),  # about one borrower in ten holds two loans
            pa.array(np.full(count, "personal")),
            pa.array(np.full(count, "EUR")),
            _money(principal),
            _dates(first_due - 30),
            _money(rate_bp, pa.decimal128(9, 4)),
        ],
        schema=SCHEMAS["loans"],
    )
    return {"installments": installments, "payments": payments, "loans": loans}


def book(accounts: int, *, seed: int = 7, out: Path | None = None) -> Path:
    """Write (or reuse) the book of `accounts` loans; returns its folder."""
    folder = out or CACHE / f"book-{accounts}"
    if (folder / "_complete").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    writers = {
        kind: pq.ParquetWriter(folder / f"{kind}.parquet", schema)
        for kind, schema in SCHEMAS.items()
    }
    try:
        for first in range(0, accounts, CHUNK):
            tables = _chunk(first, min(CHUNK, accounts - first), seed)
            for kind, table in tables.items():
                writers[kind].write_table(table, row_group_size=1_000_000)
    finally:
        for writer in writers.values():
            writer.close()
    (folder / "_complete").write_text(f"{accounts} {time.perf_counter() - started:.1f}s\n")
    print(f"generated {accounts:,} accounts in {time.perf_counter() - started:.1f}s -> {folder}")
    return folder


if __name__ == "__main__":
    for size in sys.argv[1:]:
        book(int(size))
