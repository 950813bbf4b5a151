"""Render messages from Jinja2 templates with Babel's locale rules.

Templates live in `arrears/content/templates/<lang>/<kind>.<channel>.<ext>`: `sms.txt`,
`email.txt` (first line `Subject: …`, then a blank line, then the body) and `letter.html`
(extending `_letter.html`, styled by `letter.css`). The environment is strict: an undefined
variable is an error (StrictUndefined), HTML is autoescaped, text is not. Filters, all in the
message's locale (en_US, es_ES, zh_Hans_CN):

- `money`: `Money` → `format_currency` (e.g. `1.234,50 €`, `$1,234.50`, `¥1,234.50`);
- `date`: `format_date` (`long` by default: `5 de marzo de 2026`, `2026年3月5日`);
- `number`: `format_decimal`;
- `plural(n, one=…, other=…, few=…, many=…)`: the CLDR plural category of `n` in the locale
  picks the form; `#` in it becomes the formatted number.

After rendering, `render` extracts the letter's text, and for the validation notice checks that
every statement and value Regulation F requires is printed in its `data-field` element.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    pass_context,
    select_autoescape,
)
from jinja2.exceptions import UndefinedError

from arrears.domain.comms import (
    LOCALES,
    REQUIRED_STATEMENTS,
    MessageChannel,
    ValidationNotice,
    mentions_opt_out,
    required_values,
    validate_facts,
)
from arrears.domain.errors import InvalidInput
from arrears.domain.money import Money

if TYPE_CHECKING:
    from jinja2.runtime import Context

    from arrears.domain.comms import Facts, Header

TEMPLATE_DIR: Final = Path(__file__).resolve().parent.parent / "content" / "templates"
EXTENSIONS: Final = {
    MessageChannel.SMS: "sms.txt",
    MessageChannel.EMAIL: "email.txt",
    MessageChannel.LETTER: "letter.html",
}
_SPACES = re.compile(r"[ \t\u00a0\u202f]+")
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "tr", "li", "h1", "h2", "h3", "h4", "table", "address", "footer"}
)
_VOID_TAGS = frozenset({"br", "img", "meta", "link", "hr", "input", "col", "wbr"})


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered message: `text` is what a person reads (the letter's text for letters)."""

    kind: str
    channel: MessageChannel
    language: str
    template_id: str  # "<lang>/<kind>.<channel>@<sha256 of the template source, 12 hex>"
    subject: str | None
    text: str
    html: str | None  # letters only
    has_opt_out_notice: bool  # an opt-out instruction in the message's language is present

    @property
    def full_text(self) -> str:
        return f"{self.subject}\n\n{self.text}" if self.subject else self.text


class _LetterText(HTMLParser):
    """The text of a letter, and the text inside each `data-field` element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.fields: dict[str, list[str]] = {}
        self._stack: list[tuple[str, str | None]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"style", "script", "head", "title"}:
            self._skip += 1
        if tag in _BLOCK_TAGS or tag == "br":
            self.parts.append("\n")
        elif tag in {"td", "th"}:
            self.parts.append(" ")
        if tag in _VOID_TAGS:
            return
        field = dict(attrs).get("data-field")
        if field:
            self.fields.setdefault(field, []).append("")
        self._stack.append((tag, field))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "script", "head", "title"}:
            self._skip = max(0, self._skip - 1)
        while self._stack:
            open_tag, _ = self._stack.pop()
            if open_tag == tag:
                break
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data)
        for _, field in self._stack:
            if field:
                self.fields[field][-1] += data

    def text(self) -> str:
        lines = (_SPACES.sub(" ", line).strip() for line in "".join(self.parts).splitlines())
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def letter_text(html: str) -> tuple[str, dict[str, str]]:
    """The readable text of a letter and the text of each `data-field` (joined, spaces folded)."""
    parser = _LetterText()
    parser.feed(html)
    parser.close()
    fields = {
        name: _SPACES.sub(" ", " | ".join(texts)).strip() for name, texts in parser.fields.items()
    }
    return parser.text(), fields


def _locale(context: Context) -> str:
    return str(context["_locale"])


@pass_context
def _money(context: Context, value: Money) -> str:
    if not isinstance(value, Money):
        raise InvalidInput(f"the money filter needs a Money, got {type(value).__name__}")
    return str(format_currency(value.amount, value.currency, locale=_locale(context)))


@pass_context
def _date(context: Context, value: dt.date, style: str = "long") -> str:
    return str(format_date(value, style, locale=_locale(context)))


@pass_context
def _number(context: Context, value: Any) -> str:
    return str(format_decimal(value, locale=_locale(context)))


@pass_context
def _plural(context: Context, count: int, **forms: str) -> str:
    if "other" not in forms:
        raise InvalidInput("the plural filter needs at least the `other` form")
    category = Locale.parse(_locale(context)).plural_form(count)
    form = forms.get(category, forms["other"])
    return form.replace("#", str(format_decimal(count, locale=_locale(context))))


class Renderer:
    """One Jinja2 environment over a template folder (the shipped one by default)."""

    def __init__(self, template_dir: Path | None = None) -> None:
        self.template_dir = template_dir or TEMPLATE_DIR
        self.env = Environment(
            loader=FileSystemLoader(self.template_dir),
            autoescape=select_autoescape(["html"], default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.filters.update(money=_money, date=_date, number=_number, plural=_plural)

    def template_name(self, header: Header) -> str:
        return f"{header.language.value}/{header.kind.value}.{EXTENSIONS[header.channel]}"

    def render(self, header: Header, facts: Facts) -> Rendered:
        """Validate the facts, render, and check the result (raises InvalidInput)."""
        validate_facts(header, facts)
        name = self.template_name(header)
        try:
            template = self.env.get_template(name)
        except TemplateNotFound:
            raise InvalidInput(f"no template {name} in {self.template_dir}") from None
        source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        digest = hashlib.sha256(source.encode()).hexdigest()[:12]
        context = {
            "_locale": LOCALES[header.language],
            "kind": header.kind.value,
            "channel": header.channel.value,
            "language": header.language.value,
            "as_of": header.as_of,
            "recipient": header.recipient,
            "sender": header.sender,
            "creditor": header.creditor,
            "account": header.account,
            **facts.context(),
        }
        try:
            output = template.render(context)
        except UndefinedError as error:
            raise InvalidInput(f"template {name}: {error.message}") from None
        subject: str | None = None
        html: str | None = None
        if header.channel is MessageChannel.SMS:
            text = _SPACES.sub(" ", " ".join(output.split())).strip()
        elif header.channel is MessageChannel.EMAIL:
            first, _, body = output.partition("\n")
            if not first.startswith("Subject:") or not first.removeprefix("Subject:").strip():
                raise InvalidInput(f"template {name}: the first line must be 'Subject: …'")
            subject = first.removeprefix("Subject:").strip()
            text = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
        else:
            html = output
            text, fields = letter_text(html)
            if isinstance(facts, ValidationNotice):
                self._check_notice(name, facts, header, fields, LOCALES[header.language])
        return Rendered(
            kind=header.kind.value,
            channel=header.channel,
            language=header.language.value,
            template_id=f"{name.rsplit('.', 1)[0]}@{digest}",
            subject=subject,
            text=text,
            html=html,
            has_opt_out_notice=mentions_opt_out(f"{subject or ''}\n{text}", header.language),
        )

    def _check_notice(
        self,
        name: str,
        notice: ValidationNotice,
        header: Header,
        fields: dict[str, str],
        locale: str,
    ) -> None:
        problems = [f"statement {s!r} is missing" for s in REQUIRED_STATEMENTS if not fields.get(s)]
        for field, value in required_values(notice, header):
            shown = _format(value, locale)
            if shown not in fields.get(field, ""):
                problems.append(f"{field}: {shown!r} is not printed in its data-field element")
        if problems:
            raise InvalidInput(
                f"template {name} does not make a complete validation notice "
                f"(12 CFR 1006.34(c)): " + "; ".join(problems)
            )


def _format(value: object, locale: str) -> str:
    if isinstance(value, Money):
        text = str(format_currency(value.amount, value.currency, locale=locale))
    elif isinstance(value, dt.date):
        text = str(format_date(value, "long", locale=locale))
    else:
        text = str(value)
    return _SPACES.sub(" ", text).strip()


__all__ = ["EXTENSIONS", "TEMPLATE_DIR", "Rendered", "Renderer", "letter_text"]
