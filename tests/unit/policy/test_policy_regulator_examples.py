"""Scenarios retold from the official interpretations of Regulation F (12 CFR part 1006,
supplement I), in our own words. The 2026 calendar has the same weekdays as the commentary's
examples. Each scenario asserts the verdict before and after every event.

Reading used throughout: times are the consumer's (New York unless said otherwise); with the
strict edge (default), the first convenient instant of a day is 08:00:00.000001.
"""

import datetime as dt

import pytest
from policy_scenario import HOME, MOBILE, Scenario, after, at, call_request, consumer

from arrears.domain.contact_policy import (
    Channel,
    Consent,
    ConsentScope,
    ContactRequest,
    Conversation,
    Decision,
    Designation,
    DesignationKind,
    Inbound,
    Initiator,
    MessageSent,
    Outcome,
    Override,
    OverrideReason,
    OwnerStatus,
    PersonFacts,
    PhoneFact,
    PointKind,
    Purpose,
    Relation,
    Role,
    TimeWindow,
)
from arrears.domain.errors import InvalidInput

ALLOW, BLOCK, HOLD, FLAG = Decision.ALLOW, Decision.BLOCK, Decision.HOLD, Decision.FLAG


def morning(*day: int) -> dt.datetime:
    return after(at(*day, 8))


def test_seven_calls_in_seven_days_then_the_eighth_day():
    """14(b)(2)(i)-1.i: a limited-content message on Wed 1 April, six unanswered calls from Thu
    2 to Tue 7 April: seven in the window, so no call until Wed 8 April."""
    s = Scenario(events=[consumer()])
    plan = [(2026, 4, 1, 10), (2026, 4, 2, 10), (2026, 4, 3, 10), (2026, 4, 4, 10)]
    plan += [(2026, 4, 6, 10), (2026, 4, 6, 15), (2026, 4, 7, 10)]
    for number, moment in enumerate(plan):
        when = at(*moment)
        s.expect(call_request(), when, ALLOW)  # before the call
        outcome = Outcome.VOICEMAIL_LEFT_LCM if number == 0 else Outcome.NO_ANSWER_RANG
        s.call(when, outcome=outcome)
        later = when + dt.timedelta(hours=1)
        if number < 6:
            s.expect(call_request(), later, ALLOW)  # after it: still room
    s.expect(
        call_request(),
        at(2026, 4, 7, 18),
        BLOCK,
        rules=("US-CALL-7IN7",),
        next_allowed=morning(2026, 4, 8),
    )
    s.expect(call_request(), at(2026, 4, 8, 9), ALLOW)
    # a call about another debt is not affected
    s.expect(call_request(("D2",)), at(2026, 4, 7, 18), ALLOW)


def test_an_eighth_call_inside_the_window_is_refused():
    """14(b)(2)(ii)-1.i: a message on Wed 1 April and two unanswered calls on each of Thu 2,
    Fri 3 and Mon 6 April make seven; the call planned for Tue 7 April would be the eighth."""
    s = Scenario(events=[consumer()])
    s.call(at(2026, 4, 1, 10), outcome=Outcome.VOICEMAIL_LEFT_LCM)
    for day in (2, 3, 6):
        s.expect(call_request(), at(2026, 4, day, 9), ALLOW)
        s.call(at(2026, 4, day, 9)).call(at(2026, 4, day, 16))
    verdict = s.expect(
        call_request(),
        at(2026, 4, 7, 10),
        BLOCK,
        rules=("US-CALL-7IN7",),
        next_allowed=morning(2026, 4, 8),
    )
    assert "7 counted calls" in verdict.summary()
    # with a rebuttal factor a supervisor may let it through, and it stays labelled
    forced = s.verdict(
        call_request(override=Override(OverrideReason.LEGALLY_REQUIRED, "sup-1")),
        at(2026, 4, 7, 10),
    )
    assert forced.decision is FLAG
    assert forced.presumed_violation
    assert forced.override is not None
    assert forced.override.rule_ids == ("US-CALL-7IN7",)
    assert "presumed violation" in forced.override.label()
    assert "LEGALLY_REQUIRED" in forced.to_dict()["override"]["label"]
    assert forced.to_dict()["findings"][0]["overridden"] is True


def test_a_deadline_the_collector_controls_is_no_rebuttal_factor():
    """14(b)(2)(ii)-2.iv.C: a 'one-time' discount the collector could repeat is not an external
    deadline: the override itself is refused as bad input."""
    with pytest.raises(InvalidInput, match="EXTERNAL_DEADLINE"):
        Override(OverrideReason.EXTERNAL_DEADLINE, "sup-1", controlled_by="collector")
    Override(OverrideReason.EXTERNAL_DEADLINE, "sup-1", controlled_by="creditor")  # iv.B: fine


def test_a_consumer_initiated_conversation_starts_the_seven_days():
    """14(b)(2)(i)-1.ii: the consumer calls on Thu 13 August and talks about the debt: no call
    about it before Thu 20 August."""
    s = Scenario(events=[consumer()])
    s.expect(call_request(), at(2026, 8, 13, 9), ALLOW)
    s.add(Conversation("in-1", at(2026, 8, 13, 10), "C1", Initiator.THEM, debts_discussed=("D1",)))
    for day in range(13, 20):
        s.expect(
            call_request(),
            at(2026, 8, day, 12),
            BLOCK,
            rules=("US-CALL-CONV7",),
            next_allowed=morning(2026, 8, 20),
        )
    s.expect(call_request(), at(2026, 8, 20, 9), ALLOW)


def test_a_call_after_a_conversation_waits_a_week():
    """14(b)(2)(ii)-1.ii: unanswered call Tue 11 August, conversation Fri 14 August: calling
    again before Fri 21 August is presumed a violation."""
    s = Scenario(events=[consumer()])
    s.expect(call_request(), at(2026, 8, 11, 9), ALLOW)
    s.call(at(2026, 8, 11, 9))
    s.expect(call_request(), at(2026, 8, 14, 9), ALLOW)
    s.call(at(2026, 8, 14, 9), talk=("D1",))
    s.expect(
        call_request(),
        at(2026, 8, 14, 9, 30),
        BLOCK,
        rules=("US-CALL-CONV7",),
        next_allowed=morning(2026, 8, 21),
    )
    s.expect(call_request(), at(2026, 8, 20, 20), BLOCK, rules=("US-CALL-CONV7",))
    s.expect(call_request(), at(2026, 8, 21, 9), ALLOW)


def test_location_calls_to_a_third_party_count_per_person():
    """14(b)(2)(i)-1.iii: up to seven unanswered location calls to one third party from Tue 6
    to Mon 12 October are presumed compliant; an eighth is not."""
    reference = PersonFacts(
        "T1",
        role=Role.THIRD_PARTY,
        relation=Relation.FRIEND,
        consumer_id="C1",
        phones=(PhoneFact("+12125550777", PointKind.MOBILE, ("America/New_York",)),),
    )
    s = Scenario(events=[consumer(), reference])
    ask = ContactRequest("T1", Channel.CALL, ("D1",), "+12125550777", Purpose.LOCATION_INFO)
    for day in range(6, 13):
        s.expect(ask, at(2026, 10, day, 11), ALLOW)
        s.call(at(2026, 10, day, 11), person="T1", number="+12125550777")
    s.expect(
        ask,
        at(2026, 10, 12, 15),
        BLOCK,
        rules=("US-CALL-7IN7",),
        next_allowed=morning(2026, 10, 13),
    )
    # once a conversation took place, a second location communication is refused (1006.10(c))
    s.call(at(2026, 10, 13, 11), person="T1", number="+12125550777", talk=())
    s.expect(ask, at(2026, 10, 21, 11), BLOCK, rules=("US-LOC-ONCE",), next_allowed=None)
    s.expect(
        ContactRequest(
            "T1",
            Channel.CALL,
            ("D1",),
            "+12125550777",
            Purpose.LOCATION_INFO,
            location_followup=True,
        ),
        at(2026, 10, 21, 11),
        ALLOW,
    )
    # and telling them about the debt is refused outright
    s.expect(
        ContactRequest("T1", Channel.CALL, ("D1",), "+12125550777"),
        at(2026, 10, 21, 11),
        BLOCK,
        rules=("US-3P",),
    )


def test_rapid_succession_is_flagged_not_blocked():
    """14(b)(2)(i)-2.i: frequency and pattern are rebuttal factors, not limits: two calls to one
    number within five minutes are flagged for review."""
    s = Scenario(events=[consumer()])
    s.call(at(2026, 4, 3, 10))
    verdict = s.expect(call_request(), at(2026, 4, 3, 10, 4), FLAG, rules=("US-CALL-PATTERN",))
    assert verdict.allowed
    s.expect(call_request(), at(2026, 4, 3, 10, 5), ALLOW)


def test_calls_to_a_number_found_not_to_be_the_consumers_do_not_count():
    """14(b)(2)(i)-3.i: calls on Monday and Wednesday to a number later found to be someone
    else's are not calls to the consumer."""
    calls = [(2026, 4, 6, 9), (2026, 4, 6, 12), (2026, 4, 6, 15), (2026, 4, 6, 18)]
    calls += [(2026, 4, 8, 9), (2026, 4, 8, 12), (2026, 4, 8, 15)]
    s = Scenario(events=[consumer()])
    for moment in calls:
        s.call(at(*moment), number=HOME)
    s.expect(call_request(), at(2026, 4, 8, 19), BLOCK, rules=("US-CALL-7IN7",))
    # Thursday: the number turns out to be someone else's; the record is corrected
    s.events = [
        e
        if not hasattr(e, "owner_status")
        else type(e)(
            e.id,
            e.ts,
            e.person_id,
            e.number,
            e.attributed_debt_ids,
            e.outcome,
            OwnerStatus.LATER_FOUND_WRONG,
        )
        for e in s.events
    ]
    s.expect(call_request(), at(2026, 4, 9, 10), ALLOW)


def test_busy_and_not_in_service_calls_do_not_connect():
    """14(b)(3)(ii)-1: busy signals and not-in-service tones are not counted; a call that rings,
    reaches voicemail or drops after an answer is."""
    s = Scenario(events=[consumer()])
    for hour in range(9, 17):
        s.call(at(2026, 4, 6, hour), outcome=Outcome.BUSY, number=HOME)
    for hour in range(9, 15):
        s.call(at(2026, 4, 7, hour), outcome=Outcome.NOT_IN_SERVICE, number=HOME)
    s.expect(call_request(), at(2026, 4, 7, 17), ALLOW)
    # many attempts to one number in a day are still a pattern worth a look (flag, not block)
    s.expect(call_request(number=HOME), at(2026, 4, 7, 17), FLAG, rules=("US-CALL-PATTERN",))
    s.call(at(2026, 4, 7, 17), outcome=Outcome.VOICEMAIL_REACHED)
    for hour in range(9, 15):
        s.call(
            at(2026, 4, 8, hour),
            outcome=Outcome.RINGLESS_VOICEMAIL if hour % 2 else Outcome.NO_ANSWER_RANG,
        )
    s.expect(call_request(), at(2026, 4, 8, 18), BLOCK, rules=("US-CALL-7IN7",))


def test_call_back_on_monday_and_what_ends_the_consent():
    """14(b)(3)(i)-3.i and .ii: on Fri 3 April the consumer says 'call back on Monday': the
    Monday call is excluded; the Monday conversation ends the consent, so a Wednesday call is
    presumed a violation."""
    s = Scenario(events=[consumer()])
    s.call(at(2026, 4, 3, 10), talk=("D1",))
    s.expect(call_request(), at(2026, 4, 6, 10), BLOCK, rules=("US-CALL-CONV7",))
    s.add(Consent("C1", ConsentScope.CALLS, at(2026, 4, 3, 10, 5), "D1"))
    s.expect(call_request(), at(2026, 4, 6, 10), ALLOW)
    s.call(at(2026, 4, 6, 10), talk=("D1",))
    s.expect(
        call_request(),
        at(2026, 4, 8, 10),
        BLOCK,
        rules=("US-CALL-CONV7",),
        next_allowed=morning(2026, 4, 13),
    )


def test_consent_by_email_excludes_a_week_of_calls():
    """14(b)(3)(i)-3.iii: three unanswered calls 1-3 June, the consumer's email consent on Thu
    4 June; eight unanswered calls 8-10 June do not count; calls from Thu 11 June count."""
    s = Scenario(events=[consumer()])
    for day in (1, 2, 3):
        s.call(at(2026, 6, day, 10))
    s.add(MessageSent("m1", at(2026, 6, 3, 11), "C1", Channel.EMAIL, ("D1",), "c1@example.com"))
    s.add(Consent("C1", ConsentScope.CALLS, at(2026, 6, 4, 9), "D1"))
    for hour in (9, 11, 13, 15, 17, 19):
        s.expect(call_request(), at(2026, 6, 8, hour), ALLOW)
        s.call(at(2026, 6, 8, hour))
    s.call(at(2026, 6, 9, 10)).call(at(2026, 6, 10, 10))  # eight in all, none counted
    s.expect(call_request(), at(2026, 6, 10, 12), ALLOW)
    for day, hour in ((11, 9), (11, 11), (11, 13), (11, 15), (12, 9), (12, 11), (12, 13)):
        s.expect(call_request(), at(2026, 6, day, hour), ALLOW)  # these count again
        s.call(at(2026, 6, day, hour))
    s.expect(
        call_request(),
        at(2026, 6, 12, 16),
        BLOCK,
        rules=("US-CALL-7IN7",),
        next_allowed=morning(2026, 6, 18),
    )


def test_unanswered_calls_count_toward_the_designated_debt_only():
    """14(b)(4)-2.i: 21 unanswered calls in a week, seven designated to each of three debts,
    are presumed compliant; the next call about any of them is not."""
    s = Scenario(events=[consumer()])
    for day in range(6, 13):
        for hour, debt in ((9, "MED"), (12, "CC-A"), (15, "CC-B")):
            s.expect(call_request((debt,)), at(2026, 4, day, hour), ALLOW)
            s.call(at(2026, 4, day, hour), (debt,))
    for debt in ("MED", "CC-A", "CC-B"):
        s.expect(call_request((debt,)), at(2026, 4, 12, 18), BLOCK, rules=("US-CALL-7IN7",))
    s.expect(call_request(("AUTO",)), at(2026, 4, 12, 18), ALLOW)


def test_a_general_conversation_counts_for_the_designated_debt():
    """14(b)(4)-2.v: 9-11 November two calls designated medical, four card; on Thu 12 November
    a general conversation on a call designated medical: the medical debt has had a
    conversation, the card debt has not."""
    s = Scenario(events=[consumer()])
    for moment in ((9, 9), (10, 9)):
        s.call(at(2026, 11, moment[0], moment[1]), ("MED",))
    for moment in ((9, 12), (9, 15), (10, 12), (11, 9)):
        s.call(at(2026, 11, moment[0], moment[1]), ("CARD",))
    s.expect(call_request(("MED",)), at(2026, 11, 12, 9), ALLOW)
    s.call(at(2026, 11, 12, 10), ("MED",), talk=())
    s.expect(call_request(("MED",)), at(2026, 11, 13, 10), BLOCK, rules=("US-CALL-CONV7",))
    s.expect(call_request(("CARD",)), at(2026, 11, 13, 10), ALLOW)


def test_a_debt_the_consumer_raises_counts_as_discussed():
    """14(b)(4)-2.vi: called about the medical debt on Mon 9 November, the consumer talks about
    the card debt instead: a conversation about both."""
    s = Scenario(events=[consumer()])
    s.expect(call_request(("CARD",)), at(2026, 11, 9, 9), ALLOW)
    s.call(at(2026, 11, 9, 10), ("MED",), talk=("CARD",))
    s.expect(
        call_request(("CARD",)),
        at(2026, 11, 10, 10),
        BLOCK,
        rules=("US-CALL-CONV7",),
        next_allowed=morning(2026, 11, 16),
    )
    s.expect(call_request(("MED",)), at(2026, 11, 10, 10), BLOCK, rules=("US-CALL-CONV7",))


def test_convenient_in_every_zone_eastern_mobile_pacific_home():
    """6(b)(1)(i)-2.i: an Eastern-zone mobile and a Pacific home address: contact only after
    11:00 and before 21:00 Eastern (08:00 to 18:00 Pacific)."""
    s = Scenario(events=[consumer(address_zone="America/Los_Angeles")])
    s.expect(
        call_request(),
        at(2026, 4, 8, 10, 59),
        BLOCK,
        rules=("US-TIME",),
        next_allowed=after(at(2026, 4, 8, 11)),
    )
    s.expect(call_request(), at(2026, 4, 8, 11), BLOCK, rules=("US-TIME",))  # strict edge
    s.expect(call_request(), at(2026, 4, 8, 11, 0, 1), ALLOW)
    s.expect(call_request(), at(2026, 4, 8, 20, 59), ALLOW)
    s.expect(
        call_request(),
        at(2026, 4, 8, 21),
        BLOCK,
        rules=("US-TIME",),
        next_allowed=after(at(2026, 4, 9, 11)),
    )


def test_convenient_in_every_zone_eastern_mobile_mountain_landline():
    """6(b)(1)(i)-2.ii: Eastern mobile, Mountain landline: after 10:00 and before 21:00 Eastern."""
    s = Scenario(events=[consumer(zones=("America/New_York", "America/Denver"))])
    s.expect(call_request(), at(2026, 4, 8, 9, 30), BLOCK, next_allowed=after(at(2026, 4, 8, 10)))
    s.expect(call_request(), at(2026, 4, 8, 10, 30), ALLOW)


def test_an_email_is_timed_when_it_is_sent():
    """6(b)(1)(i)-1: an email sent at 21:30 is sent at an inconvenient time, whenever read."""
    s = Scenario(events=[consumer()])
    mail = ContactRequest("C1", Channel.EMAIL, ("D1",), "c1@example.com", has_opt_out_notice=True)
    s.expect(
        mail, at(2026, 4, 8, 21, 30), BLOCK, rules=("US-TIME",), next_allowed=morning(2026, 4, 9)
    )


def test_inconvenient_weekday_afternoons_and_weekends_with_one_reply():
    """6(b)(1)-1.ii and 6(b)(1)-2.i: weekdays 15:00-17:00 and weekends are inconvenient; the
    consumer emails at 15:30 on Wednesday: one email reply is fine before 17:00, nothing else."""
    designation = Designation(
        "C1",
        DesignationKind.INCONVENIENT_TIME,
        at(2026, 4, 6, 12),
        windows=(
            TimeWindow(dt.time(15), dt.time(17), frozenset({0, 1, 2, 3, 4})),
            TimeWindow(dt.time(0), dt.time(0), frozenset({5, 6})),
        ),
    )
    s = Scenario(events=[consumer()])
    s.expect(call_request(), at(2026, 4, 8, 15, 30), ALLOW)
    s.add(designation)
    s.expect(
        call_request(),
        at(2026, 4, 8, 15, 30),
        BLOCK,
        rules=("US-TIME-DESIG",),
        next_allowed=at(2026, 4, 8, 17),
    )
    s.expect(call_request(), at(2026, 4, 10, 17), ALLOW)
    s.expect(
        call_request(),
        at(2026, 4, 11, 12),
        BLOCK,
        rules=("US-TIME-DESIG",),
        next_allowed=morning(2026, 4, 13),
    )
    reply = ContactRequest(
        "C1",
        Channel.EMAIL,
        ("D1",),
        "c1@example.com",
        Purpose.REPLY,
        in_reply_to="in-1",
        has_opt_out_notice=True,
    )
    s.add(Inbound("in-1", at(2026, 4, 8, 15, 30), "C1", Channel.EMAIL, "c1@example.com"))
    s.expect(reply, at(2026, 4, 8, 15, 40), ALLOW)
    s.add(
        MessageSent(
            "out-1",
            at(2026, 4, 8, 15, 40),
            "C1",
            Channel.EMAIL,
            ("D1",),
            "c1@example.com",
            Purpose.REPLY,
            "in-1",
        )
    )
    s.expect(reply, at(2026, 4, 8, 15, 50), BLOCK, rules=("US-TIME-DESIG",))
    # the designation withdrawn: ordinary hours again
    s.events[-3] = Designation(
        "C1",
        DesignationKind.INCONVENIENT_TIME,
        at(2026, 4, 6, 12),
        withdrawn_ts=at(2026, 4, 9, 9),
        windows=designation.windows,
    )
    s.expect(call_request(), at(2026, 4, 9, 15, 30), ALLOW)


def test_creditor_notes_make_tuesdays_and_thursdays_inconvenient_until_year_end():
    """6(b)(1)-1.i: the creditor's file says Tuesdays and Thursdays cannot be disturbed through
    the end of the year."""
    notes = Designation(
        "C1",
        DesignationKind.INCONVENIENT_TIME,
        at(2026, 11, 2, 9),
        windows=(
            TimeWindow(dt.time(0), dt.time(0), frozenset({1, 3}), last_date=dt.date(2026, 12, 31)),
        ),
    )
    s = Scenario(events=[consumer(), notes])
    s.expect(
        call_request(),
        at(2026, 12, 29, 12),
        BLOCK,
        rules=("US-TIME-DESIG",),
        next_allowed=morning(2026, 12, 30),
    )
    s.expect(call_request(), at(2026, 12, 30, 12), ALLOW)
    s.expect(call_request(), at(2027, 1, 5, 12), ALLOW)


def test_not_at_home_covers_the_landline_and_the_mail_but_not_the_mobile():
    """6(b)(1)-1.iii and 6(b)(1)(ii)-1.i: 'do not contact me at home' covers calls to the home
    landline and mail to the home address; mobile and email are not tied to a place."""
    s = Scenario(events=[consumer()])
    s.expect(call_request(number=HOME), at(2026, 4, 8, 12), ALLOW)
    s.add(Designation("C1", DesignationKind.INCONVENIENT_PLACE, at(2026, 4, 7, 12), place="home"))
    s.expect(
        call_request(number=HOME), at(2026, 4, 8, 12), BLOCK, rules=("US-PLACE",), next_allowed=None
    )
    s.expect(
        ContactRequest("C1", Channel.LETTER, ("D1",), "A-home"),
        at(2026, 4, 8, 12),
        BLOCK,
        rules=("US-PLACE",),
    )
    s.expect(call_request(number=MOBILE), at(2026, 4, 8, 12), ALLOW)


def test_cease_takes_effect_on_receipt():
    """6(c)(1)-1.i: mailed on 3 August, received on 6 August: the email of 4 August was fine;
    from 6 August only the listed exceptions may go out."""
    s = Scenario(events=[consumer()])
    mail = ContactRequest("C1", Channel.EMAIL, ("D1",), "c1@example.com", has_opt_out_notice=True)
    s.expect(mail, at(2026, 8, 4, 10), ALLOW)
    s.add(
        Designation("C1", DesignationKind.CEASE_COMMUNICATION, at(2026, 8, 6, 11), in_writing=True)
    )
    s.expect(mail, at(2026, 8, 4, 10), ALLOW)
    s.expect(mail, at(2026, 8, 6, 12), HOLD, rules=("US-CEASE",), next_allowed=None)
    letter = ContactRequest("C1", Channel.LETTER, ("D1",), "A-home", Purpose.CEASE_CONFIRMATION)
    s.expect(letter, at(2026, 8, 6, 12), ALLOW)


def test_stop_calling_closes_the_telephone_only():
    """14(h)(1)-3.i: 'stop calling' closes calls, for every debt; email stays open; an
    electronic opt-out confirmation may go out once (14(h)(2)(i))."""
    s = Scenario(events=[consumer()])
    s.add(
        Designation("C1", DesignationKind.MEDIUM_OPT_OUT, at(2026, 4, 7, 12), channel=Channel.CALL)
    )
    s.expect(
        call_request(("OTHER",)), at(2026, 4, 8, 12), BLOCK, rules=("US-MEDIUM",), next_allowed=None
    )
    mail = ContactRequest("C1", Channel.EMAIL, ("D1",), "c1@example.com", has_opt_out_notice=True)
    s.expect(mail, at(2026, 4, 8, 12), ALLOW)
    s.add(
        Designation(
            "C1", DesignationKind.ADDRESS_OPT_OUT, at(2026, 4, 8, 13), address="c1@example.com"
        )
    )
    s.expect(mail, at(2026, 4, 8, 14), BLOCK, rules=("US-MEDIUM",))
    confirm = ContactRequest(
        "C1", Channel.EMAIL, ("D1",), "c1@example.com", Purpose.OPT_OUT_CONFIRMATION
    )
    s.expect(confirm, at(2026, 4, 8, 14), ALLOW)
    s.add(
        MessageSent(
            "conf",
            at(2026, 4, 8, 14),
            "C1",
            Channel.EMAIL,
            (),
            "c1@example.com",
            Purpose.OPT_OUT_CONFIRMATION,
        )
    )
    s.expect(confirm, at(2026, 4, 8, 15), BLOCK, rules=("US-MEDIUM",))
    legal = ContactRequest(
        "C1",
        Channel.EMAIL,
        ("D1",),
        "c1@example.com",
        Purpose.LEGALLY_REQUIRED,
        has_opt_out_notice=True,
    )
    s.expect(legal, at(2026, 4, 8, 15), ALLOW)


def test_attorney_one_reply_then_silence():
    """6(b)(2)-1: a represented consumer who writes to us may get one answer; nothing else."""
    s = Scenario(events=[consumer()])
    s.add(
        Designation("C1", DesignationKind.ATTORNEY_REPRESENTED, at(2026, 4, 1, 9), debt_ids=("D1",))
    )
    s.expect(call_request(), at(2026, 4, 8, 12), HOLD, rules=("US-ATTY",), next_allowed=None)
    s.expect(call_request(("D2",)), at(2026, 4, 8, 12), ALLOW)
    s.add(Inbound("in-9", at(2026, 4, 8, 12), "C1", Channel.EMAIL, "c1@example.com"))
    reply = ContactRequest(
        "C1",
        Channel.EMAIL,
        ("D1",),
        "c1@example.com",
        Purpose.REPLY,
        in_reply_to="in-9",
        has_opt_out_notice=True,
    )
    s.expect(reply, at(2026, 4, 8, 13), ALLOW)
    s.add(
        MessageSent(
            "r-9",
            at(2026, 4, 8, 13),
            "C1",
            Channel.EMAIL,
            ("D1",),
            "c1@example.com",
            Purpose.REPLY,
            "in-9",
        )
    )
    s.expect(reply, at(2026, 4, 8, 14), HOLD, rules=("US-ATTY",))
