"""The committed OpenAPI document is the generated one, and every route declares its errors."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arrears.entrypoints.cli import app as cli
from arrears.entrypoints.cli_api import openapi_json

pytestmark = pytest.mark.e2e
COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
PUBLIC = {("get", "/health"), ("post", "/auth/login")}


def test_the_committed_document_is_the_generated_one():
    generated = openapi_json()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert committed == generated, "run: arrears api openapi > docs/openapi.json"
    printed = CliRunner().invoke(cli, ["api", "openapi"])
    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == generated


def test_every_error_response_is_declared_with_the_error_body():
    document = openapi_json()
    error_body = {"$ref": "#/components/schemas/ErrorBody"}
    for path, methods in document["paths"].items():  # type: ignore[union-attr]
        for method, operation in methods.items():
            statuses = operation["responses"]
            errors = {code for code in statuses if code.startswith(("4", "5"))}
            assert errors, (method, path)
            for code in errors:
                schema = statuses[code]["content"]["application/json"]["schema"]
                assert schema == error_body, (method, path, code)
            if (method, path) not in PUBLIC:
                assert {"401", "403", "422"} <= errors, (method, path)
                assert operation["security"], (method, path)
    assert "HTTPValidationError" not in document["components"]["schemas"]  # type: ignore[index]
