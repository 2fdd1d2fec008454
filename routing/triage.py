"""Triage suggestions: which categories a complaint points to, whether it is corruption-related,
and the lexicon terms that decided it, so an officer sees why.

    from routing.triage import suggest

    suggestion = suggest(complaint.body)   # the lexicon in the database, cached per process
    suggestion.corruption, suggestion.category, suggestion.matched

The text is read in memory and never stored, logged or cached: a suggestion holds only lexicon
terms, category codes and a score, so keeping it beside a decision keeps no complaint content.

How a text is read. It is normalised (NFKC, casefolded, ё→е, punctuation removed, digit groups
joined) and split into words. A word in Cyrillic is compared with the Cyrillic form of a term
(ө→о and ү→у as well, for people typing on a Russian layout); any other word (Mongolian typed
in Latin letters, English) is compared with a folded Latin *skeleton* of the term, in which
ө/ү/о/у are one vowel, х/kh/x are h, ц/ts are c, and doubled letters count once, so that
"хахууль", "hahuuli", "xaxuuli" and "haxuuli" meet. Terms match at the start of a word, which
covers inflected forms (хахуулийн, авлигагүйгээр, авлигын); a term written with a leading "-"
matches the end of a word instead (-аач, a polite request).

Greetings ("Сайн байна уу") are taken out before matching, and thanks ("Баярлалаа") rank
but are never a category's own evidence (routing.formulas). A category's own evidence, the
sum of its whole-word terms (never a bare ending), decides whether the decision form ticks it
(routing.strength, which also holds the strong / possible / weak thresholds).

How it scores. Each matched term adds its weight to its category once. A negation term
(e.g. "авлиг эсрэг", "anti corrupt", "сургалт") takes the words it covers away from the
categories it applies to (all corruption-related ones when it has no category) and lowers their
score by its weight: an anti-corruption poster or training is not a corruption complaint, but
"the trainer took a bribe" still is. A text is corruption-related when the corruption-related
categories together score at least CORRUPTION_THRESHOLD. Missing a corruption complaint costs
far more than a false alarm that an officer dismisses, so the threshold is low.

A learned model (routing.learned), once one is trained and promoted, reads the text beside
the lexicon: the text is corruption-related when either says so, and the model's category
comes first where the lexicon has none or only weak evidence (routing.learned.combine).

The lexicon is data (routing.TriageTerm, seeded from routing/data/lexicon.json). `suggest`
loads it once per process and re-reads it when the terms or categories change, checked at most
every LEXICON_TTL_SECONDS. Tests and the benchmark pass a lexicon directly (`lexicon_from_file`
or `compile_lexicon`), which needs no database.
"""

import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from routing.formulas import greeting_positions, thanks_positions
from routing.learned import combine
from routing.strength import POSSIBLE
from routing.triage_match import evidence, negations, term_positions
from routing.words import (
    CYRILLIC,
    NEGATION,
    STEM,
    LexiconError,
    fold_cyrillic,
    normalise,
    parse_term,
    skeleton,
    tokens,
)

LEXICON_FILE = Path(__file__).resolve().parent / "data" / "lexicon.json"
CORRUPTION_THRESHOLD = POSSIBLE  # routing.strength
LEXICON_TTL_SECONDS = 10.0
FALLBACK_CATEGORY = "other"

@dataclass(frozen=True)
class Term:
    """One lexicon entry. `category` is a category code; a negation may have none, and then
    applies to every corruption-related category."""

    category: str | None
    term: str
    weight: float
    kind: str = STEM


@dataclass(frozen=True)
class CategoryInfo:
    code: str
    corruption_related: bool
    order: int = 100


@dataclass(frozen=True)
class Suggestion:
    """What triage suggests for one text. `categories` are ranked, corruption-related ones
    first when `corruption`; `category` is the first of them, or "other". `matched` are the
    lexicon terms made of whole words that counted and `against` the negation terms that
    lowered the score. `scores` holds each ranked category's own evidence (routing.strength).
    It holds no word of the text, so it may be kept beside a decision."""

    corruption: bool
    category: str
    categories: list[str]
    score: float
    matched: list[str]
    against: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    # The learned model that had its say (routing.learned), and its calibrated probability
    # that the text is corruption-related; None when the lexicon decided alone.
    model_version: int | None = None
    probability: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


# --- Compiling a lexicon --------------------------------------------------------------------

@dataclass(frozen=True)
class _Part:
    cyrillic: str | None  # compared with Cyrillic words; None for a term written in Latin
    skeleton: str  # compared with every other word
    ending: bool  # matches the end of a word, not its start
    whole: bool  # a short single-word term must be the whole word in Latin text ("вэ"/"very")

    def matches(self, token: tuple[str | None, str]) -> bool:
        cyrillic, skel = token
        if cyrillic is not None:
            if self.cyrillic is None:
                return False
            return (cyrillic.endswith(self.cyrillic) if self.ending
                    else cyrillic.startswith(self.cyrillic))
        if self.ending:
            # A Mongolian ending spelt in Latin letters is too short to tell from English.
            return self.cyrillic is None and skel.endswith(self.skeleton)
        return skel == self.skeleton if self.whole else skel.startswith(self.skeleton)


@dataclass(frozen=True)
class _Compiled:
    term: Term
    parts: tuple[_Part, ...]
    targets: frozenset[str]  # the categories it adds to, or for a negation, those it lowers


def _part(word: str, single: bool) -> _Part:
    ending = word.startswith("-")
    word = word.lstrip("-")
    skel = skeleton(word)
    is_latin = CYRILLIC.search(word) is None
    return _Part(
        cyrillic=None if is_latin else fold_cyrillic(word),
        skeleton=skel, ending=ending, whole=single and not ending and len(skel) < 3,
    )


@dataclass
class Lexicon:
    """A compiled lexicon: terms indexed by how they start and end, for fast matching."""

    terms: list[_Compiled]
    categories: dict[str, CategoryInfo]
    # (Cyrillic?, first letters, up to three) -> [(term index, part index, part)]
    _starts: dict = field(default_factory=dict, repr=False)
    _ends: dict = field(default_factory=dict, repr=False)  # (Cyrillic?, last letter) -> [...]

    def __post_init__(self):
        starts, ends = defaultdict(list), defaultdict(list)
        for t_index, compiled in enumerate(self.terms):
            for p_index, part in enumerate(compiled.parts):
                entry = (t_index, p_index, part)
                index = ends if part.ending else starts
                for cyrillic_side, form in ((True, part.cyrillic), (False, part.skeleton)):
                    if form and not (part.ending and part.cyrillic and not cyrillic_side):
                        key = form[-1] if part.ending else form[:3]
                        index[(cyrillic_side, key)].append(entry)
        self._starts, self._ends = dict(starts), dict(ends)

    @property
    def corruption_codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.categories.values() if c.corruption_related)

    def candidates(self, token: tuple[str | None, str]):
        cyrillic, skel = token
        side, form = (True, cyrillic) if cyrillic is not None else (False, skel)
        if not form:
            return
        for length in range(min(len(form), 3), 0, -1):
            yield from self._starts.get((side, form[:length]), ())
        yield from self._ends.get((side, form[-1]), ())


def compile_lexicon(terms: Iterable[Term | dict],
                    categories: Iterable[CategoryInfo | dict]) -> Lexicon:
    """A lexicon from plain lists, without the database (tests, benchmarks, --lexicon)."""
    infos = {}
    for category in categories:
        info = category if isinstance(category, CategoryInfo) else CategoryInfo(
            code=category["code"], corruption_related=bool(category["corruption_related"]),
            order=int(category.get("order", 100)),
        )
        infos[info.code] = info
    corruption = frozenset(code for code, info in infos.items() if info.corruption_related)
    compiled, seen = [], {}
    for term in terms:
        if isinstance(term, dict):
            term = Term(**term)
        words = parse_term(term.term, term.kind)
        if term.category is not None and term.category not in infos:
            raise LexiconError(f"{term.term!r}: unknown category {term.category!r}")
        if term.kind != NEGATION and term.category is None:
            raise LexiconError(f"{term.term!r}: only a negation may have no category")
        targets = frozenset([term.category]) if term.category else corruption
        single = len(words) == 1
        parts = tuple(_part(w, single) for w in words)
        # Spellings that fold to the same form (-ооч/-өөч) count once, at the larger weight.
        key = (term.kind == NEGATION, targets, parts)
        if key in seen:
            index = seen[key]
            if term.weight > compiled[index].term.weight:
                compiled[index] = _Compiled(term, parts, targets)
            continue
        seen[key] = len(compiled)
        compiled.append(_Compiled(term, parts, targets))
    return Lexicon(compiled, infos)


def read_lexicon_file(path: Path | str = LEXICON_FILE) -> tuple[list[Term], list[dict]]:
    """The terms and categories of a lexicon file (see routing/data/lexicon.json)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    terms = [
        Term(category=group["category"], term=text, weight=float(group["weight"]),
             kind=group["kind"])
        for group in data["terms"]
        for text in group["terms"]
    ]
    return terms, data["categories"]


def lexicon_from_file(path: Path | str = LEXICON_FILE) -> Lexicon:
    terms, categories = read_lexicon_file(path)
    return compile_lexicon(terms, categories)


# --- Matching -------------------------------------------------------------------------------

# Passed as `model` to use the promoted model (routing.model_cache), the default when the
# lexicon is the database's too. A lexicon passed in comes without a model unless one is.
CURRENT = "current"


def suggest(text: str, lexicon: Lexicon | Iterable[Term] | None = None,
            model=CURRENT) -> Suggestion:
    """Suggest categories for `text`. Without `lexicon`, the database's (cached per process)
    and the promoted model; or pass a compiled Lexicon, or a list of Terms for the seeded
    categories, and a routing.learned.LearnedModel (or None) as `model`."""
    return suggest_explained(text, lexicon, model, explain=False)[0]


def suggest_with_words(text: str, lexicon: Lexicon | Iterable[Term] | None = None,
                       model=CURRENT) -> tuple[Suggestion, list[str]]:
    """The suggestion and the text's own words where its terms matched, in text order: what
    an officer recognises, unlike a stem. The words are complaint content, for the page
    where the text is read; the suggestion never holds them, so it may be kept."""
    return suggest_explained(text, lexicon, model, explain=False)[:2]


def suggest_explained(text: str, lexicon: Lexicon | Iterable[Term] | None = None,
                      model=CURRENT, *, explain: bool = True
                      ) -> tuple[Suggestion, list[str], list[str]]:
    """As suggest_with_words, and the fragments of the text that pushed the model most
    (routing.learned.Opinion.pushed): complaint content too, shown and never kept."""
    if model == CURRENT:
        model = _current_model() if lexicon is None else None
    if lexicon is None:
        lexicon = current_lexicon()
    elif not isinstance(lexicon, Lexicon):
        lexicon = compile_lexicon(lexicon, read_lexicon_file()[1])
    suggestion, spans = _lexicon_suggestion(text, lexicon)
    if model is None:
        return suggestion, _spans(text, spans), []
    opinion = model.opinion(text, explain=explain)
    corruption, ranked = combine(
        corruption=model.verdict(probability=opinion.probability,
                                 lexicon_says=suggestion.corruption),
        ranked=suggestion.categories,
        model_categories={code: p for code, p in opinion.categories.items()
                          if code in lexicon.categories}, corruption_codes=lexicon.corruption_codes)
    return replace(
        suggestion, corruption=corruption, categories=ranked,
        category=ranked[0] if ranked else FALLBACK_CATEGORY,
        model_version=model.version, probability=opinion.probability,
    ), _spans(text, spans), opinion.pushed


def _current_model():
    from routing.model_cache import current_model

    return current_model()


def _lexicon_suggestion(text: str, lexicon: Lexicon) -> tuple[Suggestion, list]:
    words = tokens(text)
    polite = thanks_positions(words)
    positions = term_positions(lexicon, words, skip=greeting_positions(words))
    negated = negations(lexicon, positions, polite)
    found = evidence(lexicon, positions, negated.masked, polite)
    corruption_codes = lexicon.corruption_codes
    raw = sum(weight for code, weight in found.weights.items() if code in corruption_codes)
    score = round(max(0.0, raw - negated.corruption_lowered), 2)
    corruption = score >= CORRUPTION_THRESHOLD
    ranked = _ranked(lexicon, found.weights, negated.lowered, corruption)
    return Suggestion(
        corruption=corruption,
        category=ranked[0] if ranked else FALLBACK_CATEGORY,
        categories=ranked,
        score=score,
        matched=[term for _, term in sorted(found.matched, key=lambda m: (-m[0], m[1]))],
        against=sorted(negated.against),
        scores={code: round(max(0.0, own - negated.lowered.get(code, 0.0)), 2)
                for code, own in found.own.items() if code in ranked},
    ), found.spans


def _spans(text: str, spans) -> list[str]:
    """The words of each span, overlapping spans joined, each distinct run once."""
    words, merged = normalise(text).split(), []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return list(dict.fromkeys(" ".join(words[a:b + 1]) for a, b in merged))


def _ranked(lexicon: Lexicon, evidence, lowered, corruption: bool) -> list[str]:
    """Category codes, best first: the corruption-related ones first when the text is
    corruption-related, then the others by what the negations left of them."""
    corruption_codes = lexicon.corruption_codes

    def order(code):
        return lexicon.categories[code].order

    ranked = []
    if corruption:
        ranked += sorted(
            (c for c in evidence if c in corruption_codes and evidence[c] > 0),
            key=lambda c: (-evidence[c], order(c)),
        )
    net = {c: evidence[c] - lowered.get(c, 0.0) for c in evidence if c not in corruption_codes}
    ranked += sorted((c for c in net if net[c] > 0), key=lambda c: (-net[c], order(c)))
    return ranked


# --- The database's lexicon, cached per process ----------------------------------------------

_cache: dict = {"stamp": None, "lexicon": None, "checked": float("-inf")}


def _stamp() -> tuple:
    """Changes whenever a term or category is added, edited (through save) or deleted."""
    from django.db.models import Count, Max

    from routing.models import Category, TriageTerm

    terms = TriageTerm.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    categories = Category.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return terms["n"], terms["latest"], categories["n"], categories["latest"]


def _database_lexicon() -> Lexicon:
    from routing.models import Category, TriageTerm

    categories = list(Category.objects.filter(active=True))
    codes = {c.code for c in categories}
    terms = [
        Term(category=t.category.code if t.category_id else None, term=t.term,
             weight=t.weight, kind=t.kind)
        for t in TriageTerm.objects.filter(active=True).select_related("category")
        if t.category_id is None or t.category.code in codes
    ]
    return compile_lexicon(terms, [
        CategoryInfo(c.code, c.corruption_related, c.order) for c in categories
    ])


def current_lexicon() -> Lexicon:
    """The database's lexicon, rebuilt when it has changed (checked every TTL seconds)."""
    now = time.monotonic()
    if _cache["lexicon"] is not None and now - _cache["checked"] < LEXICON_TTL_SECONDS:
        return _cache["lexicon"]
    stamp = _stamp()
    if _cache["lexicon"] is None or stamp != _cache["stamp"]:
        _cache.update(lexicon=_database_lexicon(), stamp=stamp)
    _cache["checked"] = now
    return _cache["lexicon"]


def forget_lexicon() -> None:
    """Drop the cached lexicon, so the next suggestion reads the database again."""
    _cache.update(stamp=None, lexicon=None, checked=float("-inf"))
