"""The audit log: append-only in the database, chained, verified, tampering detected by the
service and by `arrears audit verify`."""

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from api_support import PASSWORD, fast_password_hashing
from arrears.adapters.store.db import make_engine, session_factory
from arrears.adapters.store.migrate import upgrade
from arrears.adapters.store.security_store import SecurityStore
from arrears.adapters.store.uow import SqlUnitOfWork
from arrears.domain.security import GENESIS_HASH, Role
from arrears.entrypoints.cli import app as cli
from arrears.services.security import audit_append, verify_audit_chain

pytestmark = pytest.mark.integration


def append(uow_factory, n, start=1):
    with uow_factory() as uow:
        for i in range(start, start + n):
            audit_append(
                uow,
                actor="ana",
                role=Role.TEAM_LEAD,
                action="loan:payment:recorded",
                entity="payment",
                entity_id=f"P-{i}",
                after={"amount": f"{i}.00", "note": "añadido 已付"},
                request_id=f"req-{i}",
            )
        uow.commit()


def test_records_chain_from_genesis_and_verify_on_both_databases(uow_factory, engine):
    append(uow_factory, 3)
    append(uow_factory, 2, start=4)
    with engine.connect() as connection:
        rows = list(SecurityStore(connection).audit_rows())
    assert [record.seq for record, _, _ in rows] == [1, 2, 3, 4, 5]
    assert rows[0][1] == GENESIS_HASH
    assert all(rows[i][1] == rows[i - 1][2] for i in range(1, 5))
    assert rows[0][0].after == {"amount": "1.00", "note": "añadido 已付"}
    report = verify_audit_chain(uow_factory)
    assert report.intact
    assert report.records == 5


def test_rollback_append_only_triggers_and_no_second_successor(uow_factory, engine):
    with uow_factory() as uow:  # a rolled-back transaction leaves no record
        audit_append(uow, actor="ana", role=None, action="a:b:c", entity="x", entity_id="1")
        uow.rollback()
    assert verify_audit_chain(uow_factory).records == 0
    append(uow_factory, 2)
    for statement in (
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 2",
    ):
        with engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(statement))
    with engine.connect() as connection, pytest.raises(DBAPIError):  # prev_hash is unique
        connection.execute(
            text(
                "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, prev_hash, "
                "hash) VALUES (3, CURRENT_TIMESTAMP, 'x', 'a:b:c', 'x', '1', :prev, :hash)"
            ),
            {"prev": GENESIS_HASH, "hash": "f" * 64},
        )
    report = verify_audit_chain(uow_factory)
    assert report.intact
    assert report.records == 2


def test_tampering_is_detected_by_the_service_and_the_cli(tmp_path):
    """The guard trigger is dropped on purpose, on a SQLite file (as an attacker with file
    access could); the chain still names the altered record."""
    database_url = f"sqlite:///{tmp_path / 'tampered.db'}"
    upgrade(database_url)
    engine = make_engine(database_url)
    sessions = session_factory(engine)

    def uow_factory():
        return SqlUnitOfWork(sessions)

    append(uow_factory, 4)
    runner = CliRunner()
    intact = runner.invoke(cli, ["--database-url", database_url, "audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "4 records" in intact.output
    with engine.begin() as connection:
        connection.execute(text("DROP TRIGGER audit_log_no_update"))
        connection.execute(
            text("UPDATE audit_log SET after = json_set(after, '$.amount', '300.00') WHERE seq = 3")
        )
    report = verify_audit_chain(uow_factory)
    assert report.broken is not None
    assert report.broken.seq == 3
    broken = runner.invoke(cli, ["--database-url", database_url, "audit", "verify"])
    assert broken.exit_code == 1
    assert "seq 3" in broken.output
    engine.dispose()


def test_user_and_token_commands(database_url, monkeypatch):
    fast_password_hashing(monkeypatch)
    runner = CliRunner()
    base = ["--database-url", database_url]
    added = runner.invoke(
        cli,
        [
            *base,
            "users",
            "add",
            "carla",
            "--role",
            "collector",
            "--team",
            "north",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    duplicate = runner.invoke(
        cli,
        [*base, "users", "add", "carla", "--role", "analyst", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert duplicate.exit_code == 2
    assert "(conflict)" in duplicate.output
    assert "already exists" in duplicate.output
    weak = runner.invoke(
        cli, [*base, "users", "add", "dan", "--role", "analyst", "--password-stdin"], input="abc\n"
    )
    assert weak.exit_code == 2
    assert "at least 12 characters" in weak.output
    token = runner.invoke(cli, [*base, "token", "create", "carla", "--name", "dialer"])
    assert token.exit_code == 0, token.output
    secret = token.stdout.splitlines()[0]
    assert secret.startswith("arr_")
    assert runner.invoke(cli, [*base, "token", "revoke", secret[4:12]]).exit_code == 0
    assert runner.invoke(cli, [*base, "token", "revoke", "nope"]).exit_code == 2
    assert runner.invoke(cli, [*base, "users", "disable", "carla"]).exit_code == 0
    listed = runner.invoke(cli, [*base, "users", "list"])
    assert "carla\tcollector\tnorth\tdisabled" in listed.output
    verified = runner.invoke(cli, [*base, "audit", "verify"])
    assert "intact: 4 records" in verified.output  # created, issued, revoked, disabled


def test_concurrent_writers_never_fork_the_chain(uow_factory):
    """Eight writers append at once (each record its own transaction, as audited reads are):
    every record lands, in one unbroken chain."""
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(5):
                with uow_factory() as uow:
                    audit_append(
                        uow,
                        actor=f"w{n}",
                        role=None,
                        action="pii:borrower:unmasked",
                        entity="borrower",
                        entity_id=f"B-{n}-{i}",
                    )
                    uow.commit()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = verify_audit_chain(uow_factory)
    assert report.intact
    assert report.records == 40
