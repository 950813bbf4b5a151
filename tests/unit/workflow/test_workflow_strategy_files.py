"""Strategy files: validation at the boundary, with key paths in every error."""

import copy

import pytest
import yaml

from arrears.adapters.strategy_files import default_strategy_path, load_strategy, parse_strategy
from arrears.domain.workflow.errors import InvalidStrategy

RAW = yaml.safe_load(default_strategy_path().read_text(encoding="utf-8"))


def raw():
    return copy.deepcopy(RAW)


def error_of(data) -> str:
    with pytest.raises(InvalidStrategy) as err:
        parse_strategy(data, source="test.yaml")
    assert err.value.code == "invalid_strategy"
    return err.value.message


def test_the_packaged_default_loads():
    strategy = load_strategy()
    assert strategy.version == RAW["version"]
    assert len(strategy.fingerprint) == 64


def test_version_is_required_and_must_be_a_string():
    data = raw()
    del data["version"]
    assert "version: Field required" in error_of(data)
    data["version"] = 2026.1
    assert "version" in error_of(data)


def test_unknown_keys_are_refused_with_their_path():
    data = raw()
    data["stages"][2]["segments"][0]["colour"] = "red"
    assert "stages.2.segments.0.colour" in error_of(data)


def test_unknown_treatment_names_its_path():
    data = raw()
    data["stages"][2]["segments"][0]["champion"] = "nope"
    data["stages"][3]["segments"][1]["challengers"][0]["treatment"] = "gone"
    message = error_of(data)
    assert "stages.2.segments.0.champion: unknown treatment 'nope'" in message
    assert "stages.3.segments.1.challengers.0.treatment: unknown treatment 'gone'" in message


def test_floats_are_refused_for_decimals():
    data = raw()
    data["stages"][0]["segments"][0]["challengers"][0]["share"] = 0.1
    assert "stages.0.segments.0.challengers.0.share" in error_of(data)


def test_bad_enum_values_name_their_path():
    data = raw()
    data["treatments"]["tracking"]["steps"][0]["channel"] = "pigeon"
    assert "treatments.tracking.steps.0.channel" in error_of(data)
    data = raw()
    data["stages"][2]["segments"][0]["debtor_types"] = ["grumpy"]
    assert "stages.2.segments.0.debtor_types.0" in error_of(data)


def test_domain_rules_name_their_path():
    data = raw()
    data["stages"][2]["segments"] = data["stages"][2]["segments"][:1]  # no catch-all left
    assert "stages.2: stage front_row: the last segment must match every case" in error_of(data)
    data = raw()
    data["stages"][2]["arrangements"]["min_instalment"]["QQQ"] = "1"
    assert "stages.2.arrangements.min_instalment.QQQ" in error_of(data)
    data = raw()
    data["stages"][2]["arrangements"]["approvals"][0]["max_instalments"] = 99
    assert "stages.2.arrangements" in error_of(data)
    data = raw()
    data["contact_order"] = ["reference"]
    assert "contact_order" in error_of(data)
    data = raw()
    data["stages"][3]["buckets"] = ["M2"]
    assert "bucket M2" in error_of(data)


def test_fingerprint_follows_content_not_layout():
    same = parse_strategy(raw())
    changed = raw()
    changed["promises"]["grace_days"] = 2
    assert parse_strategy(changed).fingerprint != same.fingerprint
    assert same.fingerprint == load_strategy().fingerprint


def test_missing_or_malformed_files(tmp_path):
    with pytest.raises(InvalidStrategy, match="no such file"):
        load_strategy(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("stages: [", encoding="utf-8")
    with pytest.raises(InvalidStrategy, match="not valid YAML"):
        load_strategy(bad)
    wrong = tmp_path / "s.toml"
    wrong.write_text("", encoding="utf-8")
    with pytest.raises(InvalidStrategy, match="yaml"):
        load_strategy(wrong)
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n", encoding="utf-8")
    with pytest.raises(InvalidStrategy, match="mapping"):
        load_strategy(listed)
