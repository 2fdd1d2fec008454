"""Mongolian case endings as code: a noun phrase in the genitive, dative-locative, accusative,
instrumental or ablative, so that no sentence glues "-т" or "-ийг" to a name.

    inflect("Авлигатай тэмцэх газар", Case.DATIVE)        -> "Авлигатай тэмцэх газарт"
    inflect("Улсын бүртгэлийн хэлтэс", Case.GENITIVE)     -> "Улсын бүртгэлийн хэлтсийн"
    inflect("АТГ", Case.ABLATIVE)                          -> "АТГ-аас"
    in_case(agency.name, Case.DATIVE)   # inflected on Mongolian pages, as is in English

Only the last word of a phrase takes the ending; the words before it stay as they are
(in a list, "хээл хахууль, ашиг сонирхлын зөрчлийн", only the last item takes it too).

The rules, applied to the last word:
- Vowel harmony, from the word's last vowel that is not и: а у я ю ы give back endings with
  а (сумаас, оюутнаас: у does not round), о ё give о (хотоос, прокуророос), э ү е give front
  endings with э (шүүхээс), ө gives ө (өргөдлөөс). A word of и alone is front (бичгээс).
- The final sound. A short а э о ө is dropped before a vowel ending (даргын, даргаар); и takes
  й or и (компанийн, компаниар); ь becomes и (хуулийн, хуулиар, Дорноговиос); a long vowel
  or a diphthong takes г before a vowel ending (цагдаагийн, цагдаагаар) but only н in the
  genitive after й (далайн, дэлхийн). After a consonant: -ын/-ийн, -ыг/-ийг, -ийн/-ийг
  always after г ж ч ш (аймгийн, нэгжийн); н takes -ы/-ий (иргэний, ажилтны).
- The dative: -т after г р с (газарт, хэлтэст, аймагт; _DATIVE_D lists сард) and after в
  that ends a longer word (төсөвт, but төвд); a vowel and -д after т д х з ц, also in a
  cluster, and after a cluster in с (хотод, шүүхэд, хүсэлтэд, улсад, хүүхдэд); -ид after
  ж ч ш (нэгжид); -д everywhere else (сумд, ажилтанд, хуульд, даргад).
- Fleeting vowels: the short vowel of a last syllable drops before a vowel ending (газар →
  газрын, хэлтэс → хэлтсийн, гомдол → гомдлоор) when one consonant stands before it, or a
  cluster of л р м г в and a consonant that is not л м н р (хэлтэс, гомдол, дэвтэр, but
  бүртгэлийн, хөдөлмөрийн, зөвлөлийн). It stays after н and б (саналын, чанарын, тайлбарын),
  after у or ү and г (шугамын), in у and ү (автобусын), after нг (Монголын), and in
  loanwords (к п ф щ ъ, е after a consonant: прокурорын, бизнесийн); before н it drops only
  in -тан/-тэн/-чин (ажилтны, малчны; иргэний keeps it). _DROPPED lists the few the rule
  cannot see (орон → орны).
- н: a hidden н shows in the genitive, dative and ablative (хорооны, хороонд, хорооноос;
  албаны, яамны, усанд), in the words of _HIDDEN_N and in nouns ending in -гаа/-гээ/-гоо/-гөө
  (үйлчилгээний, ажиллагааны). A velar н (тайлан, шуудан, сан) takes the endings of г
  (тайлангийн, тайланг, шуудангаар). Spelling does not show either: both are lists.
- Abbreviations (all capitals, "АТГ", "УБЕГ") keep their letters and take a hyphen and the
  ending of the word their last letter stands for, as Mongolian writes them: АТГ-ын, АТГ-т,
  УБЕГ-аас (газар), ХЗДХЯ-ны, ХЗДХЯ-нд (яам), УИХ-ын, УИХ-д (хурал), НҮБ-ын (байгууллага),
  МУИС-ийн (сургууль), ХХК-ийн (компани). An abbreviation whose word is not known is read
  by the name of its last letter (Д is "дэ": ДД-ийн).
- Numbers take a hyphen and the ending of the last word spoken: 2026 is "... зургаа".
  Numerals inflect as their н-forms (нэгэн, зургаан) in the genitive, dative and ablative,
  as dates are written: 2026.12.06-ны, 06-нд, 01-ний, 01-нээс, 14:00-нд (the hour when
  the minutes are 00); and as the bare numeral in the accusative and the instrumental:
  5-ыг, 6-г, 1-ийг, 6-гаар. A year is a noun phrase: "2026 он" → "2026 оны".
- Latin words ("PDF", "Facebook") are read letter by letter as Cyrillic and take a hyphen:
  PDF-ийн, PDF-д. That is a guess; English spelling does not say how a word is said.
A phrase that does not end in a letter or a digit (a symbol, an empty string) is left as it
is. Capitals are kept (Газар → Газрын); a phrase of several words all in capitals is a
heading, not an abbreviation (ЕРӨНХИЙ ГАЗАР → ЕРӨНХИЙ ГАЗРЫН).

Limits: the hidden н, the velar н and the fleeting vowels of words outside the rules and the
lists are guessed (Mongolian Cyrillic spelling does not show them); person names ending in н
(Тэмүүлэн) are read as ordinary nouns; a front word ending in ь takes -ээр without it and one
ending in и takes -гээр, which real usage may not confirm; numbers are read in the date style
above, not as counts.
"""

import re
from enum import StrEnum

from django.conf import settings
from django.utils import translation


class Case(StrEnum):
    GENITIVE = "genitive"  # харьяалахын тийн ялгал: газрын
    DATIVE = "dative"  # өгөх оршихын: газарт
    ACCUSATIVE = "accusative"  # заахын: газрыг
    INSTRUMENTAL = "instrumental"  # үйлдэхийн: газраар
    ABLATIVE = "ablative"  # гарахын: газраас


_VOWELS = frozenset("аэиоуөүыеёяю")
_CONSONANTS = frozenset("бвгджзйклмнпрстфхцчшщ")
_SONORANTS = frozenset("лмнр")
_HARMONY = {"а": "a", "у": "a", "я": "a", "ю": "a", "ы": "a", "о": "o", "ё": "o",
            "э": "e", "ү": "e", "е": "e", "ө": "ө"}
_LONG = {"a": "аа", "o": "оо", "e": "ээ", "ө": "өө"}
_SHORT = {"a": "а", "o": "о", "e": "э", "ө": "ө"}
_LOANWORD = re.compile(r"[кпфщъ]|ь.|[бвгджзклмнпрстфхцчшщ]е")

# Velar н (ŋ): the endings of г follow it.
_VELAR_N = frozenset({"тайлан", "шуудан", "сан", "зан", "дэн", "ган", "шон", "ван"})
# A hidden н the -гаа/-гээ rule does not find.
_HIDDEN_N = frozenset({
    "алба", "мөнгө", "яам", "ус", "мод", "цаас", "хуудас", "хороо", "гэрээ", "хугацаа",
    "хэмжээ", "тоо", "холбоо", "товчоо", "сүлжээ", "хэрэгцээ",
})
# Fleeting vowels the rule does not find.
_DROPPED = {"орон": "орн"}
# Words in р that take -д, not -т: they ended in a vowel in the old script (sar-a).
_DATIVE_D = frozenset({"сар"})

# Abbreviations by the word their last letter stands for, whole ones first.
_ABBREVIATIONS = {"УИХ": "хурал", "ИТХ": "хурал", "ҮСХ": "хороо", "СЕХ": "хороо"}
_ABBREVIATED_WORDS = {"Г": "газар", "Я": "яам", "Б": "байгууллага", "С": "сургууль",
                      "К": "компани", "Н": "нам", "З": "зөвлөл"}
_LETTER_NAMES = {"б": "бэ", "в": "вэ", "г": "гэ", "д": "дэ", "ж": "жэ", "з": "зэ", "й": "и",
                 "к": "ка", "л": "эл", "м": "эм", "н": "эн", "п": "пэ", "р": "эр", "с": "эс",
                 "т": "тэ", "ф": "фэ", "х": "хэ", "ц": "цэ", "ч": "чэ", "ш": "ша", "щ": "ща"}
_LATIN = dict(zip("abcdefghijklmnopqrstuvwxyz",
                  ["а", "б", "к", "д", "э", "ф", "г", "х", "и", "ж", "к", "л", "м", "н", "о",
                   "п", "к", "р", "с", "т", "у", "в", "в", "кс", "и", "з"], strict=True))

_UNITS = ("тэг", "нэг", "хоёр", "гурав", "дөрөв", "тав", "зургаа", "долоо", "найм", "ес")
_TENS = ("", "арав", "хорь", "гуч", "дөч", "тавь", "жар", "дал", "ная", "ер")
_NUMERAL_HARMONY = {"ес": "ө"}  # said йөс: есөн, есөөр

_CLOSERS = "\"'»”’)]}"
_OPENERS = "\"'«“‘([{"
_LAST_PART = re.compile(r"^(.*?)([^\W_]+)$", re.S)


def inflect(phrase: str, case: Case | str) -> str:
    """`phrase` with its last word in `case` (see the module's docstring for the rules)."""
    case = Case(case)
    text = phrase.rstrip()
    if not text:
        return phrase
    words = re.findall(r"[^\W\d_]+", text)
    if len(words) > 1 and text == text.upper() != text.lower():
        return inflect(text.lower(), case).upper()  # a heading in capitals, not letters
    cut = re.search(r"\S+$", text).start()
    return text[:cut] + _inflect_token(text[cut:], case)


def in_case(phrase: str, case: Case | str) -> str:
    """`phrase` in `case` when the active language is Mongolian; as it is in any other
    language, English having no case endings. For a name put into a translated sentence."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return inflect(phrase, case) if language.split("-")[0] == "mn" else phrase


def _inflect_token(token: str, case: Case) -> str:
    closers = len(token) - len(token.rstrip(_CLOSERS))
    core = token[:len(token) - closers].lstrip(_OPENERS)
    found = _LAST_PART.match(core)
    if not found:
        return token  # ends in a symbol: nothing to inflect
    before, last = found.groups()
    if closers or not _is_cyrillic_word(last) or last.isupper() and len(last) > 1:
        return f"{token}-{_hyphen_ending(before, last, case)}"
    return token[:len(token) - len(last)] + _inflect_word(last, case)


def _is_cyrillic_word(word: str) -> bool:
    return all("а" <= ch.lower() <= "я" or ch.lower() in "өүё" for ch in word)


def _inflect_word(word: str, case: Case) -> str:
    low = word.lower()
    stem, ending = _parts(low, case)
    form = stem + ending
    keep = 0
    while keep < min(len(form), len(low)) and form[keep] == low[keep]:
        keep += 1
    return word[:keep] + form[keep:]


# --- a word's parts: the stem it keeps and the ending it takes ---------------------------

def _harmony(word: str) -> str:
    for ch in reversed(word):
        if ch in _HARMONY:
            return _HARMONY[ch]
    return "e"


def _final(word: str) -> str:
    """soft (ь), i (и after a consonant), short (а э о ө), long, or consonant."""
    last = word[-1]
    if last == "ь":
        return "soft"
    if last == "й":
        return "long"
    if last not in _VOWELS:
        return "consonant"
    if len(word) > 1 and word[-2] in _VOWELS:
        return "long"
    if last == "и":
        return "i"
    # у ү я е ё ю at the end of a word are loans and names; they behave as long vowels.
    return "short" if last in "аэоө" else "long"


def _syllable_start(word: str, index: int) -> bool:
    return index < 0 or word[index] in _VOWELS or word[index] == "й"


def _fleeting(word: str) -> str:
    """The stem a vowel ending goes on: the word without its fleeting vowel, if it has one."""
    if word in _DROPPED:
        return _DROPPED[word]
    if len(word) < 4 or word[-1] not in "вгдлмнрсц" or word[-2] not in "аэоөи":
        return word
    c1, c0 = word[-3], word[-4]
    if c1 not in _CONSONANTS or c1 in "нйбпкф" or _LOANWORD.search(word):
        return word
    if word[-1] == "н" and c1 not in "тч":
        return word
    dropped = word[:-2] + word[-1]
    if c1 == "г" and c0 in "уү":
        return word  # шугамын, тугалын: the old script wrote a full vowel there
    if c0 in _VOWELS or c0 == "й":
        return dropped
    if (c0 in "лрмгв" and c1 not in _SONORANTS and len(word) >= 5
            and _syllable_start(word, -5)):
        return dropped
    return word


def _hidden_n(word: str, final: str) -> bool:
    if word in _HIDDEN_N:
        return True
    return (final == "long" and len(word) > 3 and word[-1] == word[-2] and word[-1] in "аэоө"
            and word[-3] == "г" and any(ch in _VOWELS for ch in word[:-3]))


def _parts(word: str, case: Case, harmony: str | None = None) -> tuple[str, str]:
    harmony = harmony or _harmony(word)
    final = _final(word)
    if word in _VELAR_N:
        return word, {Case.GENITIVE: "гийн", Case.DATIVE: "д", Case.ACCUSATIVE: "г",
                      Case.INSTRUMENTAL: "г" + _LONG[harmony] + "р",
                      Case.ABLATIVE: "г" + _LONG[harmony] + "с"}[case]
    if _hidden_n(word, final) and case in (Case.GENITIVE, Case.DATIVE, Case.ABLATIVE):
        return _hidden_n_parts(word, case, final, harmony)
    if case is Case.DATIVE:
        return _dative(word, final, harmony)
    if case is Case.GENITIVE:
        return _genitive(word, final, harmony)
    if case is Case.ACCUSATIVE:
        return _accusative(word, final, harmony)
    return _long_ending(word, final, harmony, "р" if case is Case.INSTRUMENTAL else "с")


def _hidden_n_parts(word, case, final, harmony) -> tuple[str, str]:
    back = harmony in "ao"
    if case is Case.GENITIVE:
        return word, "ны" if back else "ний"
    if case is Case.ABLATIVE:
        return word, "н" + _LONG[harmony] + "с"
    if final == "consonant":
        return _fleeting(word), _SHORT[harmony] + "нд"
    return word, "нд"


def _after_g_rule(word: str, harmony: str, back_ending: str, front_ending: str) -> str:
    """-ын/-ыг in back words, -ийн/-ийг in front ones and after г ж ч ш."""
    return back_ending if harmony in "ao" and word[-1] not in "гжчшщ" else front_ending


def _genitive(word, final, harmony) -> tuple[str, str]:
    if final == "soft":
        return word[:-1], "ийн"
    if final == "i":
        return word, "йн"
    if final == "long":
        return word, "н" if word[-1] == "й" else "гийн"
    if final == "short":
        stem = word[:-1]
        return stem, "ын" if harmony in "ao" and stem[-1] not in "жчшщ" else "ийн"
    stem = _fleeting(word)
    if word[-1] == "н":
        return stem, "ы" if harmony in "ao" else "ий"
    return stem, _after_g_rule(word, harmony, "ын", "ийн")


def _accusative(word, final, harmony) -> tuple[str, str]:
    if final == "soft":
        return word[:-1], "ийг"
    if final == "i":
        return word, "йг"
    if final == "long":
        return word, "г"
    if final == "short":
        stem = word[:-1]
        return stem, "ыг" if harmony in "ao" and stem[-1] not in "жчшщ" else "ийг"
    return _fleeting(word), _after_g_rule(word, harmony, "ыг", "ийг")


def _long_ending(word, final, harmony, consonant) -> tuple[str, str]:
    """The instrumental (-аар, consonant р) and the ablative (-аас, consonant с)."""
    long = _LONG[harmony] + consonant
    if final in ("soft", "i"):
        stem = word[:-1] if final == "soft" else word
        if harmony in "ao":
            return stem, ("и" if final == "soft" else "") + _SHORT[harmony] + consonant
        # A front word in ь or и: a guess, see the docstring.
        return (stem, long) if final == "soft" else (word, "г" + long)
    if final == "long":
        return word, "г" + long
    if final == "short":
        return word[:-1], long
    return _fleeting(word), long


def _dative(word, final, harmony) -> tuple[str, str]:
    last = word[-1]
    if final != "consonant":
        return word, "д"
    if last in "жчшщ":
        return word, "ид"
    cluster = len(word) > 1 and word[-2] in _CONSONANTS and word[-2] != "й"
    if last in "тдхзцк" or cluster and last == "с":
        return _fleeting(word), _SHORT[harmony] + "д"
    if last in "грс" and word not in _DATIVE_D:
        return word, "т"
    if last == "в":
        longer = len(word) > 2 and word[-2] in "аэоөи" and word[-3] in _CONSONANTS
        return word, "т" if longer and any(ch in _VOWELS for ch in word[:-3]) else "д"
    return word, "д"


# --- hyphenated endings: abbreviations, numbers, Latin words -----------------------------

def _hyphen_ending(before: str, last: str, case: Case) -> str:
    digits = re.search(r"\d+$", last)
    if digits:
        return _numeral_ending(before + last[:digits.start()], digits.group(), case)
    if _is_cyrillic_word(last) and last.isupper():
        word = _ABBREVIATIONS.get(last) or _ABBREVIATED_WORDS.get(last[-1])
        return _word_ending(word or _LETTER_NAMES.get(last[-1].lower(), last[-1].lower()),
                            case)
    if _is_cyrillic_word(last):
        return _word_ending(last.lower(), case)
    spelled = "".join(_LATIN.get(ch, "") for ch in last.lower())
    return _word_ending(spelled or "тэг", case)


def _word_ending(word: str, case: Case, harmony: str | None = None) -> str:
    """The ending of `word` as written after a hyphen, without the stem's changes."""
    _stem, ending = _parts(word, case, harmony)
    if _final(word) == "i" and ending != "д":
        ending = "и" + ending  # ХХК-ийн, ХХК-иас, not ХХК-йн
    if ending.endswith("нд") and len(ending) == 3:
        ending = "нд"  # ХЗДХЯ-нд, not ХЗДХЯ-анд
    return ending


def _numeral(before: str, digits: str) -> str:
    number = int(digits)
    if number == 0:
        earlier = re.search(r"(\d+)\D+$", before)
        if earlier and int(earlier.group(1)):
            number = int(earlier.group(1))  # 14:00 is said "арван дөрвөн цаг"
    if number % 10 or number == 0:
        return _UNITS[number % 10]
    if number // 10 % 10:
        return _TENS[number // 10 % 10]
    for size, word in ((100, "зуу"), (1000, "мянга"), (10**6, "сая")):
        if number // size % (10 if size == 100 else 1000):
            return word
    return "тэрбум"


def _numeral_ending(before: str, digits: str, case: Case) -> str:
    groups = re.search(r"[\d,]*$", before + digits).group(0)
    if "," in groups:
        digits = groups.replace(",", "")  # 1,000 is one number
    word = _numeral(before, digits)
    harmony = _NUMERAL_HARMONY.get(word) or _harmony(word)
    if case is Case.GENITIVE:
        return "ны" if harmony in "ao" else "ний"
    if case is Case.DATIVE:
        return "нд"
    if case is Case.ABLATIVE:
        return "н" + _LONG[harmony] + "с"
    return _word_ending(word, case, harmony)


def ordinal(number: int) -> str:
    """A number as an ordinal the way dates and documents write it: "1 дүгээр", "2 дугаар",
    "11 дүгээр" (the suffix follows the vowels of the last word said: нэг, хоёр, арван нэг)."""
    word = _numeral("", str(number))
    harmony = _NUMERAL_HARMONY.get(word) or _harmony(word)
    return f"{number} {'дугаар' if harmony in 'ao' else 'дүгээр'}"


def date_line(day) -> str:
    """The date line of an official document: "2026 оны 11 дүгээр сарын 15-ны өдөр"."""
    return (f"{day.year} оны {ordinal(day.month)} сарын "
            f"{inflect(str(day.day), Case.GENITIVE)} өдөр")
