"""The load test's accounting: latency percentiles, lost writes (acknowledged but not stored,
or stored without an acknowledgement) and the verdict in the report."""

import pytest
from bench import load_desk


def _tally(contacts, promises, completed):
    tally = load_desk.Tally()
    tally.written.update(log_contact=contacts, record_promise=promises, complete=completed)
    return tally


def test_lost_writes_are_acknowledgements_missing_from_the_database():
    before = {"contacts": 10, "promises": 4, "done": 0, "claimed": 0, "items": 50}
    after = {"contacts": 13, "promises": 8, "done": 5, "claimed": 0, "items": 50}
    lost = load_desk.lost_writes(_tally(4, 3, 5), before, after)
    assert lost["contacts"] == {"acknowledged": 4, "in_database": 3, "lost": 1}
    assert lost["promises"] == {"acknowledged": 3, "in_database": 4, "lost": -1}
    assert lost["completed"]["lost"] == 0


def test_percentiles_and_throughput():
    latencies = [n / 1000 for n in range(1, 1001)]  # 1 ms .. 1000 ms
    stats = load_desk._stats(latencies, ok=990, errors=10, seconds=10.0)
    assert stats["requests"] == 1000
    assert stats["throughput_rps"] == pytest.approx(100.0)
    assert stats["p50_ms"] == pytest.approx(500, abs=1)
    assert stats["p99_ms"] == pytest.approx(990, abs=1)
    assert stats["max_ms"] == pytest.approx(1000.0)
    assert load_desk._stats([], ok=0, errors=0, seconds=1.0)["p99_ms"] is None


def test_the_report_says_whether_the_target_was_met():
    operations = {op: load_desk._stats([0.02, 0.03], 2, 0, 1.0) for op in load_desk.OPERATIONS}
    result = {
        "started_at": "20261123T000000Z",
        "business_date": "2026-11-23",
        "config": {"collectors": 2, "accounts": 10, "think_s": 1.0, "warmup_s": 1.0},
        "server": {"workers": 2},
        "postgres": "15",
        "machine": {"cpu": "cpu", "cores": 2, "memory_gb": 1.0, "shared": "shared"},
        "load_average": {"min": 1.0, "mean": 1.5, "max": 2.0},
        "measured_s": 1.0,
        "worklist_items": 4,
        "operations": operations,
        "overall": load_desk._stats([0.02, 0.03, 0.2], 3, 1, 1.0),
        "queue_empty": 1,
        "left_claimed": 0,
        "lost_writes": load_desk.lost_writes(
            _tally(1, 1, 1),
            {"contacts": 0, "promises": 0, "done": 0},
            {"contacts": 1, "promises": 1, "done": 1},
        ),
        "error_samples": ["record_promise: 500 boom"],
        "verdict": {"p99_met": False, "errors": 1, "lost_writes": 0},
    }
    text = load_desk.markdown(result)
    assert "**not met**" in text
    assert "errors: **1**" in text
    assert "`record_promise: 500 boom`" in text
    assert "| claim_next | 2 |" in text
