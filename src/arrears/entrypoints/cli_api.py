"""`arrears serve`, `arrears users …`, `arrears token …`, `arrears audit verify`,
`arrears api openapi`: run the API and administer its users, tokens and audit log.

Thin: parse, call one service, print. The main app adds `api_commands` without a name, so its
`serve` command and its `users`, `token`, `audit` and `api` groups are top-level.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from arrears.domain.errors import DomainError
from arrears.domain.security import Role  # noqa: TC001 - Typer reads annotations at run time

if TYPE_CHECKING:
    from collections.abc import Iterator

    from arrears.bootstrap import App

EXIT_BAD_INPUT = 2
EXIT_BROKEN = 1

#: added to the main app without a name: `serve` and the groups below become top-level
api_commands = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
users_app = typer.Typer(help="Users of the desk and the API.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (only their hash is stored).", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
api_app = typer.Typer(help="The HTTP API's contract.", no_args_is_help=True)
api_commands.add_typer(users_app, name="users")
api_commands.add_typer(token_app, name="token")
api_commands.add_typer(audit_app, name="audit")
api_commands.add_typer(api_app, name="api")


@contextmanager
def _app() -> Iterator[App]:
    """The bootstrapped application; its connections are closed when the command ends."""
    from arrears.bootstrap import bootstrap  # noqa: PLC0415 - lazy: a fast CLI
    from arrears.entrypoints.cli import state  # noqa: PLC0415 - cli imports this module

    app = bootstrap(state.settings)
    try:
        yield app
    finally:
        app.engine.dispose()


def _fail(error: DomainError) -> NoReturn:
    typer.echo(f"error ({error.code}): {error.message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


@api_commands.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Run the HTTP API with uvicorn (docs/api.md)."""
    import uvicorn  # noqa: PLC0415

    from arrears.entrypoints.api import create_app  # noqa: PLC0415

    with _app() as app:
        uvicorn.run(create_app(app), host=host, port=port, proxy_headers=True)


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="login name (for collectors: the collector id)")],
    *,
    role: Annotated[Role, typer.Option(help="what the user may do (docs/security.md)")],
    team: Annotated[str | None, typer.Option(help="team, also the collector's queue")] = None,
    display_name: Annotated[str | None, typer.Option(help="name shown in the desk")] = None,
    locale: Annotated[str, typer.Option(help="desk language")] = "en",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
    actor: Annotated[str, typer.Option(help="who adds the user (audit)")] = "cli",
) -> None:
    """Add a user; the password is prompted for (or read from stdin) and stored as argon2id."""
    from arrears.services.security import create_user  # noqa: PLC0415

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        with _app() as app:
            user = create_user(
                app.uow_factory,
                username=username,
                password=password,
                role=role,
                team=team,
                display_name=display_name,
                locale=locale,
                actor=actor,
            )
    except DomainError as error:
        _fail(error)
    typer.echo(f"user {user.username} added ({user.role.value})")


@users_app.command("list")
def users_list() -> None:
    """Every user with role, team and whether active."""
    from arrears.services.security import list_users  # noqa: PLC0415

    with _app() as app:
        users = list_users(app.uow_factory)
    for user in users:
        state = "active" if user.active else "disabled"
        typer.echo(f"{user.username}\t{user.role.value}\t{user.team or '-'}\t{state}")


@users_app.command("disable")
def users_disable(
    username: str,
    actor: Annotated[str, typer.Option(help="who disables the user (audit)")] = "cli",
) -> None:
    """Disable a user and revoke every token and session they hold."""
    from arrears.services.security import set_user_active  # noqa: PLC0415

    try:
        with _app() as app:
            set_user_active(app.uow_factory, username=username, active=False, actor=actor)
    except DomainError as error:
        _fail(error)
    typer.echo(f"user {username} disabled; their tokens and sessions are revoked")


@token_app.command("create")
def token_create(
    username: str,
    name: Annotated[str, typer.Option(help="what the token is for, e.g. dialer")] = "api",
    days: Annotated[int, typer.Option(min=1, max=366, help="lifetime in days")] = 90,
    actor: Annotated[str, typer.Option(help="who issues the token (audit)")] = "cli",
) -> None:
    """Issue an API token; it is printed once and only its SHA-256 is stored."""
    from arrears.services.security import issue_token  # noqa: PLC0415

    try:
        with _app() as app:
            issued = issue_token(
                app.uow_factory,
                username=username,
                name=name,
                ttl=dt.timedelta(days=days),
                actor=actor,
            )
    except DomainError as error:
        _fail(error)
    typer.echo(issued.secret)
    typer.echo(f"prefix {issued.prefix}, expires {issued.expires_at:%Y-%m-%d %H:%M} UTC", err=True)


@token_app.command("revoke")
def token_revoke(
    prefix: Annotated[str, typer.Argument(help="the 8 characters after arr_")],
    actor: Annotated[str, typer.Option(help="who revokes the token (audit)")] = "cli",
) -> None:
    """Revoke an API token by its prefix."""
    from arrears.services.security import revoke_token  # noqa: PLC0415

    try:
        with _app() as app:
            revoke_token(app.uow_factory, prefix=prefix, actor=actor)
    except DomainError as error:
        _fail(error)
    typer.echo(f"token {prefix} revoked")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain: exit 0 when intact, 1 naming the first broken record."""
    from arrears.services.security import verify_audit_chain  # noqa: PLC0415

    with _app() as app:
        report = verify_audit_chain(app.uow_factory)
    if report.broken is not None:
        typer.echo(f"{report.broken} ({report.records} records read)", err=True)
        raise typer.Exit(EXIT_BROKEN)
    typer.echo(f"audit chain intact: {report.records} records")


@api_app.command("openapi")
def api_openapi() -> None:
    """Print the OpenAPI document (committed as docs/openapi.json)."""
    typer.echo(json.dumps(openapi_json(), indent=2, ensure_ascii=False))


def openapi_json() -> dict[str, object]:
    """The OpenAPI document; it does not depend on settings or the database."""
    from arrears.bootstrap import bootstrap  # noqa: PLC0415
    from arrears.config import Settings  # noqa: PLC0415
    from arrears.entrypoints.api import create_app, openapi_document  # noqa: PLC0415

    return openapi_document(
        create_app(bootstrap(Settings(database_url="sqlite://", environment="development")))
    )


__all__ = ["api_commands", "openapi_json"]
