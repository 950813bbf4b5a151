"""`arrears contact`: record, history, amend and check, through the command line."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arrears.entrypoints.cli import app

pytestmark = pytest.mark.e2e
runner = CliRunner()
DATA = Path(__file__).parent / "data" / "policy-us-seventh-call.jsonl"


def test_record_history_amend_and_check(tmp_path):
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    base = ["--database-url", url]
    assert runner.invoke(app, [*base, "db", "upgrade"]).exit_code == 0
    lines = DATA.read_text(encoding="utf-8").splitlines()
    events = [line for line in lines if '"contact_request"' not in line]
    requests = [line for line in lines if '"contact_request"' in line][:1]
    (tmp_path / "events.jsonl").write_text("\n".join(events))
    (tmp_path / "request.jsonl").write_text("\n".join(requests))

    recorded = runner.invoke(
        app, [*base, "contact", "record", str(tmp_path / "events.jsonl"), "--source", "dialer"]
    )
    assert recorded.exit_code == 0, recorded.output
    assert f"{len(events)} recorded, 0 already there" in recorded.output

    history = runner.invoke(app, [*base, "contact", "history", "C1"])
    assert history.exit_code == 0
    assert len(history.output.strip().splitlines()) == len(events)

    checked = runner.invoke(app, [*base, "contact", "check", str(tmp_path / "request.jsonl")])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output)["decision"] == "block"

    last_call = json.loads(events[-1])
    last_call["number_owner_status"] = "later_found_wrong"
    (tmp_path / "fix.jsonl").write_text(json.dumps(last_call))
    missing_reason = runner.invoke(
        app, [*base, "contact", "amend", last_call["id"], str(tmp_path / "fix.jsonl")]
    )
    assert missing_reason.exit_code == 2
    amended = runner.invoke(
        app,
        [
            *base,
            "contact",
            "amend",
            last_call["id"],
            str(tmp_path / "fix.jsonl"),
            "--reason",
            "wrong number",
        ],
    )
    assert amended.exit_code == 0, amended.output
    assert f"amendment {last_call['id']}~" in amended.output


def test_bad_event_lines_exit_2_with_row_numbers(tmp_path):
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert runner.invoke(app, ["--database-url", url, "db", "upgrade"]).exit_code == 0
    (tmp_path / "bad.jsonl").write_text(
        '{"type": "consent", "person_id": "C1", "scope": "calls", '
        '"received_ts": "2026-04-02T09:05:00", "received_via": "call"}\n'
    )
    result = runner.invoke(
        app, ["--database-url", url, "contact", "record", str(tmp_path / "bad.jsonl")]
    )
    assert result.exit_code == 2
    assert "bad.jsonl:1" in result.output
    assert "time zone" in result.output
