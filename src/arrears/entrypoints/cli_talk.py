# ruff: noqa: TC001, TC003 - Typer reads the annotations at run time
"""`arrears talk`: the talk-track library, suggestions from free text, lint, publish, evaluate.

Thin: parse, call `arrears.services.talk`, render. Exit codes: 0 success; 1 `lint` found
problems in approved tracks, or `evaluate` fell below `--min-accuracy`; 2 bad input, or
`publish` refused the file (the reasons are printed).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from arrears.domain.errors import DomainError
from arrears.domain.talk import Method, TrackKind
from arrears.domain.workflow.vocab import DebtorType
from arrears.services import talk

talk_app = typer.Typer(
    help="Talk tracks: approved words in es / zh / en, and what to say to what debtors say.",
    no_args_is_help=True,
)
out = Console()
err = Console(stderr=True, soft_wrap=True)

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_BAD_INPUT = 2


class Lang(StrEnum):
    es = "es"
    zh = "zh"
    en = "en"


class MethodChoice(StrEnum):
    auto = "auto"
    embedding = "embedding"
    keyword = "keyword"


def _method(choice: MethodChoice) -> Method | None:
    return None if choice is MethodChoice.auto else Method(choice.value)


def _fail(message: str) -> NoReturn:
    err.print("[bold red]error[/]: ", end="")
    err.print(message, markup=False, highlight=False)
    raise typer.Exit(EXIT_BAD_INPUT)


def _values(pairs: list[str] | None) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep:
            _fail(f"--set takes name=value, not {pair!r}")
        values[name.strip()] = value
    return values


@talk_app.command("list")
def list_command(
    kind: Annotated[TrackKind | None, typer.Option(help="only tracks of this kind")] = None,
) -> None:
    """List the library's tracks: id, kind, intent, where they apply, status, seeds."""
    try:
        library = talk.load_library()
    except DomainError as error:
        _fail(error.message)
    table = Table(title=f"Talk-track library {library.version}")
    table.add_column("id", no_wrap=True)
    for column in ("v", "kind", "intent / channel", "stages", "debtor types", "status"):
        table.add_column(column, overflow="fold")
    for t in sorted(library.tracks.values(), key=lambda t: t.track_id):
        if kind is not None and t.kind is not kind:
            continue
        table.add_row(
            t.track_id,
            str(t.version),
            t.kind.value,
            t.intent.value if t.intent else (t.channel.value if t.channel else "call"),
            ", ".join(sorted(t.stages)) or "any",
            ", ".join(sorted(d.value for d in t.debtor_types)) or "any",
            t.status.value,
        )
    out.print(table)


@talk_app.command("show")
def show_command(
    track_id: Annotated[str, typer.Argument(help="a track id, e.g. response.lost_income")],
    lang: Annotated[Lang | None, typer.Option("--lang", help="one language (default: all)")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="fill a placeholder: name=value (repeatable)")
    ] = None,
) -> None:
    """Show one track's text, with its seed references and what it lawfully replaces."""
    values = _values(set_)
    try:
        found = talk.load_library().track(track_id)
        languages = [lang.value] if lang else [x.value for x in found.texts]
        rendered = [talk.track(track_id, code, values) for code in languages]
    except DomainError as error:
        _fail(error.message)
    out.print(f"[bold]{found.track_id}[/] v{found.version} — {found.title}", highlight=False)
    for item in rendered:
        out.print(f"[{item.language.value}] {item.text}", markup=False, highlight=False)
    if found.seeds:
        out.print("seeds: " + "; ".join(found.seeds), markup=False, highlight=False)
    if found.lawful_replacement_of:
        out.print(
            "lawful replacement of: " + found.lawful_replacement_of, markup=False, highlight=False
        )


@talk_app.command("lint")
def lint_command(
    file: Annotated[
        Path | None, typer.Argument(help="a library .yaml file (default: the shipped library)")
    ] = None,
) -> None:
    """Check tracks against the structure rules and the conduct linter; exit 1 on problems."""
    try:
        report = talk.lint_file(file)
    except DomainError as error:
        _fail(error.message)
    for problem in report.problems:
        out.print(f"[red]approved[/] {problem}", highlight=False)
    for problem in report.draft_problems:
        out.print(f"[yellow]draft[/] {problem}", highlight=False)
    out.print(
        f"{report.tracks} track(s), {report.approved} approved: "
        f"{len(report.problems)} problem(s) in approved tracks, "
        f"{len(report.draft_problems)} in drafts"
    )
    raise typer.Exit(EXIT_OK if report.ok else EXIT_PROBLEMS)


@talk_app.command("publish")
def publish_command(
    file: Annotated[Path, typer.Argument(help="a library .yaml file to add or replace")],
    into: Annotated[
        Path | None, typer.Option(help="the library folder (default: the shipped library)")
    ] = None,
) -> None:
    """Publish a library file; refused (exit 2, with reasons) if an approved track fails lint."""
    try:
        library = talk.publish(file, into=into)
    except DomainError as error:
        _fail(f"not published: {error.message}")
    out.print(f"published {file.name}: library {library.version}, {len(library.tracks)} tracks")


@talk_app.command("suggest")
def suggest_command(
    text: Annotated[str, typer.Argument(help="what the debtor said or wrote, in es, zh or en")],
    *,
    lang: Annotated[Lang, typer.Option("--lang", help="the debtor's language (of the answer)")],
    stage: Annotated[str | None, typer.Option(help="stage id, e.g. front_row")] = None,
    debtor_type: Annotated[DebtorType | None, typer.Option(help="the debtor type")] = None,
    method: Annotated[MethodChoice, typer.Option(help="recogniser")] = MethodChoice.auto,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="fill a placeholder: name=value (repeatable)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
) -> None:
    """Recognise the objection or intent in TEXT and print the approved response."""
    values = _values(set_)
    try:
        suggestion = talk.suggest(
            text,
            language=lang.value,
            stage_id=stage,
            debtor_type=debtor_type,
            values=values,
            method=_method(method),
        )
    except DomainError as error:
        _fail(error.message)
    if as_json:
        typer.echo(json.dumps(suggestion.to_dict(), ensure_ascii=False))
        return
    if suggestion.category is None:
        out.print(f"not recognised ({suggestion.method.value}). {suggestion.note}".strip())
        return
    flag = (
        " [yellow](low confidence: confirm with the debtor)[/]" if suggestion.low_confidence else ""
    )
    out.print(
        f"[bold]{suggestion.category.value}[/] — {suggestion.method.value}, "
        f"confidence {suggestion.confidence:.2f}{flag}"
    )
    out.print(f"track: {suggestion.track_id}", highlight=False)
    out.print(suggestion.text or "", markup=False, highlight=False)
    if suggestion.note:
        out.print(suggestion.note, markup=False, highlight=False)


@talk_app.command("embed-examples")
def embed_examples_command(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="cache file (default: next to the examples)")
    ] = None,
) -> None:
    """Embed the recogniser's examples once and store them (run after editing the examples)."""
    try:
        path, fingerprint = talk.embed_examples(out_file)
    except DomainError as error:
        _fail(error.message)
    out.print(f"wrote {path} (fingerprint {fingerprint[:12]})", highlight=False)


@talk_app.command("evaluate")
def evaluate_command(
    method: Annotated[MethodChoice, typer.Option(help="recogniser")] = MethodChoice.auto,
    data: Annotated[
        Path | None,
        typer.Option(help="folder with heldout_{es,zh,en}.txt (default: tests/data/talk)"),
    ] = None,
    timed: Annotated[
        int | None, typer.Option(help="time this many single queries (default: all)")
    ] = None,
    min_accuracy: Annotated[
        float | None, typer.Option(help="exit 1 when any language scores lower")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
) -> None:
    """Accuracy per language, confusions and per-query latency on the held-out set."""
    try:
        result = talk.evaluate(folder=data, method=_method(method), timed_queries=timed)
    except DomainError as error:
        _fail(error.message)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "method": result.method.value,
                    "note": result.note,
                    "examples": result.examples,
                    "accuracy": {s.language.value: round(s.accuracy, 4) for s in result.scores},
                    "utterances": result.per_language,
                    "low_confidence_flags": result.flags,
                    "confusions": {
                        s.language.value: [list(c) for c in s.top_confusions(10)]
                        for s in result.scores
                    },
                    "latency_ms": {
                        "p50": round(result.p50_ms, 2),
                        "p95": round(result.p95_ms, 2),
                        "queries": len(result.latencies_ms),
                        "build": round(result.build_ms, 1),
                    },
                },
                ensure_ascii=False,
            )
        )
    else:
        table = Table(title=f"Held-out accuracy ({result.method.value})")
        for column in (
            "language",
            "utterances",
            "correct",
            "accuracy",
            "most confused (truth → guess)",
        ):
            table.add_column(column, overflow="fold")
        for s in result.scores:
            confusions = "; ".join(f"{t} → {g} x{n}" for t, g, n in s.top_confusions(3))
            table.add_row(
                s.language.value, str(s.total), str(s.correct), f"{s.accuracy:.3f}", confusions
            )
        out.print(table)
        out.print(
            f"latency per query: p50 {result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms "
            f"({len(result.latencies_ms)} queries; model and {result.examples} examples loaded in "
            f"{result.build_ms:.0f} ms)"
        )
        f = result.flags
        out.print(
            f"low-confidence flag: {f['wrong_flagged']} of {f['wrong']} wrong answers, "
            f"{f['correct_flagged']} of {f['correct']} correct ones"
        )
        if result.note:
            out.print(result.note, markup=False, highlight=False)
    if min_accuracy is not None and any(s.accuracy < min_accuracy for s in result.scores):
        raise typer.Exit(EXIT_PROBLEMS)
