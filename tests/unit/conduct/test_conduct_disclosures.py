"""Required disclosures: identity, creditor, the US mini-Miranda, the Chinese staff number."""

import pytest

from arrears.domain.conduct import (
    DISCLOSURE_PRESETS,
    Disclosure,
    check_disclosures,
    required_disclosures,
)
from arrears.domain.errors import InvalidInput

US_INITIAL = required_disclosures("US-FDCPA-REGF", initial=True)


def missing(text, language, required):
    return {gap.disclosure for gap in check_disclosures(text, language=language, required=required)}


def test_presets_follow_the_compliance_rules():
    assert {Disclosure.CALLER_IDENTITY, Disclosure.CREDITOR, Disclosure.MINI_MIRANDA} == US_INITIAL
    assert required_disclosures("US-FDCPA-REGF", initial=False) == {
        Disclosure.CALLER_IDENTITY,
        Disclosure.DEBT_COLLECTOR,
    }
    assert required_disclosures("UK-FCA") == {Disclosure.CALLER_IDENTITY, Disclosure.CREDITOR}
    assert Disclosure.STAFF_NUMBER in required_disclosures("CN")
    assert set(DISCLOSURE_PRESETS) == {"US-FDCPA-REGF", "UK-FCA", "EU-BASE", "ES", "CN"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            (
                "My name is {agent}, calling from Northside Recoveries on behalf of Harbor Bank. "
                "This is an attempt to collect a debt, and any information obtained will be used "
                "for that purpose."
            ),
        ),
        (
            "es",
            (
                "Me llamo Laura y le llamo de Cobros Norte en nombre de Banco Sur. Estamos "
                "intentando cobrar una deuda y cualquier información obtenida se utilizará para "
                "ese fin."
            ),
        ),
        (
            "zh",
            (
                "我是安信公司的催收专员李明,受华夏银行委托与您联系。我们正在试图催收一笔债务,"
                "所获得的任何信息都将用于此目的。"
            ),
        ),
    ],
)
def test_a_complete_us_first_contact_misses_nothing_in_any_language(language, text):
    assert check_disclosures(text, language=language, required=US_INITIAL) == []


def test_each_missing_disclosure_names_its_rules_elements_and_model_wording():
    gaps = check_disclosures("Please call us back today.", language="en", required=US_INITIAL)
    assert [gap.disclosure for gap in gaps] == [
        Disclosure.CALLER_IDENTITY,
        Disclosure.CREDITOR,
        Disclosure.MINI_MIRANDA,
    ]
    miranda = gaps[-1]
    assert miranda.rule_ids == ("DISCLOSURE-MINI-MIRANDA", "US-MIRANDA")
    assert miranda.missing == ("attempt to collect a debt", "information used for that purpose")
    assert "attempt to collect a debt" in miranda.wording


def test_half_a_mini_miranda_is_still_missing_the_other_half():
    gaps = check_disclosures(
        "We are attempting to collect a debt.",
        language="en",
        required={Disclosure.MINI_MIRANDA},
    )
    assert [gap.missing for gap in gaps] == [("information used for that purpose",)]


def test_later_communications_need_only_say_they_are_from_a_debt_collector():
    later = required_disclosures("US-FDCPA-REGF", initial=False)
    text = "This is Dana from Northside Recoveries. This is a communication from a debt collector."
    assert missing(text, "en", later) == set()
    assert missing("This is Dana from Northside Recoveries.", "en", later) == {
        Disclosure.DEBT_COLLECTOR
    }


def test_uk_identity_means_who_is_calling_and_on_whose_behalf():
    uk = required_disclosures("UK-FCA")
    assert missing("My name is Sam, calling from Ash Collections.", "en", uk) == {
        Disclosure.CREDITOR
    }
    assert (
        missing("My name is Sam, calling from Ash Collections on behalf of Oak Bank.", "en", uk)
        == set()
    )


def test_chinese_staff_number_and_traditional_wording():
    cn = required_disclosures("CN")
    assert (
        missing("我是安信公司的催收专员李明,工号2031,受华夏银行委托与您联系。", None, cn) == set()
    )
    gaps = check_disclosures("請盡快還款。", language=None, required=cn)
    assert {gap.disclosure for gap in gaps} == cn
    assert all("受" in gap.wording or "我" in gap.wording for gap in gaps)
    assert any("工號" in gap.wording for gap in gaps)  # Traditional text, Traditional wording


def test_unknown_preset_or_disclosure_is_a_domain_error():
    with pytest.raises(InvalidInput):
        required_disclosures("XX")
    with pytest.raises(InvalidInput):
        check_disclosures("hello", language="en", required={"miranda"})
