# ruff: noqa: RUF001 - Chinese model wording uses full-width punctuation on purpose.
"""Required disclosures (COMPLIANCE-RULES.md 8.2, category 9): phrases that must be present.

Each disclosure is made of elements, and every element must be found for the disclosure to be
made. The US "mini-Miranda" (1692e(11); 1006.18(e)) has two: that this is an attempt to collect
a debt, and that any information obtained will be used for that purpose; later communications
need only say they are from a debt collector. Identification means who is calling (person or
firm) and on whose behalf (the creditor); the Chinese industry rules add the staff number.
Which set a communication needs depends on the preset and on whether it is the first contact:
see `required_disclosures`. Templates with placeholders ("My name is {agent}") satisfy the
identity elements, since the placeholder stands where the name will be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from arrears.domain.conduct.alternatives import HANS, HANT, variant
from arrears.domain.conduct.categories import Language, Script
from arrears.domain.conduct.language import resolve_language
from arrears.domain.conduct.normalise import chinese_script, normalise
from arrears.domain.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Iterable


class Disclosure(StrEnum):
    CALLER_IDENTITY = "caller_identity"
    CREDITOR = "creditor"
    DEBT_COLLECTOR = "debt_collector"
    MINI_MIRANDA = "mini_miranda"
    STAFF_NUMBER = "staff_number"


DISCLOSURE_RULE_IDS: MappingProxyType[Disclosure, tuple[str, ...]] = MappingProxyType(
    {
        Disclosure.CALLER_IDENTITY: ("DISCLOSURE-CALLER-ID", "US-ID", "CN-CONDUCT"),
        Disclosure.CREDITOR: ("DISCLOSURE-CREDITOR", "US-VN-CONTENT", "CN-CONDUCT"),
        Disclosure.DEBT_COLLECTOR: ("DISCLOSURE-DEBT-COLLECTOR", "US-MIRANDA"),
        Disclosure.MINI_MIRANDA: ("DISCLOSURE-MINI-MIRANDA", "US-MIRANDA"),
        Disclosure.STAFF_NUMBER: ("DISCLOSURE-STAFF-NUMBER", "CN-CONDUCT"),
    }
)

NAME = r"(?:\{[^}]*\}|\S+)"  # a name, or the template placeholder standing for it

_ELEMENTS: dict[tuple[Disclosure, Language], tuple[tuple[str, str], ...]] = {
    (Disclosure.CALLER_IDENTITY, Language.EN): (
        (
            "who is calling",
            (
                rf"\bmy name is {NAME}|\b(?:this is|i am|i'm)"
                rf" {NAME}(?: \S+)? (?:from|at|with|of|calling)\b"
                rf"|\b(?:calling|writing|contacting you|a message"
                rf"|this message is|this letter is|this call is)"
                rf" from (?:the )?(?!a\b|an\b|us\b|debt\b){NAME}"
                r"|\b(?:we are|this is) \S+ (?:collections|recoveries|agency|ltd|limited|llc|inc)\b"
            ),
        ),
    ),
    (Disclosure.CALLER_IDENTITY, Language.ES): (
        (
            "quién llama",
            (
                rf"\b(?:me llamo|mi nombre es|le habla|le saluda|soy) {NAME}"
                rf"|\b(?:le llamo|le llamamos|le escribo|le escribimos|nos comunicamos|"
                rf"le contactamos|nos ponemos en contacto con usted) (?:de|desde) {NAME}"
                rf"|\bsomos {NAME} de {NAME}"
            ),
        ),
    ),
    (Disclosure.CALLER_IDENTITY, Language.ZH): (
        (
            "来电人身份",
            (
                r"我是[^,.]{1,20}(?:工作人员|催收员|催收专员|专员|客服|员工|业务员|调解员)"
                r"|我(?:姓|叫)\S|这里是[^,.]{1,15}(?:公司|机构|中心|事务所)"
                r"|(?:来自|我们是)[^,.]{1,15}(?:公司|机构|中心|事务所)"
            ),
        ),
    ),
    (Disclosure.CREDITOR, Language.EN): (
        (
            "on whose behalf",
            (
                rf"\bon behalf of {NAME}|\b(?:your|the) (?:original"
                rf" |current )?creditor(?: is|,|:)? {NAME}"
                rf"|\b(?:account|debt|loan|balance|agreement"
                rf"|card)s? (?:with|from|owed to|due to) {NAME}"
                rf"|\bacting for {NAME}|\binstructed by {NAME}"
            ),
        ),
    ),
    (Disclosure.CREDITOR, Language.ES): (
        (
            "en nombre de quién",
            (
                rf"\ben nombre (?:de|del) {NAME}|\bpor (?:encargo|cuenta) de {NAME}"
                rf"|\b(?:su|el) acreedor(?: es|,|:)? {NAME}"
                rf"|\b(?:deuda|cuenta|prestamo|credito|tarjeta|contrato)(?: \S+)? con {NAME}"
                rf"|\bde parte de {NAME}"
            ),
        ),
    ),
    (Disclosure.CREDITOR, Language.ZH): (
        (
            "委托方",
            (
                r"受[^,.]{1,20}委托|代表[^,.]{1,20}(?:联系|致电|通知|与您|与你)"
                r"|(?:您|你)在[^,.]{1,20}(?:借款|贷款|信用卡|欠款|账户|分期)"
                r"|债权人(?:为|是)|(?:委托方|委托机构)(?:为|是)"
            ),
        ),
    ),
    (Disclosure.DEBT_COLLECTOR, Language.EN): (
        (
            "from a debt collector",
            (
                r"\bfrom a debt collector\b|\b(?:is|are|am) a debt collector\b"
                r"|\battempt(?:ing)? to collect (?:a |the |this )?debt\b"
            ),
        ),
    ),
    (Disclosure.DEBT_COLLECTOR, Language.ES): (
        (
            "de un cobrador de deudas",
            (
                r"\bde un (?:cobrador|recaudador|agente) de deudas\b"
                r"|\b(?:somos|soy|es) (?:un |una )?(?:cobrador de"
                r" deudas|agencia de cobro|agencia de cobranza)"
                r"|\b(?:intent\w*|trat\w*) (?:de )?cobrar (?:una |la |esta )?deuda\b"
            ),
        ),
    ),
    (Disclosure.DEBT_COLLECTOR, Language.ZH): (
        (
            "催收机构",
            (
                r"(?:债务催收|催收)(?:机构|公司|人员)(?:的)?(?:通知|来电|信息|函)"
                r"|(?:我们|我司|本公司)是(?:一家)?(?:债务)?催收(?:机构|公司)|来自(?:债务)?催收机构"
                r"|(?:试图|正在|旨在)(?:催收|收回|追收|追讨)"
            ),
        ),
    ),
    (Disclosure.MINI_MIRANDA, Language.EN): (
        ("attempt to collect a debt", r"\battempt(?:ing)? to collect (?:a |the |this )?debt\b"),
        (
            "information used for that purpose",
            r"\binformation\b(?: \S+){0,4} (?:will|may|shall) be used for (?:that|this) purpose\b",
        ),
    ),
    (Disclosure.MINI_MIRANDA, Language.ES): (
        (
            "intento de cobrar una deuda",
            (
                r"\b(?:intent\w*|trat\w*) (?:de )?cobrar (?:una |la |esta )?deuda\b"
                r"|\bintento de cobr\w* (?:de )?(?:una |la )?deuda\b"
            ),
        ),
        (
            "información usada para ese fin",
            (
                r"\binformacion\b(?: \S+){0,4} (?:se utilizara|sera utilizada|se usara|sera usada|"
                r"se empleara) (?:para|con) (?:ese|este|dicho|tal) (?:fin|proposito|objetivo)\b"
            ),
        ),
    ),
    (Disclosure.MINI_MIRANDA, Language.ZH): (
        (
            "试图催收债务",
            r"(?:试图|正在|旨在|意在)(?:催收|收回|追收|追讨)(?:一笔|此|该|这笔)?(?:债务|欠款)",
        ),
        (
            "信息用于此目的",
            (
                r"(?:获得|获取|所获|收集|得到)的?(?:任何)?(?:信息|资讯)(?:都)?(?:将|会)(?:仅)?(?:被)?用于"
                r"(?:此|该|这一|上述)目的"
            ),
        ),
    ),
    (Disclosure.STAFF_NUMBER, Language.EN): (
        ("staff number", r"\b(?:staff|employee|agent|operator) (?:number|id|no\.?|#)"),
    ),
    (Disclosure.STAFF_NUMBER, Language.ES): (
        (
            "número de empleado",
            r"\bnumero de (?:empleado|agente|operador|identificacion)\b|\bidentificador\b",
        ),
    ),
    (Disclosure.STAFF_NUMBER, Language.ZH): (("工号", r"工号|员工编号|坐席号"),),
}
ELEMENTS: MappingProxyType[tuple[Disclosure, Language], tuple[tuple[str, re.Pattern[str]], ...]] = (
    MappingProxyType(
        {
            key: tuple((name, re.compile(source)) for name, source in elements)
            for key, elements in _ELEMENTS.items()
        }
    )
)

WORDING: MappingProxyType[tuple[Disclosure, str], str] = MappingProxyType(
    {
        (Disclosure.CALLER_IDENTITY, "en"): "My name is {agent}, calling from {agency}.",
        (Disclosure.CALLER_IDENTITY, "es"): "Me llamo {agente} y le llamo de {agencia}.",
        (Disclosure.CALLER_IDENTITY, HANS): "我是{机构}的催收专员{姓名}。",
        (Disclosure.CALLER_IDENTITY, HANT): "我是{機構}的催收專員{姓名}。",
        (Disclosure.CREDITOR, "en"): "We are contacting you on behalf of {creditor}.",
        (Disclosure.CREDITOR, "es"): "Le contactamos en nombre de {acreedor}.",
        (Disclosure.CREDITOR, HANS): "受{债权人}委托与您联系。",
        (Disclosure.CREDITOR, HANT): "受{債權人}委託與您聯繫。",
        (Disclosure.DEBT_COLLECTOR, "en"): "This is a communication from a debt collector.",
        (Disclosure.DEBT_COLLECTOR, "es"): "Esta es una comunicación de un cobrador de deudas.",
        (Disclosure.DEBT_COLLECTOR, HANS): "这是来自债务催收机构的通知。",
        (Disclosure.DEBT_COLLECTOR, HANT): "這是來自債務催收機構的通知。",
        (Disclosure.MINI_MIRANDA, "en"): (
            "This is an attempt to collect a debt, and any information obtained will be used "
            "for that purpose."
        ),
        (Disclosure.MINI_MIRANDA, "es"): (
            "Estamos intentando cobrar una deuda y cualquier información obtenida se utilizará "
            "para ese fin."
        ),
        (
            Disclosure.MINI_MIRANDA,
            HANS,
        ): "我们正在试图催收一笔债务，所获得的任何信息都将用于此目的。",
        (
            Disclosure.MINI_MIRANDA,
            HANT,
        ): "我們正在試圖催收一筆債務，所獲得的任何資訊都將用於此目的。",
        (Disclosure.STAFF_NUMBER, "en"): "My staff number is {number}.",
        (Disclosure.STAFF_NUMBER, "es"): "Mi número de empleado es {numero}.",
        (Disclosure.STAFF_NUMBER, HANS): "我的工号是{工号}。",
        (Disclosure.STAFF_NUMBER, HANT): "我的工號是{工號}。",
    }
)

_IDENTIFY = frozenset({Disclosure.CALLER_IDENTITY, Disclosure.CREDITOR})
DISCLOSURE_PRESETS: MappingProxyType[str, tuple[frozenset[Disclosure], frozenset[Disclosure]]] = (
    MappingProxyType(
        {
            # preset: (first communication, later communications)
            "US-FDCPA-REGF": (
                _IDENTIFY | {Disclosure.MINI_MIRANDA},
                frozenset({Disclosure.CALLER_IDENTITY, Disclosure.DEBT_COLLECTOR}),
            ),
            "UK-FCA": (_IDENTIFY, _IDENTIFY),
            "EU-BASE": (_IDENTIFY, _IDENTIFY),
            "ES": (_IDENTIFY, _IDENTIFY),
            "CN": (_IDENTIFY | {Disclosure.STAFF_NUMBER}, _IDENTIFY | {Disclosure.STAFF_NUMBER}),
        }
    )
)


@dataclass(frozen=True, slots=True)
class MissingDisclosure:
    disclosure: Disclosure
    rule_ids: tuple[str, ...]
    missing: tuple[str, ...]  # the elements not found
    wording: str  # model wording in the text's language and script

    def to_dict(self) -> dict[str, object]:
        return {
            "disclosure": self.disclosure.value,
            "rule_ids": list(self.rule_ids),
            "missing": list(self.missing),
            "wording": self.wording,
        }


def required_disclosures(preset: str, *, initial: bool = True) -> frozenset[Disclosure]:
    """The disclosures a communication under `preset` needs (first contact or later)."""
    try:
        first, later = DISCLOSURE_PRESETS[preset]
    except KeyError:
        known = ", ".join(DISCLOSURE_PRESETS)
        raise InvalidInput(
            f"unknown disclosure preset {preset!r}; expected one of {known}"
        ) from None
    return first if initial else later


def check_disclosures(
    text: str, *, language: str | None, required: Iterable[Disclosure | str]
) -> list[MissingDisclosure]:
    """The required disclosures `text` does not make, in a stable order (empty: all made)."""
    wanted: set[Disclosure] = set()
    for item in required:
        try:
            wanted.add(Disclosure(item))
        except ValueError:
            choices = ", ".join(d.value for d in Disclosure)
            raise InvalidInput(f"unknown disclosure {item!r}; expected one of {choices}") from None
    lang, script = resolve_language(text, language)
    if lang is Language.ZH and script is Script.LATIN:
        script = chinese_script(text)
    folded = normalise(text).text
    missing: list[MissingDisclosure] = []
    for disclosure in Disclosure:
        if disclosure not in wanted:
            continue
        absent = tuple(
            name for name, pattern in ELEMENTS[disclosure, lang] if not pattern.search(folded)
        )
        if absent:
            missing.append(
                MissingDisclosure(
                    disclosure=disclosure,
                    rule_ids=DISCLOSURE_RULE_IDS[disclosure],
                    missing=absent,
                    wording=WORDING[disclosure, variant(lang, script)],
                )
            )
    return missing
