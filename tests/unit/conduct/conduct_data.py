"""Shared loaders for the conduct tests: the labelled set and the seed fixtures."""

import json
from functools import cache
from pathlib import Path

from arrears.domain.conduct import LabelledSentence, parse_labelled_lines

DATA = Path(__file__).resolve().parents[2] / "data" / "conduct"
LABELLED = DATA / "labelled.jsonl"
SEED_FIXTURES = DATA / "seed_fixtures.jsonl"


@cache
def labelled() -> tuple[LabelledSentence, ...]:
    lines = LABELLED.read_text(encoding="utf-8").splitlines()
    return tuple(parse_labelled_lines(lines, name=LABELLED.name))


@cache
def seed_fixtures() -> tuple[dict, ...]:
    lines = SEED_FIXTURES.read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())
