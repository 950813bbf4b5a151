"""Rule by rule, preset by preset: what objects, what does not, and until when."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from policy_scenario import HOME, MOBILE, NY, Scenario, after, at, call_request, consumer

from arrears.domain.contact_policy import (
    AddressFact,
    CallAttempt,
    Channel,
    Consent,
    ConsentScope,
    ContactRequest,
    Conversation,
    DebtTransferred,
    Decision,
    Designation,
    DesignationKind,
    Dispute,
    EmailFact,
    ForbearanceAssessment,
    HoursEdge,
    Inbound,
    Initiator,
    Ledger,
    MessageSent,
    Outcome,
    Override,
    OverrideReason,
    PersonFacts,
    PhoneFact,
    PointKind,
    PolicyOptions,
    Purpose,
    Relation,
    Role,
    Status,
    StatusFlag,
    build_policy,
    check_contact,
)
from arrears.domain.errors import InvalidConfig, InvalidInput

ALLOW, BLOCK, HOLD, FLAG = Decision.ALLOW, Decision.BLOCK, Decision.HOLD, Decision.FLAG
LONDON = ZoneInfo("Europe/London")
MADRID = ZoneInfo("Europe/Madrid")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def person(pid, zone, *, number="+10000000000", kind=PointKind.MOBILE, **kw):
    return PersonFacts(pid, phones=(PhoneFact(number, kind, (zone,)),), **kw)


# ------------------------------------------------------------------------------------- hours


@pytest.mark.parametrize(
    ("edge", "moment", "decision"),
    [
        (HoursEdge.STRICT, (8, 0), BLOCK),
        (HoursEdge.STRICT, (8, 0, 0, 1), ALLOW),
        (HoursEdge.STRICT, (20, 59, 59, 999999), ALLOW),
        (HoursEdge.STRICT, (21, 0), BLOCK),
        (HoursEdge.HALF_OPEN, (8, 0), ALLOW),
        (HoursEdge.HALF_OPEN, (7, 59, 59, 999999), BLOCK),
        (HoursEdge.HALF_OPEN, (21, 0), BLOCK),
    ],
)
def test_hour_edges(edge, moment, decision):
    s = Scenario(options=PolicyOptions(hours_edge=edge), events=[consumer()])
    s.expect(call_request(), at(2026, 4, 8, *moment), decision)


def test_half_open_next_allowed_is_eight_sharp():
    s = Scenario(options=PolicyOptions(hours_edge=HoursEdge.HALF_OPEN), events=[consumer()])
    s.expect(call_request(), at(2026, 4, 8, 22), BLOCK, next_allowed=at(2026, 4, 9, 8))


def test_unknown_zone_blocks_with_no_time_based_end():
    s = Scenario(events=[consumer(address_zone=None)])
    verdict = s.expect(
        call_request(), at(2026, 4, 8, 12), BLOCK, rules=("US-TIME",), next_allowed=None
    )
    assert verdict.waiting_for == ("US-TIME",)
    assert "not known" in verdict.summary()
    # a person we know nothing about: blocked too (no zone, and treated as a third party)
    unknown = Scenario()
    unknown.expect(call_request(), at(2026, 4, 8, 12), BLOCK, rules=("US-TIME", "US-3P"))


def test_zones_with_no_common_hour_never_allow():
    # two 13-hour windows always overlap on a 24-hour clock; three zones 8 hours apart do not
    far = PersonFacts(
        "C1",
        phones=(PhoneFact(MOBILE, PointKind.MOBILE, ("Etc/GMT-8",)),),
        addresses=(AddressFact("A", PointKind.HOME, "Etc/GMT+8"),),
        time_zones=("UTC",),
    )
    Scenario(events=[far]).expect(call_request(), at(2026, 4, 8, 12), BLOCK, next_allowed=None)


def test_consent_to_an_otherwise_inconvenient_time():
    s = Scenario(events=[consumer()])
    s.expect(call_request(), at(2026, 4, 8, 21, 30), BLOCK)
    s.add(Consent("C1", ConsentScope.TIME, at(2026, 4, 8, 12), explicit_end=at(2026, 4, 8, 22)))
    s.expect(call_request(), at(2026, 4, 8, 21, 30), ALLOW)
    s.expect(call_request(), at(2026, 4, 8, 22, 30), BLOCK)


def test_dst_change_moves_the_utc_hour():
    s = Scenario(events=[consumer()])
    s.expect(
        call_request(),
        at(2026, 3, 7, 22),
        BLOCK,
        next_allowed=dt.datetime(2026, 3, 8, 12, 0, 0, 1, tzinfo=dt.UTC),
    )
    s.expect(
        call_request(),
        at(2026, 3, 8, 22),
        BLOCK,
        next_allowed=dt.datetime(2026, 3, 9, 12, 0, 0, 1, tzinfo=dt.UTC),
    )
    s.expect(
        call_request(),
        at(2026, 11, 1, 22),
        BLOCK,
        next_allowed=dt.datetime(2026, 11, 2, 13, 0, 0, 1, tzinfo=dt.UTC),
    )


def test_combined_blocks_give_the_joint_next_instant():
    """7 calls and a conversation block until the 8th day; that day's first hour counts too."""
    s = Scenario(events=[consumer()])
    for hour in (9, 10, 11, 12, 13, 14):
        s.call(at(2026, 4, 6, hour))
    s.call(at(2026, 4, 7, 9), talk=("D1",))
    verdict = s.expect(
        call_request(), at(2026, 4, 7, 22), BLOCK, next_allowed=after(at(2026, 4, 14, 8))
    )
    assert {"US-TIME", "US-CALL-7IN7", "US-CALL-CONV7"} <= set(verdict.rule_ids)
    untils = {f.rule_id: f.until for f in verdict.findings}
    assert untils["US-CALL-7IN7"] < untils["US-CALL-CONV7"]


# ---------------------------------------------------------------------------- US, more rules


def test_employer_and_work_email():
    facts = PersonFacts(
        "C1",
        phones=(
            PhoneFact(MOBILE, PointKind.MOBILE, ("America/New_York",)),
            PhoneFact("+12125550123", PointKind.WORK, ("America/New_York",)),
        ),
        emails=(
            EmailFact("c1@example.com"),
            EmailFact("c1@employer.example", employer_provided=True),
        ),
    )
    s = Scenario(events=[facts])
    work_call = call_request(number="+12125550123")
    s.expect(work_call, at(2026, 4, 8, 12), ALLOW)
    s.add(Designation("C1", DesignationKind.EMPLOYER_PROHIBITS, at(2026, 4, 7, 12)))
    s.expect(work_call, at(2026, 4, 8, 12), BLOCK, rules=("US-EMPLOYER",), next_allowed=None)
    s.expect(call_request(), at(2026, 4, 8, 12), ALLOW)
    work_mail = ContactRequest(
        "C1", Channel.EMAIL, ("D1",), "c1@employer.example", has_opt_out_notice=True
    )
    s.expect(work_mail, at(2026, 4, 8, 12), BLOCK, rules=("US-WORK-EMAIL", "US-EMPLOYER"))
    s.add(Consent("C1", ConsentScope.MEDIUM, at(2026, 4, 8, 10), address="c1@employer.example"))
    verdict = s.verdict(work_mail, at(2026, 4, 8, 12))
    assert "US-WORK-EMAIL" not in verdict.rule_ids
    assert "US-EMPLOYER" in verdict.rule_ids


def test_work_email_the_consumer_used_with_us():
    facts = PersonFacts(
        "C1",
        phones=(PhoneFact(MOBILE, PointKind.MOBILE, ("America/New_York",)),),
        emails=(EmailFact("w@corp.example", employer_provided=True),),
    )
    s = Scenario(events=[facts])
    mail = ContactRequest("C1", Channel.EMAIL, ("D1",), "w@corp.example", has_opt_out_notice=True)
    s.expect(mail, at(2026, 4, 8, 12), BLOCK, rules=("US-WORK-EMAIL",))
    s.add(Inbound("in", at(2026, 4, 8, 9), "C1", Channel.EMAIL, "w@corp.example"))
    s.expect(mail, at(2026, 4, 8, 12), ALLOW)


def test_electronic_messages_need_an_opt_out_and_public_posts_and_postcards_never():
    s = Scenario(events=[consumer()])
    s.expect(
        ContactRequest("C1", Channel.SMS, ("D1",), MOBILE),
        at(2026, 4, 8, 12),
        BLOCK,
        rules=("US-E-OPTOUT",),
    )
    s.expect(
        ContactRequest("C1", Channel.SMS, ("D1",), MOBILE, has_opt_out_notice=True),
        at(2026, 4, 8, 12),
        ALLOW,
    )
    s.expect(
        ContactRequest("C1", Channel.SOCIAL_PUBLIC, ("D1",), "@c1", has_opt_out_notice=True),
        at(2026, 4, 8, 12),
        BLOCK,
        rules=("US-SOCIAL",),
    )
    s.expect(
        ContactRequest("C1", Channel.POSTCARD, ("D1",), "A-home"),
        at(2026, 4, 8, 12),
        BLOCK,
        rules=("US-MAIL",),
    )
    s.expect(
        ContactRequest("C1", Channel.LETTER, ("D1",), "A-home"), at(2026, 4, 8, 23), ALLOW
    )  # mail has no hour


def test_disputes_hold_in_writing_within_the_period_and_flag_otherwise():
    s = Scenario(events=[consumer()])
    s.add(Dispute("C1", "D1", at(2026, 4, 1, 9), in_writing=False))
    flagged = s.expect(call_request(), at(2026, 4, 8, 12), FLAG, rules=("US-DISPUTE",))
    assert flagged.allowed
    s.add(
        Dispute(
            "C1",
            "D1",
            at(2026, 4, 2, 9),
            in_writing=True,
            within_validation_period=True,
            resolved_ts=at(2026, 4, 20, 9),
        )
    )
    s.expect(
        call_request(),
        at(2026, 4, 8, 12),
        HOLD,
        rules=("US-DISPUTE",),
        next_allowed=at(2026, 4, 20, 9),
    )
    s.expect(
        ContactRequest("C1", Channel.LETTER, ("D1",), "A-home", Purpose.DISPUTE_RESPONSE),
        at(2026, 4, 8, 12),
        ALLOW,
    )
    s.expect(
        ContactRequest("C1", Channel.ACTION, ("D1",), purpose=Purpose.LEGAL_ACTION),
        at(2026, 4, 8, 12),
        HOLD,
    )
    s.add(
        Dispute(
            "C1",
            "D2",
            at(2026, 4, 2, 9),
            in_writing=True,
            within_validation_period=True,
            original_creditor_request=True,
        )
    )
    s.expect(
        call_request(("D2",)), at(2026, 4, 8, 12), HOLD, rules=("US-OC-REQ",), next_allowed=None
    )


def test_third_parties_under_us_rules():
    spouse = PersonFacts(
        "S1",
        Role.THIRD_PARTY,
        Relation.SPOUSE,
        "C1",
        phones=(PhoneFact("+12125550300", PointKind.MOBILE, ("America/New_York",)),),
    )
    lawyer = PersonFacts(
        "L1",
        Role.THIRD_PARTY,
        Relation.CONSUMER_ATTORNEY,
        "C1",
        phones=(PhoneFact("+12125550400", PointKind.WORK, ("America/New_York",)),),
    )
    friend = PersonFacts(
        "F1",
        Role.THIRD_PARTY,
        Relation.FRIEND,
        "C1",
        phones=(PhoneFact("+12125550500", PointKind.MOBILE, ("America/New_York",)),),
    )
    s = Scenario(events=[consumer(), spouse, lawyer, friend])
    when = at(2026, 4, 8, 12)
    s.expect(ContactRequest("S1", Channel.CALL, ("D1",), "+12125550300"), when, ALLOW)
    s.expect(ContactRequest("L1", Channel.CALL, ("D1",), "+12125550400"), when, ALLOW)
    s.expect(
        ContactRequest("F1", Channel.CALL, ("D1",), "+12125550500"),
        when,
        BLOCK,
        rules=("US-3P",),
        next_allowed=None,
    )
    s.add(Consent("C1", ConsentScope.THIRD_PARTY, at(2026, 4, 7, 9), third_party_id="F1"))
    s.expect(ContactRequest("F1", Channel.CALL, ("D1",), "+12125550500"), when, ALLOW)
    # calls to the consumer's attorney never count toward the frequencies
    for hour in range(9, 17):
        s.call(at(2026, 4, 7, hour), person="L1", number="+12125550400")
    s.expect(
        ContactRequest("L1", Channel.CALL, ("D1",), "+12125550400"),
        at(2026, 4, 7, 18),
        FLAG,
        rules=("US-CALL-PATTERN",),
    )
    # once the attorney is known, location questions go to the attorney only
    s.add(Designation("C1", DesignationKind.ATTORNEY_REPRESENTED, at(2026, 4, 8, 9)))
    ask = ContactRequest("F1", Channel.CALL, ("D1",), "+12125550500", Purpose.LOCATION_INFO)
    s.expect(ask, at(2026, 4, 8, 12), BLOCK, rules=("US-LOC",))


def test_time_barred_debts_cannot_be_sued_on():
    s = Scenario(
        events=[consumer(), Status("C1", StatusFlag.TIME_BARRED, at(2026, 1, 1), debt_id="D1")]
    )
    s.expect(
        ContactRequest("C1", Channel.ACTION, ("D1",), purpose=Purpose.LEGAL_ACTION),
        at(2026, 4, 8, 12),
        BLOCK,
        rules=("US-TIMEBAR",),
    )
    s.expect(
        ContactRequest("C1", Channel.ACTION, ("D2",), purpose=Purpose.LEGAL_ACTION),
        at(2026, 4, 8, 12),
        ALLOW,
    )


# ------------------------------------------------------------------------------ Massachusetts


def test_massachusetts_two_calls_in_seven_days_per_debt():
    s = Scenario("us-ma", events=[consumer()])
    s.call(at(2026, 4, 6, 10))
    s.expect(call_request(), at(2026, 4, 7, 10), ALLOW)
    s.call(at(2026, 4, 7, 10), outcome=Outcome.VOICEMAIL_REACHED)
    s.expect(
        call_request(),
        at(2026, 4, 8, 10),
        BLOCK,
        rules=("US-MA-2IN7",),
        next_allowed=after(at(2026, 4, 13, 8)),
    )
    s.expect(call_request(("D2",)), at(2026, 4, 8, 10), ALLOW)
    # texts count like calls; busy signals do not
    s.add(MessageSent("t1", at(2026, 4, 8, 11), "C1", Channel.SMS, ("D2",), MOBILE))
    s.call(at(2026, 4, 8, 12), ("D2",), outcome=Outcome.BUSY)
    s.expect(call_request(("D2",)), at(2026, 4, 8, 13), ALLOW)
    # a reply to the debtor is not collector-initiated
    s.add(Inbound("in", at(2026, 4, 8, 14), "C1", Channel.SMS, MOBILE))
    reply = ContactRequest(
        "C1", Channel.SMS, ("D1",), MOBILE, Purpose.REPLY, in_reply_to="in", has_opt_out_notice=True
    )
    s.expect(reply, at(2026, 4, 8, 15), ALLOW)


def test_massachusetts_other_numbers_two_in_thirty_days():
    facts = PersonFacts(
        "C1",
        phones=(
            PhoneFact(MOBILE, PointKind.MOBILE, ("America/New_York",)),
            PhoneFact("+12125550123", PointKind.WORK, ("America/New_York",)),
        ),
    )
    s = Scenario("us-ma", events=[facts])
    work = call_request(number="+12125550123")
    s.call(at(2026, 4, 1, 10), number="+12125550123").call(
        at(2026, 4, 20, 10), number="+12125550123"
    )
    s.expect(
        work,
        at(2026, 4, 25, 10),
        BLOCK,
        rules=("US-MA-2IN7",),
        next_allowed=after(at(2026, 5, 1, 8)),
    )
    s.expect(call_request(), at(2026, 4, 25, 10), ALLOW)


# ---------------------------------------------------------------------------------------- UK


def uk_customer():
    return PersonFacts(
        "C1",
        phones=(PhoneFact("+447700900123", PointKind.MOBILE, ("Europe/London",)),),
        addresses=(AddressFact("H", PointKind.HOME, "Europe/London"),),
    )


def uk_call(**kw):
    return ContactRequest("C1", Channel.CALL, ("D1",), "+447700900123", **kw)


def test_uk_hours_and_customer_preferences():
    s = Scenario("uk-fca", events=[uk_customer()])
    s.expect(
        uk_call(),
        at(2026, 4, 8, 7, 30, tz=LONDON),
        BLOCK,
        rules=("UK-HOURS",),
        next_allowed=after(at(2026, 4, 8, 8, tz=LONDON)),
    )
    s.add(
        Designation(
            "C1", DesignationKind.MEDIUM_OPT_OUT, at(2026, 4, 1, tz=LONDON), channel=Channel.CALL
        )
    )
    s.expect(uk_call(), at(2026, 4, 8, 12, tz=LONDON), BLOCK, rules=("UK-PREFS",))


def test_uk_forbearance_gate_before_escalation():
    s = Scenario("uk-fca", events=[uk_customer()])
    notice = ContactRequest("C1", Channel.LETTER, ("D1",), "H", Purpose.DEFAULT_NOTICE)
    s.expect(notice, at(2026, 4, 8, 12, tz=LONDON), BLOCK, rules=("UK-FORBEAR",), next_allowed=None)
    s.add(ForbearanceAssessment("C1", "D1", at(2026, 4, 1, tz=LONDON)))
    s.expect(notice, at(2026, 4, 8, 12, tz=LONDON), ALLOW)
    s.expect(
        notice, at(2026, 7, 8, 12, tz=LONDON), BLOCK, rules=("UK-FORBEAR",)
    )  # stale after 90 days
    visit = ContactRequest("C1", Channel.VISIT, ("D2",), "H")
    s.expect(visit, at(2026, 4, 8, 12, tz=LONDON), BLOCK, rules=("UK-FORBEAR",))


def test_uk_holds():
    s = Scenario("uk-fca", events=[uk_customer()])
    s.add(
        Status(
            "C1",
            StatusFlag.IN_BREATHING_SPACE,
            at(2026, 4, 1, tz=LONDON),
            at(2026, 5, 31, tz=LONDON),
        )
    )
    # the moratorium ends at midnight; the first convenient instant after it is 08:00
    s.expect(
        uk_call(),
        at(2026, 4, 8, 12, tz=LONDON),
        HOLD,
        rules=("UK-BREATHING",),
        next_allowed=after(at(2026, 5, 31, 8, tz=LONDON)),
    )
    s.expect(uk_call(purpose=Purpose.LEGALLY_REQUIRED), at(2026, 4, 8, 12, tz=LONDON), ALLOW)
    s.add(Status("C1", StatusFlag.MENTAL_CAPACITY_CONCERN, at(2026, 4, 2, tz=LONDON)))
    s.expect(
        uk_call(), at(2026, 6, 8, 12, tz=LONDON), HOLD, rules=("UK-CAPACITY",), next_allowed=None
    )
    s.add(Dispute("C1", "D9", at(2026, 4, 2, tz=LONDON)))  # any dispute holds in the UK preset
    s.expect(
        ContactRequest("C1", Channel.CALL, ("D9",), "+447700900123"),
        at(2026, 4, 8, 12, tz=LONDON),
        HOLD,
        rules=("UK-DISPUTE",),
    )


def test_uk_negotiation_hold_and_vulnerable_visits():
    s = Scenario(
        "uk-fca",
        events=[uk_customer(), ForbearanceAssessment("C1", "D1", at(2026, 4, 1, tz=LONDON))],
    )
    s.add(Status("C1", StatusFlag.DEVELOPING_REPAYMENT_PLAN, at(2026, 4, 2, 10, tz=LONDON)))
    s.expect(
        uk_call(),
        at(2026, 4, 8, 12, tz=LONDON),
        HOLD,
        rules=("UK-NEGOTIATE",),
        next_allowed=at(2026, 5, 2, 10, tz=LONDON),
    )
    s.add(Status("C1", StatusFlag.VULNERABLE, at(2026, 4, 2, tz=LONDON)))
    s.expect(
        ContactRequest("C1", Channel.VISIT, ("D1",), "H"),
        at(2026, 6, 8, 12, tz=LONDON),
        BLOCK,
        rules=("UK-VISIT",),
    )


def test_uk_frequency_caps_flag():
    s = Scenario("uk-fca", events=[uk_customer()])
    for hour in (9, 11, 13):
        s.call(at(2026, 4, 8, hour, tz=LONDON), number="+447700900123")
    verdict = s.expect(uk_call(), at(2026, 4, 8, 15, tz=LONDON), FLAG, rules=("UK-FREQ",))
    assert verdict.allowed


def test_uk_third_parties():
    adviser = PersonFacts(
        "A1",
        Role.THIRD_PARTY,
        Relation.DEBT_ADVISER,
        "C1",
        phones=(PhoneFact("+447700900200", PointKind.WORK, ("Europe/London",)),),
    )
    neighbour = PersonFacts(
        "N1",
        Role.THIRD_PARTY,
        Relation.OTHER,
        "C1",
        phones=(PhoneFact("+447700900300", PointKind.MOBILE, ("Europe/London",)),),
    )
    s = Scenario("uk-fca", events=[uk_customer(), adviser, neighbour])
    s.expect(
        ContactRequest("A1", Channel.CALL, ("D1",), "+447700900200"),
        at(2026, 4, 8, 12, tz=LONDON),
        ALLOW,
    )
    s.expect(
        ContactRequest("N1", Channel.CALL, ("D1",), "+447700900300"),
        at(2026, 4, 8, 12, tz=LONDON),
        BLOCK,
        rules=("UK-3P",),
    )


# ------------------------------------------------------------------------------------ EU, ES


def es_customer():
    return PersonFacts(
        "C1",
        phones=(PhoneFact("+34600000001", PointKind.MOBILE, ("Europe/Madrid",)),),
        addresses=(AddressFact("H", PointKind.HOME, "Europe/Madrid"),),
    )


def test_spain_reference_hours_weekdays_and_holidays():
    s = Scenario("es", events=[es_customer()])
    call = ContactRequest("C1", Channel.CALL, ("D1",), "+34600000001")
    s.expect(
        call,
        at(2026, 4, 8, 8, 30, tz=MADRID),
        BLOCK,
        rules=("ES-HOURS",),
        next_allowed=after(at(2026, 4, 8, 9, tz=MADRID)),
    )
    s.expect(call, at(2026, 4, 8, 12, tz=MADRID), ALLOW)
    # Saturday 11 April: next is Monday 13 April
    s.expect(
        call,
        at(2026, 4, 11, 12, tz=MADRID),
        BLOCK,
        next_allowed=after(at(2026, 4, 13, 9, tz=MADRID)),
    )
    # nationally only Good Friday (3 April) is a holiday in Easter week: Thursday 2 April is open
    s.expect(
        call, at(2026, 4, 1, 22, tz=MADRID), BLOCK, next_allowed=after(at(2026, 4, 2, 9, tz=MADRID))
    )
    # in the Community of Madrid Holy Thursday is a holiday too; Easter Monday is not
    madrid = Scenario("es", options=PolicyOptions(es_region="MD"), events=[es_customer()])
    madrid.expect(
        call, at(2026, 4, 1, 22, tz=MADRID), BLOCK, next_allowed=after(at(2026, 4, 6, 9, tz=MADRID))
    )
    # in Catalonia Easter Monday is a holiday, Holy Thursday is not
    catalonia = Scenario("es", options=PolicyOptions(es_region="CT"), events=[es_customer()])
    catalonia.expect(call, at(2026, 4, 2, 12, tz=MADRID), ALLOW)
    catalonia.expect(call, at(2026, 4, 6, 12, tz=MADRID), BLOCK, rules=("ES-HOURS",))
    # 12 October (Monday) and 8 December are national holidays
    s.expect(call, at(2026, 10, 12, 12, tz=MADRID), BLOCK, rules=("ES-HOURS",))
    assert "holidays" in s.verdict(call, at(2026, 10, 12, 12, tz=MADRID)).summary()
    extra = Scenario(
        "es",
        options=PolicyOptions(extra_holidays=frozenset({dt.date(2026, 5, 15)})),
        events=[es_customer()],
    )
    extra.expect(call, at(2026, 5, 15, 12, tz=MADRID), BLOCK)  # San Isidro in Madrid


def test_eu_transfer_notice_and_forbearance_gate():
    s = Scenario("eu", events=[es_customer(), DebtTransferred("D1", at(2026, 3, 1, tz=MADRID))])
    call = ContactRequest("C1", Channel.CALL, ("D1",), "+34600000001")
    s.expect(
        call, at(2026, 4, 8, 12, tz=MADRID), BLOCK, rules=("EU-TRANSFER-NOTICE",), next_allowed=None
    )
    notice = ContactRequest("C1", Channel.LETTER, ("D1",), "H", Purpose.TRANSFER_NOTICE)
    s.expect(notice, at(2026, 4, 8, 12, tz=MADRID), ALLOW)
    s.add(
        MessageSent(
            "tn",
            at(2026, 4, 8, 12, tz=MADRID),
            "C1",
            Channel.LETTER,
            ("D1",),
            "H",
            Purpose.TRANSFER_NOTICE,
        )
    )
    s.expect(call, at(2026, 4, 9, 12, tz=MADRID), ALLOW)
    sue = ContactRequest("C1", Channel.ACTION, ("D1",), purpose=Purpose.LEGAL_ACTION)
    s.expect(sue, at(2026, 4, 9, 12, tz=MADRID), BLOCK, rules=("EU-FORBEAR-GATE",))
    s.add(ForbearanceAssessment("C1", "D1", at(2026, 4, 9, 9, tz=MADRID), advice_referral=False))
    s.expect(sue, at(2026, 4, 9, 12, tz=MADRID), BLOCK, rules=("EU-FORBEAR-GATE",))
    s.add(ForbearanceAssessment("C1", "D1", at(2026, 4, 9, 10, tz=MADRID), advice_referral=True))
    s.expect(sue, at(2026, 4, 9, 12, tz=MADRID), ALLOW)


# ---------------------------------------------------------------------------------------- CN


def cn_debtor():
    return PersonFacts(
        "C1",
        phones=(PhoneFact("+8613800000001", PointKind.MOBILE, ("Asia/Shanghai",)),),
        addresses=(AddressFact("H", PointKind.HOME, "Asia/Shanghai"),),
    )


def cn_call(number="+8613800000001", **kw):
    return ContactRequest("C1", Channel.CALL, ("D1",), number, **kw)


def test_china_quiet_hours_and_agreement():
    s = Scenario("cn", events=[cn_debtor()])
    s.expect(
        cn_call(),
        at(2026, 4, 8, 22, tz=SHANGHAI),
        BLOCK,
        rules=("CN-QUIET",),
        next_allowed=after(at(2026, 4, 9, 8, tz=SHANGHAI)),
    )
    s.expect(cn_call(), at(2026, 4, 8, 21, 59, tz=SHANGHAI), ALLOW)
    s.add(
        Consent(
            "C1",
            ConsentScope.TIME,
            at(2026, 4, 8, 12, tz=SHANGHAI),
            explicit_end=at(2026, 4, 8, 23, tz=SHANGHAI),
        )
    )
    s.expect(cn_call(), at(2026, 4, 8, 22, 30, tz=SHANGHAI), ALLOW)


def test_china_attempts_per_number_and_conversations_per_day():
    s = Scenario("cn", events=[cn_debtor()])
    for hour in range(9, 15):
        s.call(at(2026, 4, 8, hour, tz=SHANGHAI), number="+8613800000001")
    s.expect(
        cn_call(),
        at(2026, 4, 8, 16, tz=SHANGHAI),
        BLOCK,
        rules=("CN-ATTEMPTS",),
        next_allowed=after(at(2026, 4, 9, 8, tz=SHANGHAI)),
    )
    t = Scenario("cn", events=[cn_debtor()])
    for hour in (9, 12, 15):
        t.call(at(2026, 4, 8, hour, tz=SHANGHAI), number="+8613800000001", talk=("D1",))
    t.expect(cn_call(), at(2026, 4, 8, 17, tz=SHANGHAI), BLOCK, rules=("CN-VOICE3",))
    t.expect(cn_call(), at(2026, 4, 9, 9, tz=SHANGHAI), ALLOW)


def test_china_third_parties_only_when_the_debtor_is_lost():
    ref = PersonFacts(
        "R1",
        Role.THIRD_PARTY,
        Relation.REFERENCE,
        "C1",
        phones=(PhoneFact("+8613800000002", PointKind.MOBILE, ("Asia/Shanghai",)),),
    )
    guarantor = PersonFacts(
        "G1",
        Role.THIRD_PARTY,
        Relation.GUARANTOR,
        "C1",
        phones=(PhoneFact("+8613800000003", PointKind.MOBILE, ("Asia/Shanghai",)),),
    )
    s = Scenario("cn", events=[cn_debtor(), ref, guarantor])
    ask = ContactRequest("R1", Channel.CALL, ("D1",), "+8613800000002", Purpose.LOCATION_INFO)
    s.expect(ask, at(2026, 4, 8, 12, tz=SHANGHAI), BLOCK, rules=("CN-3P",))
    for hour in (9, 10, 11):
        s.call(
            at(2026, 4, 8, hour, tz=SHANGHAI),
            number="+8613800000001",
            outcome=Outcome.NO_ANSWER_RANG,
        )
    s.expect(ask, at(2026, 4, 8, 12, tz=SHANGHAI), ALLOW)
    demand = ContactRequest("R1", Channel.CALL, ("D1",), "+8613800000002")
    s.expect(demand, at(2026, 4, 8, 12, tz=SHANGHAI), BLOCK, rules=("CN-TARGET", "CN-3P"))
    s.expect(
        ContactRequest("G1", Channel.CALL, ("D1",), "+8613800000003"),
        at(2026, 4, 8, 12, tz=SHANGHAI),
        ALLOW,
    )
    s.add(Designation("R1", DesignationKind.REFUSES_CONTACT, at(2026, 4, 8, 12, 30, tz=SHANGHAI)))
    s.expect(ask, at(2026, 4, 9, 12, tz=SHANGHAI), BLOCK, rules=("CN-3P",))
    assert "refused" in s.verdict(ask, at(2026, 4, 9, 12, tz=SHANGHAI)).summary()


def test_china_visits_need_two_collectors():
    s = Scenario("cn", events=[cn_debtor()])
    s.expect(
        ContactRequest("C1", Channel.VISIT, ("D1",), "H", collectors=1),
        at(2026, 4, 8, 12, tz=SHANGHAI),
        BLOCK,
        rules=("CN-VISIT",),
    )
    s.expect(
        ContactRequest("C1", Channel.VISIT, ("D1",), "H", collectors=2),
        at(2026, 4, 8, 12, tz=SHANGHAI),
        ALLOW,
    )


# ------------------------------------------------------------------------------------- house


def test_house_contacts_per_period_and_time_slots():
    s = Scenario("house", events=[consumer()])
    s.call(at(2026, 4, 8, 9))
    s.expect(
        call_request(),
        at(2026, 4, 8, 11),
        BLOCK,
        rules=("HOUSE-SLOT",),
        next_allowed=at(2026, 4, 8, 12),
    )
    s.expect(call_request(), at(2026, 4, 8, 12), ALLOW)
    for hour in (12, 18):
        s.call(at(2026, 4, 8, hour))
    for minute in (0, 10):
        s.add(
            MessageSent(
                f"m{minute}",
                at(2026, 4, 8, 19, minute),
                "C1",
                Channel.EMAIL,
                ("D1",),
                "c1@example.com",
            )
        )
    mail = ContactRequest("C1", Channel.EMAIL, ("D1",), "c1@example.com")
    s.expect(
        mail,
        at(2026, 4, 8, 19, 30),
        BLOCK,
        rules=("HOUSE-MAX-CONTACTS",),
        next_allowed=at(2026, 4, 9),
    )
    overridden = s.verdict(
        ContactRequest(
            "C1",
            Channel.EMAIL,
            ("D1",),
            "c1@example.com",
            override=Override(OverrideReason.CONSUMER_REQUESTED_INFO, "sup"),
        ),
        at(2026, 4, 8, 19, 30),
    )
    assert overridden.decision is FLAG
    assert overridden.presumed_violation
    configured = Scenario(
        "house", options=PolicyOptions(house_max_contacts=10, house_period_days=7), events=s.events
    )
    configured.expect(mail, at(2026, 4, 8, 19, 30), ALLOW)


def test_overrides_never_lift_holds_or_statutory_blocks():
    s = Scenario(
        events=[consumer(), Designation("C1", DesignationKind.CEASE_COMMUNICATION, at(2026, 4, 1))]
    )
    forced = s.verdict(
        call_request(override=Override(OverrideReason.ACTIVE_LITIGATION, "sup")), at(2026, 4, 8, 12)
    )
    assert forced.decision is HOLD
    assert forced.override is None
    late = Scenario(events=[consumer()]).verdict(
        call_request(override=Override(OverrideReason.ACTIVE_LITIGATION, "sup")), at(2026, 4, 8, 22)
    )
    assert late.decision is BLOCK


# ----------------------------------------------------------------------- presets and inputs


def test_presets_stack_and_report_versions():
    policy = build_policy(["us-ma", "house", "us-regf"])
    assert [p.preset_id for p in policy.presets] == ["us-regf", "us-ma", "house"]
    assert "US-MA-2IN7" in policy.rule_ids
    assert "US-CALL-7IN7" in policy.rule_ids
    with pytest.raises(InvalidInput, match="unknown preset"):
        build_policy(["us-tx"])
    with pytest.raises(InvalidInput, match="at least one preset"):
        build_policy([])
    with pytest.raises(InvalidConfig):
        PolicyOptions(house_max_contacts=0)


def test_reasons_are_translated():
    s = Scenario(events=[consumer()])
    verdict = s.verdict(call_request(), at(2026, 4, 8, 22))
    assert "convenient" in verdict.summary("en")
    assert "horario" in verdict.summary("es")
    assert "适宜时段" in verdict.summary("zh")
    assert verdict.to_dict("zh")["findings"][0]["reason"].startswith("不在")


def test_bad_events_are_refused():
    with pytest.raises(InvalidInput, match="US-CALL-ATTRIB"):
        CallAttempt("c", at(2026, 4, 8, 9), "C1", MOBILE, (), Outcome.ANSWERED)
    with pytest.raises(InvalidInput, match="naive"):
        CallAttempt("c", dt.datetime(2026, 4, 8, 9), "C1", MOBILE, ("D1",), Outcome.ANSWERED)
    with pytest.raises(InvalidInput, match="at least one debt"):
        ContactRequest("C1", Channel.CALL, (), MOBILE)
    with pytest.raises(InvalidInput, match="appears twice"):
        Ledger.build([CallAttempt("c", at(2026, 4, 8, 9), "C1", MOBILE, ("D1",), Outcome.BUSY)] * 2)
    with pytest.raises(InvalidInput, match="unknown call_id"):
        Ledger.build([Conversation("v", at(2026, 4, 8, 9), "C1", Initiator.US, "nope")])
    with pytest.raises(InvalidInput, match="no conversation"):
        Ledger.build(
            [
                CallAttempt("c", at(2026, 4, 8, 9), "C1", MOBILE, ("D1",), Outcome.BUSY),
                Conversation("v", at(2026, 4, 8, 9), "C1", Initiator.US, "c"),
            ]
        )
    with pytest.raises(InvalidInput, match="naive"):
        check_contact([consumer()], call_request(), dt.datetime(2026, 4, 8, 9), ["us-regf"])


def test_check_many_matches_check():
    s = Scenario(events=[consumer()])
    s.call(at(2026, 4, 8, 9), talk=("D1",))
    ledger = Ledger.build(s.events)
    plan = [(call_request(), at(2026, 4, 8, hour)) for hour in (7, 12, 22)]
    plan.append((call_request(("D2",)), at(2026, 4, 8, 12)))
    bulk = s.policy.check_many(ledger, plan)
    assert [v.to_dict() for v in bulk] == [s.policy.check(ledger, r, t).to_dict() for r, t in plan]
    assert [v.decision for v in bulk] == [BLOCK, BLOCK, BLOCK, ALLOW]


def test_home_landline_in_another_zone_is_a_candidate_zone():
    facts = PersonFacts(
        "C1",
        phones=(
            PhoneFact(MOBILE, PointKind.MOBILE, ("America/New_York",)),
            PhoneFact(HOME, PointKind.HOME, ("America/Los_Angeles",)),
        ),
    )
    s = Scenario(events=[facts])
    s.expect(
        call_request(), at(2026, 4, 8, 9, tz=NY), BLOCK, next_allowed=after(at(2026, 4, 8, 11))
    )


def test_a_number_or_address_without_a_known_zone_blocks():
    s = Scenario(events=[consumer()])
    s.expect(
        call_request(number="+18085550100"),
        at(2026, 4, 8, 12),
        BLOCK,
        rules=("US-TIME",),
        next_allowed=None,
    )
    s.expect(ContactRequest("C1", Channel.VISIT, ("D1",), "A-elsewhere"), at(2026, 4, 8, 12), BLOCK)
    s.expect(ContactRequest("C1", Channel.VISIT, ("D1",), "A-home"), at(2026, 4, 8, 12), ALLOW)
