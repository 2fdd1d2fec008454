"""The triage classifier on its own, with the seed lexicon file and no database."""

import pytest

from routing.triage import CategoryInfo, Term, compile_lexicon, lexicon_from_file, suggest
from routing.words import LexiconError, normalise, skeleton


@pytest.fixture(scope="module")
def lexicon():
    return lexicon_from_file()


def test_text_is_normalised_before_matching():
    assert normalise("  ХЭЭЛ-ХАХУУЛЬ!! Ёс, 50 000₮") == "хээл хахууль ес 50000"
    assert normalise("ｈａｈｕｕｌｉ") == "hahuuli"  # NFKC folds full-width letters


def test_cyrillic_and_latin_typing_meet_in_the_skeleton():
    assert skeleton("хахууль") == skeleton("hahuuli") == skeleton("xaxuuli")
    assert skeleton("мөнгө") == skeleton("mungu") == skeleton("möngö")
    assert skeleton("ашиг") == skeleton("ashig")


@pytest.mark.parametrize("text", [
    "Ажилтан хахууль авсан.",
    "Хахуулийн мөнгө нэхсэн.",
    "Авилгагүйгээр энд юм бүтэхгүй.",
    "Авлигын хэрэг гарлаа.",
    "Ажилтан авлига авдаг.",
    "Ажилтан авилга авдаг.",
    "ene heltest heel hahuuli ih baina",
    "avilga ugvul gerchilgee ugnu gesen",
    "avliga nehsen",
    "xaxuuli avdag",
    "ashig sonirhliin zurchil bn",
    "The clerk asked for a bribe.",
    "Staff take bribes here.",
    "He wanted a kickback.",
    "Clear conflict of interest in the land office.",
    "Ашиг сонирхлын зөрчилтэй шийдвэр гаргасан.",
    "Эрх мэдлээ урвуулан ашигласан.",
])
def test_corruption_is_recognised_in_every_spelling(lexicon, text):
    assert suggest(text, lexicon).corruption


@pytest.mark.parametrize("text", [
    "Авлигын эсрэг сургалт сайхан болсон.",
    "Хээл хахуулийн эсрэг сургалт зохион байгуулсанд баярлалаа.",
    "Авлигатай тэмцэх газрын утасны дугаар самбар дээр байгаа нь сайн байна.",
    "The anti-corruption poster in the hall is very clear.",
    "avligiin esreg surgalt sain bolson",
])
def test_anti_corruption_mentions_are_not_corruption_complaints(lexicon, text):
    suggestion = suggest(text, lexicon)
    assert not suggestion.corruption
    assert suggestion.score == 0
    assert suggestion.against


def test_a_complaint_survives_a_mention_of_the_agency(lexicon):
    suggestion = suggest(
        "Ажилтан 50 мянга нэхсэн, Авлигатай тэмцэх газарт мэдэгдэнэ.", lexicon
    )
    assert suggestion.corruption
    assert suggestion.category == "bribery"
    assert "авлиг тэмц" in suggestion.against


def test_the_suggestion_explains_itself(lexicon):
    suggestion = suggest("Иргэний бүртгэгч хээл хахууль авдаг.", lexicon)
    assert suggestion.corruption
    assert suggestion.category == "bribery"
    assert suggestion.categories[0] == "bribery"
    assert {"хахуул", "хээл хахуул"} <= set(suggestion.matched)
    assert suggestion.score >= 3


def test_corruption_categories_come_first_and_others_follow(lexicon):
    suggestion = suggest(
        "Ажилтан хашгирч доромжилсон, дараа нь мөнгө нэхсэн.", lexicon
    )
    assert suggestion.categories[:2] == ["bribery", "staff_conduct"]


@pytest.mark.parametrize("text, category", [
    ("Лавлагаа авахын тулд өдөр бүр ирж дугаар авах шаардлагатай, хүнд суртал ихтэй.",
     "red_tape"),
    ("Ижил бичиг баримтыг гурван удаа бүрдүүлж өгсөн, чирэгдэл их байна.", "red_tape"),
    ("Үйлчилгээний цонх цайны цагаар хаалттай байсан.", "service_quality"),
    ("Ажилтан дуугаа өндөрсгөж, хүндэтгэлгүй харьцсан.", "staff_conduct"),
    ("Цахим хуудсанд өргөдлийн маягт байршуулаач.", "suggestion"),
    ("Бүртгэгч маш эелдэг тусалсан, баярлалаа.", "praise"),
])
def test_other_categories_are_suggested(lexicon, text, category):
    suggestion = suggest(text, lexicon)
    assert not suggestion.corruption
    assert suggestion.category == category


@pytest.mark.parametrize("text", ["", "   ", "!!!", "12345"])
def test_empty_text_is_other_and_not_corruption(lexicon, text):
    suggestion = suggest(text, lexicon)
    assert suggestion.as_dict() == {
        "corruption": False, "category": "other", "categories": [], "score": 0.0,
        "matched": [], "against": [], "scores": {}, "model_version": None,
        "probability": None,
    }


def test_the_suggestion_holds_lexicon_terms_never_the_complaints_words(lexicon):
    text = "Бат-Эрдэнэ гэдэг ажилтан хахуулийн мөнгө 99 мянга нэхсэн"
    values = str(suggest(text, lexicon).as_dict())
    for word in ("Бат", "Эрдэнэ", "хахуулийн", "99"):
        assert word not in values


def test_a_lexicon_can_be_given_as_a_list():
    categories = [CategoryInfo("bribery", True, 10), CategoryInfo("praise", False, 80)]
    lexicon = compile_lexicon([
        Term("bribery", "шагнал", 2.0),
        Term("praise", "гоё", 1.0),
        Term(None, "шагнал гардуул", 0.0, "negation"),
    ], categories)
    assert suggest("Ажилтан шагналаа нэхсэн", lexicon).corruption
    awarded = suggest("Шагнал гардуулсан нь гоё", lexicon)
    assert not awarded.corruption and awarded.category == "praise"


def test_a_phrase_allows_two_words_between_its_parts_but_no_more():
    lexicon = compile_lexicon(
        [Term("bribery", "мөнгө нэх", 3.0, "phrase")], [CategoryInfo("bribery", True)]
    )
    assert suggest("мөнгө их хэмжээгээр нэхсэн", lexicon).corruption
    assert not suggest("мөнгө нэг хоёр гурав нэхсэн", lexicon).corruption
    assert not suggest("нэхсэн мөнгө", lexicon).corruption


def test_an_ending_matches_the_end_of_a_cyrillic_word_only():
    lexicon = compile_lexicon(
        [Term("suggestion", "-аач", 1.0)], [CategoryInfo("suggestion", False)]
    )
    assert suggest("маягт байршуулаач", lexicon).category == "suggestion"
    assert suggest("гаргаач", lexicon).category == "suggestion"
    assert suggest("aach", lexicon).category == "other"


@pytest.mark.parametrize("term, kind", [
    ("хоёр үг", "stem"), ("нэг", "phrase"), ("", "stem"), ("!!", "stem"), ("x", "unknown"),
])
def test_malformed_terms_are_refused(term, kind):
    with pytest.raises(LexiconError):
        compile_lexicon([Term("bribery", term, 1.0, kind)], [CategoryInfo("bribery", True)])


def test_only_a_negation_may_have_no_category():
    with pytest.raises(LexiconError):
        compile_lexicon([Term(None, "авлиг", 1.0)], [CategoryInfo("bribery", True)])
    with pytest.raises(LexiconError):
        compile_lexicon([Term("nope", "авлиг", 1.0)], [CategoryInfo("bribery", True)])
