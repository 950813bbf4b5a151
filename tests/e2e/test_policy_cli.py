"""`arrears policy check`, driven through the command line (a local app adding policy_app)."""

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from arrears.entrypoints.cli_policy import policy_app

pytestmark = pytest.mark.e2e
DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]

app = typer.Typer()
app.add_typer(policy_app, name="policy")
runner = CliRunner()


def verdicts(result):
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_seventh_call_example_from_a_file():
    result = runner.invoke(app, ["policy", "check", str(DATA / "policy-us-seventh-call.jsonl")])
    by_id = {v["request_id"]: v for v in verdicts(result)}
    dial = by_id["dial-1"]
    assert dial["decision"] == "block"
    assert dial["rules"] == ["US-CALL-7IN7"]
    # 8 April, 08:00 Pacific (the address) is 11:00 Eastern (the mobile): strict edge, +1 µs
    assert dial["next_allowed"] == "2026-04-08T15:00:00.000001Z"
    assert dial["findings"][0]["source"].startswith("12 CFR 1006.14(b)(2)(i)(A)")
    assert by_id["dial-2"]["decision"] == "allow"
    assert by_id["mail-1"]["decision"] == "allow"
    assert dial["presets"] == [{"id": "us-regf", "version": "2026.11", "as_of": "2021-11-30"}]


def test_stdin_presets_and_language():
    text = (DATA / "policy-mixed.jsonl").read_text(encoding="utf-8")
    result = runner.invoke(
        app,
        ["policy", "check", "-", "--preset", "uk-fca", "--preset", "house", "--lang", "es"],
        input=text,
    )
    by_id = {v["request_id"]: v for v in verdicts(result)}
    assert by_id["uk-1"]["rules"] == ["UK-PREFS"]
    assert by_id["uk-1"]["next_allowed"] == "2026-04-08T13:00:00Z"
    assert "no le conviene" in by_id["uk-1"]["reason"]
    assert by_id["uk-2"]["decision"] == "allow"  # default notice after a forbearance assessment
    assert by_id["uk-3"]["rules"] == ["UK-VISIT"]
    assert by_id["uk-4"]["rules"] == ["UK-HOURS"]  # the reference's number has no known zone
    assert by_id["uk-4"]["next_allowed"] is None
    assert by_id["uk-5"]["decision"] == "hold"  # a dispute hold: no override lifts it
    assert by_id["uk-5"]["override"] is None
    assert {v["lang"] for v in by_id.values()} == {"es"}


def test_now_applies_to_requests_without_at(tmp_path):
    source = tmp_path / "in.jsonl"
    person = {"type": "person", "person_id": "C1", "phones": [{"number": "+8613800000001"}]}
    request = {
        "type": "contact_request",
        "person_id": "C1",
        "channel": "call",
        "debt_ids": ["D"],
        "address": "+8613800000001",
    }
    source.write_text(f"{json.dumps(person)}\n{json.dumps(request)}\n", encoding="utf-8")
    late = verdicts(
        runner.invoke(
            app,
            [
                "policy",
                "check",
                str(source),
                "-p",
                "cn",
                "--now",
                "2026-04-08T22:30:00+08:00",
                "--lang",
                "zh",
            ],
        )
    )[0]
    assert late["decision"] == "block"
    assert late["rules"] == ["CN-QUIET"]
    assert late["next_allowed"] == "2026-04-09T00:00:00.000001Z"
    assert "适宜时段" in late["reason"]
    early = verdicts(
        runner.invoke(
            app, ["policy", "check", str(source), "-p", "cn", "--now", "2026-04-08T10:00:00+08:00"]
        )
    )[0]
    assert early["decision"] == "allow"


def test_override_is_labelled_in_the_output(tmp_path):
    lines = [
        (DATA / "policy-us-seventh-call.jsonl").read_text(encoding="utf-8").splitlines()[i]
        for i in range(9)
    ]
    forced = {
        "type": "contact_request",
        "request_id": "forced",
        "at": "2026-04-07T18:00:00Z",
        "person_id": "C1",
        "channel": "call",
        "debt_ids": ["CARD"],
        "address": "+12125550100",
        "override": {"reason": "DROPPED_CALL_CONTINUATION", "supervisor_id": "sup-3"},
    }
    lines.append(json.dumps(forced))
    source = tmp_path / "forced.jsonl"
    source.write_text("\n".join(lines), encoding="utf-8")
    verdict = verdicts(runner.invoke(app, ["policy", "check", str(source)]))[0]
    assert verdict["decision"] == "flag"
    assert verdict["presumed_violation"] is True
    assert verdict["override"]["rules"] == ["US-CALL-7IN7"]
    assert "presumed violation" in verdict["override"]["label"]
    assert "DROPPED_CALL_CONTINUATION" in verdict["reason"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"type": "mystery"}\n', "unknown event type 'mystery'"),
        ('{"type": "person", "person_id": "C1"}\n{"oops"\n', "in.jsonl:2: malformed JSON"),
        (
            json.dumps(
                {
                    "type": "contact_request",
                    "at": "2026-04-08T10:00:00",
                    "person_id": "C1",
                    "channel": "call",
                    "debt_ids": ["D"],
                    "address": "+12125550100",
                }
            ),
            "naive timestamps are refused",
        ),
        (
            '{"type": "person", "person_id": "C1", "time_zones": ["America/Gotham"]}\n',
            "'America/Gotham' is not an IANA time zone",
        ),
    ],
)
def test_bad_input_exits_2_with_the_message_on_stderr(tmp_path, content, message):
    source = tmp_path / "in.jsonl"
    source.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["policy", "check", str(source)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_bad_options_exit_2():
    source = str(DATA / "policy-us-seventh-call.jsonl")
    assert (
        runner.invoke(app, ["policy", "check", source, "--now", "2026-04-08T10:00:00"]).exit_code
        == 2
    )
    result = runner.invoke(app, ["policy", "check", source, "--preset", "us-tx"])
    assert result.exit_code == 2
    assert "unknown preset" in result.stderr
    missing = runner.invoke(app, ["policy", "check", "/nonexistent/file.jsonl"])
    assert missing.exit_code == 2
    assert "cannot read" in missing.stderr


def test_schema_and_presets_commands():
    schema = json.loads(verdicts_text(runner.invoke(app, ["policy", "schema"])))
    committed = json.loads(
        (ROOT / "docs" / "schemas" / "contact-events.schema.json").read_text(encoding="utf-8")
    )
    assert schema == committed
    listing = runner.invoke(app, ["policy", "presets"])
    assert listing.exit_code == 0
    for preset in ("us-regf", "us-ma", "uk-fca", "eu", "es", "cn", "house"):
        assert preset in listing.stdout


def verdicts_text(result):
    assert result.exit_code == 0, result.output
    return result.stdout
