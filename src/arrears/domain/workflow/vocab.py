"""The workflow's shared vocabulary: channels, roles, tones, debtor types and contact targets.

Every value is a `StrEnum`, so it reads the same in Python, in the strategy file, in JSON and in
the docs. Channel values match `arrears.domain.contact_policy.vocab.Channel` on purpose, so that a
planned attempt can be handed to the contact policy without translation.
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    VISIT = "visit"


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class Role(StrEnum):
    """Who may decide what. Ordered by authority (see `rank`)."""

    COLLECTOR = "collector"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    COMMITTEE = "committee"

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]

    def covers(self, other: Role) -> bool:
        """True when this role has at least the authority of `other`."""
        return self.rank >= other.rank


_ROLE_RANK = {Role.COLLECTOR: 0, Role.SUPERVISOR: 1, Role.MANAGER: 2, Role.COMMITTEE: 3}


class Tone(StrEnum):
    """How a stage talks: service (front row), negotiation (back row), formal (legal stages)."""

    SERVICE = "service"
    NEGOTIATION = "negotiation"
    FORMAL = "formal"


class DebtorType(StrEnum):
    """The handbooks' four kinds of debtor (seeds 001 and 003: "four typical customers")."""

    COOPERATIVE = "cooperative"
    LOST_CONTACT = "lost_contact"
    ABLE_UNWILLING = "able_unwilling"
    WILLING_UNABLE = "willing_unable"


class TargetKind(StrEnum):
    """Whom a contact goes to. The first three are the borrower's own numbers."""

    MOBILE = "mobile"
    HOME = "home"
    WORK = "work"
    REFERENCE = "reference"
    GUARANTOR = "guarantor"

    @property
    def is_borrower(self) -> bool:
        return self in _BORROWER_KINDS


_BORROWER_KINDS = frozenset({TargetKind.MOBILE, TargetKind.HOME, TargetKind.WORK})


class ContactPurpose(StrEnum):
    """What a contact may be about; decides what may be said to whom."""

    DEBT = "debt"  # the borrower: the debt may be discussed
    LOCATION_ONLY = "location_only"  # a third party: where the borrower is, nothing else
    GUARANTEE = "guarantee"  # a guarantor whose guarantee is enforceable: asked to honour it
