"""The audit chain: canonical hashing, verification, and detection of every kind of tampering."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from arrears.domain.security import (
    GENESIS_HASH,
    AuditRecord,
    canonical_json,
    chain_hash,
    jsonable,
    verify_chain,
)

AT = dt.datetime(2026, 11, 23, 9, 30, 0, 123456, tzinfo=dt.UTC)


def record(seq, **changes):
    base = AuditRecord(
        seq=seq,
        at=AT + dt.timedelta(seconds=seq),
        actor="ana",
        role="collector",
        request_id=f"req-{seq}",
        action="loan:payment:recorded",
        entity="payment",
        entity_id=f"P-{seq}",
        before=None,
        after=jsonable({"amount": Decimal("125.50"), "paid_on": dt.date(2026, 11, 20)}),
    )
    return dataclasses.replace(base, **changes)


def chain(n):
    rows, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        item = record(seq)
        digest = chain_hash(item, prev)
        rows.append((item, prev, digest))
        prev = digest
    return rows


def test_canonical_json_is_stable_and_hash_depends_on_every_field():
    item = record(1)
    assert canonical_json(item) == canonical_json(dataclasses.replace(item))
    assert '"amount":"125.50"' in canonical_json(item)  # Decimal as text, never float
    assert '"at":"2026-11-23T09:30:01.123456+00:00"' in canonical_json(item)
    digest = chain_hash(item, GENESIS_HASH)
    assert len(digest) == 64
    for change in (
        {"actor": "bob"},
        {"role": "admin"},
        {"request_id": "other"},
        {"entity_id": "P-9"},
        {"after": {"amount": "125.51", "paid_on": "2026-11-20"}},
        {"at": AT},
    ):
        assert chain_hash(dataclasses.replace(item, **change), GENESIS_HASH) != digest
    assert chain_hash(item, "f" * 64) != digest  # bound to its predecessor


def test_the_same_instant_in_another_zone_hashes_the_same():
    madrid = dt.timezone(dt.timedelta(hours=1))
    item = record(1)
    moved = dataclasses.replace(item, at=item.at.astimezone(madrid))
    assert chain_hash(moved, GENESIS_HASH) == chain_hash(item, GENESIS_HASH)


def test_an_intact_chain_verifies_and_can_be_verified_in_pieces():
    rows = chain(5)
    assert verify_chain(rows) is None
    assert verify_chain([]) is None
    assert verify_chain(rows[2:], start_hash=rows[1][2], start_seq=2) is None


def test_a_changed_record_is_named():
    rows = chain(5)
    item, prev, digest = rows[2]
    rows[2] = (dataclasses.replace(item, after={"amount": "1.00"}), prev, digest)
    broken = verify_chain(rows)
    assert broken is not None
    assert broken.seq == 3
    assert "content" in broken.reason
    assert str(broken).startswith("audit chain broken at seq 3")


def test_a_rehashed_record_breaks_the_next_link():
    rows = chain(5)
    item, prev, _ = rows[1]
    forged = dataclasses.replace(item, actor="mallory")
    rows[1] = (forged, prev, chain_hash(forged, prev))
    broken = verify_chain(rows)
    assert broken is not None
    assert broken.seq == 3
    assert "prev_hash" in broken.reason


def test_a_removed_or_reordered_record_is_detected():
    rows = chain(5)
    removed = verify_chain(rows[:2] + rows[3:])
    assert removed is not None
    assert removed.seq == 4
    assert "missing" in removed.reason
    swapped = verify_chain([rows[0], rows[2], rows[1], rows[3]])
    assert swapped is not None
    assert swapped.seq == 3


def test_payloads_refuse_floats_and_naive_datetimes():
    with pytest.raises(TypeError):
        jsonable({"amount": 1.5})
    with pytest.raises(ValueError, match="naive"):
        jsonable({"at": dt.datetime(2026, 1, 1)})
    assert jsonable(None) is None
    assert jsonable({"ids": ("a", "b"), "n": 3}) == {"ids": ["a", "b"], "n": 3}
