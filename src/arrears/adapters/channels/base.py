"""The channel seam: what an adapter for SMS, email or letters must do.

An adapter is given one message with its idempotency key and either returns a `Receipt` or
raises `TransientFailure` (try again later) or `PermanentFailure` (this address will never
work: undeliverable). `was_sent(key)` answers, after a crash between a send and its status
write, whether the channel already has the message: True, False, or None when the channel
cannot tell (then the outbox marks it `unknown` for a person; it is never resent blindly).

A real provider (an SMS gateway, a print-and-post service) implements the same two methods; it
should pass the idempotency key on to the provider where the provider de-duplicates by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from arrears.domain.comms import MessageChannel


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    idempotency_key: str
    channel: MessageChannel
    recipient: str  # email address, E.164 number, or postal address id
    recipient_name: str
    language: str
    subject: str | None
    text: str
    html: str | None  # letters: the rendered letter HTML


@dataclass(frozen=True, slots=True)
class Receipt:
    provider_ref: str  # the SMTP Message-ID, the file written, the provider's id


class DeliveryFailure(Exception):
    """Base of the failures an adapter reports."""


class TransientFailure(DeliveryFailure):
    """Could not send now (network, server busy, 4xx): retry with backoff."""


class PermanentFailure(DeliveryFailure):
    """The message can never be delivered to this address (5xx, invalid number)."""


class ChannelAdapter(Protocol):
    channel: MessageChannel

    def send(self, message: OutgoingMessage) -> Receipt: ...

    def was_sent(self, idempotency_key: str) -> bool | None: ...


__all__ = [
    "ChannelAdapter",
    "DeliveryFailure",
    "OutgoingMessage",
    "PermanentFailure",
    "Receipt",
    "TransientFailure",
]
