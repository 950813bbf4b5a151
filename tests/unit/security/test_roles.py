"""The permission matrix: who may read, write and see unmasked personal data."""

import pytest

from arrears.domain.security import PERMISSIONS, Forbidden, Permission, Role, can, require


def test_every_role_has_a_row_and_reads_the_book():
    assert set(PERMISSIONS) == set(Role)
    for role in Role:
        assert can(role, Permission.BORROWERS_READ)
        assert can(role, Permission.LOANS_READ)


def test_collectors_are_limited_to_their_own_cases_and_masked_national_ids():
    assert not can(Role.COLLECTOR, Permission.CASES_READ_ALL)
    assert not can(Role.COLLECTOR, Permission.NATIONAL_ID_UNMASKED)
    assert can(Role.COLLECTOR, Permission.PHONE_UNMASKED)  # they dial
    assert not can(Role.COLLECTOR, Permission.ARRANGEMENTS_APPROVE)
    assert not can(Role.COLLECTOR, Permission.USERS_ADMIN)


@pytest.mark.parametrize(
    ("permission", "allowed"),
    [
        (Permission.NATIONAL_ID_UNMASKED, {Role.COMPLIANCE_OFFICER}),
        (Permission.PHONE_UNMASKED, {Role.COLLECTOR, Role.TEAM_LEAD, Role.COMPLIANCE_OFFICER}),
        (Permission.PAYMENTS_WRITE, {Role.COLLECTOR, Role.TEAM_LEAD}),
        (Permission.ARRANGEMENTS_APPROVE, {Role.TEAM_LEAD}),
        (Permission.AUDIT_READ, {Role.COMPLIANCE_OFFICER, Role.ADMIN}),
        (Permission.USERS_ADMIN, {Role.ADMIN}),
        (
            Permission.REPORTS_READ,
            {Role.TEAM_LEAD, Role.COMPLIANCE_OFFICER, Role.ANALYST, Role.ADMIN},
        ),
    ],
)
def test_who_holds_each_sensitive_permission(permission, allowed):
    assert {role for role in Role if can(role, permission)} == allowed


def test_analysts_and_admins_never_see_unmasked_personal_data_nor_write():
    for role in (Role.ANALYST, Role.ADMIN):
        held = PERMISSIONS[role]
        assert not held & {Permission.PHONE_UNMASKED, Permission.NATIONAL_ID_UNMASKED}
        assert not any(p.value.endswith(":write") for p in held)


def test_require_raises_forbidden_with_a_stable_code():
    require(Role.ADMIN, Permission.USERS_ADMIN)
    with pytest.raises(Forbidden) as raised:
        require(Role.ANALYST, Permission.PAYMENTS_WRITE)
    assert raised.value.code == "forbidden"
    assert raised.value.fields == {"role": "analyst", "permission": "payments:write"}
