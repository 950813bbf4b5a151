"""Written communications: render a message, check it, queue it, send it after the commit.

`queue_message(uow, …, idempotency_key=…)` renders the message for one loan from the
templates, checks it with the conduct linter (forbidden phrases, required disclosures) and the
contact policy (this channel, this person, this instant, with the person's ledger), and inserts
it into the outbox in the caller's transaction; a refused message is not queued and the result
says why. The same key again is a duplicate, never a second message.

`dispatch_due(uow_factory, adapters)` sends what is due, after the commit that queued it:

1. recover messages left in `sending` by a dispatcher that died (lease over): not started →
   queued again; started → ask the channel (`was_sent`): sent, not sent (retry), or `unknown`;
2. claim due messages (one statement; SKIP LOCKED on PostgreSQL), recording an attempt;
3. per message: re-check the contact policy at the real send instant (a message queued for the
   morning is not sent at night; a hold that arrived meanwhile stops it), then commit
   `started_at` *before* handing it to the channel;
4. after the channel answers, write the outcome, the contact-ledger `message_sent` event, the
   delivery-log event and the audit event in one transaction.

A crash between 3 and 4 is the case `was_sent` exists for: the file drop answers exactly, SMTP
cannot (so the message becomes `unknown` and waits for a person, `resolve_unknown`). Nothing is
ever sent twice by the outbox itself. See docs/communications.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import holidays

from arrears.adapters.channels.base import (
    OutgoingMessage,
    PermanentFailure,
    TransientFailure,
)
from arrears.adapters.render import Rendered, Renderer
from arrears.adapters.store.ledger import LedgerRow
from arrears.adapters.store.outbox import OutboxRow, SqlOutbox
from arrears.domain.comms import (
    DISCLOSURE_PRESET,
    DUE_STATES,
    KIND_PURPOSE,
    ArrangementConfirmation,
    BrokenPromise,
    Facts,
    FormalDemand,
    Header,
    ItemizationDateType,
    Language,
    MessageChannel,
    MessageKind,
    OutboxState,
    Party,
    PaymentNotice,
    PlannedPayment,
    PromiseConfirmation,
    Reminder,
    RetryPolicy,
    Sender,
    ValidationNotice,
    after_crash,
    check_channel,
    language_for,
    mentions_opt_out,
    presets_for_country,
    validation_period_end,
)
from arrears.domain.conduct import check_disclosures, lint, required_disclosures
from arrears.domain.contact_policy import Ledger, Policy, build_policy
from arrears.domain.delinquency import compute_delinquency
from arrears.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from arrears.domain.money import Money
from arrears.domain.workflow.workdays import WorkingCalendar
from arrears.services.policy_check import parse_lines, validate_line

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from arrears.adapters.channels.base import ChannelAdapter
    from arrears.adapters.store.uow import SqlUnitOfWork
    from arrears.config import Settings
    from arrears.domain.model import Borrower, Loan

CRASH_ENV: Final = "ARREARS_OUTBOX_CRASH"  # test hook: before_send | after_send
DEFAULT_LEASE: Final = dt.timedelta(minutes=10)
DEFAULT_PAY_BY_DAYS: Final = 7
DEMAND_DAYS: Final = 14
MAX_KEY: Final = 200


def _crash_point(name: str) -> None:
    """Test hook: ARREARS_OUTBOX_CRASH=<name> kills the process here, as `kill -9` would."""
    if os.environ.get(CRASH_ENV) == name:
        os._exit(137)


def _draw() -> float:
    return secrets.SystemRandom().random()


# ------------------------------------------------------------------------------ preparation


def sender_from(settings: Settings) -> Sender:
    return Sender(
        name=settings.sender_name,
        address_lines=tuple(p.strip() for p in settings.sender_address.split("|") if p.strip()),
        phone=settings.sender_phone,
        email=settings.sender_email,
        agent_id=settings.sender_agent_id,
    )


@dataclass(frozen=True, slots=True)
class Recipient:
    address: str  # email, E.164 number or address id (what the policy checks)
    party: Party


def _address_id(borrower: Borrower, index: int) -> str:
    return f"{borrower.external_id}/address/{index}"


def recipient_for(borrower: Borrower, channel: MessageChannel) -> Recipient:
    """The borrower's first email / mobile (else any phone) / postal address for the channel."""
    lines: tuple[str, ...] = ()
    if borrower.addresses:
        a = borrower.addresses[0]
        lines = tuple(
            part
            for part in (a.line, f"{a.postal_code} {a.city}".strip(), a.region, a.country)
            if part
        )
    party = Party(borrower.full_name, lines)
    if channel is MessageChannel.EMAIL:
        if not borrower.emails:
            raise InvalidInput(f"borrower {borrower.external_id} has no email address")
        return Recipient(borrower.emails[0].lower(), party)
    if channel is MessageChannel.SMS:
        phones = sorted(borrower.phones, key=lambda p: p.kind.value != "mobile")
        if not phones:
            raise InvalidInput(f"borrower {borrower.external_id} has no phone number")
        return Recipient(phones[0].e164, party)
    if not borrower.addresses:
        raise InvalidInput(f"borrower {borrower.external_id} has no postal address")
    return Recipient(_address_id(borrower, 1), party)


def person_line(borrower: Borrower) -> str:
    """The borrower as the contact policy's `person` line (phones, addresses, emails, zones)."""
    kinds = {"mobile": "mobile", "home": "home", "work": "work"}
    record = {
        "type": "person",
        "person_id": borrower.external_id,
        "phones": [
            {"number": p.e164, "kind": kinds.get(p.kind.value, "other"), "time_zones": []}
            for p in borrower.phones
        ],
        "addresses": [
            {"address_id": _address_id(borrower, n), "kind": "home", "time_zone": a.time_zone}
            for n, a in enumerate(borrower.addresses, start=1)
        ],
        "emails": [{"address": e} for e in borrower.emails],
    }
    return json.dumps(record, ensure_ascii=False)


def _money(value: object, currency: str, name: str) -> Money:
    if isinstance(value, Money):
        if value.currency != currency:
            raise InvalidInput(f"{name}: {value} is not in the loan's currency {currency}")
        return value
    return Money.of(value, currency)


def _date(value: object, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


def _need(details: Mapping[str, object], name: str, kind: MessageKind) -> object:
    if name not in details or details[name] in {None, ""}:
        raise InvalidInput(f"a {kind} needs `{name}` (pass it as a detail)")
    return details[name]


@cache
def us_federal_calendar(year: int) -> WorkingCalendar:
    """Saturdays, Sundays and US federal holidays of `year` and the next (1006.34(b)(5))."""
    days = holidays.country_holidays("US", years=(year, year + 1))
    return WorkingCalendar(holidays=frozenset(days))


def facts_for(  # noqa: PLR0911 - one return per message kind reads best
    kind: MessageKind,
    loan: Loan,
    *,
    as_of: dt.date,
    details: Mapping[str, object] | None = None,
    creditor: str,
) -> Facts:
    """The facts of `kind` for a loan: derived from its schedule, payments and delinquency as
    of the business date, with `details` for what only the caller knows (a promise, a plan)
    or wants to set (a pay-by date)."""
    given = dict(details or {})
    cur = loan.currency
    status = compute_delinquency(loan, as_of)
    if kind is MessageKind.PAYMENT_NOTICE:
        upcoming = [i for i in loan.installments if i.due_date >= as_of]
        if not upcoming:
            raise InvalidInput(
                f"loan {loan.external_id} has no installment due on or after {as_of}"
            )
        nxt = upcoming[0]
        return PaymentNotice(nxt.number, nxt.due_date, nxt.total)
    pay_by = _date(given.get("pay_by", as_of + dt.timedelta(days=DEFAULT_PAY_BY_DAYS)), "pay_by")
    if kind is MessageKind.REMINDER:
        return Reminder(status.dpd, status.missed_installments, status.overdue_total, pay_by)
    if kind is MessageKind.PROMISE_CONFIRMATION:
        return PromiseConfirmation(
            _money(_need(given, "amount", kind), cur, "amount"),
            _date(_need(given, "promised_on", kind), "promised_on"),
            _date(given.get("made_on", as_of), "made_on"),
        )
    if kind is MessageKind.BROKEN_PROMISE:
        return BrokenPromise(
            _money(_need(given, "amount", kind), cur, "amount"),
            _date(_need(given, "promised_on", kind), "promised_on"),
            _money(given.get("received", "0"), cur, "received"),
            status.overdue_total,
        )
    if kind is MessageKind.ARRANGEMENT_CONFIRMATION:
        raw = _need(given, "payments", kind)
        payments = _planned(raw, cur) if isinstance(raw, str) else tuple(raw)  # type: ignore[arg-type]
        total = Money.zero(cur)
        for payment in payments:
            total = total + payment.amount
        return ArrangementConfirmation(payments, total)
    if kind is MessageKind.FORMAL_DEMAND:
        demand_by = _date(given.get("pay_by", as_of + dt.timedelta(days=DEMAND_DAYS)), "pay_by")
        end = given.get("validation_period_end")
        return FormalDemand(
            status.overdue_total,
            status.dpd,
            demand_by,
            None if end is None else _date(end, "validation_period_end"),
        )
    return _validation_notice(loan, as_of=as_of, given=given, creditor=creditor)


def _planned(text: str, currency: str) -> tuple[PlannedPayment, ...]:
    """`2026-03-15:100.00,2026-04-15:141.00` → planned payments."""
    out = []
    for part in text.split(","):
        when, _, amount = part.strip().partition(":")
        if not amount:
            raise InvalidInput(f"payments: {part!r} is not DATE:AMOUNT")
        out.append(PlannedPayment(_date(when, "payments"), Money.of(amount, currency)))
    return tuple(out)


def _validation_notice(
    loan: Loan, *, as_of: dt.date, given: Mapping[str, object], creditor: str
) -> ValidationNotice:
    """Itemization date: the last payment on or before the business date, else disbursement
    (1006.34(b)(3) lets the collector choose; the choice is recorded with the notice)."""
    cur = loan.currency
    paid_before = [p for p in loan.payments if p.paid_on <= as_of]
    if "itemization_date" in given:
        item_date = _date(given["itemization_date"], "itemization_date")
        item_type = ItemizationDateType(str(given.get("itemization_date_type", "last_statement")))
    elif paid_before:
        item_date = max(p.paid_on for p in paid_before)
        item_type = ItemizationDateType.LAST_PAYMENT
    else:
        item_date = loan.disbursed_on or loan.installments[0].due_date
        item_type = ItemizationDateType.TRANSACTION
    scheduled = Money.zero(cur)
    for installment in loan.installments:
        scheduled = scheduled + installment.total
    before = after = Money.zero(cur)
    for payment in paid_before:
        if payment.paid_on <= item_date:
            before = before + payment.amount
        else:
            after = after + payment.amount
    fees_before = fees_after = Money.zero(cur)
    for charge in loan.charges:
        if charge.charged_on > as_of:
            continue
        if charge.charged_on <= item_date:
            fees_before = fees_before + charge.amount
        else:
            fees_after = fees_after + charge.amount
    on_item = scheduled + fees_before - before
    current = on_item + fees_after - after
    provided = _date(given.get("provided_on", as_of), "provided_on")
    earliest = validation_period_end(provided, us_federal_calendar(provided.year))
    end = _date(given.get("validation_period_end", earliest), "validation_period_end")
    return ValidationNotice(
        itemization_date=item_date,
        itemization_date_type=item_type,
        creditor_on_itemization_date=str(given.get("creditor_on_itemization_date", creditor)),
        account_number=str(given.get("account_number", loan.external_id)),
        current_creditor=str(given.get("current_creditor", creditor)),
        amount_on_itemization_date=on_item,
        interest_since=Money.zero(cur),
        fees_since=fees_after,
        payments_since=after,
        credits_since=Money.zero(cur),
        current_amount=current,
        provided_on=provided,
        validation_period_end=end,
        earliest_period_end=earliest,
        electronic_disputes=str(given.get("electronic_disputes", "")),
    )


@dataclass(frozen=True, slots=True)
class Prepared:
    """A rendered message for one loan, with the facts and the recipient it was made from."""

    header: Header
    facts: Facts
    rendered: Rendered
    recipient: Recipient
    borrower: Borrower
    loan: Loan


@cache
def default_renderer() -> Renderer:
    return Renderer()


def render_message(
    uow: SqlUnitOfWork,
    *,
    kind: MessageKind,
    channel: MessageChannel,
    loan_id: str,
    as_of: dt.date,
    sender: Sender,
    creditor: str,
    language: Language | None = None,
    details: Mapping[str, object] | None = None,
    renderer: Renderer | None = None,
) -> Prepared:
    """Render `kind` by `channel` for a loan, in the borrower's language unless one is given."""
    check_channel(kind, channel)
    loan = uow.loans.get(loan_id)
    borrower = uow.borrowers.get(loan.borrower_id)
    recipient = recipient_for(borrower, channel)
    header = Header(
        kind=kind,
        channel=channel,
        language=language or language_for(borrower.language),
        as_of=as_of,
        recipient=recipient.party,
        sender=sender,
        creditor=creditor,
        account=loan.external_id,
    )
    facts = facts_for(kind, loan, as_of=as_of, details=details, creditor=creditor)
    rendered = (renderer or default_renderer()).render(header, facts)
    return Prepared(header, facts, rendered, recipient, borrower, loan)


# ----------------------------------------------------------------------------------- checks


def conduct_problems(rendered: Rendered, presets: Sequence[str]) -> list[str]:
    """Forbidden phrases (any hit blocks a template) and missing required disclosures."""
    text = rendered.full_text
    problems = [
        f"conduct {hit.pattern_id} ({hit.category.value}): {hit.span.matched!r}"
        for hit in lint(text, language=rendered.language, kind="template").hits
    ]
    wanted: set[str] = set()
    for preset in presets:
        if preset in DISCLOSURE_PRESET:
            wanted |= required_disclosures(DISCLOSURE_PRESET[preset], initial=True)
    problems += [
        f"disclosure {m.disclosure.value} missing ({', '.join(m.missing)}); e.g. {m.wording!r}"
        for m in check_disclosures(text, language=rendered.language, required=sorted(wanted))
    ]
    return problems


def policy_verdict(
    uow: SqlUnitOfWork,
    *,
    borrower: Borrower,
    kind: MessageKind,
    channel: MessageChannel,
    address: str,
    debt_id: str,
    has_opt_out: bool,
    presets: Sequence[str],
    at: dt.datetime,
    request_id: str,
) -> dict[str, Any]:
    """The contact policy's verdict for this message now, against the person's ledger."""
    history = [
        json.dumps(row.payload, ensure_ascii=False)
        for row in uow.ledger.current(borrower.external_id)
    ]
    described = any(json.loads(line).get("type") == "person" for line in history)
    request = {
        "type": "contact_request",
        "request_id": request_id[:MAX_KEY],
        "at": at.isoformat(),
        "person_id": borrower.external_id,
        "channel": channel.value,
        "debt_ids": [debt_id],
        "address": address,
        "purpose": KIND_PURPOSE[kind].value,
        "has_opt_out_notice": has_opt_out,
    }
    lines = [*history, *([] if described else [person_line(borrower)]), json.dumps(request)]
    source = f"outbox:{request_id}"
    parsed = parse_lines(lines, source=source)
    try:
        ledger = Ledger.build(parsed.events)
    except InvalidInput as error:
        raise InvalidInput(f"{source}: {error.message}") from None
    planned = parsed.requests[0]
    return _policy(tuple(presets)).check(ledger, planned.request, at).to_dict()


@cache
def _policy(presets: tuple[str, ...]) -> Policy:
    """Compiled presets, once per combination (the same as `check_lines` builds each call)."""
    return build_policy(presets)


# ------------------------------------------------------------------------------------ queue


@dataclass(frozen=True, slots=True)
class QueueResult:
    status: str  # queued | duplicate | refused
    idempotency_key: str
    message_id: int | None = None
    reasons: tuple[str, ...] = ()
    next_allowed: str | None = None  # when the policy would allow it (refusals by time)
    verdict: dict[str, Any] = field(default_factory=dict)
    template_id: str | None = None

    @property
    def queued(self) -> bool:
        return self.status == "queued"


def queue_message(
    uow: SqlUnitOfWork,
    *,
    kind: MessageKind,
    channel: MessageChannel,
    loan_id: str,
    as_of: dt.date,
    idempotency_key: str,
    actor: str,
    sender: Sender,
    creditor: str,
    send_at: dt.datetime | None = None,
    language: Language | None = None,
    details: Mapping[str, object] | None = None,
    presets: Sequence[str] | None = None,
    retry: RetryPolicy | None = None,
    renderer: Renderer | None = None,
    defer: bool = False,
) -> QueueResult:
    """Render, check (conduct linter + contact policy at `send_at`, default now) and queue one
    message in the caller's transaction (the caller commits; the dispatcher sends it after).

    Idempotent by `idempotency_key`: the same key again returns `duplicate` with the first
    message's id (its content is not compared: the key names the message). A refusal writes
    nothing and returns the reasons (and, for a refusal by time, the next allowed instant).
    With `defer`, a message the policy refuses only until a known instant (night hours, a
    weekly cap) is queued for that instant instead; the policy is asked again there."""
    key = idempotency_key.strip()
    if not key or len(key) > MAX_KEY:
        raise InvalidInput(f"idempotency_key must be 1 to {MAX_KEY} characters")
    if send_at is not None and (send_at.tzinfo is None or send_at.utcoffset() is None):
        raise InvalidInput(f"send_at {send_at.isoformat()} has no time zone offset")
    box = SqlOutbox(uow.session)
    existing = box.get(key)
    if existing is not None:
        return QueueResult("duplicate", key, existing.id, template_id=existing.template_id)
    prepared = render_message(
        uow,
        kind=kind,
        channel=channel,
        loan_id=loan_id,
        as_of=as_of,
        sender=sender,
        creditor=creditor,
        language=language,
        details=details,
        renderer=renderer,
    )
    borrower = prepared.borrower
    chosen = tuple(presets or presets_for_country(borrower.country))
    now = uow.now()
    at = send_at or now
    problems = conduct_problems(prepared.rendered, chosen)
    verdict = policy_verdict(
        uow,
        borrower=borrower,
        kind=kind,
        channel=channel,
        address=prepared.recipient.address,
        debt_id=prepared.loan.external_id,
        has_opt_out=prepared.rendered.has_opt_out_notice,
        presets=chosen,
        at=at,
        request_id=key,
    )
    if not verdict["allowed"] and defer and verdict["next_allowed"] and not problems:
        at = dt.datetime.fromisoformat(verdict["next_allowed"])
        verdict = policy_verdict(
            uow,
            borrower=borrower,
            kind=kind,
            channel=channel,
            address=prepared.recipient.address,
            debt_id=prepared.loan.external_id,
            has_opt_out=prepared.rendered.has_opt_out_notice,
            presets=chosen,
            at=at,
            request_id=key,
        )
    if not verdict["allowed"]:
        problems.append(f"contact policy: {verdict['reason']}")
    if problems:
        return QueueResult(
            "refused",
            key,
            reasons=tuple(problems),
            next_allowed=None if verdict["allowed"] else verdict["next_allowed"],
            verdict=verdict,
            template_id=prepared.rendered.template_id,
        )
    policy = retry or RetryPolicy()
    rendered = prepared.rendered
    message_id = box.add(
        {
            "idempotency_key": key,
            "kind": kind.value,
            "channel": channel.value,
            "language": rendered.language,
            "person_id": borrower.external_id,
            "loan_id": prepared.loan.external_id,
            "recipient": prepared.recipient.address,
            "recipient_name": prepared.recipient.party.name,
            "template_id": rendered.template_id,
            "subject": rendered.subject,
            "body_text": rendered.text,
            "body_html": rendered.html,
            "presets": list(chosen),
            "verdict": verdict,
            "state": OutboxState.QUEUED.value,
            "attempts": 0,
            "max_attempts": policy.max_attempts,
            "next_attempt_at": at,
            "created_by": actor,
            "created_at": now,
            "updated_at": now,
        }
    )
    box.add_event(
        message_id,
        "queued",
        at=now,
        actor=actor,
        detail={"send_at": at.isoformat(), "template_id": rendered.template_id},
    )
    uow.audit.record(
        actor=actor,
        action="comms:message:queued",
        subject_type="outbox_message",
        subject_id=key[:100],
        after={
            "kind": kind.value,
            "channel": channel.value,
            "loan_id": prepared.loan.external_id,
            "template_id": rendered.template_id,
            "send_at": at.isoformat(),
            "decision": verdict["decision"],
        },
    )
    return QueueResult("queued", key, message_id, verdict=verdict, template_id=rendered.template_id)


# --------------------------------------------------------------------------------- dispatch


@dataclass(slots=True)
class DispatchSummary:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    undeliverable: int = 0
    deferred: int = 0
    held: int = 0
    unknown: int = 0
    requeued: int = 0  # recovered: never handed to the channel, queued again
    recovered_sent: int = 0  # recovered: the channel had it

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


def outgoing(row: OutboxRow) -> OutgoingMessage:
    return OutgoingMessage(
        idempotency_key=row.idempotency_key,
        channel=MessageChannel(row.channel),
        recipient=row.recipient,
        recipient_name=row.recipient_name,
        language=row.language,
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
    )


def ledger_key(idempotency_key: str) -> str:
    return "outbox:" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]


def _record_sent(
    uow: SqlUnitOfWork, row: OutboxRow, *, sent_at: dt.datetime, ref: str, actor: str
) -> None:
    """The contact ledger's `message_sent` event (what the contact policy counts), the delivery
    log and the audit event; the caller commits them with the state change."""
    line = {
        "type": "message_sent",
        "id": ledger_key(row.idempotency_key),
        "ts": sent_at.isoformat(),
        "person_id": row.person_id,
        "channel": row.channel,
        "debt_ids": [row.loan_id],
        "address": row.recipient,
        "purpose": KIND_PURPOSE[MessageKind(row.kind)].value,
        "template_id": row.template_id,
    }
    model = validate_line(json.dumps(line), f"outbox:{row.id}")
    payload = model.model_dump(mode="json", exclude_none=True)
    if uow.ledger.get(payload["id"]) is None:
        uow.ledger.append(
            [
                LedgerRow(
                    event_key=payload["id"],
                    type="message_sent",
                    person_id=row.person_id,
                    occurred_at=sent_at,
                    debt_ids=[row.loan_id],
                    payload=payload,
                    source="system",
                    recorded_by=actor,
                    recorded_at=uow.now(),
                )
            ]
        )
    SqlOutbox(uow.session).add_event(
        row.id, "sent", at=uow.now(), actor=actor, detail={"provider_ref": ref}
    )
    uow.audit.record(
        actor=actor,
        action="comms:message:sent",
        subject_type="outbox_message",
        subject_id=row.idempotency_key[:100],
        after={"provider_ref": ref, "sent_at": sent_at.isoformat(), "channel": row.channel},
    )


def _failure(
    uow: SqlUnitOfWork,
    row: OutboxRow,
    holder: str,
    *,
    error: str,
    permanent: bool,
    retry: RetryPolicy,
    draw: Callable[[], float],
    actor: str,
) -> OutboxState:
    """A failed attempt: retry later with backoff, or undeliverable (permanent, or spent)."""
    now = uow.now()
    attempt = max(row.attempts, 1)
    state, when = retry.after_failure(attempt, now, draw())
    if permanent or attempt >= row.max_attempts:
        state, when = OutboxState.UNDELIVERABLE, None
    box = SqlOutbox(uow.session)
    if not box.change(
        row.id,
        holder=holder,
        state=state.value,
        claim_id=None,
        claimed_at=None,
        started_at=None,
        next_attempt_at=when or now,
        last_error=error[:2000],
        updated_at=now,
    ):
        return OutboxState.SENDING  # the claim was taken over meanwhile: not ours to change
    box.finish_attempt(row.id, holder, outcome=state.value, at=now, error=error[:2000])
    detail: dict[str, Any] = {"error": error[:500], "attempt": attempt}
    if when is not None:
        detail["retry_at"] = when.isoformat()
    box.add_event(row.id, state.value, at=now, actor=actor, detail=detail)
    uow.audit.record(
        actor=actor,
        action=f"comms:message:{state.value}",
        subject_type="outbox_message",
        subject_id=row.idempotency_key[:100],
        after=detail,
    )
    return state


def _mark_sent(
    uow: SqlUnitOfWork,
    row: OutboxRow,
    holder: str,
    *,
    ref: str,
    sent_at: dt.datetime,
    actor: str,
) -> bool:
    now = uow.now()
    box = SqlOutbox(uow.session)
    if not box.change(
        row.id,
        holder=holder,
        state=OutboxState.SENT.value,
        claim_id=None,
        sent_at=sent_at,
        provider_ref=ref[:500],
        last_error=None,
        updated_at=now,
    ):
        return False
    box.finish_attempt(row.id, holder, outcome="sent", at=now)
    _record_sent(uow, row, sent_at=sent_at, ref=ref, actor=actor)
    return True


def _start(
    uow: SqlUnitOfWork, row: OutboxRow, holder: str, *, actor: str
) -> tuple[str, str | None]:
    """Re-check the policy at the send instant; commit `started_at` if allowed.

    Returns ("start", None), ("deferred", next instant), ("held", reason) or ("lost", None)."""
    now = uow.now()
    box = SqlOutbox(uow.session)
    # the guarded write comes first: it proves the claim and takes SQLite's write lock
    if not box.change(row.id, holder=holder, updated_at=now):
        return "lost", None
    try:
        borrower = uow.borrowers.get(row.person_id)
        verdict = policy_verdict(
            uow,
            borrower=borrower,
            kind=MessageKind(row.kind),
            channel=MessageChannel(row.channel),
            address=row.recipient,
            debt_id=row.loan_id,
            has_opt_out=mentions_opt_out(
                f"{row.subject or ''}\n{row.body_text}", Language(row.language)
            ),
            presets=row.presets,
            at=now,
            request_id=row.idempotency_key,
        )
    except DomainError as error:  # the borrower's data no longer checks: a person must look
        verdict = {
            "allowed": False,
            "next_allowed": None,
            "rules": [error.code],
            "reason": f"cannot check the contact policy: {error.message}",
        }
    if verdict["allowed"]:
        box.change(row.id, holder=holder, started_at=now, attempts=row.attempts + 1)
        return "start", None
    following = verdict["next_allowed"]
    state = OutboxState.QUEUED if following else OutboxState.HELD
    box.change(
        row.id,
        holder=holder,
        state=state.value,
        claim_id=None,
        claimed_at=None,
        next_attempt_at=dt.datetime.fromisoformat(following) if following else now,
        last_error=verdict["reason"][:2000],
        updated_at=now,
    )
    kind = "deferred" if following else "held"
    box.finish_attempt(row.id, holder, outcome="deferred", at=now, error=verdict["reason"][:2000])
    box.add_event(
        row.id,
        kind,
        at=now,
        actor=actor,
        detail={"rules": verdict["rules"], "next_allowed": following},
    )
    uow.audit.record(
        actor=actor,
        action=f"comms:message:{kind}",
        subject_type="outbox_message",
        subject_id=row.idempotency_key[:100],
        after={"rules": verdict["rules"], "reason": verdict["reason"]},
    )
    return kind, following or verdict["reason"]


def _recover(
    uow_factory: Callable[[], SqlUnitOfWork],
    adapters: Mapping[MessageChannel, ChannelAdapter],
    summary: DispatchSummary,
    *,
    lease: dt.timedelta,
    retry: RetryPolicy,
    draw: Callable[[], float],
    actor: str,
    limit: int,
) -> None:
    with uow_factory() as uow:
        stale = SqlOutbox(uow.session).stale(claimed_before=uow.now() - lease, limit=limit)
    for row in stale:
        if row.claim_id is None:  # a sending row is always claimed (a check constraint)
            continue
        adapter = adapters[MessageChannel(row.channel)]
        started = row.started_at is not None
        answer = adapter.was_sent(row.idempotency_key) if started else False
        state = after_crash(started=started, was_sent=answer)
        with uow_factory() as uow:
            now = uow.now()
            box = SqlOutbox(uow.session)
            if state is OutboxState.SENT:
                ref = f"recovered: the {row.channel} channel has it"
                if not _mark_sent(
                    uow, row, row.claim_id, ref=ref, sent_at=row.started_at or now, actor=actor
                ):
                    continue
                summary.recovered_sent += 1
            elif state is OutboxState.FAILED:
                _failure(
                    uow,
                    row,
                    row.claim_id,
                    error="the dispatcher stopped during the send; the channel has no copy",
                    permanent=False,
                    retry=retry,
                    draw=draw,
                    actor=actor,
                )
                summary.failed += 1
            else:
                kind = "requeued" if state is OutboxState.QUEUED else "unknown"
                if not box.change(
                    row.id,
                    holder=row.claim_id,
                    state=state.value,
                    claim_id=None,
                    claimed_at=None,
                    started_at=None if state is OutboxState.QUEUED else row.started_at,
                    updated_at=now,
                ):
                    continue
                outcome = "abandoned" if state is OutboxState.QUEUED else "unknown"
                box.finish_attempt(row.id, row.claim_id, outcome=outcome, at=now)
                box.add_event(
                    row.id,
                    kind,
                    at=now,
                    actor=actor,
                    detail={"claimed_at": row.claimed_at.isoformat() if row.claimed_at else None},
                )
                uow.audit.record(
                    actor=actor,
                    action=f"comms:message:{kind}",
                    subject_type="outbox_message",
                    subject_id=row.idempotency_key[:100],
                    after={"started_at": None if row.started_at is None else str(row.started_at)},
                )
                if state is OutboxState.QUEUED:
                    summary.requeued += 1
                else:
                    summary.unknown += 1
            uow.commit()


def dispatch_due(
    uow_factory: Callable[[], SqlUnitOfWork],
    adapters: Mapping[MessageChannel, ChannelAdapter],
    *,
    actor: str = "dispatcher",
    limit: int = 100,
    lease: dt.timedelta = DEFAULT_LEASE,
    retry: RetryPolicy | None = None,
    draw: Callable[[], float] = _draw,
) -> DispatchSummary:
    """Recover, claim and send due messages (see the module docstring); a summary of what
    happened. Safe to run from several processes at once."""
    policy = retry or RetryPolicy()
    summary = DispatchSummary()
    _recover(
        uow_factory,
        adapters,
        summary,
        lease=lease,
        retry=policy,
        draw=draw,
        actor=actor,
        limit=limit,
    )
    holder = str(uuid.uuid4())
    with uow_factory() as uow:
        now = uow.now()
        box = SqlOutbox(uow.session)
        rows = box.claim_due(
            claim_id=holder, now=now, limit=limit, states=[s.value for s in DUE_STATES]
        )
        for row in rows:
            box.add_attempt(row.id, holder, now)
        uow.commit()
    summary.claimed = len(rows)
    for row in rows:
        _crash_point("before_send")
        with uow_factory() as uow:
            decision, _ = _start(uow, row, holder, actor=actor)
            uow.commit()
        if decision != "start":
            if decision == "deferred":
                summary.deferred += 1
            elif decision == "held":
                summary.held += 1
            continue
        adapter = adapters[MessageChannel(row.channel)]
        current = _with_attempt(row)
        try:
            receipt = adapter.send(outgoing(current))
        except (PermanentFailure, TransientFailure) as error:
            with uow_factory() as uow:
                state = _failure(
                    uow,
                    current,
                    holder,
                    error=str(error),
                    permanent=isinstance(error, PermanentFailure),
                    retry=policy,
                    draw=draw,
                    actor=actor,
                )
                uow.commit()
            if state is OutboxState.UNDELIVERABLE:
                summary.undeliverable += 1
            else:
                summary.failed += 1
            continue
        _crash_point("after_send")
        with uow_factory() as uow:
            if _mark_sent(
                uow, current, holder, ref=receipt.provider_ref, sent_at=uow.now(), actor=actor
            ):
                summary.sent += 1
            uow.commit()
    return summary


def _with_attempt(row: OutboxRow) -> OutboxRow:
    """The row as `_start` left it: one more attempt made."""
    values = {name: getattr(row, name) for name in OutboxRow.__dataclass_fields__}
    values["attempts"] = row.attempts + 1
    return OutboxRow(**values)


def resolve_unknown(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    idempotency_key: str,
    sent: bool,
    actor: str,
    note: str,
) -> OutboxState:
    """A person settles an `unknown` message: it was sent (recorded as sent, with its ledger
    event) or it was not (queued again). Anything but `unknown` is refused."""
    if not note.strip():
        raise InvalidInput("say how you know (a note is required)")
    with uow_factory() as uow:
        box = SqlOutbox(uow.session)
        row = box.get(idempotency_key)
        if row is None:
            raise NotFound(f"no outbox message {idempotency_key!r}")
        if row.state != OutboxState.UNKNOWN.value:
            raise Conflict(f"message {idempotency_key!r} is {row.state}, not unknown")
        now = uow.now()
        state = OutboxState.SENT if sent else OutboxState.QUEUED
        box.change(
            row.id,
            holder=None,
            state=state.value,
            sent_at=(row.started_at or now) if sent else None,
            next_attempt_at=now,
            started_at=row.started_at if sent else None,
            updated_at=now,
        )
        box.add_event(row.id, "resolved", at=now, actor=actor, detail={"sent": sent, "note": note})
        if sent:
            _record_sent(
                uow, row, sent_at=row.started_at or now, ref="resolved by hand", actor=actor
            )
        else:
            uow.audit.record(
                actor=actor,
                action="comms:message:resolved",
                subject_type="outbox_message",
                subject_id=row.idempotency_key[:100],
                after={"sent": False, "note": note},
            )
        uow.commit()
    return state


def requeue_held(
    uow_factory: Callable[[], SqlUnitOfWork], *, idempotency_key: str, actor: str, note: str
) -> None:
    """Queue a `held` message again (its hold ended); the policy is asked again when it is
    dispatched, so a hold that still applies holds it again."""
    if not note.strip():
        raise InvalidInput("say why the hold no longer applies (a note is required)")
    with uow_factory() as uow:
        box = SqlOutbox(uow.session)
        row = box.get(idempotency_key)
        if row is None:
            raise NotFound(f"no outbox message {idempotency_key!r}")
        if row.state != OutboxState.HELD.value:
            raise Conflict(f"message {idempotency_key!r} is {row.state}, not held")
        now = uow.now()
        box.change(row.id, holder=None, state="queued", next_attempt_at=now, updated_at=now)
        box.add_event(row.id, "requeued", at=now, actor=actor, detail={"note": note})
        uow.audit.record(
            actor=actor,
            action="comms:message:requeued",
            subject_type="outbox_message",
            subject_id=row.idempotency_key[:100],
            after={"note": note},
        )
        uow.commit()


def outbox_counts(uow_factory: Callable[[], SqlUnitOfWork]) -> dict[str, int]:
    with uow_factory() as uow:
        return SqlOutbox(uow.session).counts()


def outbox_message(uow_factory: Callable[[], SqlUnitOfWork], idempotency_key: str) -> OutboxRow:
    with uow_factory() as uow:
        row = SqlOutbox(uow.session).get(idempotency_key)
    if row is None:
        raise NotFound(f"no outbox message {idempotency_key!r}")
    return row


__all__ = [
    "CRASH_ENV",
    "DispatchSummary",
    "Prepared",
    "QueueResult",
    "Recipient",
    "conduct_problems",
    "dispatch_due",
    "facts_for",
    "ledger_key",
    "outbox_counts",
    "outbox_message",
    "outgoing",
    "person_line",
    "policy_verdict",
    "queue_message",
    "recipient_for",
    "render_message",
    "requeue_held",
    "resolve_unknown",
    "sender_from",
    "us_federal_calendar",
]
