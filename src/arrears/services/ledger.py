"""The contact ledger: record every attempt, communication, consent, designation, dispute and
hold as it happened; amend with a reason, never edit or delete; check contacts against it.

Lines use the event model of `arrears policy check` (docs/schemas/contact-events.schema.json),
so what the ledger holds can be replayed to the contact policy exactly as recorded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from arrears.adapters.store.ledger import LedgerRow
from arrears.adapters.store.tables import LEDGER_SOURCES
from arrears.domain.errors import InvalidInput, NotFound, RejectedRows, RowError
from arrears.services.policy_check import check_lines, validate_line

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Sequence

    from arrears.adapters.store.uow import UnitOfWork
    from arrears.domain.contact_policy.presets import PolicyOptions

TIME_FIELDS = ("ts", "received_ts", "start_ts", "sent_ts", "provided_ts")
DEBT_FIELDS = ("attributed_debt_ids", "debts_discussed", "debt_ids", "debt_id")


@dataclass(frozen=True, slots=True)
class RecordSummary:
    lines: int
    inserted: int
    duplicates: int


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _event_row(
    model: Any,
    *,
    source: str,
    actor: str,
    now: dt.datetime,
    amends: str | None = None,
    reason: str | None = None,
) -> LedgerRow:
    payload = model.model_dump(mode="json", exclude_none=True)
    digest = hashlib.sha256(_canonical(payload).encode()).hexdigest()[:32]
    key = str(payload.get("id") or f"{model.type}:{digest}")
    if amends is not None:
        key = f"{amends}~{digest}"
    occurred = next(
        (getattr(model, name) for name in TIME_FIELDS if getattr(model, name, None)), now
    )
    debts: list[str] = []
    for name in DEBT_FIELDS:
        value = getattr(model, name, None)
        if isinstance(value, list):
            debts.extend(str(v) for v in value)
        elif value:
            debts.append(str(value))
    return LedgerRow(
        event_key=key,
        type=str(model.type),
        person_id=getattr(model, "person_id", None),
        occurred_at=occurred,
        debt_ids=debts,
        payload=payload,
        source=source,
        recorded_by=actor,
        recorded_at=now,
        amends=amends,
        amend_reason=reason,
    )


def _validate_event(text: str, where: str) -> Any:
    model = validate_line(text, where)
    if model.type == "contact_request":
        raise InvalidInput(
            f"{where}: a contact_request is a question for the policy, not a ledger event"
        )
    if model.type != "person":
        try:
            model.domain()  # the domain's own consistency checks (e.g. an end before a start)
        except (InvalidInput, ValueError) as error:
            detail = error.message if isinstance(error, InvalidInput) else str(error)
            raise InvalidInput(f"{where}: {model.type}: {detail}") from None
    return model


def record_events(
    uow_factory: Callable[[], UnitOfWork],
    *,
    lines: Iterable[str],
    actor: str,
    source: str = "manual",
    label: str = "input",
) -> RecordSummary:
    """Validate every line, then append them all in one transaction (or none).

    Idempotent by event key (the line's `id`, else a digest of its content): a line already
    recorded with the same content is a duplicate and skipped; with other content, a conflict.
    """
    if source not in LEDGER_SOURCES:
        raise InvalidInput(
            f"unknown source {source!r} (expected one of: {', '.join(LEDGER_SOURCES)})"
        )
    models: list[tuple[int, Any]] = []
    errors: list[RowError] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text:
            continue
        try:
            models.append((number, _validate_event(text, f"{label}:{number}")))
        except InvalidInput as error:
            reason = error.message.removeprefix(f"{label}:{number}: ")
            errors.append(RowError(file=label, row=number, column=None, reason=reason))
    if errors:
        raise RejectedRows(errors, what=label)
    with uow_factory() as uow:
        now = uow.now()
        seen: dict[str, tuple[int, str]] = {}
        new: list[LedgerRow] = []
        duplicates = 0
        for number, model in models:
            row = _event_row(model, source=source, actor=actor, now=now)
            content = _canonical(row.payload)
            if row.event_key in seen:
                first, first_content = seen[row.event_key]
                if first_content != content:
                    errors.append(
                        RowError(
                            file=label,
                            row=number,
                            column="id",
                            reason=(
                                f"event {row.event_key!r} appears on row {first} with other content"
                            ),
                        )
                    )
                else:
                    duplicates += 1
                continue
            seen[row.event_key] = (number, content)
            stored = uow.ledger.get(row.event_key)
            if stored is None:
                new.append(row)
            elif _canonical(stored.payload) == content:
                duplicates += 1
            else:
                errors.append(
                    RowError(
                        file=label,
                        row=number,
                        column="id",
                        reason=(
                            f"event {row.event_key!r} is already recorded with other content; "
                            "records are never edited: amend it with a reason"
                        ),
                    )
                )
        if errors:
            raise RejectedRows(errors, what=label)
        if new:
            uow.ledger.append(new)
            uow.audit.record(
                actor=actor,
                action="ledger:event:recorded",
                subject_type="contact_ledger",
                subject_id=label,
                after={"inserted": len(new), "duplicates": duplicates, "source": source},
            )
            uow.commit()
    return RecordSummary(lines=len(models), inserted=len(new), duplicates=duplicates)


def amend_event(
    uow_factory: Callable[[], UnitOfWork],
    *,
    event_key: str,
    line: str,
    reason: str,
    actor: str,
) -> str:
    """Record a correction of `event_key`; the original stays. Returns the amendment's key."""
    if not reason.strip():
        raise InvalidInput("an amendment needs a reason")
    model = _validate_event(line, "amendment")
    with uow_factory() as uow:
        original = uow.ledger.get(event_key)
        if original is None:
            raise NotFound(f"no ledger event {event_key!r}")
        if original.type != model.type:
            raise InvalidInput(
                f"an amendment keeps the event's type: {event_key!r} is a {original.type}, "
                f"the correction a {model.type}"
            )
        row = _event_row(
            model,
            source="manual",
            actor=actor,
            now=uow.now(),
            amends=event_key,
            reason=reason.strip(),
        )
        if uow.ledger.get(row.event_key) is not None:
            return row.event_key  # the same correction again: nothing new
        uow.ledger.append([row])
        uow.audit.record(
            actor=actor,
            action="ledger:event:amended",
            subject_type="contact_ledger",
            subject_id=event_key,
            before=original.payload,
            after={"payload": row.payload, "reason": row.amend_reason},
        )
        uow.commit()
    return row.event_key


def history_lines(uow_factory: Callable[[], UnitOfWork], person_id: str) -> list[str]:
    """The person's current ledger (amendments applied) as policy-check input lines."""
    with uow_factory() as uow:
        return [_canonical(row.payload) for row in uow.ledger.current(person_id)]


def check_with_ledger(
    uow_factory: Callable[[], UnitOfWork],
    *,
    lines: Sequence[str],
    presets: Sequence[str],
    now: dt.datetime | None,
    lang: str = "en",
    options: PolicyOptions | None = None,
    source: str = "input",
) -> list[dict[str, Any]]:
    """Check contact requests against what the ledger holds for each person, plus `lines`."""
    people: list[str] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if text:
            model = validate_line(text, f"{source}:{number}")
            person = getattr(model, "person_id", None)
            if person and person not in people:
                people.append(person)
    history = [line for person in people for line in history_lines(uow_factory, person)]
    return check_lines(
        [*history, *lines], presets=presets, now=now, lang=lang, options=options, source=source
    )
