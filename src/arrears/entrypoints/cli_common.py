"""Helpers shared by the `arrears` command modules: parsing dates and instants from options,
and a unit-of-work factory per command (engine disposed afterwards). Building happens per
command, never at import, so `arrears --help` stays fast."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from arrears.adapters.store.uow import SqlUnitOfWork
    from arrears.bootstrap import App


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


def parse_instant(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 instant") from None
    if moment.tzinfo is None:
        raise typer.BadParameter(f"{value!r} has no time zone offset (e.g. 2026-04-08T10:00Z)")
    return moment


def command_app() -> App:
    """The application for one command, from the root callback's settings (--database-url)."""
    from arrears.bootstrap import bootstrap  # noqa: PLC0415 - built per command, never at import
    from arrears.entrypoints.cli import state  # noqa: PLC0415 - the root's settings

    return bootstrap(state.settings)


@contextmanager
def command_app_scope() -> Iterator[App]:
    """The application for one command; its connections are closed when the command ends."""
    built = command_app()
    try:
        yield built
    finally:
        built.engine.dispose()


@contextmanager
def command_uow_factory() -> Iterator[Callable[[], SqlUnitOfWork]]:
    """The unit-of-work factory for one command; its engine is disposed afterwards."""
    with command_app_scope() as built:
        yield built.uow_factory


__all__ = [
    "command_app",
    "command_app_scope",
    "command_uow_factory",
    "parse_date",
    "parse_instant",
]
