"""Matching a compiled lexicon against a text's words: the part of routing.triage that finds
where terms occur, what the negations take away, and what each category's evidence is.
routing/triage.py tells the whole story; this module only does the finding."""

from collections import defaultdict
from dataclasses import dataclass, field

from routing.words import NEGATION

PHRASE_MAX_GAP = 2  # words allowed between two parts of a phrase


def _occurrences(parts_at: list[list[int]], usable) -> list[tuple[int, ...]]:
    """Every non-overlapping way the parts occur in order, each within PHRASE_MAX_GAP words
    of the one before, using only positions that `usable` allows."""
    found, taken = [], set()
    for start in parts_at[0]:
        if start in taken or not usable(start):
            continue
        chain = [start]
        for positions in parts_at[1:]:
            after = chain[-1]
            following = next(
                (p for p in positions
                 if after < p <= after + PHRASE_MAX_GAP + 1 and p not in taken and usable(p)),
                None,
            )
            if following is None:
                break
            chain.append(following)
        else:
            found.append(tuple(chain))
            taken.update(chain)
    return found


def term_positions(lexicon, words, skip: set[int]) -> dict[int, list[list[int]]]:
    """Where each part of each term occurs, outside the positions to `skip` (greetings and
    politeness formulas): term index -> one list of positions per part."""
    positions = {}
    for position, token in enumerate(words):
        if position in skip:
            continue
        for t_index, p_index, part in lexicon.candidates(token):
            if part.matches(token):
                slots = positions.get(t_index)
                if slots is None:
                    slots = positions[t_index] = [[] for _ in lexicon.terms[t_index].parts]
                if not slots[p_index] or slots[p_index][-1] != position:
                    slots[p_index].append(position)
    return positions


@dataclass
class Negated:
    """What the negations found: per category the words not to count and how much it is
    lowered; how much the corruption score is lowered; the negation terms."""

    masked: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    lowered: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    corruption_lowered: float = 0.0
    against: list[str] = field(default_factory=list)


def negations(lexicon, positions, polite: set[int]) -> Negated:
    """Negations first: the words they cover are taken from the categories they apply to.
    A negation inside a thank-you formula ("баярлалаа" closing a bribery complaint) is
    politeness, not a sign that the text is about thanks, and lowers nothing."""
    negated, corruption_codes = Negated(), lexicon.corruption_codes
    for t_index, parts_at in positions.items():
        compiled = lexicon.terms[t_index]
        if compiled.term.kind != NEGATION or not all(parts_at):
            continue
        occurrences = [o for o in _occurrences(parts_at, lambda _p: True)
                       if not polite.issuperset(o)]
        if not occurrences:
            continue
        negated.against.append(compiled.term.term)
        covered = {p for occurrence in occurrences for p in occurrence}
        for code in compiled.targets:
            negated.masked[code] |= covered
            negated.lowered[code] += compiled.term.weight
        if compiled.targets & corruption_codes:
            negated.corruption_lowered += compiled.term.weight
    return negated


@dataclass
class Evidence:
    """What counted, per category. `weights` holds every matched term's weight; `own` only
    that of terms made of whole words, since a bare ending ("-на уу", "-хгүй") occurs in
    every kind of text and so is never a category's own evidence, found outside a thank-you
    formula (routing.formulas). `matched` are those
    whole-word terms (weight, term) and `spans` where they occurred in the text."""

    weights: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    own: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    matched: list[tuple[float, str]] = field(default_factory=list)
    spans: set[tuple[int, int]] = field(default_factory=set)


def evidence(lexicon, positions, masked, polite: set[int]) -> Evidence:
    """Each category's weight from its terms found outside its masked words; a term found
    only inside a `polite` formula (thanks) ranks but is not the category's own evidence."""
    found = Evidence()
    for t_index, parts_at in positions.items():
        compiled = lexicon.terms[t_index]
        if compiled.term.kind == NEGATION or not all(parts_at):
            continue
        (code,) = compiled.targets
        hidden = masked.get(code, set())
        occurrences = _occurrences(parts_at, lambda p, hidden=hidden: p not in hidden)
        if not occurrences:
            continue
        found.weights[code] += compiled.term.weight
        occurrences = [o for o in occurrences if not polite.issuperset(o)]
        if not occurrences or any(part.ending for part in compiled.parts):
            continue
        found.own[code] += compiled.term.weight
        found.matched.append((compiled.term.weight, compiled.term.term))
        found.spans.update((occurrence[0], occurrence[-1]) for occurrence in occurrences)
    return found
