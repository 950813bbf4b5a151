"""Roles and the permission matrix: which role may read or write what.

Kept as one table (`PERMISSIONS`) so the documentation (docs/security.md) and the tests read
the same source. Row-level scope (a collector sees only the cases assigned to them or to their
queue) is not a permission but a filter the API applies in SQL; `Permission.CASES_READ_ALL`
lifts it.
"""

from __future__ import annotations

from enum import StrEnum

from arrears.domain.security.errors import Forbidden


class Role(StrEnum):
    COLLECTOR = "collector"
    TEAM_LEAD = "team_lead"
    COMPLIANCE_OFFICER = "compliance_officer"
    ANALYST = "analyst"
    ADMIN = "admin"


class Permission(StrEnum):
    BORROWERS_READ = "borrowers:read"
    LOANS_READ = "loans:read"
    PHONE_UNMASKED = "pii:phone"  # full phone numbers
    NATIONAL_ID_UNMASKED = "pii:national_id"  # the full national id
    PAYMENTS_WRITE = "payments:write"
    CASES_READ_ALL = "cases:read_all"  # without it: own and own-queue cases only
    CASES_WRITE = "cases:write"
    CONTACTS_WRITE = "contacts:write"
    PROMISES_WRITE = "promises:write"
    ARRANGEMENTS_WRITE = "arrangements:write"
    ARRANGEMENTS_APPROVE = "arrangements:approve"
    WORKLIST_CLAIM = "worklist:claim"
    TALK_READ = "talk:read"
    POLICY_CHECK = "policy:check"
    REPORTS_READ = "reports:read"
    AUDIT_READ = "audit:read"
    USERS_ADMIN = "users:admin"


_P = Permission
_WORK = frozenset(
    {
        _P.BORROWERS_READ,
        _P.LOANS_READ,
        _P.PHONE_UNMASKED,
        _P.PAYMENTS_WRITE,
        _P.CASES_WRITE,
        _P.CONTACTS_WRITE,
        _P.PROMISES_WRITE,
        _P.ARRANGEMENTS_WRITE,
        _P.WORKLIST_CLAIM,
        _P.TALK_READ,
        _P.POLICY_CHECK,
    }
)

#: the permission matrix (docs/security.md renders it)
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # works the cases assigned to them or their queue; dials, so sees full phone numbers
    Role.COLLECTOR: _WORK,
    # a collector's rights over every case, plus approvals and reports
    Role.TEAM_LEAD: _WORK | {_P.CASES_READ_ALL, _P.ARRANGEMENTS_APPROVE, _P.REPORTS_READ},
    # reads everything, including the national id (identity and complaint checks), and the
    # audit log; changes nothing in the book
    Role.COMPLIANCE_OFFICER: frozenset(
        {
            _P.BORROWERS_READ,
            _P.LOANS_READ,
            _P.PHONE_UNMASKED,
            _P.NATIONAL_ID_UNMASKED,
            _P.CASES_READ_ALL,
            _P.TALK_READ,
            _P.POLICY_CHECK,
            _P.REPORTS_READ,
            _P.AUDIT_READ,
        }
    ),
    # portfolio figures and masked records only
    Role.ANALYST: frozenset({_P.BORROWERS_READ, _P.LOANS_READ, _P.CASES_READ_ALL, _P.REPORTS_READ}),
    # runs the system (users, tokens, audit verification); sees no unmasked PII and records
    # no payments: administration is not collection work
    Role.ADMIN: frozenset(
        {
            _P.BORROWERS_READ,
            _P.LOANS_READ,
            _P.CASES_READ_ALL,
            _P.REPORTS_READ,
            _P.AUDIT_READ,
            _P.USERS_ADMIN,
        }
    ),
}


def permissions_of(role: Role) -> frozenset[Permission]:
    return PERMISSIONS[role]


def can(role: Role, permission: Permission) -> bool:
    return permission in PERMISSIONS[role]


def require(role: Role, permission: Permission) -> None:
    """Raise `Forbidden` unless `role` holds `permission`."""
    if not can(role, permission):
        raise Forbidden(
            f"the {role.value} role may not do this ({permission.value})",
            role=role.value,
            permission=permission.value,
        )


__all__ = ["PERMISSIONS", "Permission", "Role", "can", "permissions_of", "require"]
