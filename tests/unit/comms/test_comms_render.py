"""Rendering: every template by channel and language, Babel formats and plurals, strictness,
escaping, and the validation notice's required-content check."""

from __future__ import annotations

import dataclasses
import shutil
from typing import TYPE_CHECKING

import pytest
from comms_samples import PRESET, facts, header

from arrears.adapters.render import TEMPLATE_DIR, Renderer, letter_text
from arrears.domain.comms import (
    DISCLOSURE_PRESET,
    KIND_CHANNELS,
    Language,
    MessageChannel,
    MessageKind,
    Reminder,
)
from arrears.domain.conduct import check_disclosures, lint, required_disclosures
from arrears.domain.errors import InvalidInput

if TYPE_CHECKING:
    from pathlib import Path

RENDERER = Renderer()
CASES = [
    (kind, channel, language)
    for kind in MessageKind
    for channel in sorted(KIND_CHANNELS[kind])
    for language in Language
]


@pytest.mark.parametrize(("kind", "channel", "language"), CASES, ids=str)
def test_every_template_renders_lawfully(
    kind: MessageKind, channel: MessageChannel, language: Language
) -> None:
    rendered = RENDERER.render(header(kind, channel, language), facts(kind, language))
    text = rendered.full_text
    assert rendered.template_id.startswith(f"{language.value}/{kind.value}.{channel.value}@")
    assert lint(text, language=language.value, kind="template").decision.value == "pass"
    wanted = required_disclosures(DISCLOSURE_PRESET[PRESET[language]], initial=True)
    assert check_disclosures(text, language=language.value, required=wanted) == []
    if channel is MessageChannel.LETTER:
        assert rendered.html is not None
        assert f'<html lang="{language.value}">' in rendered.html
        assert "Norte Collections" in text
    else:
        assert rendered.html is None
        assert rendered.has_opt_out_notice  # US-E-OPTOUT: electronic messages say how to stop
    if channel is MessageChannel.SMS:
        assert "\n" not in text


def _reminder(language: Language, days: int) -> str:
    base = facts(MessageKind.REMINDER, language)
    assert isinstance(base, Reminder)
    changed = dataclasses.replace(base, days_past_due=days, missed_installments=days)
    return RENDERER.render(
        header(MessageKind.REMINDER, MessageChannel.EMAIL, language), changed
    ).text


def test_money_and_dates_follow_the_locale() -> None:
    en, es, zh = (_reminder(language, 12) for language in Language)
    assert "$1,234.50" in en
    assert "March 12, 2026" in en
    assert "1.234,50\u00a0€" in es
    assert "12 de marzo de 2026" in es
    assert "¥1,234.50" in zh
    assert "2026年3月12日" in zh


def test_plurals_follow_the_locale() -> None:
    assert "is 1 day overdue" in _reminder(Language.EN, 1)
    assert "1 installment of your account L-1001 has not" in _reminder(Language.EN, 1)
    assert "is 12 days overdue" in _reminder(Language.EN, 12)
    assert "12 installments of your account L-1001 have not" in _reminder(Language.EN, 12)
    assert "lleva 1 día de retraso" in _reminder(Language.ES, 1)
    assert "1 cuota de su cuenta L-1001 está pendiente" in _reminder(Language.ES, 1)
    assert "lleva 12 días de retraso" in _reminder(Language.ES, 12)
    assert "已逾期12天" in _reminder(Language.ZH, 12)


def test_html_is_escaped_and_text_is_not() -> None:
    name = "Ann <b>O'Brien</b> & Co"
    letter = RENDERER.render(
        header(MessageKind.REMINDER, MessageChannel.LETTER, name=name),
        facts(MessageKind.REMINDER),
    )
    assert letter.html is not None
    assert "<b>O" not in letter.html
    assert "Ann &lt;b&gt;O&#39;Brien&lt;/b&gt; &amp; Co" in letter.html
    assert name in letter.text  # the letter's text reads as written
    sms = RENDERER.render(
        header(MessageKind.REMINDER, MessageChannel.SMS, name=name), facts(MessageKind.REMINDER)
    )
    assert "&lt;" not in sms.text


def _copy_templates(tmp_path: Path) -> Path:
    target = tmp_path / "templates"
    shutil.copytree(TEMPLATE_DIR, target)
    return target


def test_an_undefined_variable_is_an_error(tmp_path: Path) -> None:
    folder = _copy_templates(tmp_path)
    path = folder / "en" / "reminder.sms.txt"
    path.write_text(path.read_text(encoding="utf-8") + "{{ balance_today }}\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="'balance_today' is undefined"):
        Renderer(folder).render(
            header(MessageKind.REMINDER, MessageChannel.SMS), facts(MessageKind.REMINDER)
        )


def test_the_template_id_names_the_exact_text(tmp_path: Path) -> None:
    folder = _copy_templates(tmp_path)
    h, f = header(MessageKind.REMINDER, MessageChannel.SMS), facts(MessageKind.REMINDER)
    before = Renderer(folder).render(h, f).template_id
    path = folder / "en" / "reminder.sms.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Please", "Kindly"), "utf-8")
    after = Renderer(folder).render(h, f).template_id
    assert before == RENDERER.render(h, f).template_id
    assert before != after
    assert before.split("@")[0] == after.split("@")[0] == "en/reminder.sms"


def test_an_email_template_must_start_with_its_subject(tmp_path: Path) -> None:
    folder = _copy_templates(tmp_path)
    path = folder / "en" / "reminder.email.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Subject: ", "Re: "), "utf-8")
    with pytest.raises(InvalidInput, match="first line must be 'Subject: …'"):
        Renderer(folder).render(
            header(MessageKind.REMINDER, MessageChannel.EMAIL), facts(MessageKind.REMINDER)
        )


def test_a_validation_notice_missing_required_content_is_refused(tmp_path: Path) -> None:
    folder = _copy_templates(tmp_path)
    path = folder / "en" / "validation_notice.letter.html"
    source = path.read_text(encoding="utf-8")
    source = source.replace('data-field="cfpb-website"', "").replace(
        "{{ current_amount|money }}", "{{ amount_on_itemization_date|money }}"
    )
    path.write_text(source, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        Renderer(folder).render(
            header(MessageKind.VALIDATION_NOTICE, MessageChannel.LETTER),
            facts(MessageKind.VALIDATION_NOTICE),
        )
    message = caught.value.message
    assert "12 CFR 1006.34(c)" in message
    assert "statement 'cfpb-website' is missing" in message
    assert "current-amount: '$937.50' is not printed" in message


def test_the_validation_notice_prints_every_field_where_it_belongs() -> None:
    rendered = RENDERER.render(
        header(MessageKind.VALIDATION_NOTICE, MessageChannel.LETTER),
        facts(MessageKind.VALIDATION_NOTICE),
    )
    assert rendered.html is not None
    _, fields = letter_text(rendered.html)
    assert fields["current-amount"] == "$937.50"
    assert fields["account-number"] == "****1234"
    assert fields["validation-period-end"] == "April 8, 2026"
    assert "www.cfpb.gov/debt-collection" in fields["cfpb-website"]
    assert "español" in fields["spanish-option"]
