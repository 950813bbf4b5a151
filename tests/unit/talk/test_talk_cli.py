"""`arrears talk ...` through the real top-level app (so the registration is tested too)."""

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from arrears.adapters.talk_files import default_library_dir
from arrears.entrypoints.cli import app

runner = CliRunner()
DATA = Path(__file__).parents[2] / "data" / "talk"


def run(*args):
    return runner.invoke(app, ["talk", *args], env={"COLUMNS": "160"})


def test_list_shows_every_track_with_its_kind():
    result = run("list", "--kind", "opening")
    assert result.exit_code == 0, result.output
    for preset_opening in ("opening.us_first", "opening.uk", "opening.cn"):
        assert preset_opening in result.stdout
    assert "response.lost_income" not in result.stdout


def test_show_prints_the_text_seeds_and_lawful_replacement():
    result = run("show", "response.lost_income", "--lang", "es", "--set", "advice_service=FAC")
    assert result.exit_code == 0, result.output
    assert "[es]" in result.stdout
    assert "FAC" in result.stdout
    assert "000: first part, situation 2" in result.stdout
    assert "lawful replacement of:" in result.stdout
    missing = run("show", "response.nothing")
    assert missing.exit_code == 2
    assert "no talk track 'response.nothing'" in missing.output


def test_lint_passes_the_shipped_library_and_fails_a_file_with_an_unlawful_approved_track(
    tmp_path,
):
    assert run("lint").exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        'version: "2026.1"\ntracks:\n  - id: x.bad\n    version: 1\n    kind: closing\n'
        "    status: approved\n    text:\n      en: We will tell your employer about this.\n",
        encoding="utf-8",
    )
    result = run("lint", str(bad))
    assert result.exit_code == 1
    assert "third_party" in result.stdout


def test_publish_refuses_with_exit_2_and_reasons(tmp_path):
    library = tmp_path / "library"
    shutil.copytree(default_library_dir(), library)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        'version: "2026.1"\ntracks:\n  - id: x.bad\n    version: 1\n    kind: closing\n'
        "    status: approved\n    text:\n"
        "      en: If you do not pay you will be arrested.\n"
        "      es: Si no paga, le van a detener.\n"
        "      zh: 不还钱就抓你。\n",
        encoding="utf-8",
    )
    result = run("publish", str(bad), "--into", str(library))
    assert result.exit_code == 2
    assert "not published" in result.output
    assert "threat_arrest" in result.output
    assert not (library / "bad.yaml").exists()


def test_suggest_keyword_method_as_json():
    result = run(
        "suggest",
        "se me olvidó la fecha",
        "--lang",
        "en",
        "--method",
        "keyword",
        "--set",
        "amount=EUR 120.00",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["category"] == "forgot"
    assert data["method"] == "keyword"
    assert data["track_id"] == "response.forgot"
    assert data["language"] == "en"
    assert data["text"].startswith("No problem")
    assert "EUR 120.00" in data["text"]
    assert "{payment_methods}" in data["text"]


def test_suggest_refuses_an_unknown_debtor_type():
    result = run("suggest", "hola", "--lang", "es", "--debtor-type", "rich")
    assert result.exit_code == 2


def test_evaluate_reports_accuracy_confusions_and_latency_as_json():
    result = run("evaluate", "--method", "keyword", "--data", str(DATA), "--timed", "20", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["method"] == "keyword"
    assert set(data["accuracy"]) == {"es", "zh", "en"}
    assert all(count >= 200 for count in data["utterances"].values())
    assert data["latency_ms"]["queries"] == 20
    assert data["latency_ms"]["p50"] <= data["latency_ms"]["p95"]
    strict = run("evaluate", "--method", "keyword", "--data", str(DATA), "--min-accuracy", "0.99")
    assert strict.exit_code == 1
