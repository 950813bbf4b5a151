"""`arrears conduct`: lint texts for forbidden phrases, and measure the linter on a labelled set.

Thin: read the input, call the pure domain (`arrears.domain.conduct`), render. Exit codes:
0 the text passes, 1 it is flagged or blocked (or misses a required disclosure, or `evaluate`
falls below a requested threshold), 2 bad input. The lead mounts it with
`app.add_typer(conduct_app, name="conduct")`.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from arrears.domain.conduct import (
    DISCLOSURE_PRESETS,
    Category,
    Decision,
    Disclosure,
    Evaluation,
    MissingDisclosure,
    Split,
    TextKind,
    check_disclosures,
    evaluate,
    lint,
    parse_labelled_lines,
    required_disclosures,
)
from arrears.domain.errors import DomainError

conduct_app = typer.Typer(
    help="Conduct linter: forbidden phrases and required disclosures (es, zh, en).",
    no_args_is_help=True,
)
out = Console()
err = Console(stderr=True, soft_wrap=True)

EXIT_PASS = 0
EXIT_FLAGGED = 1
EXIT_BAD_INPUT = 2
LABELLED_SET = Path("tests") / "data" / "conduct" / "labelled.jsonl"


class OutputFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


class EvalFormat(StrEnum):
    table = "table"
    json = "json"


class SplitChoice(StrEnum):
    test = "test"
    dev = "dev"
    all = "all"


def _bad_input(message: str) -> NoReturn:
    err.print("[bold red]error[/]: ", end="")
    err.print(message, markup=False, highlight=False)
    raise typer.Exit(EXIT_BAD_INPUT)


def _read_text(source: str) -> str:
    if source == "-":
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        raw = data if isinstance(data, bytes) else data.encode("utf-8")
        where = "standard input"
    else:
        path = Path(source)
        try:
            raw = path.read_bytes()
        except OSError as error:
            _bad_input(f"cannot read {source}: {error.strerror or error}")
        where = source
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        _bad_input(f"{where} is not UTF-8 text")
    if not text.strip():
        _bad_input(f"{where} is empty: nothing to lint")
    return text


@conduct_app.command("lint")
def lint_command(
    source: Annotated[
        str, typer.Argument(metavar="[FILE|-]", help="a text file, or - for stdin")
    ] = "-",
    *,
    kind: Annotated[
        TextKind, typer.Option(help="templates and approved scripts are blocked by any hit")
    ] = TextKind.DRAFT,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="es, zh or en (zh-Hant/zh-Hans accepted); default: detect"),
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Rich table or JSON lines")] = (
        OutputFormat.table
    ),
    require: Annotated[
        list[Disclosure] | None,
        typer.Option("--require", help="a disclosure the text must make (repeatable)"),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(help=f"require the disclosures of a preset: {', '.join(DISCLOSURE_PRESETS)}"),
    ] = None,
    initial: Annotated[
        bool, typer.Option("--initial/--subsequent", help="first communication, or a later one")
    ] = True,
) -> None:
    """Lint one text; exit 0 when it passes, 1 when flagged or blocked, 2 on bad input."""
    text = _read_text(source)
    try:
        result = lint(text, language=lang, kind=kind)
        wanted = set(require or ())
        if preset is not None:
            wanted |= required_disclosures(preset, initial=initial)
        missing = (
            check_disclosures(text, language=result.language.value, required=wanted)
            if wanted
            else []
        )
    except DomainError as error:
        _bad_input(error.message)
    if fmt is OutputFormat.jsonl:
        for hit in result.hits:
            typer.echo(json.dumps({"type": "hit", **hit.to_dict()}, ensure_ascii=False))
        for gap in missing:
            typer.echo(
                json.dumps({"type": "missing_disclosure", **gap.to_dict()}, ensure_ascii=False)
            )
        summary: dict[str, Any] = {
            "type": "result",
            "decision": result.decision.value,
            "language": result.language.value,
            "script": result.script.value,
            "kind": result.kind.value,
            "hits": len(result.hits),
            "missing_disclosures": len(missing),
        }
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        _print_lint_table(result.hits, missing)
        out.print(
            f"decision: [bold]{result.decision.value}[/] "
            f"({result.kind.value}, {result.language.value}/{result.script.value}, "
            f"{len(result.hits)} hit(s), {len(missing)} missing disclosure(s))"
        )
    failed = result.decision is not Decision.PASS or bool(missing)
    raise typer.Exit(EXIT_FLAGGED if failed else EXIT_PASS)


def _print_lint_table(hits: Any, missing: list[MissingDisclosure]) -> None:
    if hits:
        table = Table(title="Conduct hits", show_lines=True)
        for column in ("category", "rule ids", "matched", "span", "severity", "lawful alternative"):
            table.add_column(column, overflow="fold")
        for hit in hits:
            table.add_row(
                hit.category.value,
                "\n".join(hit.rule_ids),
                hit.span.matched,
                f"{hit.span.start}-{hit.span.end}",
                hit.severity.value,
                hit.alternative,
            )
        out.print(table)
    if missing:
        table = Table(title="Missing disclosures", show_lines=True)
        for column in ("disclosure", "rule ids", "missing", "model wording"):
            table.add_column(column, overflow="fold")
        for gap in missing:
            table.add_row(
                gap.disclosure.value, "\n".join(gap.rule_ids), "; ".join(gap.missing), gap.wording
            )
        out.print(table)


def _default_data() -> Path | None:
    for base in (Path.cwd(), Path(__file__).resolve().parents[3]):
        candidate = base / LABELLED_SET
        if candidate.is_file():
            return candidate
    return None


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@conduct_app.command("evaluate")
def evaluate_command(
    *,
    data: Annotated[
        Path | None,
        typer.Option(help=f"labelled JSON lines (default: {LABELLED_SET} of the repository)"),
    ] = None,
    split: Annotated[
        SplitChoice, typer.Option(help="test: the held-out sentences; dev: the tuning set")
    ] = SplitChoice.test,
    fmt: Annotated[EvalFormat, typer.Option("--format")] = EvalFormat.table,
    show_errors: Annotated[bool, typer.Option(help="list the sentences it got wrong")] = False,
    min_precision: Annotated[
        float | None, typer.Option(help="exit 1 when overall detection precision is lower")
    ] = None,
    min_recall: Annotated[
        float | None, typer.Option(help="exit 1 when overall detection recall is lower")
    ] = None,
) -> None:
    """Precision and recall per language and category on the labelled set."""
    path = data or _default_data()
    if path is None:
        _bad_input(f"no labelled set found at {LABELLED_SET}; pass --data")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        _bad_input(f"cannot read {path}: {error}")
    try:
        samples = parse_labelled_lines(lines, name=str(path))
    except DomainError as error:
        _bad_input(error.message)
    chosen = None if split is SplitChoice.all else Split(split.value)
    result = evaluate(samples, split=chosen)
    if not result.sentences:
        _bad_input(f"{path} has no sentences in split {split.value!r}")
    if fmt is EvalFormat.json:
        typer.echo(json.dumps({"split": split.value, **result.to_dict()}, ensure_ascii=False))
    else:
        _print_evaluation(result, split.value, show_errors=show_errors)
    overall = result.detection["all"]
    below = (min_precision is not None and (overall.precision or 0.0) < min_precision) or (
        min_recall is not None and (overall.recall or 0.0) < min_recall
    )
    raise typer.Exit(EXIT_FLAGGED if below else EXIT_PASS)


def _print_evaluation(result: Evaluation, split: str, *, show_errors: bool) -> None:
    table = Table(title=f"Conduct linter on the {split} split")
    for column in (
        "language",
        "sentences",
        "detection P",
        "detection R",
        "category P",
        "category R",
    ):
        table.add_column(column, justify="left" if column == "language" else "right")
    for key in ("all", *sorted(k for k in result.sentences if k != "all")):
        detection, categories = result.detection[key], result.categories[key]
        table.add_row(
            key,
            str(result.sentences[key]),
            _ratio(detection.precision),
            _ratio(detection.recall),
            _ratio(categories.precision),
            _ratio(categories.recall),
        )
    out.print(table)
    by_category = Table(title="Per category (all languages)")
    for column in ("category", "labelled", "found", "precision", "recall"):
        by_category.add_column(column, justify="left" if column == "category" else "right")
    for category in Category:
        counts = result.by_category["all", category]
        by_category.add_row(
            category.value,
            str(counts.tp + counts.fn),
            str(counts.tp + counts.fp),
            _ratio(counts.precision),
            _ratio(counts.recall),
        )
    out.print(by_category)
    if show_errors:
        for error in result.errors:
            expected = ", ".join(sorted(c.value for c in error.sentence.labels)) or "lawful"
            found = "; ".join(error.matched) or "nothing"
            out.print(
                f"[{error.sentence.language.value}] expected {expected}; found {found}: ",
                end="",
            )
            out.print(error.sentence.text, markup=False, highlight=False)
