"""The outbox on SQLite and PostgreSQL: queue checked messages, send them after the commit,
retry with backoff, stop at the contact policy, and never send twice, even when the dispatcher
is killed between a send and its status write (the crash test runs it in a subprocess)."""

from __future__ import annotations

import datetime as dt
import email
import json
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from arrears.adapters.channels import FileDropAdapter, SmtpAdapter
from arrears.adapters.channels.smtp import message_id
from arrears.adapters.pdf import missing_system_libraries, render_pdf
from arrears.adapters.render import TEMPLATE_DIR, Renderer
from arrears.adapters.store import outbox_tables as o
from arrears.adapters.store import tables as t
from arrears.adapters.store.db import session_factory
from arrears.adapters.store.outbox import SqlOutbox
from arrears.adapters.store.uow import SqlUnitOfWork
from arrears.domain.comms import MessageChannel, MessageKind, RetryPolicy, Sender
from arrears.domain.model import Address, Borrower, Installment, Loan, Payment, Phone, PhoneKind
from arrears.domain.money import Money
from arrears.entrypoints.cli import app
from arrears.services.comms import (
    CRASH_ENV,
    dispatch_due,
    ledger_key,
    outbox_message,
    queue_message,
    requeue_held,
    resolve_unknown,
)
from arrears.services.ledger import record_events
from arrears.services.policy_check import phone_zones

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sqlalchemy import Engine

pytestmark = pytest.mark.integration

NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)  # 10:00 in New York, a Monday
AS_OF = NOW.date()
SENDER = Sender(
    "Norte Collections",
    ("1 Main Street", "Springfield, IL 62701"),
    "+1 800 555 0100",
    "collections@norte.example",
    agent_id="A-0001",
)
NO_JITTER = RetryPolicy(jitter=0.0, max_attempts=2)


# ------------------------------------------------------------------------------ fixtures


@dataclass
class Clock:
    now: dt.datetime = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Mailbox:
    """An aiosmtpd handler: keeps what it accepts, refuses nobody@… with a 550."""

    messages: list[email.message.Message] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 accepted"

    def keys(self) -> list[str]:
        return [str(m["X-Arrears-Key"]) for m in self.messages]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def uows(engine: Engine, clock: Clock) -> Callable[[], SqlUnitOfWork]:
    sessions = session_factory(engine)
    return lambda: SqlUnitOfWork(sessions, clock=clock)


def _usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def add_book(
    uows: Callable[[], SqlUnitOfWork],
    borrower_id: str = "B-1",
    *,
    phone: str = "+12125550100",
    zone: str = "America/New_York",
    mail: str = "mary@example.com",
) -> str:
    """A New York borrower with one USD loan, installment 2 (15 Feb) unpaid on 2 March."""
    loan_id = f"L-{borrower_id}"
    with uows() as uow:
        uow.borrowers.add(
            Borrower(
                borrower_id,
                "Mary Jones",
                "en-US",
                "US",
                phones=(Phone(PhoneKind.MOBILE, phone, "US", ()),),
                emails=(mail,),
                addresses=(Address("12 Elm St", "Albany", "12207", "NY", "US", zone),),
            )
        )
        uow.loans.add(
            Loan(
                loan_id,
                borrower_id,
                "USD",
                tuple(
                    Installment(n, dt.date(2026, n, 15), _usd("100"), _usd("10"), _usd("0"))
                    for n in (1, 2, 3, 4)
                ),
                payments=(Payment(f"P-{borrower_id}", dt.date(2026, 1, 15), _usd("110")),),
                principal=_usd("400"),
                disbursed_on=dt.date(2025, 12, 15),
            )
        )
        uow.commit()
    return loan_id


def queue(
    uows: Callable[[], SqlUnitOfWork],
    key: str,
    channel: MessageChannel,
    loan_id: str = "L-B-1",
    kind: MessageKind = MessageKind.REMINDER,
    **options: Any,
) -> Any:
    with uows() as uow:
        result = queue_message(
            uow,
            kind=kind,
            channel=channel,
            loan_id=loan_id,
            as_of=AS_OF,
            idempotency_key=key,
            actor="test",
            sender=SENDER,
            creditor="Bank One",
            presets=("us-regf",),
            **options,
        )
        uow.commit()
    return result


def adapters(drop: Path, port: int, clock: Callable[[], dt.datetime]) -> dict[MessageChannel, Any]:
    return {
        MessageChannel.EMAIL: SmtpAdapter(
            host="127.0.0.1",
            port=port,
            sender=SENDER.email,
            sender_name=SENDER.name,
            clock=clock,
            timeout=5,
        ),
        MessageChannel.SMS: FileDropAdapter(drop, MessageChannel.SMS),
        MessageChannel.LETTER: FileDropAdapter(drop, MessageChannel.LETTER, pdf=render_pdf),
    }


def ledger_types(uows: Callable[[], SqlUnitOfWork], person: str = "B-1") -> list[str]:
    with uows() as uow:
        return [row.event_key for row in uow.ledger.current(person) if row.type == "message_sent"]


def log(uows: Callable[[], SqlUnitOfWork], key: str) -> list[str]:
    row = outbox_message(uows, key)
    with uows() as uow:
        return [kind for kind, _, _ in SqlOutbox(uow.session).events(row.id)]


# --------------------------------------------------------------------------------- tests


def test_queued_messages_are_sent_once_and_recorded(
    uows: Callable[[], SqlUnitOfWork], clock: Clock, smtp: tuple[Mailbox, int], tmp_path: Path
) -> None:
    mailbox, port = smtp
    add_book(uows)
    channels = [MessageChannel.EMAIL, MessageChannel.SMS]
    if missing_system_libraries() is None:
        channels.append(MessageChannel.LETTER)
    for channel in channels:
        assert queue(uows, f"rem-{channel}", channel).status == "queued"
    again = queue(uows, "rem-email", MessageChannel.EMAIL)
    assert again.status == "duplicate"
    with uows() as uow:
        assert uow.session.scalar(select(func.count()).select_from(o.outbox_messages)) == len(
            channels
        )
    ports = adapters(tmp_path, port, clock)
    summary = dispatch_due(uows, ports, retry=NO_JITTER)
    assert summary.sent == len(channels)
    assert dispatch_due(uows, ports).claimed == 0  # nothing twice

    assert mailbox.keys() == ["rem-email"]
    sent = mailbox.messages[0]
    assert sent["Message-ID"] == message_id("rem-email", "norte.example")
    assert sent["Subject"] == "Your account L-B-1 is overdue"
    assert "$110.00" in sent.get_payload()
    sms = json.loads(ports[MessageChannel.SMS].path_for("rem-sms").read_text(encoding="utf-8"))
    assert sms["to"] == "+12125550100"
    assert "15 days overdue" in sms["text"]
    if MessageChannel.LETTER in channels:
        assert ports[MessageChannel.LETTER].path_for("rem-letter").read_bytes()[:5] == b"%PDF-"
    assert sorted(ledger_types(uows)) == sorted(ledger_key(f"rem-{c}") for c in channels)
    row = outbox_message(uows, "rem-email")
    assert (row.state, row.attempts, row.sent_at) == ("sent", 1, NOW)
    assert log(uows, "rem-email") == ["queued", "sent"]
    with uows() as uow:
        actions = uow.session.scalars(
            select(t.audit_events.c.action).where(t.audit_events.c.subject_id == "rem-email")
        ).all()
        assert sorted(actions) == ["comms:message:queued", "comms:message:sent"]
        with pytest.raises(DBAPIError, match="append-only"):  # the delivery log is kept
            uow.session.execute(delete(o.outbox_events))


def test_a_message_the_policy_or_the_linter_refuses_is_not_queued(
    uows: Callable[[], SqlUnitOfWork], tmp_path: Path
) -> None:
    add_book(uows)
    night = dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC)  # 02:00 in New York
    refused = queue(uows, "night", MessageChannel.SMS, send_at=night)
    assert refused.status == "refused"
    assert any("US-TIME" in reason for reason in refused.reasons)
    assert refused.next_allowed.startswith("2026-03-03T13:00:00")  # 08:00 in New York

    deferred = queue(uows, "night-deferred", MessageChannel.SMS, send_at=night, defer=True)
    assert deferred.queued
    assert outbox_message(uows, "night-deferred").next_attempt_at == dt.datetime(
        2026, 3, 3, 13, 0, 0, 1, tzinfo=dt.UTC
    )

    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATE_DIR, folder)
    path = folder / "en" / "reminder.sms.txt"
    text = path.read_text(encoding="utf-8").replace(" {{ c.miranda() }}", "")
    path.write_text(text + "If you do not pay we will tell your employer about this debt.\n")
    blocked = queue(uows, "bad", MessageChannel.SMS, renderer=Renderer(folder))
    assert blocked.status == "refused"
    assert any(r.startswith("conduct ") for r in blocked.reasons), blocked.reasons
    assert any(r.startswith("disclosure mini_miranda missing") for r in blocked.reasons)
    with uows() as uow:
        assert SqlOutbox(uow.session).counts() == {"queued": 1}  # only the deferred one


def test_dispatch_checks_the_policy_again_at_the_send_instant(
    uows: Callable[[], SqlUnitOfWork], clock: Clock, smtp: tuple[Mailbox, int], tmp_path: Path
) -> None:
    mailbox, port = smtp
    add_book(uows)
    add_book(uows, "B-2", mail="bob@example.com")
    assert queue(uows, "late", MessageChannel.EMAIL).queued
    assert queue(uows, "ceased", MessageChannel.EMAIL, loan_id="L-B-2").queued
    record_events(
        uows,
        lines=[
            json.dumps(
                {
                    "type": "designation",
                    "person_id": "B-2",
                    "kind": "cease_communication",
                    "received_ts": "2026-03-02T15:30:00Z",
                    "in_writing": True,
                }
            )
        ],
        actor="test",
    )
    clock.now = dt.datetime(2026, 3, 3, 3, 0, tzinfo=dt.UTC)  # 22:00 in New York
    summary = dispatch_due(uows, adapters(tmp_path, port, clock))
    assert (summary.deferred, summary.held, summary.sent) == (1, 1, 0)
    assert mailbox.messages == []
    late = outbox_message(uows, "late")
    assert late.state == "queued"
    assert late.next_attempt_at == dt.datetime(2026, 3, 3, 13, 0, 0, 1, tzinfo=dt.UTC)
    assert outbox_message(uows, "ceased").state == "held"
    assert log(uows, "ceased") == ["queued", "held"]
    clock.now = dt.datetime(2026, 3, 3, 14, 0, tzinfo=dt.UTC)
    assert dispatch_due(uows, adapters(tmp_path, port, clock)).sent == 1
    assert mailbox.keys() == ["late"]
    assert ledger_types(uows, "B-2") == []
    # the hold still applies: requeued, it is held again and never sent
    requeue_held(uows, idempotency_key="ceased", actor="t", note="customer called")
    again = dispatch_due(uows, adapters(tmp_path, port, clock))
    assert (again.held, again.sent) == (1, 0)
    assert log(uows, "ceased") == ["queued", "held", "requeued", "held"]


def test_failures_are_retried_with_backoff_then_undeliverable(
    uows: Callable[[], SqlUnitOfWork], clock: Clock, smtp: tuple[Mailbox, int], tmp_path: Path
) -> None:
    mailbox, port = smtp
    add_book(uows)
    add_book(uows, "B-3", mail="nobody@example.com")
    assert queue(uows, "retry", MessageChannel.EMAIL, retry=NO_JITTER).queued
    assert queue(uows, "bounce", MessageChannel.EMAIL, loan_id="L-B-3").queued
    closed = adapters(tmp_path, _free_port(), clock)
    first = dispatch_due(uows, closed, retry=NO_JITTER)
    assert (first.failed, first.undeliverable) == (2, 0)
    row = outbox_message(uows, "retry")
    assert (row.state, row.attempts) == ("failed", 1)
    assert row.next_attempt_at == NOW + dt.timedelta(minutes=1)
    assert "127.0.0.1" in (row.last_error or "")
    assert dispatch_due(uows, closed, retry=NO_JITTER).claimed == 0  # not due yet
    clock.now = NOW + dt.timedelta(minutes=1)
    working = adapters(tmp_path, port, clock)
    second = dispatch_due(uows, working, retry=NO_JITTER)
    assert (second.sent, second.undeliverable) == (1, 1)  # 550: undeliverable at once
    assert mailbox.keys() == ["retry"]
    assert log(uows, "bounce") == ["queued", "failed", "undeliverable"]
    assert "550" in (outbox_message(uows, "bounce").last_error or "")
    assert ledger_types(uows, "B-3") == []  # never sent: nothing for the policy to count

    assert queue(uows, "spent", MessageChannel.EMAIL, retry=NO_JITTER).queued
    for _ in range(2):
        dispatch_due(uows, closed, retry=NO_JITTER)
        clock.now += dt.timedelta(hours=1)
    assert outbox_message(uows, "spent").state == "undeliverable"
    assert log(uows, "spent") == ["queued", "failed", "undeliverable"]


def test_dispatchers_take_disjoint_messages_and_only_committed_ones(
    database_url: str,
    uows: Callable[[], SqlUnitOfWork],
    clock: Clock,
    smtp: tuple[Mailbox, int],
    tmp_path: Path,
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer: a second claim waits for the first to commit")
    _, port = smtp
    add_book(uows)
    with uows() as uow:  # queued but not committed yet: no dispatcher can see it
        queue_message(
            uow,
            kind=MessageKind.REMINDER,
            channel=MessageChannel.SMS,
            loan_id="L-B-1",
            as_of=AS_OF,
            idempotency_key="open",
            actor="test",
            sender=SENDER,
            creditor="Bank One",
        )
        assert dispatch_due(uows, adapters(tmp_path, port, clock)).claimed == 0
        uow.commit()
    for n in range(4):
        assert queue(uows, f"d{n}", MessageChannel.SMS).queued
    with uows() as first, uows() as second:  # two dispatchers claiming at the same time
        mine = SqlOutbox(first.session).claim_due(claim_id="A", now=NOW, limit=3, states=["queued"])
        theirs = SqlOutbox(second.session).claim_due(
            claim_id="B", now=NOW, limit=10, states=["queued"]
        )
        ids_a, ids_b = {r.id for r in mine}, {r.id for r in theirs}
        assert len(ids_a) == 3
        assert ids_a.isdisjoint(ids_b)
        assert len(ids_a | ids_b) == 5


def test_the_commands(database_url: str, uows: Callable[[], SqlUnitOfWork], tmp_path: Path) -> None:
    add_book(uows)
    base = ["--database-url", database_url]
    runner = CliRunner()
    shown = runner.invoke(
        app,
        [*base, "comms", "render", "reminder", "--channel", "sms", "--loan", "L-B-1",
         "--as-of", "2026-03-02", "--lang", "es"],
    )  # fmt: skip
    assert shown.exit_code == 0, shown.output
    assert "es/reminder.sms@" in shown.output
    assert "lleva 15 días de retraso" in shown.output
    queue_args = [*base, "outbox", "queue", "reminder", "--channel", "email", "--loan", "L-B-1",
                  "--as-of", "2026-03-02", "--key", "cli-1", "--preset", "us-regf"]  # fmt: skip
    night = runner.invoke(app, [*queue_args, "--send-at", "2026-03-03T07:00:00Z"])
    assert night.exit_code == 1
    assert "US-TIME" in night.output
    queued = runner.invoke(app, [*queue_args, "--send-at", "2026-03-02T15:00:00Z"])
    assert queued.exit_code == 0, queued.output
    assert queued.output.startswith("queued: cli-1")
    status = runner.invoke(app, [*base, "outbox", "status", "cli-1"])
    assert json.loads(status.output)["state"] == "queued"
    counts = runner.invoke(app, [*base, "outbox", "status"])
    assert json.loads(counts.output)["queued"] == 1
    missing = runner.invoke(app, [*base, "outbox", "resolve", "cli-1", "--sent", "--note", "x"])
    assert missing.exit_code == 2  # only an unknown message can be resolved
    if missing_system_libraries() is None:
        pdf = tmp_path / "notice.pdf"
        letter = runner.invoke(
            app,
            [*base, "comms", "render", "validation_notice", "--channel", "letter", "--loan",
             "L-B-1", "--as-of", "2026-03-02", "--out", str(pdf)],
        )  # fmt: skip
        assert letter.exit_code == 0, letter.output
        assert pdf.read_bytes()[:5] == b"%PDF-"


# ------------------------------------------------------------------- the crash test

DAYTIME = [  # numbers whose zones cover the clock: one of them is in office hours now
    ("+81312345678", "Asia/Tokyo"),
    ("+61291234567", "Australia/Sydney"),
    ("+919876543210", "Asia/Calcutta"),
    ("+34612345678", "Europe/Madrid"),
    ("+5511987654321", "America/Sao_Paulo"),
    ("+12125550123", "America/New_York"),
    ("+13105550123", "America/Los_Angeles"),
]


def _daytime_point(now: dt.datetime) -> tuple[str, str]:
    """A phone number and home zone where it is office hours now (the dispatcher in the
    subprocess reads the real clock, and the contact policy checks the local time)."""
    for number, zone in DAYTIME:
        zones = (*phone_zones(number), zone)
        if all(10 <= now.astimezone(ZoneInfo(z)).hour < 17 for z in zones):
            return number, zone
    pytest.fail(f"no candidate zone is in office hours at {now}")  # pragma: no cover


def _postgres_answers() -> bool:
    import psycopg  # noqa: PLC0415 - only here
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    url = os.environ.get(
        "ARREARS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    target = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        psycopg.connect(target, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def _dispatch_process(env: dict[str, str], crash: str, limit: int) -> int:
    arrears = Path(sys.executable).with_name("arrears")
    command = [str(arrears), "outbox", "dispatch", "--limit", str(limit), "--lease-seconds", "0"]
    done = subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        command, env={**env, CRASH_ENV: crash}, capture_output=True, text=True, check=False
    )
    return done.returncode


def test_a_crash_between_send_and_status_write_never_sends_twice(
    engine: Engine, database_url: str, smtp: tuple[Mailbox, int], tmp_path: Path
) -> None:
    if database_url.startswith("sqlite") and _postgres_answers():
        pytest.skip("the crash test starts three processes: it runs once, on PostgreSQL")
    mailbox, port = smtp
    sessions = session_factory(engine)
    real = lambda: SqlUnitOfWork(sessions)  # noqa: E731 - the subprocess uses the real clock too
    now = dt.datetime.now(dt.UTC)
    number, zone = _daytime_point(now)
    add_book(real, phone=number, zone=zone)
    for offset, key, channel in (
        (4, "E1", MessageChannel.EMAIL),
        (3, "S1", MessageChannel.SMS),
        (2, "E2", MessageChannel.EMAIL),
        (1, "S2", MessageChannel.SMS),
    ):
        at = now - dt.timedelta(minutes=offset)
        assert queue(real, key, channel, send_at=at).queued, key
    drop = tmp_path / "drop"
    env = {
        **os.environ,
        "ARREARS_DATABASE_URL": database_url,
        "ARREARS_SMTP_HOST": "127.0.0.1",
        "ARREARS_SMTP_PORT": str(port),
        "ARREARS_OUTBOX_DROP_DIR": str(drop),
        "ARREARS_SENDER_EMAIL": SENDER.email,
    }
    sms = FileDropAdapter(drop, MessageChannel.SMS)

    # 1. killed right after SMTP accepted E1, before the status write
    assert _dispatch_process(env, "after_send", limit=1) == 137
    assert mailbox.keys() == ["E1"]
    assert outbox_message(real, "E1").state == "sending"
    # 2. recovery: SMTP cannot say whether it has E1, so E1 waits for a person (unknown);
    #    then killed right after the SMS file S1 was written
    assert _dispatch_process(env, "after_send", limit=1) == 137
    assert outbox_message(real, "E1").state == "unknown"
    assert sms.was_sent("S1")
    # 3. recovery: the file drop has S1, so it is recorded as sent; then E2 and S2 are
    #    claimed and the process is killed before anything is handed to a channel
    assert _dispatch_process(env, "before_send", limit=2) == 137
    assert outbox_message(real, "S1").state == "sent"
    assert (outbox_message(real, "E2").state, outbox_message(real, "S2").state) == (
        "sending",
        "sending",
    )
    # 4. a clean run: E2 and S2 were never started, so they are queued again and sent
    summary = dispatch_due(real, adapters(drop, port, dt.datetime.now), lease=dt.timedelta(0))
    assert (summary.requeued, summary.sent) == (2, 2)
    assert (
        dispatch_due(real, adapters(drop, port, dt.datetime.now), lease=dt.timedelta(0)).claimed
        == 0
    )

    assert sorted(mailbox.keys()) == ["E1", "E2"]  # exactly one message per key
    files = sorted(p.name for p in (drop / "sms").iterdir())
    assert files == sorted([sms.path_for("S1").name, sms.path_for("S2").name])  # no temp files
    states = {k: outbox_message(real, k).state for k in ("E1", "S1", "E2", "S2")}
    assert states == {"E1": "unknown", "S1": "sent", "E2": "sent", "S2": "sent"}
    assert sorted(ledger_types(real)) == sorted(ledger_key(k) for k in ("S1", "E2", "S2"))
    with real() as uow:
        claims = SqlOutbox(uow.session).attempts(outbox_message(real, "E2").id)
    assert [outcome for _, outcome, _ in claims] == ["abandoned", "sent"]

    # a person checks the mail server's log and settles E1: sent, and now in the ledger
    settled = resolve_unknown(real, idempotency_key="E1", sent=True, actor="t", note="in MTA log")
    assert settled == "sent"
    assert ledger_key("E1") in ledger_types(real)
    assert sorted(mailbox.keys()) == ["E1", "E2"]
