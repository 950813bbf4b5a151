"""PII masking: what a role without the unmasked-PII permission sees.

- phone numbers keep the country calling code and the last digits (4 when the national number
  has 8 digits or more, else 2): `+34612345678` → `+34 •••••5678`;
- national ids keep their last 4 characters behind a fixed-length mask, so the length does not
  leak (`12345678Z` → `••••678Z`); ids of 4 characters or fewer are masked whole;
- e-mail addresses keep the first character and the domain.
"""

from __future__ import annotations

import phonenumbers

MASK = "•"
FIXED_MASK = MASK * 4
_LONG_NATIONAL_NUMBER = 8


def mask_phone(e164: str) -> str:
    """`+<country code> ` + a mask + the last 2-4 digits; unparseable input is fully masked."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return FIXED_MASK
    national = str(phonenumbers.national_significant_number(number))
    if not national:
        return FIXED_MASK
    keep = 4 if len(national) >= _LONG_NATIONAL_NUMBER else 2
    keep = min(keep, max(len(national) - 2, 0))
    hidden = MASK * (len(national) - keep)
    return f"+{number.country_code} {hidden}{national[len(national) - keep :]}"


def mask_national_id(value: str) -> str:
    """The last 4 characters after a fixed mask; ids of 4 characters or fewer are all masked."""
    text = value.strip()
    if len(text) <= 4:
        return FIXED_MASK
    return FIXED_MASK + text[-4:]


def mask_email(address: str) -> str:
    local, at, domain = address.partition("@")
    if not at or not local:
        return FIXED_MASK
    return f"{local[0]}{FIXED_MASK}@{domain}"


__all__ = ["mask_email", "mask_national_id", "mask_phone"]
