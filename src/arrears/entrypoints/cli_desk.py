"""`arrears desk …`: demo users for the web desk (docs/desk.md).

`arrears desk seed-users` creates one user per role; the collectors' users are named after
collectors of the floor (their user name *is* their collector id, which is how the desk and the
API scope a collector's cases). With no collectors yet it seeds the demo floor first
(`arrears collectors seed-demo`). Each user's password is printed once; only its argon2 hash is
stored. The main app adds this group with `app.add_typer(desk_app, name="desk")`.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from arrears.domain.errors import DomainError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from arrears.bootstrap import App

EXIT_BAD_INPUT = 2
DEMO_FLOOR = 6

desk_app = typer.Typer(
    help="The web desk: demo users for each role.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@contextmanager
def _app() -> Iterator[App]:
    from arrears.bootstrap import bootstrap  # noqa: PLC0415 - built per command, never at import
    from arrears.entrypoints.cli import state  # noqa: PLC0415 - the root's --database-url

    app = bootstrap(state.settings)
    try:
        yield app
    finally:
        app.engine.dispose()


@dataclass(frozen=True, slots=True)
class SeededUser:
    username: str
    password: str
    role: str
    locale: str
    team: str | None
    created: bool  # False: the user existed already (password unchanged, not shown)


#: the non-collector demo users: (user name, role, desk language)
STAFF = (
    ("lead", "team_lead", "en"),
    ("compliance", "compliance_officer", "en"),
    ("analyst", "analyst", "en"),
    ("admin", "admin", "en"),
)


def seed_desk_users(
    app: App,
    *,
    collectors: int = 3,
    password: str | None = None,
    actor: str = "cli",
) -> list[SeededUser]:
    """One user per role, and `collectors` collector users (one per language of the floor
    first). Existing users are left as they are. Returns what was created or found."""
    from arrears.domain.security import Role  # noqa: PLC0415
    from arrears.services.security import create_user, list_users  # noqa: PLC0415
    from arrears.services.worklists import list_collectors, seed_demo_collectors  # noqa: PLC0415

    floor = [c for c in list_collectors(app.uow_factory) if c.active]
    if not floor:
        seed_demo_collectors(app.uow_factory, count=DEMO_FLOOR, actor=actor)
        floor = [c for c in list_collectors(app.uow_factory) if c.active]
    chosen: list[tuple[str, str, str | None, str]] = []
    seen_languages: set[str] = set()
    for collector in floor:  # one per language first, then the rest in id order
        language = collector.languages[0] if collector.languages else "en"
        if language not in seen_languages:
            seen_languages.add(language)
            chosen.append((collector.collector_id, language, collector.team, collector.full_name))
    for collector in floor:
        if len(chosen) >= collectors:
            break
        if all(collector.collector_id != c[0] for c in chosen):
            language = collector.languages[0] if collector.languages else "en"
            chosen.append((collector.collector_id, language, collector.team, collector.full_name))
    existing = {u.username for u in list_users(app.uow_factory)}
    wanted = [
        (cid, Role.COLLECTOR, lang if lang in {"en", "es", "zh"} else "en", team, name)
        for cid, lang, team, name in chosen[:collectors]
    ] + [(name, Role(role), lang, None, None) for name, role, lang in STAFF]
    seeded = []
    for username, role, locale, team, display in wanted:  # a handful of users
        if username in existing:
            seeded.append(SeededUser(username, "", role.value, locale, team, created=False))
            continue
        secret = password or secrets.token_urlsafe(9)
        create_user(
            app.uow_factory,
            username=username,
            password=secret,
            role=role,
            team=team,
            display_name=display,
            locale=locale,
            actor=actor,
        )
        seeded.append(SeededUser(username, secret, role.value, locale, team, created=True))
    return seeded


@desk_app.command("seed-users")
def seed_users(
    collectors: Annotated[
        int, typer.Option(min=1, max=20, help="how many collector users (from the floor)")
    ] = 3,
    password: Annotated[
        str | None,
        typer.Option(
            help="one password for every new user (demo only; default: a random one each)"
        ),
    ] = None,
    actor: Annotated[str, typer.Option(help="who creates the users (audit)")] = "cli",
) -> None:
    """Create demo users for each role and print user name, password and role."""
    try:
        with _app() as app:
            seeded = seed_desk_users(app, collectors=collectors, password=password, actor=actor)
    except DomainError as error:
        typer.echo(f"error ({error.code}): {error.message}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    typer.echo("Desk users (log in at /desk/login):")
    typer.echo(f"  {'user':<14} {'password':<16} {'role':<20} {'language':<8} team")
    for user in seeded:
        shown = user.password if user.created else "(exists)"
        typer.echo(
            f"  {user.username:<14} {shown:<16} {user.role:<20} {user.locale:<8} {user.team or '-'}"
        )


__all__ = ["SeededUser", "desk_app", "seed_desk_users"]
