"""The delinquency step alone: the engine's general query (`delinquency_sql`, as the cycle runs
it) on the Parquet book, the result written to Parquet; no input validation (the calculator's
`arrears delinquency` adds that, and is measured separately).

`python -m bench.step BOOK AS_OF ENGINE OUT.parquet`
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pyarrow.parquet as pq

from arrears.adapters.engine.base import DuckDBEngine, make_engine
from arrears.adapters.engine.delinquency import EngineInputs, delinquency_sql, pauses_table
from arrears.domain.delinquency import DelinquencyPolicy


def main(book: Path, as_of: dt.date, engine_name: str, out: Path) -> None:
    engine = make_engine(engine_name)
    try:
        engine.register_parquet("installments", book / "installments.parquet")
        engine.register_parquet("payments", book / "payments.parquet")
        engine.register_arrow("pauses", pauses_table({}))
        sql = delinquency_sql(DelinquencyPolicy(), as_of, EngineInputs(pauses="pauses"))
        if isinstance(engine, DuckDBEngine):
            target = "'" + str(out).replace("'", "''") + "'"
            engine.con.execute(f"COPY ({sql}) TO {target} (FORMAT parquet)")
        else:
            pq.write_table(engine.query_arrow(sql), out)
    finally:
        engine.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), dt.date.fromisoformat(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))
