"""Greetings and politeness formulas, which triage never counts as evidence.

"Сайн байна уу" opens many complaints and "Баярлалаа" closes them, whatever they are about:
read as words, the first looked like praise ("сайн") and the second like praise too. So a
greeting is taken out before any lexicon term is matched (routing.triage), and thanks still
rank (a complaint that is only a thank-you is praise, and thanks for an anti-corruption
training lower the corruption score as before) but are never a category's own evidence
(routing.strength): a bribery complaint that opens with a greeting and ends with thanks has
only its bribery pre-ticked.

A formula matches whole words in order, Cyrillic or typed in Latin letters (compared by
skeleton, so "sain baina uu" and "bayarlalaa" are formulas too). Thanks for something named
("тусалсанд баярлалаа") still counts through the words that name it.
"""

from routing.words import fold_cyrillic, normalise, skeleton

GREETINGS = (
    "сайн байна уу", "сайн бна уу", "сайн байцгаана уу", "сайн байцгаана", "сайн уу",
    "өглөөний мэнд", "өдрийн мэнд", "оройн мэнд", "эрхэм хүндэт", "хүндэт", "хүндэтгэсэн",
    "hello", "hi", "dear sir", "dear madam", "good morning", "good afternoon",
    "best regards", "kind regards", "regards", "sincerely",
)
THANKS = (
    "маш их баярлалаа", "их баярлалаа", "урьдчилан баярлалаа", "урьдчилж баярлалаа",
    "баярлалаа", "thank you", "thanks", "many thanks",
)


def _compiled(formulas) -> dict[tuple[bool, str], list[tuple[tuple[str, str], ...]]]:
    """Each formula as (Cyrillic form, skeleton) pairs, indexed by how its first word is
    compared (Cyrillic form for a Cyrillic word, skeleton for any other), longest first."""
    index: dict = {}
    for formula in formulas:
        words = tuple((fold_cyrillic(w), skeleton(w)) for w in normalise(formula).split())
        for key in ((True, words[0][0]), (False, words[0][1])):
            index.setdefault(key, []).append(words)
    for found in index.values():
        found.sort(key=len, reverse=True)
    return index


_GREETINGS, _THANKS = _compiled(GREETINGS), _compiled(THANKS)


def _same(word: tuple[str, str], token: tuple[str | None, str]) -> bool:
    cyrillic, skel = token
    return word[0] == cyrillic if cyrillic is not None else word[1] == skel


def greeting_positions(words: list[tuple[str | None, str]]) -> set[int]:
    """The positions of `words` (routing.words.tokens) in a greeting or a closing."""
    return _positions(words, _GREETINGS)


def thanks_positions(words: list[tuple[str | None, str]]) -> set[int]:
    """The positions of `words` in a thank-you formula."""
    return _positions(words, _THANKS)


def _positions(words, index) -> set[int]:
    covered: set[int] = set()
    for start, (cyrillic, skel) in enumerate(words):
        if start in covered:
            continue
        key = (True, cyrillic) if cyrillic is not None else (False, skel)
        for formula in index.get(key, ()):
            end = start + len(formula)
            if end <= len(words) and all(
                    _same(part, words[start + i]) for i, part in enumerate(formula)):
                covered.update(range(start, end))
                break
    return covered
