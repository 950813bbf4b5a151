"""Channel adapters: SMTP for email, a file drop for SMS and letters (docs/communications.md).

`build_adapters(settings, clock)` is called by the composition root (services and the CLI go
through it); nothing is built at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arrears.adapters.channels.base import (
    ChannelAdapter,
    DeliveryFailure,
    OutgoingMessage,
    PermanentFailure,
    Receipt,
    TransientFailure,
)
from arrears.adapters.channels.filedrop import FileDropAdapter
from arrears.adapters.channels.smtp import SmtpAdapter
from arrears.domain.comms import MessageChannel

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from arrears.config import Settings


def build_adapters(
    settings: Settings, clock: Callable[[], dt.datetime]
) -> dict[MessageChannel, ChannelAdapter]:
    from arrears.adapters.pdf import render_pdf  # noqa: PLC0415 - WeasyPrint only when needed

    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return {
        MessageChannel.EMAIL: SmtpAdapter(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.sender_email,
            sender_name=settings.sender_name,
            clock=clock,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=password,
        ),
        MessageChannel.SMS: FileDropAdapter(settings.outbox_drop_dir, MessageChannel.SMS),
        MessageChannel.LETTER: FileDropAdapter(
            settings.outbox_drop_dir, MessageChannel.LETTER, pdf=render_pdf
        ),
    }


__all__ = [
    "ChannelAdapter",
    "DeliveryFailure",
    "FileDropAdapter",
    "OutgoingMessage",
    "PermanentFailure",
    "Receipt",
    "SmtpAdapter",
    "TransientFailure",
    "build_adapters",
]
