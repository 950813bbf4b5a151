"""Contact plan, planned attempts, the append-only contact log and its reference check."""

import datetime as dt

import pytest
from workflow_fixtures import (
    BORROWER,
    GUARANTOR_ENFORCEABLE,
    GUARANTOR_NOT_ENFORCEABLE,
    REFERENCE,
    UTC,
    D,
    at,
    record,
)

from arrears.adapters.strategy_files import load_strategy
from arrears.domain.errors import InvalidConfig, InvalidInput
from arrears.domain.model import PartyRole, RelatedParty, Relation
from arrears.domain.workflow.contact_log import (
    AttemptSource,
    ContactLog,
    ContactRecord,
    FlagCode,
    KnownAttempt,
    Outcome,
    reference_flags,
    summarize,
)
from arrears.domain.workflow.contact_plan import (
    ContactOrder,
    build_contact_plan,
    check_purpose,
)
from arrears.domain.workflow.errors import InvalidContactRecord, PurposeNotAllowed
from arrears.domain.workflow.planning import attempt_id, plan_attempts
from arrears.domain.workflow.stages import StepContext, steps_due
from arrears.domain.workflow.vocab import Channel, ContactPurpose, Direction, TargetKind

ORDER = ContactOrder()
PARTIES = (GUARANTOR_ENFORCEABLE, REFERENCE)
STRATEGY = load_strategy()

# ---- contact plan ----------------------------------------------------------------------------


def test_default_order_is_mobile_home_work_and_no_third_party_while_reachable():
    plan = build_contact_plan(BORROWER, PARTIES, order=ORDER)
    assert [t.kind for t in plan.targets] == [TargetKind.MOBILE, TargetKind.HOME, TargetKind.WORK]
    assert [t.rank for t in plan.targets] == [1, 2, 3]
    assert all(t.purpose is ContactPurpose.DEBT for t in plan.targets)
    reasons = {e.person_id: e.reason for e in plan.excluded}
    assert "locate a borrower" in reasons["R1"]
    assert "does not call on the guarantee" in reasons["G1"]


def test_order_is_configurable():
    plan = build_contact_plan(
        BORROWER, PARTIES, order=ContactOrder((TargetKind.WORK, TargetKind.MOBILE))
    )
    assert [t.kind for t in plan.targets] == [TargetKind.WORK, TargetKind.MOBILE]
    assert any("home numbers are not used" in e.reason for e in plan.excluded)
    with pytest.raises(InvalidConfig):
        ContactOrder((TargetKind.MOBILE, TargetKind.MOBILE))
    with pytest.raises(InvalidConfig):
        ContactOrder((TargetKind.REFERENCE,))


def test_lost_contact_brings_references_for_location_and_an_enforceable_guarantor():
    plan = build_contact_plan(BORROWER, PARTIES, order=ORDER, lost_contact=True)
    third = [(t.kind, t.purpose) for t in plan.targets if not t.kind.is_borrower]
    assert third == [
        (TargetKind.REFERENCE, ContactPurpose.LOCATION_ONLY),
        (TargetKind.GUARANTOR, ContactPurpose.GUARANTEE),
    ]
    reference = plan.of_kind(TargetKind.REFERENCE)[0]
    assert not reference.may_discuss_debt
    with pytest.raises(PurposeNotAllowed):
        check_purpose(reference, ContactPurpose.DEBT)
    check_purpose(reference, ContactPurpose.LOCATION_ONLY)


def test_a_guarantee_that_is_not_enforceable_is_location_only():
    plan = build_contact_plan(
        BORROWER, (GUARANTOR_NOT_ENFORCEABLE,), order=ORDER, lost_contact=True
    )
    (guarantor,) = plan.of_kind(TargetKind.GUARANTOR)
    assert guarantor.purpose is ContactPurpose.LOCATION_ONLY


def test_stage_may_call_on_an_enforceable_guarantee_while_the_borrower_is_reachable():
    plan = build_contact_plan(BORROWER, PARTIES, order=ORDER, guarantee_demand=True)
    assert [t.purpose for t in plan.of_kind(TargetKind.GUARANTOR)] == [ContactPurpose.GUARANTEE]
    assert plan.of_kind(TargetKind.REFERENCE) == ()


def test_invalid_numbers_make_the_borrower_unreachable():
    numbers = frozenset(p.e164 for p in BORROWER.phones)
    plan = build_contact_plan(BORROWER, PARTIES, order=ORDER, invalid_numbers=numbers)
    assert not plan.borrower_reachable
    assert plan.for_purpose(ContactPurpose.DEBT) == ()
    assert plan.for_purpose(ContactPurpose.LOCATION_ONLY)


def test_do_not_contact_is_respected():
    plan = build_contact_plan(
        BORROWER, PARTIES, order=ORDER, lost_contact=True, do_not_contact=frozenset({"R1"})
    )
    assert plan.of_kind(TargetKind.REFERENCE) == ()
    assert any(e.reason == "asked not to be contacted" for e in plan.excluded)


def test_parties_of_another_borrower_are_refused():
    other = RelatedParty("R9", "B9", PartyRole.REFERENCE, Relation.FRIEND, "X")
    with pytest.raises(InvalidInput):
        build_contact_plan(BORROWER, (other,), order=ORDER)


# ---- planned attempts ------------------------------------------------------------------------


def test_notice_plans_a_call_and_a_contingent_sms_with_stable_ids():
    plan = build_contact_plan(BORROWER, PARTIES, order=ORDER)
    due = steps_due(STRATEGY.treatments["notice_call"], -1)
    attempts, skipped = plan_attempts(
        case_id="C1",
        as_of=D(2026, 3, 2),
        stage_id="payment_notice",
        treatment_id="notice_call",
        due=due,
        plan=plan,
        borrower=BORROWER,
    )
    assert [(a.channel, a.address, a.contingent) for a in attempts] == [
        (Channel.CALL, "+34600000001", False),
        (Channel.SMS, "+34600000001", True),
    ]
    assert attempts[0].fallbacks == ("+34910000002", "+34910000003")
    assert attempts[0].attempt_id == attempt_id(
        "C1", D(2026, 3, 2), "payment_notice", "notice_call", 0
    )
    assert [s.step_index for s in skipped] == [2]  # no reference while the borrower is reachable


def test_number_changed_asks_the_reference_for_location_only():
    numbers = frozenset(p.e164 for p in BORROWER.phones)
    plan = build_contact_plan(BORROWER, PARTIES, order=ORDER, invalid_numbers=numbers)
    due = steps_due(
        STRATEGY.treatments["notice_call"], -1, StepContext(borrower_number_invalid=True)
    )
    attempts, skipped = plan_attempts(
        case_id="C1",
        as_of=D(2026, 3, 2),
        stage_id="payment_notice",
        treatment_id="notice_call",
        due=due,
        plan=plan,
        borrower=BORROWER,
    )
    assert [(a.person_id, a.purpose, a.talk_track) for a in attempts] == [
        ("R1", ContactPurpose.LOCATION_ONLY, "trace.location_only")
    ]
    assert all("no working number" in s.reason for s in skipped)


def test_letters_and_emails_go_to_the_borrower():
    plan = build_contact_plan(BORROWER, PARTIES, order=ORDER, lost_contact=True)
    due = steps_due(STRATEGY.treatments["trace"], 0) + steps_due(STRATEGY.treatments["trace"], 3)
    attempts, _ = plan_attempts(
        case_id="C1",
        as_of=D(2026, 3, 2),
        stage_id="front_row",
        treatment_id="trace",
        due=due,
        plan=plan,
        borrower=BORROWER,
    )
    by_channel = {a.channel: a for a in attempts}
    assert by_channel[Channel.EMAIL].address == "ana@example.org"
    assert by_channel[Channel.LETTER].address.startswith("Calle Mayor 1")
    assert by_channel[Channel.CALL].purpose is ContactPurpose.LOCATION_ONLY


# ---- contact records and the log -------------------------------------------------------------


def test_exactly_one_reach_outcome_that_fits_the_channel():
    with pytest.raises(InvalidContactRecord):
        record("K1", D(2026, 3, 2), Outcome.NO_ANSWER, Outcome.BUSY)
    with pytest.raises(InvalidContactRecord):
        record("K1", D(2026, 3, 2), Outcome.PROMISE)
    with pytest.raises(InvalidContactRecord):
        record("K1", D(2026, 3, 2), Outcome.SENT)  # a call is not "sent"
    with pytest.raises(InvalidContactRecord):
        record("K1", D(2026, 3, 2), Outcome.NO_ANSWER, Outcome.PROMISE)
    ok = record("K1", D(2026, 3, 2), Outcome.RIGHT_PARTY_CONTACT, Outcome.PROMISE)
    assert ok.reach is Outcome.RIGHT_PARTY_CONTACT


def test_a_reference_is_a_third_party_and_gives_no_promise():
    with pytest.raises(InvalidContactRecord):
        record(
            "K1",
            D(2026, 3, 2),
            Outcome.RIGHT_PARTY_CONTACT,
            party=TargetKind.REFERENCE,
            purpose=ContactPurpose.LOCATION_ONLY,
        )
    with pytest.raises(InvalidContactRecord):
        record(
            "K1",
            D(2026, 3, 2),
            Outcome.THIRD_PARTY,
            Outcome.PROMISE,
            party=TargetKind.REFERENCE,
            purpose=ContactPurpose.LOCATION_ONLY,
        )
    with pytest.raises(InvalidContactRecord):
        record("K1", D(2026, 3, 2), Outcome.THIRD_PARTY, party=TargetKind.REFERENCE)
    fine = record(
        "K1",
        D(2026, 3, 2),
        Outcome.THIRD_PARTY,
        Outcome.NEW_CONTACT_INFO,
        party=TargetKind.REFERENCE,
        purpose=ContactPurpose.LOCATION_ONLY,
    )
    assert not fine.is_right_party_contact


def test_naive_times_and_durations_on_messages_are_refused():
    base = record("K1", D(2026, 3, 2), Outcome.SENT, channel=Channel.SMS)
    with pytest.raises(InvalidContactRecord):
        ContactRecord(**{**_fields(base), "at": dt.datetime(2026, 3, 2, 10)})
    with pytest.raises(InvalidContactRecord):
        ContactRecord(**{**_fields(base), "duration_seconds": 30})
    with pytest.raises(InvalidContactRecord):
        ContactRecord(**{**_fields(base), "logged_at": at(D(2026, 3, 1))})


def _fields(r: ContactRecord) -> dict:
    return {name: getattr(r, name) for name in ContactRecord.__dataclass_fields__}


def test_log_is_append_only_and_corrections_keep_every_version():
    log = ContactLog("C1").append(record("K1", D(2026, 3, 2), Outcome.NO_ANSWER))
    with pytest.raises(InvalidContactRecord):
        log.append(record("K1", D(2026, 3, 2), Outcome.BUSY))
    with pytest.raises(InvalidContactRecord):
        log.append(record("K2", D(2026, 3, 2), Outcome.BUSY, amends="K1"))  # no reason
    fixed = log.append(
        record("K2", D(2026, 3, 2), Outcome.BUSY, amends="K1", amend_reason="misclicked")
    )
    assert [r.record_id for r in fixed.current()] == ["K2"]
    assert [r.record_id for r in fixed.versions("K1")] == ["K1", "K2"]
    assert fixed.original_id(fixed.current()[0]) == "K1"
    with pytest.raises(InvalidContactRecord):
        fixed.append(
            record("K3", D(2026, 3, 2), Outcome.VOICEMAIL, amends="K1", amend_reason="again")
        )
    with pytest.raises(InvalidContactRecord):
        fixed.append(record("K4", D(2026, 3, 2), Outcome.BUSY, case_id="C2"))
    with pytest.raises(InvalidContactRecord):
        fixed.append(record("K5", D(2026, 3, 2), Outcome.BUSY, amends="K9", amend_reason="unknown"))
    assert len(fixed.records) == 2  # the original log object never changed
    assert len(log.records) == 1


def test_free_floating_records_are_flagged():
    known = {
        "pa_1": KnownAttempt("pa_1", AttemptSource.PLANNED, "C1", Channel.CALL),
        "dl_7": KnownAttempt("dl_7", AttemptSource.DIALER, "C2", Channel.CALL),
        "pa_2": KnownAttempt("pa_2", AttemptSource.PLANNED, "C1", Channel.SMS),
    }
    log = ContactLog(
        "C1",
        (
            record("K1", D(2026, 3, 2), Outcome.NO_ANSWER, attempt_id="pa_1"),
            record("K2", D(2026, 3, 2), Outcome.BUSY, hour=11),
            record("K3", D(2026, 3, 2), Outcome.BUSY, attempt_id="ghost", hour=12),
            record("K4", D(2026, 3, 2), Outcome.BUSY, attempt_id="dl_7", hour=13),
            record("K5", D(2026, 3, 2), Outcome.BUSY, attempt_id="pa_2", hour=14),
            record("K6", D(2026, 3, 2), Outcome.BUSY, attempt_id="pa_1", hour=15),
            record(
                "K7",
                D(2026, 3, 2),
                Outcome.SENT,
                channel=Channel.EMAIL,
                direction=Direction.INBOUND,
                address="ana@example.org",
                hour=16,
            ),
        ),
    )
    flags = {(f.record_id, f.code) for f in reference_flags(log, known)}
    assert flags == {
        ("K2", FlagCode.NO_ATTEMPT),
        ("K3", FlagCode.UNKNOWN_ATTEMPT),
        ("K4", FlagCode.OTHER_CASE),
        ("K5", FlagCode.CHANNEL_MISMATCH),
        ("K6", FlagCode.ATTEMPT_REUSED),
    }


def test_a_correction_may_share_its_originals_attempt():
    known = {"pa_1": KnownAttempt("pa_1", AttemptSource.PLANNED, "C1", Channel.CALL)}
    log = ContactLog(
        "C1",
        (
            record("K1", D(2026, 3, 2), Outcome.NO_ANSWER, attempt_id="pa_1"),
            record(
                "K2",
                D(2026, 3, 2),
                Outcome.VOICEMAIL,
                attempt_id="pa_1",
                amends="K1",
                amend_reason="it went to voicemail",
            ),
        ),
    )
    assert reference_flags(log, known) == ()


def test_summary_counts_attempts_contacts_and_invalid_numbers():
    records = [
        record("K1", D(2026, 2, 1), Outcome.RIGHT_PARTY_CONTACT),
        record("K2", D(2026, 3, 20), Outcome.NO_ANSWER),
        record("K3", D(2026, 3, 21), Outcome.WRONG_NUMBER),
        record(
            "K4",
            D(2026, 3, 22),
            Outcome.NOT_IN_SERVICE,
            address="+34910000002",
            party=TargetKind.HOME,
        ),
        record("K5", D(2026, 4, 2), Outcome.RIGHT_PARTY_CONTACT),  # after as_of
    ]
    summary = summarize(records, as_of=D(2026, 3, 31), window_days=30, tz=UTC)
    assert summary.attempts_in_window == 3
    assert summary.right_party_contacts_in_window == 0
    assert summary.last_right_party_contact == D(2026, 2, 1)
    assert summary.attempts_since_right_party_contact == 3
    assert summary.invalid_addresses == {"+34600000001", "+34910000002"}
    assert summary.last(Outcome.WRONG_NUMBER) == D(2026, 3, 21)


def test_threat_outcome_calls_for_a_supervisor():
    threat = record("K1", D(2026, 3, 2), Outcome.RIGHT_PARTY_CONTACT, Outcome.THREAT)
    assert threat.needs_supervisor
    assert not record("K2", D(2026, 3, 2), Outcome.RIGHT_PARTY_CONTACT).needs_supervisor


def test_what_third_parties_say_is_kept_apart_from_the_borrowers_statements():
    records = [
        record(
            "K1",
            D(2026, 3, 2),
            Outcome.THIRD_PARTY,
            Outcome.DECEASED,
            party=TargetKind.REFERENCE,
            purpose=ContactPurpose.LOCATION_ONLY,
        ),
        record(
            "K2",
            D(2026, 3, 3),
            Outcome.RIGHT_PARTY_CONTACT,
            Outcome.PROMISE,
            party=TargetKind.GUARANTOR,
            purpose=ContactPurpose.GUARANTEE,
        ),
    ]
    summary = summarize(records, as_of=D(2026, 3, 31), window_days=30, tz=UTC)
    assert summary.last(Outcome.DECEASED) is None
    assert summary.last_third_party_outcome_on[Outcome.DECEASED] == D(2026, 3, 2)
    assert summary.last_third_party_outcome_on[Outcome.PROMISE] == D(2026, 3, 3)
    assert summary.right_party_contacts_in_window == 0  # the guarantor is not the borrower
