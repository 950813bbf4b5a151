"""What can be written to whom: message kinds, channels, languages and what they map to.

Pure vocabulary and tables; no I/O. The channel values are the contact policy's own (`sms`,
`email`, `letter`), so a queued message is checked exactly as the policy's event model says.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final

from arrears.domain.contact_policy.vocab import Channel, Purpose
from arrears.domain.errors import InvalidInput


class MessageKind(StrEnum):
    PAYMENT_NOTICE = "payment_notice"  # an installment falls due soon
    REMINDER = "reminder"  # an installment is overdue
    PROMISE_CONFIRMATION = "promise_confirmation"  # the promise to pay the debtor made
    BROKEN_PROMISE = "broken_promise"  # the promised payment did not arrive
    ARRANGEMENT_CONFIRMATION = "arrangement_confirmation"  # the agreed payment plan
    FORMAL_DEMAND = "formal_demand"  # the last written demand before escalation
    VALIDATION_NOTICE = "validation_notice"  # US Reg F 12 CFR 1006.34


class MessageChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"

    @property
    def policy_channel(self) -> Channel:
        return Channel(self.value)


class Language(StrEnum):
    EN = "en"
    ES = "es"
    ZH = "zh"


#: the CLDR locale used for dates, money and plural rules of each template language
LOCALES: Final = MappingProxyType(
    {Language.EN: "en_US", Language.ES: "es_ES", Language.ZH: "zh_Hans_CN"}
)

_ALL = frozenset(MessageChannel)
KIND_CHANNELS: Final = MappingProxyType(
    {
        MessageKind.PAYMENT_NOTICE: _ALL,
        MessageKind.REMINDER: _ALL,
        MessageKind.PROMISE_CONFIRMATION: _ALL,
        MessageKind.BROKEN_PROMISE: _ALL,
        MessageKind.ARRANGEMENT_CONFIRMATION: _ALL,
        # too long and too formal for a text message
        MessageKind.FORMAL_DEMAND: frozenset({MessageChannel.EMAIL, MessageChannel.LETTER}),
        # by letter: electronic delivery needs the E-SIGN consent steps of 1006.42 (not built)
        MessageKind.VALIDATION_NOTICE: frozenset({MessageChannel.LETTER}),
    }
)

#: why each kind is sent, in the contact policy's terms (decides which exceptions apply)
KIND_PURPOSE: Final = MappingProxyType(
    {
        MessageKind.PAYMENT_NOTICE: Purpose.COLLECTION,
        MessageKind.REMINDER: Purpose.COLLECTION,
        MessageKind.PROMISE_CONFIRMATION: Purpose.COLLECTION,
        MessageKind.BROKEN_PROMISE: Purpose.COLLECTION,
        MessageKind.ARRANGEMENT_CONFIRMATION: Purpose.COLLECTION,
        MessageKind.FORMAL_DEMAND: Purpose.DEFAULT_NOTICE,
        MessageKind.VALIDATION_NOTICE: Purpose.LEGALLY_REQUIRED,
    }
)

#: the contact-policy presets for a borrower's country when the caller names none
_COUNTRY_PRESETS: Final = MappingProxyType(
    {"US": ("us-regf",), "ES": ("es",), "CN": ("cn",), "GB": ("uk-fca",)}
)
_EU: Final = frozenset(
    {
        *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU"),
        *("IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "SE"),
    }
)

#: contact-policy preset → the conduct linter's disclosure preset
DISCLOSURE_PRESET: Final = MappingProxyType(
    {
        "us-regf": "US-FDCPA-REGF",
        "us-ma": "US-FDCPA-REGF",
        "uk-fca": "UK-FCA",
        "eu": "EU-BASE",
        "es": "ES",
        "cn": "CN",
    }
)


#: words whose presence shows a message tells the reader how to opt out (US-E-OPTOUT), casefolded
OPT_OUT_MARKERS: Final = MappingProxyType(
    {
        Language.EN: ("reply stop", "unsubscribe"),
        Language.ES: ("responda baja", "darse de baja"),
        Language.ZH: ("回复td", "退订"),
    }
)


def mentions_opt_out(text: str, language: Language) -> bool:
    """Whether `text` tells the reader how to opt out, in its language (US-E-OPTOUT)."""
    folded = text.casefold()
    return any(marker in folded for marker in OPT_OUT_MARKERS[language])


def parse_kind(value: str) -> MessageKind:
    try:
        return MessageKind(value)
    except ValueError:
        known = ", ".join(k.value for k in MessageKind)
        raise InvalidInput(f"unknown message kind {value!r} (expected one of: {known})") from None


def parse_channel(value: str) -> MessageChannel:
    try:
        return MessageChannel(value)
    except ValueError:
        known = ", ".join(c.value for c in MessageChannel)
        raise InvalidInput(f"unknown channel {value!r} (expected one of: {known})") from None


def check_channel(kind: MessageKind, channel: MessageChannel) -> None:
    if channel not in KIND_CHANNELS[kind]:
        allowed = ", ".join(sorted(c.value for c in KIND_CHANNELS[kind]))
        raise InvalidInput(f"a {kind} is not sent by {channel} (allowed: {allowed})")


def language_for(tag: str) -> Language:
    """The template language for a BCP 47 tag (`es-MX` → es, `zh-Hant-TW` → zh); others → en."""
    first = tag.replace("_", "-").split("-", 1)[0].lower()
    try:
        return Language(first)
    except ValueError:
        return Language.EN


def parse_language(value: str) -> Language:
    try:
        return Language(value)
    except ValueError:
        known = ", ".join(lang.value for lang in Language)
        raise InvalidInput(f"unknown language {value!r} (expected one of: {known})") from None


def presets_for_country(country: str) -> tuple[str, ...]:
    """Default contact-policy presets by ISO country: US, ES, CN, GB, other EU; else `house`."""
    code = country.upper()
    if code in _COUNTRY_PRESETS:
        return _COUNTRY_PRESETS[code]
    return ("eu",) if code in _EU else ("house",)


__all__ = [
    "DISCLOSURE_PRESET",
    "KIND_CHANNELS",
    "KIND_PURPOSE",
    "LOCALES",
    "OPT_OUT_MARKERS",
    "Language",
    "MessageChannel",
    "MessageKind",
    "check_channel",
    "language_for",
    "mentions_opt_out",
    "parse_channel",
    "parse_kind",
    "parse_language",
    "presets_for_country",
]
