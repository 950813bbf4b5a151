"""Email over SMTP with the standard library's `smtplib`.

The Message-ID is derived from the idempotency key, so a message that does reach a mailbox
twice (it should not: see the outbox) carries the same Message-ID both times and mail clients
show it once. SMTP cannot be asked whether it already accepted a message, so `was_sent`
answers None: a crash mid-send leaves the message `unknown` for a person to resolve.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import TYPE_CHECKING

from arrears.adapters.channels.base import (
    OutgoingMessage,
    PermanentFailure,
    Receipt,
    TransientFailure,
)
from arrears.domain.comms import MessageChannel

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

PERMANENT_FROM = 500


def message_id(idempotency_key: str, domain: str) -> str:
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


class SmtpAdapter:
    channel = MessageChannel.EMAIL

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        sender_name: str,
        clock: Callable[[], dt.datetime],
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 20.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.sender_name = sender_name
        self.starttls = starttls
        self.username = username
        self.password = password
        self.timeout = timeout
        self._clock = clock
        self.domain = sender.rpartition("@")[2] or "localhost"

    def build(self, message: OutgoingMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = formataddr((self.sender_name, self.sender))
        email["To"] = formataddr((message.recipient_name, message.recipient))
        email["Subject"] = message.subject or ""
        email["Message-ID"] = message_id(message.idempotency_key, self.domain)
        email["Date"] = format_datetime(self._clock())
        email["Content-Language"] = message.language
        email["X-Arrears-Key"] = message.idempotency_key
        email.set_content(message.text)
        return email

    def send(self, message: OutgoingMessage) -> Receipt:
        email = self.build(message)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as client:
                if self.starttls:
                    client.starttls(context=ssl.create_default_context())
                if self.username:
                    client.login(self.username, self.password or "")
                refused = client.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(code >= PERMANENT_FROM for code in codes):
                raise PermanentFailure(f"recipient refused: {error.recipients}") from error
            raise TransientFailure(f"recipient refused for now: {error.recipients}") from error
        except smtplib.SMTPResponseException as error:
            text = f"SMTP {error.smtp_code}: {error.smtp_error!r}"
            if error.smtp_code >= PERMANENT_FROM:
                raise PermanentFailure(text) from error
            raise TransientFailure(text) from error
        except (smtplib.SMTPException, OSError) as error:
            raise TransientFailure(f"SMTP {self.host}:{self.port}: {error}") from error
        if refused:
            raise PermanentFailure(f"recipient refused: {refused}")
        return Receipt(provider_ref=str(email["Message-ID"]))

    def was_sent(self, idempotency_key: str) -> bool | None:  # noqa: ARG002 - the Protocol's
        return None


__all__ = ["SmtpAdapter", "message_id"]
