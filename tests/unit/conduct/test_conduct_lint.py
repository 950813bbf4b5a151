"""`lint`: lawful firm sentences pass, decisions by kind, negation, spans, scripts, alternatives."""

import unicodedata

import pytest
from conduct_data import labelled, seed_fixtures

from arrears.domain.conduct import (
    CATEGORY_INFO,
    Category,
    Decision,
    Language,
    Script,
    Severity,
    TextKind,
    UnsupportedLanguage,
    detect_language,
    lint,
    rule_ids,
)
from arrears.domain.conduct.alternatives import ALTERNATIVES, alternative
from arrears.domain.conduct.hanzi import SIMPLIFIED_ONLY, TRADITIONAL_ONLY
from arrears.domain.errors import InvalidInput

LAWFUL_FIRM = [
    ("en", "We may refer the account for legal review as the contract allows."),
    ("en", "We will NOT contact your employer."),
    ("en", "You may contact the Financial Ombudsman Service."),
    ("en", "Missed payments are reported accurately to credit reference agencies."),
    (
        "en",
        (
            "If we cannot agree a plan, the creditor may take legal action as the agreement "
            "allows, and we will write to you first."
        ),
    ),
    ("en", "We can offer a payment plan or a breathing space while you get free debt advice."),
    ("en", "This is a communication from a debt collector."),
    ("en", "Your payment of $50 is due on Friday."),
    ("en", "It is illegal for collectors to threaten you with arrest."),
    ("en", "We won't tell your family, your employer or your neighbours."),
    (
        "es",
        (
            "Si no llegamos a un acuerdo, podríamos remitir la cuenta a revisión legal según "
            "permite el contrato."
        ),
    ),
    ("es", "No contactaremos con su empresa."),
    ("es", "Puede acudir al Servicio de Reclamaciones del Banco de España."),
    (
        "es",
        "Los impagos se comunican con exactitud a los ficheros de solvencia, previo requerimiento.",
    ),
    (
        "es",
        "Podemos ofrecerle un plan de pagos o una carencia mientras recibe asesoramiento gratuito.",
    ),
    ("es", "Esta es una comunicación de un cobrador de deudas."),
    ("zh", "如双方无法协商一致,我司可能按合同约定寻求法律途径解决。"),
    ("zh", "我们不会联系您的单位。"),
    ("zh", "您可以向金融监管部门投诉。"),
    ("zh", "逾期信息将如实报送征信系统。"),
    ("zh", "我们可以为您办理分期或延期还款。"),
    ("zh", "如雙方無法協商一致,本公司可能依合約約定尋求法律途徑。"),
    ("zh", "我們不會聯繫您的公司。"),
    ("zh", "逾期資訊將如實報送聯徵中心。"),
]


@pytest.mark.parametrize(("language", "text"), LAWFUL_FIRM)
@pytest.mark.parametrize("kind", list(TextKind))
def test_lawful_firm_sentences_pass_whatever_the_kind(language, text, kind):
    result = lint(text, language=language, kind=kind)
    assert result.hits == ()
    assert result.decision is Decision.PASS


@pytest.mark.parametrize(
    ("kind", "decision"),
    [
        (TextKind.TEMPLATE, Decision.BLOCK),
        (TextKind.APPROVED_SCRIPT, Decision.BLOCK),
        (TextKind.NOTE, Decision.FLAG),
        (TextKind.DRAFT, Decision.FLAG),
        ("approved_script", Decision.BLOCK),
        ("note", Decision.FLAG),
    ],
)
def test_templates_and_approved_scripts_block_notes_and_drafts_flag(kind, decision):
    result = lint("Pay today or you will be arrested.", language="en", kind=kind)
    assert [hit.category for hit in result.hits] == [Category.THREAT_ARREST]
    assert result.decision is decision


NEGATION = [
    ("en", "We will not contact your employer.", set()),
    ("en", "If you don't pay, we'll call your employer.", {Category.THIRD_PARTY}),
    ("en", "Don't think we won't tell your family.", {Category.THIRD_PARTY}),
    ("en", "We won't hesitate to call your employer.", {Category.THIRD_PARTY}),
    ("en", "We will not, under any circumstances, tell your family.", set()),
    ("en", "You won't be arrested, but we will contact your neighbours.", {Category.THIRD_PARTY}),
    ("en", "Nobody will be arrested or jailed because of an unpaid credit card.", set()),
    ("es", "No llamaremos a su empresa.", set()),
    ("es", "Si no paga, llamaremos a su empresa.", {Category.THIRD_PARTY}),
    ("es", "No crea que no vamos a llamar a su jefe.", {Category.THIRD_PARTY}),
    ("es", "El impago de una deuda no es un delito.", set()),
    ("zh", "我们不会通知你的家人。", set()),
    ("zh", "如果你不还钱,我们就通知你的家人。", {Category.THIRD_PARTY}),
    ("zh", "别以为我们不会通知你的家人。", {Category.THIRD_PARTY}),
    ("zh", "欠款逾期不属于刑事犯罪。", set()),
]


@pytest.mark.parametrize(("language", "text", "expected"), NEGATION)
def test_negation_is_read_in_its_clause(language, text, expected):
    assert lint(text, language=language, kind="draft").categories == expected


PAIRS = [
    ("我们会打电话到你单位。", "我們會打電話到你單位。", Category.THIRD_PARTY),
    ("再不还钱你会坐牢的。", "再不還錢你會坐牢的。", Category.THREAT_ARREST),
    ("这会影响你孩子上学。", "這會影響你孩子上學。", Category.FALSE_CONSEQUENCE),
    ("去找亲戚朋友借钱还。", "去找親戚朋友借錢還。", Category.PRESSURE_TO_BORROW),
    ("我们会把你的照片挂到网上。", "我們會把你的照片掛到網上。", Category.PUBLIC_SHAMING),
    ("你这个骗子。", "你這個騙子。", Category.ABUSE),
    ("逾期要收催收费。", "逾期要收催收費。", Category.UNAUTHORISED_FEE),
    ("我是法院的工作人员。", "我是法院的工作人員。", Category.IMPERSONATION),
    ("马上冻结你的银行卡。", "馬上凍結你的銀行卡。", Category.THREAT_ACTION),
    ("您有一个快递未签收。", "您有一個快遞未簽收。", Category.PRETEXT),
]


@pytest.mark.parametrize(("simplified", "traditional", "category"), PAIRS)
def test_simplified_and_traditional_are_both_caught(simplified, traditional, category):
    hans = lint(simplified, kind="note")
    hant = lint(traditional, kind="note")
    assert hans.language is hant.language is Language.ZH
    assert (hans.script, hant.script) == (Script.HANS, Script.HANT)
    assert category in hans.categories
    assert hans.categories == hant.categories
    # the lawful alternative is written in the text's own script
    assert not set(hans.hits[0].alternative) & TRADITIONAL_ONLY
    assert set(hant.hits[0].alternative) & TRADITIONAL_ONLY
    assert not set(hant.hits[0].alternative) & SIMPLIFIED_ONLY


def test_pinyin_glosses_of_copied_text_are_ignored():
    result = lint("明白標(biāo)明今天不拿到錢,就不會(huì)分開", kind="note")
    assert result.categories == {Category.PRESSURE_TO_BORROW}
    assert result.hits[0].span.matched == "不拿到錢,就不會(huì)分開"


def full_width(text):
    """The text in full-width forms, as typed with a CJK input method."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) for c in text)


@pytest.mark.parametrize(
    "text",
    [
        full_width("WE WILL GARNISH YOUR WAGES TOMORROW"),
        "We   will\tgarnish  YOUR wages\ntomorrow",
        unicodedata.normalize("NFD", "Le embargaremos la nómina mañana."),
        "LE EMBARGAREMOS LA NÓMINA MAÑANA.",
    ],
)
def test_full_width_case_accents_and_spacing_are_normalised(text):
    result = lint(text, kind="template")
    assert result.categories == {Category.THREAT_ACTION}
    hit = result.hits[0]
    assert text[hit.span.start : hit.span.end] == hit.span.matched


def unlawful_sentences():
    written = [(s.text, s.language.value) for s in labelled() if s.labels]
    seeds = [(f["text"], f["language"]) for f in seed_fixtures()]
    return written + seeds


def test_every_hit_has_a_true_span_rule_ids_and_an_alternative_in_the_texts_language():
    checked = 0
    for text, language in unlawful_sentences():
        result = lint(text, language=language, kind="draft")
        starts = [hit.span.start for hit in result.hits]
        assert starts == sorted(starts)
        for hit in result.hits:
            checked += 1
            assert hit.span.matched
            assert text[hit.span.start : hit.span.end] == hit.span.matched
            assert hit.rule_ids == rule_ids(hit.category)
            assert hit.rule_ids[0] == CATEGORY_INFO[hit.category].rule_id
            assert hit.language is result.language
            assert hit.alternative == alternative(hit.category, hit.language, result.script)
            assert detect_language(hit.alternative) is hit.language
    assert checked > 500


def test_every_category_has_an_alternative_in_each_language_and_script():
    for category in Category:
        texts = {ALTERNATIVES[category, variant] for variant in ("en", "es", "zh-Hans", "zh-Hant")}
        assert len(texts) == 4
        assert detect_language(ALTERNATIVES[category, "es"]) is Language.ES
        assert detect_language(ALTERNATIVES[category, "en"]) is Language.EN


def test_rule_ids_are_stable():
    assert {c: CATEGORY_INFO[c].rule_id for c in Category} == {
        Category.THREAT_ARREST: "CONDUCT-THREAT-ARREST",
        Category.IMPERSONATION: "CONDUCT-IMPERSONATION",
        Category.THIRD_PARTY: "CONDUCT-THIRD-PARTY",
        Category.THREAT_ACTION: "CONDUCT-THREAT-ACTION",
        Category.FALSE_CONSEQUENCE: "CONDUCT-FALSE-CONSEQUENCE",
        Category.ABUSE: "CONDUCT-ABUSE",
        Category.PRESSURE_TO_BORROW: "CONDUCT-PRESSURE-BORROW",
        Category.PRETEXT: "CONDUCT-PRETEXT",
        Category.PUBLIC_SHAMING: "CONDUCT-PUBLIC-SHAMING",
        Category.UNAUTHORISED_FEE: "CONDUCT-UNAUTHORISED-FEE",
    }
    assert CATEGORY_INFO[Category.THREAT_ARREST].severity is Severity.CRITICAL
    assert "US-3P" in rule_ids(Category.THIRD_PARTY)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le llamamos por su deuda con Banco Sur.", Language.ES),
        ("Su cuota vence mañana.", Language.ES),
        ("We are calling about your account.", Language.EN),
        ("请于月底前还款。", Language.ZH),
        ("", Language.EN),
    ],
)
def test_language_is_detected_from_script_and_words(text, language):
    assert detect_language(text) is language


def test_chinese_inside_an_english_note_is_linted_with_the_chinese_patterns():
    result = lint("Agent note: told customer 我们会打电话到你单位.", language="en", kind="note")
    assert result.language is Language.EN
    assert [(hit.category, hit.language) for hit in result.hits] == [
        (Category.THIRD_PARTY, Language.ZH)
    ]


def test_language_tags_are_read_by_their_first_part_and_fix_the_script():
    assert lint("Pague hoy.", language="es-MX", kind="note").language is Language.ES
    result = lint("我们会通知你的家人", language="zh-Hant", kind="note")
    assert result.script is Script.HANT
    assert set(result.hits[0].alternative) & TRADITIONAL_ONLY


def test_bad_language_kind_and_size_are_domain_errors():
    with pytest.raises(UnsupportedLanguage) as error:
        lint("Bonjour", language="fr", kind="note")
    assert error.value.code == "conduct_unsupported_language"
    with pytest.raises(InvalidInput) as error:
        lint("Hello", kind="memo")
    assert "template" in error.value.message
    with pytest.raises(InvalidInput):
        lint("x" * 200_001, kind="note")


def test_result_serialises_to_plain_data():
    data = lint("You deadbeat.", language="en", kind="template").to_dict()
    assert data["decision"] == "block"
    assert data["hits"][0]["category"] == "abuse"
    assert data["hits"][0]["rule_ids"][0] == "CONDUCT-ABUSE"
    assert data["hits"][0]["matched"] == "deadbeat"


def test_public_surface():
    from arrears.domain import conduct  # noqa: PLC0415

    assert set(conduct.__all__) == {
        "CATEGORY_INFO",
        "DISCLOSURE_PRESETS",
        "Category",
        "CategoryInfo",
        "Counts",
        "Decision",
        "Disclosure",
        "Evaluation",
        "Hit",
        "LabelledSentence",
        "Language",
        "LintResult",
        "MissingDisclosure",
        "Script",
        "Severity",
        "Span",
        "Split",
        "TextKind",
        "UnsupportedLanguage",
        "check_disclosures",
        "detect_language",
        "evaluate",
        "lint",
        "parse_labelled",
        "parse_labelled_lines",
        "required_disclosures",
        "rule_ids",
    }
