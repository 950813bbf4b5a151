"""The desk's message catalogs and formats: every string of the templates is translated into
Spanish and Chinese with the same placeholders, the committed template (.pot) is current, a
missing .mo is compiled in memory from its .po, and the chart geometry scales as drawn."""

import re
import shutil

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from arrears.entrypoints.web import charts, i18n

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
EXTRACT_OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
METHODS = [("**/templates/**.html", "jinja2")]


def template_messages() -> set[str]:
    found = extract_from_dir(
        str(i18n.TEMPLATES_DIR.parent), method_map=METHODS, options_map=EXTRACT_OPTIONS
    )
    return {message for _file, _line, message, _comments, _context in found}


def catalog(language: str):
    with i18n.po_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def test_the_templates_use_a_real_set_of_messages():
    messages = template_messages()
    assert len(messages) > 150
    assert "Compliance verdict before contact" in messages


@pytest.mark.parametrize("language", ["es", "zh"])
def test_every_message_is_translated_with_the_same_placeholders(language):
    translated = {m.id: m.string for m in catalog(language) if m.id}
    missing = sorted(template_messages() - {k for k, v in translated.items() if v})
    assert missing == [], f"untranslated in {language}: {missing}"
    for source, target in translated.items():
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), source


def test_the_committed_template_is_current():
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as handle:
        committed = {m.id for m in read_po(handle) if m.id}
    assert committed == template_messages(), "run `make i18n-extract` and translate"


def test_a_missing_mo_is_compiled_in_memory_from_the_po(tmp_path, monkeypatch):
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(i18n.po_path("es"), folder / "messages.po")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    assert not i18n.mo_path("es").exists()
    translations = i18n.catalog_translations("es")
    assert translations.gettext("Today's worklist") == "Lista de trabajo de hoy"
    assert i18n.catalog_translations("fr").gettext("Today's worklist") == "Today's worklist"


@pytest.mark.parametrize(
    ("tag", "language"),
    [("es-ES", "es"), ("zh_Hans_CN", "zh"), ("EN", "en"), ("fr", "en"), (None, "en"), ("", "en")],
)
def test_desk_language_of_a_users_locale(tag, language):
    assert i18n.desk_language(tag) == language


def test_a_rendered_page_speaks_the_language_of_its_environment():
    page = i18n.environment("zh").get_template("login.html").render(user=None, done=None)
    assert "登录催收工作台" in page
    assert 'lang="zh"' in page


def test_bars_scale_to_the_largest_value():
    chart = charts.bar_chart("t", [("M0", 100.0, "100"), ("M1", 50.0, "50"), ("M2", 0.0, "0")])
    span = charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_WIDTH
    assert [b.width for b in chart.bars] == [span, span // 2, 0]
    assert [b.y for b in chart.bars] == [0, 24, 48]
    assert chart.height == 72
    assert charts.bar_chart("t", []).empty
    assert [charts.heat(x) for x in (None, 0.0, 0.1, 0.5, 1.0)] == [0, 0, 1, 3, 5]
