"""The contact plan: whom to contact, in which order, and what each contact may be about.

Default order: the borrower's mobile, home and work numbers, then references, then the
guarantor (configurable per strategy). What may be said depends on who is called:

- the borrower: the debt (`debt`);
- a reference (emergency contact): only where the borrower can be reached (`location_only`);
  references are never told about the debt, and only contacted when the borrower cannot be
  reached (seed 001: "if the number has changed, ask the contact person for the new one");
- a guarantor: asked to honour the guarantee (`guarantee`) only when the contract makes it
  enforceable, and only when the borrower cannot be reached or the stage calls on it (seeds 001
  and 003, lost contact); otherwise a guarantor is treated like a reference.

Every person or number left out is listed with the reason, so the desk can show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from arrears.domain.errors import InvalidConfig, InvalidInput
from arrears.domain.model import PartyRole, PhoneKind
from arrears.domain.workflow.errors import PurposeNotAllowed
from arrears.domain.workflow.vocab import ContactPurpose, TargetKind

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from arrears.domain.model import Borrower, Phone, RelatedParty, Relation


DEFAULT_ORDER = (
    TargetKind.MOBILE,
    TargetKind.HOME,
    TargetKind.WORK,
    TargetKind.REFERENCE,
    TargetKind.GUARANTOR,
)
_PHONE_KIND = {
    PhoneKind.MOBILE: TargetKind.MOBILE,
    PhoneKind.HOME: TargetKind.HOME,
    PhoneKind.WORK: TargetKind.WORK,
}


@dataclass(frozen=True, slots=True)
class ContactOrder:
    kinds: tuple[TargetKind, ...] = DEFAULT_ORDER

    def __post_init__(self) -> None:
        if len(set(self.kinds)) != len(self.kinds):
            raise InvalidConfig(f"contact order names a kind twice: {list(self.kinds)}")
        if not any(kind.is_borrower for kind in self.kinds):
            raise InvalidConfig("the contact order must include at least one borrower number")

    def rank(self, kind: TargetKind) -> int | None:
        return self.kinds.index(kind) if kind in self.kinds else None


@dataclass(frozen=True, slots=True)
class ContactTarget:
    rank: int
    kind: TargetKind
    person_id: str
    name: str
    number: str
    purpose: ContactPurpose
    relation: Relation | None = None

    @property
    def may_discuss_debt(self) -> bool:
        return self.purpose is not ContactPurpose.LOCATION_ONLY


@dataclass(frozen=True, slots=True)
class Excluded:
    person_id: str
    number: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class ContactPlan:
    borrower_id: str
    borrower_reachable: bool
    targets: tuple[ContactTarget, ...]
    excluded: tuple[Excluded, ...]

    def of_kind(self, *kinds: TargetKind) -> tuple[ContactTarget, ...]:
        return tuple(t for t in self.targets if t.kind in kinds)

    def for_purpose(self, purpose: ContactPurpose) -> tuple[ContactTarget, ...]:
        return tuple(t for t in self.targets if t.purpose is purpose)


def check_purpose(target: ContactTarget, purpose: ContactPurpose) -> None:
    """Refuse a contact whose purpose the target does not allow (debt talk with a reference)."""
    if purpose is not target.purpose:
        raise PurposeNotAllowed(
            f"{target.kind} {target.person_id} may be contacted for {target.purpose} only, "
            f"not {purpose}",
            person_id=target.person_id,
            allowed=target.purpose,
            asked=purpose,
        )


def _borrower_phones(phones: Iterable[Phone], kind: TargetKind) -> list[Phone]:
    return [p for p in phones if _PHONE_KIND[p.kind] is kind]


def build_contact_plan(
    borrower: Borrower,
    parties: Sequence[RelatedParty],
    *,
    order: ContactOrder,
    lost_contact: bool = False,
    invalid_numbers: frozenset[str] = frozenset(),
    do_not_contact: frozenset[str] = frozenset(),
    guarantee_demand: bool = False,
) -> ContactPlan:
    """Order the targets for one borrower.

    `invalid_numbers`: numbers known to be wrong or out of service (from the contact log).
    `do_not_contact`: person ids or numbers that asked not to be contacted (contact policy).
    `guarantee_demand`: the stage calls on an enforceable guarantee even if the borrower can be
    reached.
    """
    for party in parties:
        if party.borrower_id != borrower.external_id:
            raise InvalidInput(
                f"party {party.external_id} belongs to {party.borrower_id}, "
                f"not {borrower.external_id}"
            )
    excluded: list[Excluded] = []
    borrower_targets: list[ContactTarget] = []
    blocked_person = borrower.external_id in do_not_contact
    for kind in order.kinds:
        if not kind.is_borrower:
            continue
        for phone in _borrower_phones(borrower.phones, kind):
            if phone.e164 in invalid_numbers:
                excluded.append(Excluded(borrower.external_id, phone.e164, "number is invalid"))
            elif blocked_person or phone.e164 in do_not_contact:
                excluded.append(
                    Excluded(borrower.external_id, phone.e164, "asked not to be called here")
                )
            else:
                borrower_targets.append(
                    ContactTarget(
                        0,
                        kind,
                        borrower.external_id,
                        borrower.full_name,
                        phone.e164,
                        ContactPurpose.DEBT,
                    )
                )
    excluded.extend(
        Excluded(borrower.external_id, phone.e164, f"{phone.kind} numbers are not used")
        for phone in borrower.phones
        if _PHONE_KIND[phone.kind] not in order.kinds
    )
    reachable = bool(borrower_targets) and not lost_contact

    third: list[ContactTarget] = []
    for kind in order.kinds:
        if kind is TargetKind.REFERENCE:
            role = PartyRole.REFERENCE
        elif kind is TargetKind.GUARANTOR:
            role = PartyRole.GUARANTOR
        else:
            continue
        for party in (p for p in parties if p.role is role):
            purpose, why_not = _third_party_purpose(party, reachable, guarantee_demand)
            if purpose is None:
                excluded.append(Excluded(party.external_id, None, why_not))
                continue
            if party.external_id in do_not_contact:
                excluded.append(Excluded(party.external_id, None, "asked not to be contacted"))
                continue
            for phone in party.phones:
                if phone.e164 in invalid_numbers or phone.e164 in do_not_contact:
                    excluded.append(
                        Excluded(party.external_id, phone.e164, "number invalid or blocked")
                    )
                    continue
                third.append(
                    ContactTarget(
                        0,
                        kind,
                        party.external_id,
                        party.full_name,
                        phone.e164,
                        purpose,
                        party.relation,
                    )
                )
    ranked = tuple(
        ContactTarget(n, t.kind, t.person_id, t.name, t.number, t.purpose, t.relation)
        for n, t in enumerate((*borrower_targets, *third), start=1)
    )
    return ContactPlan(borrower.external_id, reachable, ranked, tuple(excluded))


def _third_party_purpose(
    party: RelatedParty, borrower_reachable: bool, guarantee_demand: bool
) -> tuple[ContactPurpose | None, str]:
    if party.role is PartyRole.GUARANTOR and party.guarantee_enforceable:
        if borrower_reachable and not guarantee_demand:
            return None, "the borrower can be reached and the stage does not call on the guarantee"
        return ContactPurpose.GUARANTEE, ""
    if borrower_reachable:
        return None, ("third parties are contacted only to locate a borrower who cannot be reached")
    return ContactPurpose.LOCATION_ONLY, ""
