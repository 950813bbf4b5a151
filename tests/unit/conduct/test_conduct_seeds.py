"""Every unlawful sentence quoted from the collectors' handbooks in shared/seeds is caught."""

import pytest
from conduct_data import seed_fixtures

from arrears.domain.conduct import Decision, TextKind, lint

FIXTURES = seed_fixtures()


def test_there_are_fixtures_from_every_seed_file():
    files = {fixture["source"] for fixture in FIXTURES}
    assert len(FIXTURES) >= 20
    assert files == {
        "seed:000_b57bff300f27997f.txt",
        "seed:001_4f37881f0a6c5e12.txt",
        "seed:002_e041741bfc81a7dc.txt",
        "seed:003_cf8ec07226e7575b.txt",
        "seed:004_fd10b9c95d62c5c8.txt",
    }
    assert {fixture["language"] for fixture in FIXTURES} == {"es", "zh", "en"}


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f"{f['source'][5:8]}-{f['text'][:24]}")
def test_seed_sentence_is_caught_with_its_category(fixture):
    # language detected from the text, as for a template nobody tagged
    result = lint(fixture["text"], kind=TextKind.TEMPLATE)
    assert result.language.value == fixture["language"]
    assert result.decision is Decision.BLOCK
    assert set(fixture["labels"]) <= {hit.category.value for hit in result.hits}


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f"{f['source'][5:8]}-{f['text'][:24]}")
def test_seed_sentence_in_a_collector_note_is_flagged(fixture):
    assert (
        lint(fixture["text"], language=fixture["language"], kind="note").decision is Decision.FLAG
    )
