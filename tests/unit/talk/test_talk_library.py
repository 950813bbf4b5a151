"""The shipped talk-track library: complete, lawful, and covering the strategy and every seed."""

import re

import pytest

from arrears.adapters.strategy_files import load_strategy
from arrears.domain.conduct import (
    DISCLOSURE_PRESETS,
    TextKind,
    check_disclosures,
    lint,
    required_disclosures,
)
from arrears.domain.errors import NotFound
from arrears.domain.talk import (
    INTENTS,
    LANGUAGES,
    PLACEHOLDERS,
    Audience,
    Intent,
    TrackKind,
    placeholders_in,
)
from arrears.domain.workflow.vocab import DebtorType
from arrears.services import talk

LIBRARY = talk.load_library()
APPROVED = sorted(LIBRARY.approved(), key=lambda t: t.track_id)


def test_every_approved_track_has_a_text_in_every_language():
    assert len(APPROVED) >= 50
    for t in APPROVED:
        assert set(t.texts) == set(LANGUAGES), t.track_id
        assert all(text.strip() for text in t.texts.values())


@pytest.mark.parametrize("t", APPROVED, ids=lambda t: t.track_id)
def test_every_approved_text_passes_the_conduct_linter(t):
    for lang, text in t.texts.items():
        result = lint(text, language=lang.value, kind=TextKind.APPROVED_SCRIPT)
        assert result.hits == (), (t.track_id, lang, [h.span.matched for h in result.hits])


def test_every_strategy_talk_track_exists_in_all_three_languages():
    strategy = load_strategy()
    named = {step.talk_track for tr in strategy.treatments.values() for step in tr.steps}
    assert len(named) >= 26
    for track_id in sorted(named):
        found = LIBRARY.track(track_id)
        assert found.approved, track_id
        for lang in LANGUAGES:
            assert talk.track(track_id, lang).text.strip()


STRATEGY_IDS = [
    "back.firm_accurate_consequences",
    "back.hardship_plan",
    "back.negotiate_plan",
    "back.settlement_offer",
    "front.firm_accurate_consequences",
    "front.hardship_options",
    "front.plan_options_email",
    "front.service_reminder",
    "front.sms_payment_link",
    "front.sms_reminder",
    "front.statement_email",
    "guarantor.honour_guarantee",
    "late.final_offer",
    "late.hardship_settlement",
    "letter.arrears_statement",
    "letter.formal_demand",
    "letter.please_contact_us",
    "letter.pre_demand_notice",
    "letter.reminder",
    "letter.settlement_offer",
    "notice.amount_method_balance",
    "notice.sms_reminder",
    "trace.location_only",
    "trace.please_contact_us",
    "tracking.debit_failed",
    "tracking.debit_failed_sms",
]


def test_the_default_strategy_names_exactly_the_ids_the_library_was_written_for():
    strategy = load_strategy()
    named = {step.talk_track for tr in strategy.treatments.values() for step in tr.steps}
    assert set(STRATEGY_IDS) <= named | set(LIBRARY.tracks)
    assert named <= set(LIBRARY.tracks)


def test_every_strategy_stage_named_by_a_track_exists():
    stages = {s.stage_id for s in load_strategy().stages}
    for t in APPROVED:
        assert t.stages <= stages, (t.track_id, t.stages - stages)


@pytest.mark.parametrize("preset", sorted(DISCLOSURE_PRESETS))
def test_openings_make_every_required_disclosure_of_their_preset(preset):
    first = LIBRARY.opening(preset, initial=True)
    for lang in LANGUAGES:
        missing = check_disclosures(
            first.text(lang), language=lang.value, required=required_disclosures(preset)
        )
        assert missing == [], (first.track_id, lang, [m.disclosure for m in missing])


def test_us_later_communications_say_they_are_from_a_debt_collector():
    later = LIBRARY.opening("US-FDCPA-REGF", initial=False)
    wanted = required_disclosures("US-FDCPA-REGF", initial=False)
    for lang in LANGUAGES:
        assert check_disclosures(later.text(lang), language=lang.value, required=wanted) == []
    # and the first-contact opening is the only one carrying the full mini-Miranda
    assert "information obtained will be used for that purpose" in LIBRARY.opening(
        "US-FDCPA-REGF"
    ).text("en")


def test_every_seed_objection_maps_to_a_general_response_in_all_languages():
    for intent in Intent:
        chosen = LIBRARY.for_intent(intent)
        assert chosen.kind is TrackKind.RESPONSE
        assert chosen.intent is intent
        assert chosen.seeds, intent
        assert INTENTS[intent].seeds
        assert set(chosen.texts) == set(LANGUAGES)


def test_tracks_replacing_unlawful_seed_advice_keep_their_seed_reference():
    replaced = [t for t in APPROVED if t.lawful_replacement_of]
    ids = {t.track_id for t in replaced}
    # the handbook answers the issue names: children's education, borrowing from relatives
    assert {"response.no_money_now", "response.lost_income", "response.pay_when_able"} <= ids
    for t in replaced:
        assert any(re.match(r"\d{3}: ", s) for s in t.seeds), t.track_id


def test_the_lawful_versions_do_not_repeat_the_seed_advice():
    no_money = LIBRARY.track("response.no_money_now")
    assert "education" not in no_money.text("en")
    assert "educación" not in no_money.text("es")
    for track_id in ("response.lost_income", "response.pay_when_able"):
        t = LIBRARY.track(track_id)
        assert "family" not in t.text("en")
        assert "familiares" not in t.text("es")
        assert "亲戚" not in t.text("zh")


def test_placeholders_are_known_and_the_same_in_every_language():
    for t in APPROVED:
        sets = {lang: placeholders_in(text) for lang, text in t.texts.items()}
        assert len(set(sets.values())) == 1, (t.track_id, sets)
        assert next(iter(sets.values())) <= set(PLACEHOLDERS)


def test_texts_for_references_and_unknown_listeners_never_mention_the_debt():
    debt_words = re.compile(
        r"\b(?:debts?|deuda|owed?|amount|importe|overdue|vencid\w*)\b|债|欠|逾期|还款",
        re.IGNORECASE,
    )
    quiet = [t for t in APPROVED if t.audience in {Audience.REFERENCE, Audience.ANY}]
    assert {"trace.location_only", "verify.someone_else_answers", "response.wrong_person"} <= {
        t.track_id for t in quiet
    }
    for t in quiet:
        for lang, text in t.texts.items():
            spoken = re.sub(r"\{[a-z_]+\}", "", text)
            assert not debt_words.search(spoken), (t.track_id, lang)
            assert "{amount}" not in text
            assert "{creditor}" not in text


def test_selection_prefers_the_stage_and_debtor_type_variants():
    assert LIBRARY.for_intent(Intent.NO_MONEY_NOW).track_id == "response.no_money_now"
    assert (
        LIBRARY.for_intent(Intent.NO_MONEY_NOW, stage_id="back_row").track_id
        == "response.no_money_now.back_row"
    )
    assert (
        LIBRARY.for_intent(Intent.NO_MONEY_NOW, stage_id="front_row").track_id
        == "response.no_money_now"
    )
    unwilling = LIBRARY.for_intent(Intent.PAY_WHEN_ABLE, debtor_type=DebtorType.ABLE_UNWILLING)
    assert unwilling.track_id == "response.pay_when_able.able_unwilling"
    cooperative = LIBRARY.for_intent(Intent.PAY_WHEN_ABLE, debtor_type=DebtorType.COOPERATIVE)
    assert cooperative.track_id == "response.pay_when_able"


def test_unknown_ids_and_languages_are_clear_errors():
    with pytest.raises(NotFound, match=r"no talk track 'nope\.nothing'"):
        talk.track("nope.nothing", "en")
    with pytest.raises(Exception, match="unknown language 'fr'"):
        talk.track("closing.standard", "fr")


def test_rendering_fills_known_values_and_leaves_the_rest_visible():
    rendered = talk.track(
        "promise.confirm", "es", {"promise_amount": "120,00 €", "promise_date": "12/12/2026"}
    )
    assert "120,00 €" in rendered.text
    assert "12/12/2026" in rendered.text
    assert "{promise_method}" in rendered.text


def test_responses_follow_each_stages_arrangement_policy():
    """No settlement talk where the stage allows none; no plan offered where plans are not."""
    for stage in load_strategy().stages:
        policy = stage.arrangements
        discount = LIBRARY.for_intent(Intent.DISCOUNT_REQUEST, stage_id=stage.stage_id)
        plan = LIBRARY.for_intent(Intent.PLAN_REQUEST, stage_id=stage.stage_id)
        if not policy.settlements_allowed:
            assert "settlement" not in discount.text("en"), stage.stage_id
            assert "liquidación" not in discount.text("es"), stage.stage_id
            assert "结清" not in discount.text("zh"), stage.stage_id
        if not policy.plans_allowed:
            assert "we can look at a plan" not in plan.text("en").lower(), stage.stage_id
            assert plan.stages, stage.stage_id  # a stage-specific answer, not the general one


def test_the_library_draws_on_all_five_seeds():
    cited = {s[:3] for t in APPROVED for s in t.seeds if re.match(r"\d{3}: ", s)}
    assert cited == {"000", "001", "002", "003", "004"}
