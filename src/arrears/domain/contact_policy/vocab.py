"""The contact policy's vocabulary: channels, outcomes, purposes, facts, decisions.

Every value is a `StrEnum` so that it reads the same in Python, in JSON and in the docs.
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    POSTCARD = "postcard"
    SOCIAL_PRIVATE = "social_private"
    SOCIAL_PUBLIC = "social_public"
    VISIT = "visit"
    ACTION = "action"  # a workflow step that reaches no one directly: legal filing, debt sale


ELECTRONIC = frozenset({Channel.SMS, Channel.EMAIL, Channel.SOCIAL_PRIVATE, Channel.SOCIAL_PUBLIC})
MAIL = frozenset({Channel.LETTER, Channel.POSTCARD})
CONTACT_CHANNELS = frozenset(Channel) - {Channel.ACTION}


class Outcome(StrEnum):
    """How a call attempt ended (the event model's outcome list)."""

    BUSY = "busy"
    NOT_IN_SERVICE = "not_in_service"
    NO_ANSWER_RANG = "no_answer_rang"
    ANSWERED = "answered"
    ANSWERED_DROPPED = "answered_dropped"
    VOICEMAIL_REACHED = "voicemail_reached"
    VOICEMAIL_LEFT_LCM = "voicemail_left_lcm"
    VOICEMAIL_LEFT_OTHER = "voicemail_left_other"
    RINGLESS_VOICEMAIL = "ringless_voicemail"


# Reg F comment 14(b)(3)(ii)-1: a call connects when it rings, is answered (even if it drops) or
# reaches a voicemail; busy and not-in-service calls do not connect and are never counted.
NOT_CONNECTED = frozenset({Outcome.BUSY, Outcome.NOT_IN_SERVICE})
ANSWERED = frozenset({Outcome.ANSWERED, Outcome.ANSWERED_DROPPED})


class OwnerStatus(StrEnum):
    """Whose number a call went to, as known now."""

    CONSUMER = "consumer"
    THIRD_PARTY = "third_party"
    UNKNOWN = "unknown"
    LATER_FOUND_WRONG = "later_found_wrong"


class Initiator(StrEnum):
    US = "us"
    THEM = "them"


class ConversationMedium(StrEnum):
    PHONE = "phone"
    IN_PERSON = "in_person"


class Purpose(StrEnum):
    """Why a contact is made. Most rules apply to `collection`; the others are their exceptions."""

    COLLECTION = "collection"
    LOCATION_INFO = "location_info"  # asking a third party where the consumer can be reached
    OPT_OUT_CONFIRMATION = "opt_out_confirmation"
    REPLY = "reply"  # one answer to a consumer-initiated message (needs in_reply_to)
    LEGALLY_REQUIRED = "legally_required"
    CEASE_CONFIRMATION = "cease_confirmation"  # "our efforts are terminated"
    REMEDY_NOTICE = "remedy_notice"  # "we may / intend to invoke a specified remedy"
    DISPUTE_RESPONSE = "dispute_response"  # verification, original-creditor details
    TRANSFER_NOTICE = "transfer_notice"
    DEFAULT_NOTICE = "default_notice"
    LEGAL_ACTION = "legal_action"
    ENFORCEMENT = "enforcement"
    DEBT_SALE = "debt_sale"


ESCALATION = frozenset(
    {Purpose.DEFAULT_NOTICE, Purpose.LEGAL_ACTION, Purpose.ENFORCEMENT, Purpose.DEBT_SALE}
)
ENFORCEMENT_STEPS = frozenset({Purpose.LEGAL_ACTION, Purpose.ENFORCEMENT})
# purposes that carry a demand for payment or information about the debt by default
DISCLOSING = frozenset(Purpose) - {Purpose.LOCATION_INFO, Purpose.OPT_OUT_CONFIRMATION}


class Role(StrEnum):
    CONSUMER = "consumer"
    THIRD_PARTY = "third_party"


class Relation(StrEnum):
    """A third party's relation to the consumer (only meaningful for role third_party)."""

    SPOUSE = "spouse"
    PARENT_OF_MINOR = "parent_of_minor"
    GUARDIAN = "guardian"
    EXECUTOR = "executor"
    SUCCESSOR = "successor"
    GUARANTOR = "guarantor"
    CONSUMER_ATTORNEY = "consumer_attorney"
    AUTHORISED_REPRESENTATIVE = "authorised_representative"
    DEBT_ADVISER = "debt_adviser"
    CRA = "cra"
    CREDITOR = "creditor"
    CREDITOR_ATTORNEY = "creditor_attorney"
    COLLECTOR_ATTORNEY = "collector_attorney"
    EMPLOYER = "employer"
    RELATIVE = "relative"
    FRIEND = "friend"
    COLLEAGUE = "colleague"
    REFERENCE = "reference"
    OTHER = "other"


class PointKind(StrEnum):
    """What a phone number or postal address is: decides place-bound rules."""

    MOBILE = "mobile"
    HOME = "home"
    WORK = "work"
    OTHER = "other"


class DesignationKind(StrEnum):
    INCONVENIENT_TIME = "inconvenient_time"
    INCONVENIENT_PLACE = "inconvenient_place"
    MEDIUM_OPT_OUT = "medium_opt_out"
    ADDRESS_OPT_OUT = "address_opt_out"
    EMPLOYER_PROHIBITS = "employer_prohibits"
    ATTORNEY_REPRESENTED = "attorney_represented"
    CEASE_COMMUNICATION = "cease_communication"
    REFUSE_TO_PAY = "refuse_to_pay"
    REFUSES_CONTACT = "refuses_contact"  # a third party asks never to be contacted again


class ConsentScope(StrEnum):
    CALLS = "calls"  # Reg F 1006.14(b)(3)(i): extra calls about a debt for up to 7 days
    TIME = "time"  # lifts the hours rules (1006.6(b)(4)(i); CN debtor agreement)
    PLACE = "place"
    MEDIUM = "medium"  # use of one address (work email, a number) for electronic messages
    THIRD_PARTY = "third_party"  # the consumer lets us speak to a named third party


class StatusFlag(StrEnum):
    TIME_BARRED = "time_barred"
    LIMITATION_INVOKED = "limitation_invoked"
    IN_BREATHING_SPACE = "in_breathing_space"
    MENTAL_CAPACITY_CONCERN = "mental_capacity_concern"
    VULNERABLE = "vulnerable"
    DECEASED = "deceased"
    BANKRUPT = "bankrupt"
    IDENTITY_THEFT = "identity_theft"
    PAID = "paid"
    DEVELOPING_REPAYMENT_PLAN = "developing_repayment_plan"
    LOST_CONTACT = "lost_contact"


class Signal(StrEnum):
    """What a person said in a conversation that later calls must take into account."""

    DO_NOT_WANT_CONTACT = "do_not_want_contact"
    REFUSES_TO_PAY = "refuses_to_pay"
    NOT_MY_DEBT = "not_my_debt"


class Effect(StrEnum):
    FLAG = "flag"
    BLOCK = "block"
    HOLD = "hold"


class Decision(StrEnum):
    ALLOW = "allow"
    FLAG = "flag"
    BLOCK = "block"
    HOLD = "hold"


class OverrideReason(StrEnum):
    """Rebuttal factors of Reg F comment 14(b)(2)(ii)-2, the only reasons a supervisor may give."""

    LEGALLY_REQUIRED = "LEGALLY_REQUIRED"
    ACTIVE_LITIGATION = "ACTIVE_LITIGATION"
    CONSUMER_REQUESTED_INFO = "CONSUMER_REQUESTED_INFO"
    DROPPED_CALL_CONTINUATION = "DROPPED_CALL_CONTINUATION"
    EXTERNAL_DEADLINE = "EXTERNAL_DEADLINE"


class HoursEdge(StrEnum):
    """How the edges of a convenient-hours window are read (docs/compliance.md, open point 1)."""

    STRICT = "strict"  # after the opening hour and before the closing hour: both edges blocked
    HALF_OPEN = "half_open"  # from the opening hour (inclusive) to the closing hour (exclusive)
