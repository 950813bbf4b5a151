# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose.
"""A lawful way to say what each category tries to say, per language and Chinese script.

COMPLIANCE-RULES.md 8.2 asks to pair every category with an approved alternative so that agents
are not left without words. Placeholders in braces are filled by the template engine.
"""

from __future__ import annotations

from types import MappingProxyType

from arrears.domain.conduct.categories import Category, Language, Script

C = Category
EN, ES, HANS, HANT = "en", "es", "zh-Hans", "zh-Hant"

ALTERNATIVES: MappingProxyType[tuple[Category, str], str] = MappingProxyType(
    {
        (C.THREAT_ARREST, EN): (
            "Not paying a debt is not a crime. We would like to agree a way forward with you: "
            "can we look at a payment plan together?"
        ),
        (C.THREAT_ARREST, ES): (
            "No pagar una deuda no es un delito. Nos gustaría acordar una solución con usted: "
            "¿podemos ver juntos un plan de pagos?"
        ),
        (
            C.THREAT_ARREST,
            HANS,
        ): "欠款逾期不属于刑事犯罪。我们希望与您协商解决，可以一起看看分期还款方案吗？",
        (
            C.THREAT_ARREST,
            HANT,
        ): "欠款逾期不屬於刑事犯罪。我們希望與您協商解決，可以一起看看分期還款方案嗎？",
        (C.IMPERSONATION, EN): (
            'Say who you are and whom you act for: "My name is {agent}, calling from {agency} '
            'on behalf of {creditor}." Never suggest you are a court, the police or a lawyer.'
        ),
        (C.IMPERSONATION, ES): (
            "Diga quién es y en nombre de quién llama: «Me llamo {agente}, de {agencia}, en "
            "nombre de {acreedor}». No dé a entender que es un juzgado, la policía o un abogado."
        ),
        (C.IMPERSONATION, HANS): (
            "如实表明身份和委托方：“我是{机构}的催收专员{姓名}，工号{工号}，受{债权人}委托与您联系。”"
            "不得自称或暗示是法院、公安或律师。"
        ),
        (C.IMPERSONATION, HANT): (
            "如實表明身份和委託方：「我是{機構}的催收專員{姓名}，工號{工號}，受{債權人}委託與您聯繫。」"
            "不得自稱或暗示是法院、警方或律師。"
        ),
        (C.THIRD_PARTY, EN): (
            "We will discuss this account only with you or someone you have authorised. "
            "Is this a good number and time to reach you?"
        ),
        (C.THIRD_PARTY, ES): (
            "Solo hablaremos de esta cuenta con usted o con quien usted autorice. "
            "¿Es este un buen número y momento para contactarle?"
        ),
        (
            C.THIRD_PARTY,
            HANS,
        ): "本账户的情况我们只与您本人或您授权的人沟通。请问这个号码和时间方便联系您吗？",
        (
            C.THIRD_PARTY,
            HANT,
        ): "本帳戶的情況我們只與您本人或您授權的人溝通。請問這個號碼和時間方便聯繫您嗎？",
        (C.THREAT_ACTION, EN): (
            "If we cannot agree a plan, the creditor may refer the account for legal review as "
            "the contract allows; we will write to you before any step is taken."
        ),
        (C.THREAT_ACTION, ES): (
            "Si no llegamos a un acuerdo, el acreedor podrá trasladar el expediente a revisión "
            "legal conforme al contrato; le avisaremos por escrito antes de cualquier paso."
        ),
        (C.THREAT_ACTION, HANS): (
            "如果双方无法达成还款安排，债权人可能依照合同和法律规定寻求法律途径解决；"
            "采取任何措施前我们都会书面通知您。"
        ),
        (C.THREAT_ACTION, HANT): (
            "如果雙方無法達成還款安排，債權人可能依照合約和法律規定尋求法律途徑解決；"
            "採取任何措施前我們都會書面通知您。"
        ),
        (C.FALSE_CONSEQUENCE, EN): (
            'State the real consequence accurately: "Missed payments are reported to credit '
            'reference agencies and can make borrowing harder."'
        ),
        (C.FALSE_CONSEQUENCE, ES): (
            "Explique con exactitud la consecuencia real: «Los impagos pueden comunicarse a un "
            "fichero de solvencia y dificultar que obtenga crédito»."
        ),
        (C.FALSE_CONSEQUENCE, HANS): (
            "如实说明真实后果：“逾期记录会按规定报送征信系统，可能影响您今后的贷款申请。”"
        ),
        (C.FALSE_CONSEQUENCE, HANT): (
            "如實說明真實後果：「逾期紀錄會依規定報送信用資料機構，可能影響您日後的貸款申請。」"
        ),
        (C.ABUSE, EN): (
            "Keep to the facts and stay courteous: \"I understand this is difficult. Let's look "
            'at what you can manage."'
        ),
        (C.ABUSE, ES): (
            "Cíñase a los hechos y mantenga la cortesía: «Entiendo que es una situación difícil. "
            "Veamos qué puede asumir»."
        ),
        (C.ABUSE, HANS): "保持礼貌、只谈事实：“我理解您的难处，我们一起看看您能承受的还款方式。”",
        (C.ABUSE, HANT): "保持禮貌、只談事實：「我理解您的難處，我們一起看看您能負擔的還款方式。」",
        (C.PRESSURE_TO_BORROW, EN): (
            "Let's look at what you can afford from your own income and agree a plan that fits; "
            "free, independent debt advice is available if you would like it."
        ),
        (C.PRESSURE_TO_BORROW, ES): (
            "Veamos qué puede pagar con sus propios ingresos y acordemos un plan a su medida; si "
            "lo desea, puede recibir asesoramiento gratuito e independiente sobre deudas."
        ),
        (C.PRESSURE_TO_BORROW, HANS): (
            "我们根据您自己的收入情况看看您能负担多少，一起制定合适的还款计划；"
            "如有需要，您也可以寻求免费的债务咨询。"
        ),
        (C.PRESSURE_TO_BORROW, HANT): (
            "我們根據您自己的收入情況看看您能負擔多少，一起制定合適的還款計畫；"
            "如有需要，您也可以尋求免費的債務諮詢。"
        ),
        (C.PRETEXT, EN): (
            'Say at the start who you are and why you are calling: "This call is about your '
            'account with {creditor}."'
        ),
        (C.PRETEXT, ES): (
            "Diga desde el principio quién es y por qué llama: «Le llamamos por su cuenta con "
            "{acreedor}»."
        ),
        (
            C.PRETEXT,
            HANS,
        ): "开门见山说明身份和来电目的：“我是受{债权人}委托的催收专员，来电是关于您的账户。”",
        (
            C.PRETEXT,
            HANT,
        ): "開門見山說明身分和來電目的：「我是受{債權人}委託的催收專員，來電是關於您的帳戶。」",
        (C.PUBLIC_SHAMING, EN): (
            'Keep the matter private: "This is between you and us; nothing about it will be '
            'made public."'
        ),
        (C.PUBLIC_SHAMING, ES): (
            "Mantenga el asunto en privado: «Esto queda entre usted y nosotros; no se hará "
            "público nada»."
        ),
        (C.PUBLIC_SHAMING, HANS): "保护隐私：“此事只在您和我们之间沟通，不会对外公开任何信息。”",
        (C.PUBLIC_SHAMING, HANT): "保護隱私：「此事只在您和我們之間溝通，不會對外公開任何資訊。」",
        (C.UNAUTHORISED_FEE, EN): (
            'Quote only amounts the agreement or the law allows: "The balance is {amount}, made '
            'up of {breakdown}; there is no charge for setting up a plan."'
        ),
        (C.UNAUTHORISED_FEE, ES): (
            "Indique solo importes que permitan el contrato o la ley: «El saldo es {importe}, "
            "desglosado en {desglose}; acordar un plan no tiene coste»."
        ),
        (C.UNAUTHORISED_FEE, HANS): (
            "只收取合同约定或法律允许的费用：“您的欠款为{金额}，明细为{明细}；办理分期不收取额外费用。”"
        ),
        (C.UNAUTHORISED_FEE, HANT): (
            "只收取合約約定或法律允許的費用：「您的欠款為{金額}，明細為{明細}；辦理分期不收取額外費用。」"
        ),
    }
)


def variant(language: Language, script: Script) -> str:
    if language is Language.ZH:
        return HANT if script is Script.HANT else HANS
    return language.value


def alternative(category: Category, language: Language, script: Script) -> str:
    """The lawful alternative for `category` in the text's language and Chinese script."""
    return ALTERNATIVES[category, variant(language, script)]
