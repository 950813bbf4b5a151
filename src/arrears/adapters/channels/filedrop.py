"""The default SMS and letter channels: one file per message in a drop folder.

A real SMS gateway or print-and-post provider picks the files up (or replaces this adapter; see
`base.ChannelAdapter`). Each file is named by the message's idempotency key and written
atomically: the content goes to a temporary file, is flushed to disk, and is then hard-linked
to its final name, which fails if the name exists. An existing file means the message was
already sent, so a retry after a crash never writes a second one, and `was_sent` can answer
exactly by looking for the file.

SMS files are JSON (`to`, `text`, `language`, `key`); letters are the PDF.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from arrears.adapters.channels.base import OutgoingMessage, Receipt, TransientFailure
from arrears.domain.comms import MessageChannel
from arrears.domain.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Callable

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_EXTENSIONS = {MessageChannel.SMS: "json", MessageChannel.LETTER: "pdf"}


def file_name(idempotency_key: str, extension: str) -> str:
    """A safe, unique file name for a key: readable part + digest (no two keys share one)."""
    readable = _UNSAFE.sub("_", idempotency_key)[:80].strip("._") or "message"
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
    return f"{readable}-{digest}.{extension}"


class FileDropAdapter:
    def __init__(
        self,
        folder: Path,
        channel: MessageChannel,
        *,
        pdf: Callable[[str], bytes] | None = None,
    ) -> None:
        if channel not in _EXTENSIONS:
            raise InvalidInput(f"the file drop serves sms and letter, not {channel}")
        if channel is MessageChannel.LETTER and pdf is None:
            raise InvalidInput("the letter file drop needs a PDF renderer")
        self.folder = folder / channel.value
        self.channel = channel
        self._pdf = pdf

    def path_for(self, idempotency_key: str) -> Path:
        return self.folder / file_name(idempotency_key, _EXTENSIONS[self.channel])

    def _content(self, message: OutgoingMessage) -> bytes:
        if self.channel is MessageChannel.SMS:
            record = {
                "key": message.idempotency_key,
                "to": message.recipient,
                "name": message.recipient_name,
                "language": message.language,
                "text": message.text,
            }
            return json.dumps(record, ensure_ascii=False, indent=1).encode()
        if message.html is None or self._pdf is None:
            raise InvalidInput(f"letter {message.idempotency_key} has no HTML to print")
        return self._pdf(message.html)

    def send(self, message: OutgoingMessage) -> Receipt:
        target = self.path_for(message.idempotency_key)
        if target.exists():
            return Receipt(provider_ref=str(target))  # already sent: never a second file
        content = self._content(message)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(content)
                    stream.flush()
                    os.fsync(stream.fileno())
                with contextlib.suppress(FileExistsError):  # a racing send won: same content
                    os.link(temporary, target)
            finally:
                Path(temporary).unlink(missing_ok=True)
            directory = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        except OSError as error:
            raise TransientFailure(f"cannot write {target}: {error}") from error
        return Receipt(provider_ref=str(target))

    def was_sent(self, idempotency_key: str) -> bool:
        return self.path_for(idempotency_key).exists()


__all__ = ["FileDropAdapter", "file_name"]
