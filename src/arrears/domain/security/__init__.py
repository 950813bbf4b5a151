"""Security rules of the desk and the API, as pure functions: roles and what each may do, PII
masking, the password policy, and the hash chain of the audit log. No I/O, no clock."""

from arrears.domain.security.audit_chain import (
    GENESIS_HASH,
    AuditRecord,
    BrokenLink,
    canonical_json,
    chain_hash,
    jsonable,
    verify_chain,
)
from arrears.domain.security.errors import (
    CsrfFailed,
    Forbidden,
    IdempotencyKeyReused,
    RateLimited,
    Unauthenticated,
)
from arrears.domain.security.masking import mask_email, mask_national_id, mask_phone
from arrears.domain.security.passwords import PasswordPolicy, password_problems
from arrears.domain.security.roles import (
    PERMISSIONS,
    Permission,
    Role,
    can,
    permissions_of,
    require,
)

__all__ = [
    "GENESIS_HASH",
    "PERMISSIONS",
    "AuditRecord",
    "BrokenLink",
    "CsrfFailed",
    "Forbidden",
    "IdempotencyKeyReused",
    "PasswordPolicy",
    "Permission",
    "RateLimited",
    "Role",
    "Unauthenticated",
    "can",
    "canonical_json",
    "chain_hash",
    "jsonable",
    "mask_email",
    "mask_national_id",
    "mask_phone",
    "password_problems",
    "permissions_of",
    "require",
    "verify_chain",
]
