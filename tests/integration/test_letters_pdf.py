"""Letters as PDF in es, zh and en: laid out by WeasyPrint, turned into PNG with pypdfium2, and
checked for ink on the page, the text (Chinese included) and the fonts that drew it (no tofu)."""

from __future__ import annotations

import ctypes
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from arrears.adapters.pdf import missing_system_libraries, render_pdf
from arrears.adapters.render import Renderer
from arrears.domain.comms import (
    Header,
    ItemizationDateType,
    Language,
    MessageChannel,
    MessageKind,
    Party,
    Reminder,
    Sender,
    ValidationNotice,
    validation_period_end,
)
from arrears.domain.money import Money
from arrears.domain.workflow.workdays import WorkingCalendar

pytestmark = pytest.mark.skipif(
    missing_system_libraries() is not None, reason=str(missing_system_libraries())
)
pdfium = pytest.importorskip("pypdfium2")
raw = pytest.importorskip("pypdfium2.raw")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "letters"
AS_OF = dt.date(2026, 3, 2)
SENDER = Sender(
    "Norte Collections",
    ("100 Main Street", "Springfield, IL 62701"),
    "+1 800 555 0100",
    "help@norte.example",
    agent_id="A-1027",
)
RECIPIENTS = {
    Language.EN: Party("Mary Jones", ("12 Elm St", "Albany, NY 12207")),
    Language.ES: Party("María López Fernández", ("Calle Mayor 1", "28013 Madrid")),
    Language.ZH: Party("王芳", ("朝阳区建国路88号", "100022 北京")),
}
CURRENCY = {Language.EN: "USD", Language.ES: "EUR", Language.ZH: "CNY"}
WHITE = 245  # a pixel lighter than this on every channel is paper


def _letter(language: Language) -> tuple[str, Header]:
    """The validation notice in English and Chinese, the overdue reminder in Spanish."""
    cur = CURRENCY[language]
    if language is Language.ES:
        kind = MessageKind.REMINDER
        facts: Reminder | ValidationNotice = Reminder(
            35, 2, Money(Decimal("1234.50"), cur), dt.date(2026, 3, 12)
        )
    else:
        kind = MessageKind.VALIDATION_NOTICE
        end = validation_period_end(AS_OF, WorkingCalendar())
        m = lambda a: Money(Decimal(a), cur)  # noqa: E731
        facts = ValidationNotice(
            dt.date(2026, 1, 31), ItemizationDateType.LAST_STATEMENT, "Bank One",
            "4000123412341234", "Bank One", m("1000.00"), m("12.50"), m("25.00"),
            m("100.00"), m("0.00"), m("937.50"), AS_OF, end, end,
        )  # fmt: skip
    head = Header(kind, MessageChannel.LETTER, language, AS_OF, RECIPIENTS[language], SENDER,
                  "Bank One", "L-1001")  # fmt: skip
    rendered = Renderer().render(head, facts)
    assert rendered.html is not None
    return rendered.html, head


def _chars_and_fonts(page: object) -> list[tuple[str, str]]:
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    buffer = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    out = []
    for index in range(textpage.count_chars()):
        char = chr(raw.FPDFText_GetUnicode(textpage, index))
        raw.FPDFText_GetFontInfo(textpage, index, buffer, 256, ctypes.byref(flags))
        out.append((char, buffer.value.decode("latin-1")))
    return out


@pytest.mark.parametrize("language", [Language.ES, Language.ZH, Language.EN], ids=str)
def test_a_letter_is_a_readable_pdf(language: Language, tmp_path: Path) -> None:
    html, head = _letter(language)
    data = render_pdf(html)
    (tmp_path / f"{head.kind.value}-{language.value}.pdf").write_bytes(data)
    assert data.startswith(b"%PDF-")
    document = pdfium.PdfDocument(data)
    try:
        _check(document, head, language, tmp_path)
    finally:
        document.close()


def _check(document: object, head: Header, language: Language, tmp_path: Path) -> None:
    pages = len(document)  # type: ignore[arg-type]
    assert pages >= 1
    first = document[0]  # type: ignore[index]
    image = first.render(scale=1).to_pil().convert("L")
    for folder in (tmp_path, ARTIFACTS):
        folder.mkdir(parents=True, exist_ok=True)
        image.save(folder / f"{head.kind.value}-{language.value}.png")
    histogram = image.histogram()
    ink = sum(histogram[:WHITE]) / (image.width * image.height)
    assert 0.01 < ink < 0.5, f"page 1 has {ink:.1%} ink: blank or black"
    pieces = [document[n].get_textpage().get_text_range() for n in range(pages)]  # type: ignore[index]
    # pdfium reports a hyphen it could break a line at as U+FFFE
    lines = "".join(pieces).replace("\ufffe", "-")
    text = lines.replace("\r\n", " ")
    joined = lines.replace("\r\n", "")
    assert head.recipient.name in text
    chars = _chars_and_fonts(first)
    if language is Language.ZH:
        for needle in ("王芳", "当前欠款总额", "¥937.50", "2026年4月8日", "工号A-1027"):
            assert needle in joined
        han = [(c, font) for c, font in chars if "\u4e00" <= c <= "\u9fff"]
        assert len(han) > 200
        assert all("Noto-Sans-CJK" in font or "NotoSansCJK" in font for _, font in han), {
            font for _, font in han
        }
    elif language is Language.ES:
        assert "1.234,50 €" in text.replace("\u00a0", " ")
        assert "12 de marzo de 2026" in text
    else:
        for needle in ("$937.50", "April 8, 2026", "español"):
            assert needle in text
        assert "www.cfpb.gov/debt-collection" in joined
    assert all(font for c, font in chars if not c.isspace())
