"""Recusal (татгалзан гаргах): staff named in a complaint are kept away from it.

At intake the complaint's plaintext is read in memory and matched against the names and
positions of the unit's active staff. Nothing of the text is kept: the only outcome is the
set of people named, which intake.services turns into Recusal rows.

Matching is done in one loose Latin spelling, so that Cyrillic, Mongolian typed in Latin
letters and a mix of both ("Uranbilег") compare alike. A person is named by:

- the first name with the patronymic, as an initial or in full, on either side:
  "Э.Уранбилэг", "Э. Уранбилэг", "Уранбилэг Э.", "Энхбаярын Уранбилэг", "E.Uranbileg";
- the first name alone when it is distinctive: at least MIN_NAME_LETTERS letters and not a
  common word (many Mongolian names are words: Мөнх "eternal", Баяр "joy", Гэрэл "light");
- either of these in an inflected form: the name, or the name less a final short vowel,
  followed by a case ending (Уранбилэгийн, Уранбилэгт, Уранбилэгээс, Сэлэнгийн). Only known
  endings count, so a longer name that begins with a staff name (Болдбаатар for Болд) does
  not;
- a position they hold (Membership.position: "Хэлтсийн дарга"), or, for the head of the
  unit, "хэлтсийн дарга", "head of department" and "дарга" alone when the unit has one head
  and no other position is a "дарга".

Missing a name lets a person read a complaint about themselves; naming one too many hands
the case to colleagues. Matching therefore leans towards recusing.
"""

import re
import unicodedata
from collections import defaultdict
from itertools import product

from org.models import Membership, Role

MIN_NAME_LETTERS = 4

# Each Cyrillic letter's Latin spellings; the first is the canonical one. The ambiguous ones
# (ө, ы) give variants of a staff name; on the text side the canonical spelling is used and
# common Latin digraphs are folded (kh → h, ye → e, zh → j), so they need no variants.
CYRILLIC_TO_LATIN = {
    "а": ("a",), "б": ("b",), "в": ("v",), "г": ("g",), "д": ("d",), "е": ("e",),
    "ё": ("yo",), "ж": ("j",), "з": ("z",), "и": ("i",), "й": ("i",), "к": ("k",),
    "л": ("l",), "м": ("m",), "н": ("n",), "о": ("o",), "ө": ("o", "u"), "п": ("p",),
    "р": ("r",), "с": ("s",), "т": ("t",), "у": ("u",), "ү": ("u",), "ф": ("f",),
    "х": ("h",), "ц": ("ts",), "ч": ("ch",), "ш": ("sh",), "щ": ("sh",), "ъ": ("",),
    "ь": ("",), "ы": ("i", "y"), "э": ("e",), "ю": ("yu",), "я": ("ya",),
}
LATIN_FOLDS = (("kh", "h"), ("ye", "e"), ("zh", "j"))
# Cap on spellings per word: a name with many ө would otherwise multiply.
MAX_VARIANTS = 32

# Case endings (with vowel harmony) a name may take, each optionally followed by the
# reflexive possessive: Уранбилэгтэйгээ = Уранбилэг + тэй + гээ.
_CASE_ENDINGS = (
    "",
    "ын", "ийн", "ний", "гийн", "н", "ы", "ий",  # genitive
    "ыг", "ийг", "г",  # accusative
    "д", "т", "ад", "эд", "од", "өд",  # dative-locative
    "аас", "ээс", "оос", "өөс", "гаас", "гээс", "гоос", "гөөс", "иас", "иос",  # ablative
    "аар", "ээр", "оор", "өөр", "гаар", "гээр", "гоор", "гөөр", "иар", "иор",  # instrumental
    "тай", "тэй", "той",  # comitative
    "руу", "рүү", "луу", "лүү",  # directive
    "ынх", "ийнх", "ынхан", "ийнхан", "ынхны", "ийнхний",  # "of X's", "X's people"
)
_REFLEXIVE = ("", "аа", "ээ", "оо", "өө", "гаа", "гээ", "гоо", "гөө")
_SHORT_VOWELS = set("аэоөуүиaeiou")

# Words that are also first names. A name in this list is matched only with its
# patronymic beside it. Mongolian, and English for the staff whose accounts carry a role
# for a name.
COMMON_WORDS_MN = (
    "алтан", "амар", "ариун", "баяр", "болд", "гэрэл", "дорж", "жаргал", "мөнх", "наран",
    "оюун", "сайхан", "сараа", "солонго", "төмөр", "түмэн", "түвшин", "тэнгис", "улаан",
    "хаан", "цагаан", "цэцэг", "эрдэнэ", "энхээ", "чимэг", "анар", "заяа", "туяа", "хулан",
    "баатар", "мөнгө", "мөнгөн", "сарнай", "хонгор", "ууган", "амгалан", "баясгалан",
    "билэг", "цолмон", "амжилт", "ялалт", "дарга", "хэлтэс", "ажилтан", "улсын", "бүртгэл",
)
COMMON_WORDS_EN = (
    "admin", "auditor", "clerk", "officer", "head", "national", "outsider", "staff",
    "manager", "director", "chief", "boss", "department", "grace", "faith", "hope", "joy",
    "rose", "june", "will", "mark", "bill", "frank", "may", "dawn", "summer", "victor",
)

# How the head of a unit is named without a name.
HEAD_TITLES = ("хэлтсийн дарга", "head of department", "head of the department",
               "department head", "head of unit", "head of the unit")
BARE_HEAD_TITLE = "дарга"
# Left out of the text and of positions: "the head of (the) department". Not "a": that is
# also the initial А.
_FILLER = {"the"}

_HYPHEN_IN_WORD = re.compile(r"(?<=\w)[-‐‑–](?=\w)")
_LATIN_WORD = re.compile(r"[a-z]+")
_ANY_WORD = re.compile(r"[^\W\d_]+")


def _strip_marks(text: str) -> str:
    """ö → o, ü → u, é → e; Cyrillic й and ё keep their own letters."""
    text = text.casefold().replace("й", "\0").replace("ё", "\1")
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", text).replace("\0", "й").replace("\1", "ё")


def _fold(latin: str) -> str:
    for digraph, letter in LATIN_FOLDS:
        latin = latin.replace(digraph, letter)
    return latin


def latin(text: str) -> str:
    """`text` in the canonical loose Latin spelling the matcher compares: casefolded,
    Cyrillic transliterated with the first spelling of each letter, digraphs folded."""
    text = _HYPHEN_IN_WORD.sub("", _strip_marks(text))
    return _fold("".join(CYRILLIC_TO_LATIN.get(c, (c,))[0] for c in text))


def spellings(word: str) -> set[str]:
    """Every Latin spelling of one word (or phrase) that the text might use, folded."""
    word = _HYPHEN_IN_WORD.sub("", _strip_marks(word))
    options = [CYRILLIC_TO_LATIN.get(c, (c,)) for c in word]
    found = set()
    for combination in product(*options):
        found.add(_fold("".join(combination)))
        if len(found) >= MAX_VARIANTS:
            break
    return found


def words(text: str) -> list[str]:
    return _LATIN_WORD.findall(latin(text))


_ENDINGS = frozenset(
    spelling
    for case in _CASE_ENDINGS
    for reflexive in _REFLEXIVE
    if case or reflexive
    for spelling in spellings(case + reflexive)
) | {"yn", "iin", "yg"}  # Latin typists' genitive and accusative after ы
_LONGEST_ENDING = max(map(len, _ENDINGS))
_COMMON = frozenset(s for word in COMMON_WORDS_MN + COMMON_WORDS_EN for s in spellings(word))


def _letters(name: str) -> str:
    return "".join(c for c in name if c.isalpha())


def _stems(word: str) -> set[str]:
    """The spellings an inflected form of `word` may start with: the word itself, and the
    word less a final short vowel (Сэлэнгэ → Сэлэнг-ийн, дарга → дарг-ыг)."""
    stems = spellings(word)
    letters = _letters(word).casefold()
    if len(letters) > 3 and letters[-1] in _SHORT_VOWELS and letters[-2] not in _SHORT_VOWELS:
        stems |= spellings(letters[:-1])
    return stems


def _index(stems_by_key: dict) -> dict[str, set]:
    index: dict[str, set] = defaultdict(set)
    for key, stems in stems_by_key.items():
        for stem in stems:
            if stem:
                index[stem].add(key)
    return index


def _lookup(index: dict[str, set], token: str) -> set:
    """Keys whose stem, followed by nothing or by a known ending, makes up `token`."""
    found = set(index.get(token, ()))
    for cut in range(max(1, len(token) - _LONGEST_ENDING), len(token)):
        if token[cut:] in _ENDINGS:
            found |= index.get(token[:cut], set())
    return found


def _patronymic_forms(last_name: str) -> set[str]:
    """Tokens that stand for the patronymic beside a first name: its initial (Э. → "e",
    Ц. → "ts") and, when given in full, the name itself (inflection is checked apart)."""
    letters = _letters(last_name)
    if not letters:
        return set()
    return spellings(letters[0])


def _phrase(text: str) -> list[str]:
    """The words of `text` in the matcher's spelling, for the text searched."""
    return [w for w in words(text) if w not in _FILLER]


def _raw_phrase(text: str) -> list[str]:
    """The words of a position as written, so that each keeps all its spellings."""
    text = _HYPHEN_IN_WORD.sub("", text.casefold())
    return [w for w in _ANY_WORD.findall(text) if latin(w) not in _FILLER]


def _phrase_matches(tokens: list[str], phrase: list[str]) -> bool:
    """`phrase` occurs in `tokens`, each word as it is or inflected (хэлтсийн даргаас)."""
    if not phrase:
        return False
    stems = [_index({0: _stems(word)}) for word in phrase]
    width = len(phrase)
    for start in range(len(tokens) - width + 1):
        if all(_lookup(stems[i], tokens[start + i]) for i in range(width)):
            return True
    return False


def _position_phrases(position: str) -> list[list[str]]:
    """A position as written, and its last two words when it is longer ("Улсын бүртгэлийн
    улсын байцаагч" is also "улсын байцаагч")."""
    phrase = _raw_phrase(position)
    if not phrase or (len(phrase) == 1 and len(phrase[0]) < MIN_NAME_LETTERS):
        return []
    phrases = [phrase]
    if len(phrase) > 2:
        phrases.append(phrase[-2:])
    return phrases


def named_staff(unit, texts: list[str]) -> set:
    """The active staff of `unit` whom `texts` (a complaint's plaintext, in memory) name by
    name or position. Pure matching: it reads the staff list and writes nothing."""
    memberships = list(
        Membership.objects.active().filter(unit=unit).select_related("user")
    )
    if not memberships:
        return set()
    # An empty word between texts, so a name at the end of one is never read together
    # with an initial at the start of the next.
    tokens = [w for text in texts if text for w in (*_phrase(text), "")]
    if not any(tokens):
        return set()

    users = {m.user_id: m.user for m in memberships}
    first_names = {uid: _letters(u.first_name) for uid, u in users.items()}
    names = _index({uid: _stems(name) for uid, name in first_names.items() if name})
    patronymics = {uid: _patronymic_forms(u.last_name) for uid, u in users.items()}
    full_patronymics = _index({uid: _stems(_letters(u.last_name)) for uid, u in users.items()
                               if len(_letters(u.last_name)) > 1})

    named: set[int] = set()
    for i, token in enumerate(tokens):
        for uid in _lookup(names, token):
            beside = {tokens[j] for j in (i - 1, i + 1) if 0 <= j < len(tokens)}
            with_patronymic = bool(beside & patronymics[uid]) or any(
                uid in _lookup(full_patronymics, other) for other in beside
            )
            distinctive = (len(first_names[uid]) >= MIN_NAME_LETTERS
                           and not spellings(first_names[uid]) & _COMMON)
            if with_patronymic or distinctive:
                named.add(uid)

    heads = {m.user_id for m in memberships if m.role == Role.HEAD}
    positions: dict[int, list[list[str]]] = defaultdict(list)
    for m in memberships:
        positions[m.user_id] += _position_phrases(m.position)
    for uid in heads:
        positions[uid] += [_raw_phrase(title) for title in HEAD_TITLES]
    bare_title = _raw_phrase(BARE_HEAD_TITLE)
    others_called_that = any(
        _phrase_matches(_phrase(m.position), bare_title)
        for m in memberships if m.user_id not in heads
    )
    if len(heads) == 1 and not others_called_that:
        positions[next(iter(heads))].append(bare_title)
    for uid, phrases in positions.items():
        if uid not in named and any(_phrase_matches(tokens, p) for p in phrases):
            named.add(uid)

    return {users[uid] for uid in named}
