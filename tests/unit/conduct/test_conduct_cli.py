"""`arrears conduct lint|evaluate`, driven through a local Typer app that mounts conduct_app."""

import json

import pytest
import typer
from conduct_data import LABELLED
from typer.testing import CliRunner

from arrears.entrypoints.cli_conduct import conduct_app

app = typer.Typer()
app.add_typer(conduct_app, name="conduct")
runner = CliRunner()


def run(*args, text=None):
    return runner.invoke(app, ["conduct", *args], input=text)


def jsonl(output):
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_lawful_text_passes_with_exit_0(tmp_path):
    path = tmp_path / "template.txt"
    path.write_text("We can set up a payment plan that fits your budget.", encoding="utf-8")
    result = run("lint", str(path), "--kind", "template", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert jsonl(result.stdout)[-1]["decision"] == "pass"


def test_a_template_with_a_threat_is_blocked_with_exit_1_and_json_hits(tmp_path):
    path = tmp_path / "template.txt"
    path.write_text("Pague hoy o le van a detener.", encoding="utf-8")
    result = run("lint", str(path), "--kind", "template", "--format", "jsonl")
    assert result.exit_code == 1
    *hits, summary = jsonl(result.stdout)
    assert summary == {
        "type": "result",
        "decision": "block",
        "language": "es",
        "script": "Latn",
        "kind": "template",
        "hits": 1,
        "missing_disclosures": 0,
    }
    assert hits[0]["category"] == "threat_arrest"
    assert hits[0]["rule_ids"][0] == "CONDUCT-THREAT-ARREST"
    assert hits[0]["matched"] == "le van a detener"
    assert hits[0]["alternative"].startswith("No pagar una deuda no es un delito")


def test_a_note_from_stdin_is_flagged_and_shown_as_a_table():
    result = run("lint", "-", "--kind", "note", text="我們會打電話到你公司。")
    assert result.exit_code == 1
    assert "third_party" in result.stdout
    assert "flag" in result.stdout


def test_missing_disclosures_fail_the_lint():
    result = run("lint", "--preset", "US-FDCPA-REGF", "--format", "jsonl", text="Please call us.")
    assert result.exit_code == 1
    kinds = [
        line["disclosure"] for line in jsonl(result.stdout) if line["type"] == "missing_disclosure"
    ]
    assert kinds == ["caller_identity", "creditor", "mini_miranda"]
    result = run(
        "lint",
        "--require",
        "debt_collector",
        "--format",
        "jsonl",
        text="This is a communication from a debt collector.",
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["lint", "/no/such/file.txt"], None),
        (["lint", "--lang", "fr"], "Bonjour"),
        (["lint", "--kind", "memo"], "hello"),
        (["lint"], "   \n"),
        (["lint", "--preset", "XX"], "hello"),
        (["evaluate", "--data", "/no/such/set.jsonl"], None),
    ],
)
def test_bad_input_exits_2(args, stdin):
    assert run(*args, text=stdin).exit_code == 2


def test_non_utf8_file_exits_2(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("detención".encode("latin-1"))
    assert run("lint", str(path)).exit_code == 2


def test_evaluate_prints_precision_and_recall_per_language_and_category():
    result = run("evaluate", "--data", str(LABELLED))
    assert result.exit_code == 0, result.output
    for word in ("test split", "detection P", "zh", "es", "en", "public_shaming"):
        assert word in result.stdout


def test_evaluate_json_and_thresholds():
    result = run("evaluate", "--data", str(LABELLED), "--split", "dev", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["split"] == "dev"
    assert data["detection"]["all"]["recall"] == 1.0
    assert run("evaluate", "--data", str(LABELLED), "--min-recall", "0.99").exit_code == 1


def test_evaluate_lists_errors_on_request():
    result = run("evaluate", "--data", str(LABELLED), "--show-errors")
    assert "expected" in result.stdout


def test_evaluate_rejects_a_malformed_set(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text('{"text": "x", "language": "xx", "labels": []}\n', encoding="utf-8")
    result = run("evaluate", "--data", str(path))
    assert result.exit_code == 2
