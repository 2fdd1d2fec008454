"""How triage reads words: text normalised, Cyrillic and Latin typing folded to forms that
meet, and the words of one lexicon term checked against its kind (routing/triage.py tells
the whole story). It sits below both the classifier (routing.triage) and the lexicon's
model, whose TriageTerm.clean checks a term exactly as the classifier will read it.
"""

import re
import unicodedata

STEM, PHRASE, NEGATION = "stem", "phrase", "negation"
KINDS = (STEM, PHRASE, NEGATION)

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")
_WORD = re.compile(r"[^\W_]+")
_DIGIT_GROUPS = re.compile(r"(?<=\d)[ ,.\u00a0\u202f](?=\d{3}(?!\d))")
_DOUBLED = re.compile(r"(.)\1+")

# People without a Mongolian keyboard layout type о for ө and у for ү.
_CYRILLIC_FOLD = str.maketrans({"ё": "е", "ө": "о", "ү": "у"})
_TO_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "j", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "ө": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ү": "u", "ф": "f", "х": "h", "ц": "c", "ч": "ch",
    "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "i", "э": "e", "ю": "iu", "я": "ia",
})
_LATIN_FOLDS = (("kh", "h"), ("x", "h"), ("zh", "j"), ("ts", "c"), ("w", "v"), ("y", "i"),
                ("o", "u"))


def normalise(text: str) -> str:
    """NFKC, casefolded, ё→е, punctuation turned into spaces, digit groups joined."""
    text = unicodedata.normalize("NFKC", text or "").casefold().replace("ё", "е")
    text = _DIGIT_GROUPS.sub("", text)
    return " ".join(_WORD.findall(text))


def fold_cyrillic(word: str) -> str:
    """A normalised Cyrillic word as it is compared: ё as е, ө as о, ү as у."""
    return word.translate(_CYRILLIC_FOLD)


def skeleton(word: str) -> str:
    """The folded Latin form of a normalised word, Cyrillic or Latin."""
    word = word.translate(_TO_LATIN)
    if not word.isascii():  # ö, ü, é…: drop the marks
        word = "".join(
            c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)
        )
    for old, new in _LATIN_FOLDS:
        word = word.replace(old, new)
    return _DOUBLED.sub(r"\1", word)


def _token(word: str) -> tuple[str | None, str]:
    """(Cyrillic form, "") for a Cyrillic word, else (None, skeleton). A word mixing scripts
    is read as Latin."""
    if CYRILLIC.search(word) and not _LATIN.search(word):
        return fold_cyrillic(word), ""
    return None, skeleton(word)


def tokens(text: str) -> list[tuple[str | None, str]]:
    return [_token(word) for word in normalise(text).split()]


class LexiconError(ValueError):
    pass


def parse_term(text: str, kind: str) -> list[str]:
    """The normalised words of a term, checked against its kind."""
    if kind not in KINDS:
        raise LexiconError(f"unknown kind {kind!r}")
    raw = (text or "").strip()
    words = []
    for piece in raw.split():
        ending = piece.startswith("-")
        word = normalise(piece)
        if not word or " " in word:
            raise LexiconError(f"{text!r}: each word must be letters or digits")
        words.append("-" + word if ending else word)
    if not words:
        raise LexiconError("a term needs at least one word")
    if kind == STEM and len(words) != 1:
        raise LexiconError(f"{text!r}: a stem is one word; use a phrase for several")
    if kind == PHRASE and len(words) < 2:
        raise LexiconError(f"{text!r}: a phrase has two words or more; use a stem for one")
    return words
