"""Placeholders in talk-track texts: the fixed set, checking, and rendering.

A placeholder is a lower-case name in braces, `{amount}`. Only the names in `PLACEHOLDERS` may
appear, every language of a track must use the same set (a translation that drops the amount is
a different message), and braces that are not a placeholder are refused. Rendering substitutes
the values given and leaves the others visible (`{amount}`), so a collector sees what is still
to be filled in rather than an empty gap.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

PLACEHOLDERS: Mapping[str, str] = MappingProxyType(
    {
        "collector_name": "the collector's name (or registered alias)",
        "agency": "the firm making the contact",
        "creditor": "the creditor on whose behalf the contact is made",
        "staff_number": "the collector's staff number (required by the CN preset)",
        "debtor_name": "the borrower's name, used only once identity is confirmed",
        "amount": "the overdue amount, formatted with its currency",
        "balance": "the total outstanding balance, formatted with its currency",
        "due_date": "the due date, formatted for the debtor's locale",
        "account_ref": "the account reference (masked)",
        "payment_methods": "the ways to pay (transfer details, card, payment link)",
        "payment_link": "a secure payment link",
        "promise_amount": "the amount the debtor promises",
        "promise_date": "the date the debtor promises",
        "promise_method": "how the debtor will pay the promised amount",
        "horizon_date": "the latest promise date the policy allows",
        "callback_time": "the time agreed for the next call",
        "phone": "the number to call back",
        "email": "the address to write to",
        "advice_service": "a free, independent debt-advice service",
        "deadline_date": "the date by which a reply or payment is asked for",
    }
)

_NAME = re.compile(r"\{([^{}]*)\}")
_VALID = re.compile(r"[a-z][a-z_]*")


def placeholders_in(text: str) -> frozenset[str]:
    """The placeholder names in `text` (unchecked)."""
    return frozenset(_NAME.findall(text))


def placeholder_problems(text: str) -> list[str]:
    """What is wrong with the placeholders of one text (empty: nothing)."""
    problems: list[str] = []
    for name in _NAME.findall(text):
        if not _VALID.fullmatch(name):
            problems.append(f"{{{name}}} is not a placeholder name (lower case and _ only)")
        elif name not in PLACEHOLDERS:
            problems.append(f"unknown placeholder {{{name}}}")
    stray = _NAME.sub("", text)
    if "{" in stray or "}" in stray:
        problems.append("unbalanced brace outside a placeholder")
    return problems


def render(text: str, values: Mapping[str, str] | None = None) -> str:
    """Fill in the placeholders that have values; leave the others as they are."""
    if not values:
        return text

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return values[name] if name in values else match.group(0)

    return _NAME.sub(fill, text)
