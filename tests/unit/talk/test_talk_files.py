"""Library files: validation errors name the file and place; publishing refuses unlawful tracks."""

import shutil
import textwrap

import pytest

from arrears.adapters.talk_files import (
    default_library_dir,
    library_files,
    load_examples,
    load_labelled,
    load_library_dir,
)
from arrears.domain.conduct.categories import Language
from arrears.domain.errors import Conflict
from arrears.domain.talk import InvalidTalkLibrary, TrackFailsConduct
from arrears.services import talk

GOOD_TRACK = """\
version: "2026.1"
tracks:
  - id: extra.thanks
    version: 1
    kind: closing
    status: approved
    seeds: ["004: basic etiquette"]
    text:
      en: Thank you for your time. You can reach us on {phone}.
      es: Gracias por su tiempo. Puede llamarnos al {phone}.
      zh: 感谢您的时间。您可以拨打{phone}联系我们。
"""

# Seed 000, situation 1 and 2, put into an approved track: both must be refused.
UNLAWFUL_TRACK = """\
version: "2026.1"
tracks:
  - id: extra.seed_verbatim
    version: 1
    kind: response
    intent: no_money_now
    status: approved
    seeds: ["000: first part, situation 1"]
    text:
      en: Your children's education will be seriously affected. Borrow it from friends or family.
      es: Afectará a la educación de sus hijos. Pida dinero prestado a familiares y amigos.
      zh: 会影响子女上学。你去找亲戚朋友借钱还上。
"""


def write(folder, name, body):
    path = folder / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.fixture
def library_copy(tmp_path):
    folder = tmp_path / "library"
    shutil.copytree(default_library_dir(), folder)
    return folder


def problems_of(exc_info) -> str:
    return "\n".join(exc_info.value.fields.get("problems") or [exc_info.value.message])


def test_the_shipped_library_is_package_data_next_to_the_code():
    folder = default_library_dir()
    assert folder.parts[-3:] == ("arrears", "content", "talk_tracks")
    names = {p.name for p in library_files(folder)}
    assert {"conversation.yaml", "responses.yaml", "strategy_steps.yaml"} <= names
    assert len(load_examples()) >= 21 * 3 * 5


def test_a_bad_field_is_reported_with_file_and_path(tmp_path):
    path = write(tmp_path, "bad.yaml", GOOD_TRACK.replace("kind: closing", "kind: speech"))
    with pytest.raises(InvalidTalkLibrary) as err:
        load_library_dir(tmp_path)
    assert "FILE:bad.yaml: tracks.0.kind:" in problems_of(err)
    path.write_text(GOOD_TRACK.replace("    seeds:", "    colour: red\n    seeds:"), "utf-8")
    with pytest.raises(InvalidTalkLibrary) as err:
        load_library_dir(tmp_path)
    assert "FILE:bad.yaml: tracks.0.colour: Extra inputs are not permitted" in problems_of(err)


def test_unknown_language_and_broken_yaml_are_refused(tmp_path):
    write(tmp_path, "lang.yaml", GOOD_TRACK.replace("      zh:", "      fr:"))
    with pytest.raises(InvalidTalkLibrary) as err:
        load_library_dir(tmp_path)
    assert "FILE:lang.yaml: tracks.0.text.fr.[key]" in problems_of(err)
    (tmp_path / "lang.yaml").unlink()
    write(tmp_path, "broken.yaml", "version: [unclosed\n")
    with pytest.raises(InvalidTalkLibrary, match=r"broken\.yaml: not valid YAML"):
        load_library_dir(tmp_path)


def test_an_approved_track_needs_every_language_and_matching_placeholders(library_copy):
    missing_zh = GOOD_TRACK.replace("      zh: 感谢您的时间。您可以拨打{phone}联系我们。\n", "")
    write(library_copy, "extra.yaml", missing_zh)
    with pytest.raises(InvalidTalkLibrary) as err:
        load_library_dir(library_copy)
    assert "FILE:extra.yaml: extra.thanks: approved but no text in zh" in problems_of(err)
    write(library_copy, "extra.yaml", GOOD_TRACK.replace("拨打{phone}", "拨打{email}"))
    with pytest.raises(InvalidTalkLibrary) as err:
        load_library_dir(library_copy)
    assert "extra.thanks: languages use different placeholders" in problems_of(err)
    write(library_copy, "extra.yaml", GOOD_TRACK.replace("on {phone}", "on {fone}"))
    with pytest.raises(InvalidTalkLibrary) as err:
        load_library_dir(library_copy)
    assert "extra.thanks [en]: unknown placeholder {fone}" in problems_of(err)


def test_duplicate_ids_and_disagreeing_versions_are_refused(library_copy):
    write(library_copy, "extra.yaml", GOOD_TRACK.replace("extra.thanks", "closing.standard"))
    with pytest.raises(InvalidTalkLibrary, match=r"closing\.standard: id already used in"):
        load_library_dir(library_copy)
    write(library_copy, "extra.yaml", GOOD_TRACK.replace('"2026.1"', '"2027.1"'))
    with pytest.raises(InvalidTalkLibrary, match="files state different library versions"):
        load_library_dir(library_copy)


def test_a_library_must_answer_every_intent(tmp_path):
    write(tmp_path, "only.yaml", GOOD_TRACK)
    with pytest.raises(InvalidTalkLibrary) as err:
        load_library_dir(tmp_path)
    assert "intent lost_income: no approved response for every stage" in problems_of(err)


def test_loading_refuses_an_approved_track_that_fails_the_linter(library_copy):
    write(library_copy, "extra.yaml", UNLAWFUL_TRACK)
    with pytest.raises(InvalidTalkLibrary) as err:
        load_library_dir(library_copy)
    text = problems_of(err)
    assert "extra.seed_verbatim [en]: false_consequence" in text
    assert "extra.seed_verbatim [es]: pressure_to_borrow" in text
    assert "extra.seed_verbatim [zh]: pressure_to_borrow" in text


def test_publishing_an_approved_track_that_fails_the_linter_is_refused(library_copy, tmp_path):
    candidate = write(tmp_path, "extra.yaml", UNLAWFUL_TRACK)
    before = sorted(p.name for p in library_copy.iterdir())
    with pytest.raises(TrackFailsConduct) as err:
        talk.publish(candidate, into=library_copy)
    assert err.value.code == "talk_track_fails_conduct"
    assert "cannot be published" in err.value.message
    assert "say instead:" in err.value.message  # each hit carries the lawful alternative
    assert sorted(p.name for p in library_copy.iterdir()) == before


def test_the_same_track_as_a_draft_may_be_published_and_is_flagged(library_copy, tmp_path):
    draft = write(tmp_path, "extra.yaml", UNLAWFUL_TRACK.replace("approved", "draft"))
    library = talk.publish(draft, into=library_copy)
    assert not library.track("extra.seed_verbatim").approved
    report = talk.lint_file(library_copy / "extra.yaml")
    assert report.ok
    assert any("pressure_to_borrow" in p for p in report.draft_problems)


def test_publishing_a_lawful_file_adds_it_and_a_changed_text_needs_a_new_version(
    library_copy, tmp_path
):
    candidate = write(tmp_path, "extra.yaml", GOOD_TRACK)
    library = talk.publish(candidate, into=library_copy)
    assert library.track("extra.thanks").approved
    assert (library_copy / "extra.yaml").is_file()
    changed = write(tmp_path, "extra.yaml", GOOD_TRACK.replace("Thank you", "Many thanks"))
    with pytest.raises(Conflict, match="raise the version"):
        talk.publish(changed, into=library_copy)
    bumped = write(
        tmp_path,
        "extra.yaml",
        GOOD_TRACK.replace("Thank you", "Many thanks").replace("version: 1", "version: 2"),
    )
    assert talk.publish(bumped, into=library_copy).track("extra.thanks").version == 2


def test_labelled_sets_report_their_bad_lines(tmp_path):
    path = write(tmp_path, "set.txt", "# comment\nforgot: se me olvidó\nnonsense line\nnope: x\n")
    with pytest.raises(InvalidTalkLibrary) as err:
        load_labelled(path, Language.ES)
    text = problems_of(err)
    assert "FILE:set.txt:3: expected 'intent: text'" in text
    assert "FILE:set.txt:4: unknown intent 'nope'" in text
