"""Which categories the decision form ticks before the officer decides: only those whose own
evidence is strong (routing.strength), never from greetings, thanks or bare endings.

tests/routing/data/triage_pretick.jsonl holds a dozen complaints of each kind written for
this test, many opened with "Сайн байна уу" and closed with "Баярлалаа" as people write them.
Run with -s to see the figures.
"""

import json
from collections import Counter
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from routing.strength import POSSIBLE, STRONG, preticked, strength
from routing.triage import lexicon_from_file, suggest, suggest_with_words
from routing.triage_data import TRIAGE_DATA
from tests.intake.pages_case import CASE, NOW, make_case

PRETICK = Path(__file__).resolve().parent / "data" / "triage_pretick.jsonl"
LABELLED = TRIAGE_DATA / "train_labelled.jsonl"

GREETED_BRIBERY = [
    "Сайн байна уу. Иргэний бүртгэлийн ажилтан гэрчилгээг хурдан гаргаж өгье гээд 50 мянган "
    "төгрөг нэхсэн. Шалгаж өгнө үү. Баярлалаа.",
    "Сайн байцгаана уу. Ажилтан хээл хахууль авахгүй бол бичиг баримтыг хүлээж авахгүй "
    "гэсэн. Арга хэмжээ авна уу. Маш их баярлалаа.",
    "Sain baina uu. Ajiltan hahuuli nehsen, ugvul gerchilgee ugnuguie gesen. Bayarlalaa.",
    "Hello. The registrar asked me for a bribe. Please check. Thank you.",
]


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


@pytest.fixture(scope="module")
def lexicon():
    return lexicon_from_file()


def ticked(text, lexicon) -> list[str]:
    return preticked(suggest(text, lexicon).as_dict())


def test_the_strength_scale_has_its_thresholds_in_one_place():
    assert strength(STRONG) == "strong"
    assert strength(STRONG - 0.01) == strength(POSSIBLE) == "possible"
    assert strength(POSSIBLE - 0.01) == strength(0) == "weak"


@pytest.mark.parametrize("text", GREETED_BRIBERY)
def test_a_bribery_complaint_opened_with_a_greeting_and_closed_with_thanks_ticks_only_bribery(
        lexicon, text):
    suggestion = suggest(text, lexicon)
    assert suggestion.corruption
    assert ticked(text, lexicon) == ["bribery"]
    assert "praise" not in suggestion.scores


@pytest.mark.parametrize("text", [
    "Сайн байна уу.", "Сайн байцгаана уу! Баярлалаа.", "Маш их баярлалаа.",
    "sain baina uu, urdchilan bayarlalaa", "Hello, thank you.",
])
def test_greetings_and_thanks_alone_are_no_evidence(lexicon, text):
    suggestion, words = suggest_with_words(text, lexicon)
    assert suggestion.scores == {} and suggestion.matched == [] and words == []
    assert not suggestion.corruption


def test_praise_is_ticked_for_genuine_praise(lexicon):
    text = "Сайн байна уу. Бүртгэгч маш эелдэг, тусламжтай үйлчилсэнд талархал илэрхийлье."
    assert ticked(text, lexicon) == ["praise"]


def test_a_polite_request_ending_alone_ticks_no_suggestion(lexicon):
    text = "Ажилтан 30 мянга нэхсэн. Шалгаж өгнө үү, арга хэмжээ авна уу."
    suggestion = suggest(text, lexicon)
    assert "suggestion" in suggestion.categories  # it still ranks…
    assert ticked(text, lexicon) == ["bribery"]  # …but is not the suggestion's own evidence


def test_the_words_shown_are_the_texts_whole_words_never_bare_endings(lexicon):
    text = "Сайн байна уу. Ажилтан 50 мянган төгрөг нэхсэн, өгөхгүй бол хүлээлгэнэ гэсэн."
    suggestion, words = suggest_with_words(text, lexicon)
    assert any(w.startswith("мянган төгрөг нэхсэн") for w in words) and "хүлээлгэнэ" in words
    assert not any(w.startswith("-") for w in words + suggestion.matched)
    assert not any("сайн" in w for w in words)
    assert "хүлээлгэнэ" not in str(suggestion.as_dict())  # the words are never kept


def test_the_evaluation_texts_are_a_dozen_of_each_kind():
    counts = Counter(row["category"] for row in read(PRETICK))
    assert len(counts) == 9 and min(counts.values()) >= 12


def test_no_category_is_ticked_wrongly_on_the_evaluation_texts(lexicon):
    rows = read(PRETICK)
    wrong = [row["text"] for row in rows
             if set(ticked(row["text"], lexicon)) - {row["category"]}]
    right = sum(row["category"] in ticked(row["text"], lexicon) for row in rows)
    print(f"\npre-ticks: {len(rows)} texts, {len(wrong)} with a wrong tick, "
          f"{right} with their own category ticked")
    assert wrong == []
    assert right >= 0.6 * len(rows)


def test_praise_is_ticked_only_for_praise_on_every_labelled_text(lexicon):
    rows = read(PRETICK) + read(LABELLED)
    wrong = [row["text"] for row in rows
             if "praise" in ticked(row["text"], lexicon) and row["category"] != "praise"]
    assert wrong == []


@pytest.mark.django_db
def test_the_decision_form_ticks_only_the_strong_category(client, units, personas,
                                                          signed_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=True):
        make_case(units, personas, body=GREETED_BRIBERY[1])
        signed_in(personas["officer"])
        page = client.post(reverse("intake:case_read", kwargs=CASE)).content.decode()
    form = page[page.index('name="triage-categories"') - 400:page.index("triage-priority")]
    assert form.count("checked") == 1
    bribery = form[form.index("checked") - 200:form.index("checked")]
    assert "Хээл хахууль" in bribery or "Bribery" in bribery or "value=" in bribery
    assert "хээл хахууль" in page  # the text's own words, not stems
    assert "оноо" not in page and "score 1" not in page


@pytest.mark.django_db
def test_the_decision_shows_the_suggestion_on_the_scale_and_no_bare_ending(
        client, units, personas, signed_in, settings, tmp_path):
    from routing.services import triage_decide
    from tests.routing.helpers import seeded_categories

    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=True):
        complaint = make_case(units, personas)
        triage_decide(complaint=complaint, by=personas["officer"],
                      categories=seeded_categories(["bribery"]), corruption_related=None,
                      priority="high", reason="Хээл хахууль.",
                      suggestion={"corruption": True, "category": "bribery",
                                  "categories": ["bribery"], "score": 12.0,
                                  "matched": ["хахуул", "-на уу"], "against": []})
        signed_in(personas["officer"])
        page = client.get(reverse("intake:case", kwargs=CASE)).content.decode()
    end = page.index("хахуул</dd>")
    shown = page[page.rindex("<dd>", 0, end):end]
    assert "-на уу" not in page and "12.0" not in shown
    assert "strong" in shown or "өндөр" in shown
