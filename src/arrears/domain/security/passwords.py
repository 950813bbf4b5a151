"""The password policy (NIST SP 800-63B style): length over composition rules, no obvious
choices. Hashing is not here (argon2 lives in the service layer); this only judges a choice."""

from __future__ import annotations

from dataclasses import dataclass

#: a few of the most common choices; a deployment adds its own breached-password list
COMMON = frozenset(
    {
        "password",
        "password1",
        "password123",
        "123456789012",
        "qwertyuiop",
        "letmein",
        "welcome",
        "admin",
        "changeme",
        "iloveyou",
        "contraseña",
        "arrears",
    }
)


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    min_length: int = 12
    max_length: int = 256
    min_distinct: int = 5


def password_problems(
    password: str, *, username: str = "", policy: PasswordPolicy | None = None
) -> list[str]:
    """Every reason `password` is refused; an empty list means it is acceptable."""
    policy = policy or PasswordPolicy()
    problems: list[str] = []
    if len(password) < policy.min_length:
        problems.append(f"must have at least {policy.min_length} characters")
    if len(password) > policy.max_length:
        problems.append(f"must have at most {policy.max_length} characters")
    if len(set(password)) < policy.min_distinct:
        problems.append(f"must use at least {policy.min_distinct} different characters")
    lowered = password.lower()
    if lowered in COMMON or lowered.rstrip("0123456789!") in COMMON:
        problems.append("is a commonly used password")
    if username and len(username) >= 3 and username.lower() in lowered:
        problems.append("must not contain the user name")
    return problems


__all__ = ["COMMON", "PasswordPolicy", "password_problems"]
