"""The JSON-lines boundary: every bad input is a clear InvalidInput naming its line."""

import datetime as dt
import json
from pathlib import Path

import pytest

from arrears.domain.errors import InvalidInput
from arrears.services.policy_check import (
    check_lines,
    contact_events_schema,
    parse_lines,
    phone_zones,
)

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = ROOT / "docs" / "schemas" / "contact-events.schema.json"
EXAMPLES = sorted((ROOT / "tests" / "e2e" / "data").glob("policy-*.jsonl"))
NOW = dt.datetime(2026, 4, 8, 16, tzinfo=dt.UTC)

PERSON = {"type": "person", "person_id": "C1", "phones": [{"number": "+12125550100"}]}
REQUEST = {
    "type": "contact_request",
    "person_id": "C1",
    "channel": "call",
    "debt_ids": ["D1"],
    "address": "+12125550100",
}


def lines(*objects):
    return [json.dumps(o) if isinstance(o, dict) else o for o in objects]


def check(*objects, **kw):
    return check_lines(
        lines(*objects), presets=kw.pop("presets", ["us-regf"]), now=kw.pop("now", NOW), **kw
    )


def test_committed_schema_is_the_generated_one():
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == contact_events_schema()


def test_example_files_validate():
    assert EXAMPLES
    try:
        import jsonschema  # noqa: PLC0415 - optional
    except ImportError:
        jsonschema = None
    for path in EXAMPLES:
        text = path.read_text(encoding="utf-8").splitlines()
        parsed = parse_lines(text, source=path.name)
        assert parsed.requests
        if jsonschema is not None:
            schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
            for line in text:
                jsonschema.validate(json.loads(line), schema)


def test_a_good_input_gives_one_verdict_per_request():
    verdicts = check(PERSON, REQUEST, dict(REQUEST, debt_ids=["D2"], request_id="r2"))
    assert [v["decision"] for v in verdicts] == ["allow", "allow"]
    assert verdicts[1]["request_id"] == "r2"
    assert verdicts[0]["checked_at"] == "2026-04-08T16:00:00Z"


def test_phone_numbers_give_their_zones():
    assert phone_zones("+12125550100") == ("America/New_York",)
    assert phone_zones("+34600000001") == ("Atlantic/Canary", "Europe/Madrid")
    assert phone_zones("+447700900123") == ()  # a drama number: no zone, so contact is blocked
    verdict = check(
        dict(PERSON, phones=[{"number": "+447700900123"}]), dict(REQUEST, address="+447700900123")
    )[0]
    assert verdict["decision"] == "block"
    assert verdict["next_allowed"] is None


CALL = {
    "type": "call_attempt",
    "id": "c",
    "ts": "2026-04-08T09:00:00Z",
    "person_id": "C1",
    "number": "+12125550100",
    "attributed_debt_ids": ["D1"],
    "outcome": "busy",
}
OVERRIDE = {"reason": "EXTERNAL_DEADLINE", "supervisor_id": "s", "controlled_by": "collector"}
TP_PERSON = {"type": "person", "person_id": "C2", "role": "third_party"}
BAD_ZONE = {"type": "person", "person_id": "C2", "time_zones": ["Mars/Olympus_Mons"]}
BAD_ADDRESS = {
    "type": "person",
    "person_id": "C2",
    "addresses": [{"address_id": "x", "time_zone": "EST5"}],
}
BACKWARDS = {
    "type": "consent",
    "person_id": "C1",
    "scope": "calls",
    "received_ts": "2026-04-08T09:00:00Z",
    "explicit_end": "2026-04-07T09:00:00Z",
}
NO_WINDOWS = {
    "type": "designation",
    "person_id": "C1",
    "kind": "inconvenient_time",
    "received_ts": "2026-04-08T09:00:00Z",
}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", r"input:2: malformed JSON"),
        ("[1, 2]", r"input:2: each line must be a JSON object"),
        ({"type": "call_made"}, r"input:2: unknown event type 'call_made'"),
        ({"person_id": "C1"}, r"input:2: unknown event type None"),
        (dict(CALL, ts="2026-04-08T09:00:00"), r"input:2: call_attempt: ts: timestamp has no time"),
        (dict(CALL, attributed_debt_ids=[]), r"input:2: call_attempt: attributed_debt_ids"),
        (dict(CALL, outcome="hung_up"), r"input:2: call_attempt: outcome"),
        (BAD_ZONE, r"input:2: person: time_zones.0: 'Mars/Olympus_Mons' is not an IANA time zone"),
        (BAD_ADDRESS, r"not an IANA time zone"),
        ({"type": "person", "person_id": "C2", "phones": [{"number": "555-0100"}]}, r"E\.164"),
        ({"type": "person", "person_id": "C2", "colour": "blue"}, r"colour: unknown field"),
        (TP_PERSON, r"needs its relation"),
        (BACKWARDS, r"ends .* before it starts"),
        (NO_WINDOWS, r"needs windows"),
        (dict(REQUEST, override=OVERRIDE), r"input:2: contact_request: EXTERNAL_DEADLINE"),
        (dict(REQUEST, override={"reason": "BECAUSE", "supervisor_id": "s"}), r"override.reason"),
    ],
)
def test_bad_lines_are_refused_with_their_line(bad, message):
    with pytest.raises(InvalidInput, match=message):
        check(PERSON, bad, REQUEST)


def test_other_refusals():
    with pytest.raises(InvalidInput, match="no contact_request"):
        check(PERSON)
    with pytest.raises(InvalidInput, match="unknown preset"):
        check(PERSON, REQUEST, presets=["xx"])
    with pytest.raises(InvalidInput, match="unknown language"):
        check(PERSON, REQUEST, lang="fr")
    with pytest.raises(InvalidInput, match="input:2: contact_request has no `at`"):
        check(PERSON, REQUEST, now=None)
    with pytest.raises(InvalidInput, match="no time zone offset"):
        check(PERSON, REQUEST, now=dt.datetime(2026, 4, 8, 16))
    with pytest.raises(InvalidInput, match="appears twice"):
        check(PERSON, CALL, CALL, REQUEST)


def test_blank_lines_are_skipped_and_at_wins_over_now():
    verdicts = check(PERSON, "", "   ", dict(REQUEST, at="2026-04-08T03:00:00Z"))
    assert verdicts[0]["decision"] == "block"
    assert verdicts[0]["checked_at"] == "2026-04-08T03:00:00Z"


def test_a_dialled_number_brings_its_own_zone():
    # a Hawaii number not among the person's phones: its zone joins the candidates
    hawaii = dict(REQUEST, address="+18085550100", at="2026-04-08T16:00:00Z")
    verdict = check(PERSON, hawaii)[0]  # 12:00 in New York, 06:00 in Honolulu
    assert verdict["decision"] == "block"
    assert verdict["rules"] == ["US-TIME"]
    assert verdict["next_allowed"] == "2026-04-08T18:00:00.000001Z"  # 08:00 in Honolulu


def test_addresses_are_normalised_before_they_are_compared():
    person = dict(PERSON, emails=[{"address": "Jo@Corp.Example", "employer_provided": True}])
    mail = dict(REQUEST, channel="email", address="jo@corp.example ", has_opt_out_notice=True)
    assert check(person, mail)[0]["rules"] == ["US-WORK-EMAIL"]
    opt_out = {
        "type": "designation",
        "person_id": "C1",
        "kind": "address_opt_out",
        "received_ts": "2026-04-01T09:00:00Z",
        "address": "+1 212-555-0100",
    }
    assert check(PERSON, opt_out, REQUEST)[0]["rules"] == ["US-MEDIUM"]
    with pytest.raises(InvalidInput, match=r"needs an E\.164 phone number"):
        check(PERSON, dict(REQUEST, address="555-0100"))
