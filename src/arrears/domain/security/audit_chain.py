"""The audit log's hash chain.

Each record's hash is SHA-256 over the previous record's hash and the canonical JSON of the
record (sorted keys, no insignificant white space, UTF-8, instants in UTC ISO 8601). The first
record chains to `GENESIS_HASH`. Changing, removing or reordering any stored record breaks the
link at that record and `verify_chain` names it.

Payloads (`before`, `after`) are hashed in their JSON form (`jsonable`), which is also what the
database stores and returns, so a record read back hashes to the same value it was written with.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

GENESIS_HASH = "0" * 64


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} in an audit payload")
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} cannot go into an audit payload")


def _dumps(value: object) -> str:
    return json.dumps(
        value, default=_default, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def jsonable(payload: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """`payload` as plain JSON values (Decimal and dates as text); floats are refused, since
    their text form is not stable across databases."""
    if payload is None:
        return None
    text = _dumps(dict(payload))
    result: dict[str, Any] = json.loads(text, parse_float=_refuse_float)
    return result


def _refuse_float(text: str) -> Decimal:
    raise TypeError(f"float {text} in an audit payload: pass a Decimal or a string")


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit log entry, without its hashes."""

    seq: int
    at: dt.datetime
    actor: str
    role: str | None
    request_id: str | None
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def canonical(self) -> str:
        return canonical_json(self)


def canonical_json(record: AuditRecord) -> str:
    if record.at.tzinfo is None or record.at.utcoffset() is None:
        raise ValueError(f"naive datetime {record.at!r} in an audit record")
    return _dumps(
        {
            "seq": record.seq,
            "at": record.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor": record.actor,
            "role": record.role,
            "request_id": record.request_id,
            "action": record.action,
            "entity": record.entity,
            "entity_id": record.entity_id,
            "before": record.before,
            "after": record.after,
        }
    )


def chain_hash(record: AuditRecord, prev_hash: str) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_json(record).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """The first record at which the chain does not hold, and why."""

    seq: int
    reason: str

    def __str__(self) -> str:
        return f"audit chain broken at seq {self.seq}: {self.reason}"


def verify_chain(
    rows: Iterable[tuple[AuditRecord, str, str]],
    *,
    start_hash: str = GENESIS_HASH,
    start_seq: int = 0,
) -> BrokenLink | None:
    """Check `(record, prev_hash, hash)` rows in `seq` order; None when every link holds.

    A chain may be verified in pieces: pass the last good hash and seq as `start_hash` and
    `start_seq` to continue where an earlier piece ended."""
    expected_prev = start_hash
    expected_seq = start_seq + 1
    for record, prev_hash, stored_hash in rows:
        if record.seq != expected_seq:
            return BrokenLink(record.seq, f"expected seq {expected_seq} (a record is missing)")
        if prev_hash != expected_prev:
            return BrokenLink(record.seq, "prev_hash does not match the previous record's hash")
        if chain_hash(record, prev_hash) != stored_hash:
            return BrokenLink(record.seq, "the record's content does not match its hash")
        expected_prev = stored_hash
        expected_seq += 1
    return None


__all__ = [
    "GENESIS_HASH",
    "AuditRecord",
    "BrokenLink",
    "canonical_json",
    "chain_hash",
    "jsonable",
    "verify_chain",
]
