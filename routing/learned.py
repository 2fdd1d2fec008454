"""The learned side of triage: a logistic regression read from its exported weights and run
in pure Python (no scikit-learn, no numpy), beside the lexicon (routing.triage).

routing.training fits it and writes it out; this module only reads it. The model file is
compact JSON with sorted keys, so the same training gives the same bytes:

    {"format": 1, "features": {...how texts become features...},
     "corruption": {"intercept": b, "weights": {feature: w}, "platt": [a, c],
                    "threshold": t},
     "category": {"classes": [code, ...], "intercepts": [...],
                  "weights": {code: {feature: w}}}}

How a text becomes features (`features`). It is normalised like the lexicon reads it
(routing.words). Each word gives the character n-grams of its folded Latin skeleton, so that
"хахууль", "hahuuli" and "xaxuuli" share features; the skeletons give word unigrams and
bigrams, and a Cyrillic word is a unigram in its own (normalised, ө→о, ү→у) spelling too.
Each feature present counts once, and every value is 1/sqrt(number of distinct features of
the text), so a long text does not weigh more than a short one. (n-grams of the Cyrillic
spelling as well were measured, by cross-validation on 1,883 training texts: no better at
recall 0.97, five times slower to train and twice the size; CYRILLIC_GRAMS turns them on.)
The file names the features it was trained on; a file made for other features is refused
and triage goes on with the lexicon alone until the model is trained again.

The category model is one regression per category (one against the rest); its scores
sigmoid(w_k·x + b_k), scaled to add up to one, are given as probabilities and the highest is
the category. The corruption score is the calibrated probability sigmoid(a * s + c) (Platt,
fitted on cross-validated scores) of s = b + w·x + m * logit(q), where q is the category
model's probability that the text is in one of the corruption-related categories
("mixed_classes") and m is "category_mix": two readings of the same text, one trained to
tell corruption from the rest and one trained to tell nine categories apart, agree more
often on a writer never seen than either alone (routing.training says by how much).

The model's features are fragments of the texts it learnt from (only fragments seen in at
least three texts are kept), so the file is sealed by the vault and the explanation of a
suggestion (`Opinion.pushed`, the n-grams that pushed it most) is computed when a page shows
it and never stored.
"""

import json
import math
from dataclasses import dataclass

from routing.words import CYRILLIC, fold_cyrillic, normalise, skeleton

FORMAT = 1
CHAR_SIZES = (3, 4, 5)
CYRILLIC_GRAMS = False
FEATURES = {"char_sizes": list(CHAR_SIZES), "cyrillic_grams": CYRILLIC_GRAMS,
            "words": [1, 2], "min_df": 3}
EXPLAINED = 5  # n-grams shown as the model's reasons


def _grams(word: str, prefix: str) -> list[str]:
    padded = f"<{word}>"
    return [prefix + padded[start:start + size] for size in CHAR_SIZES
            for start in range(len(padded) - size + 1)]


def features(text: str) -> set[str]:
    """The text's distinct features (names like "s:<hah", "w:bribe", "n:хахууль",
    "b:ajil avs")."""
    words = normalise(text).split()
    skeletons = {word: skeleton(word) for word in set(words)}
    found: set[str] = set()
    for word, skel in skeletons.items():
        if CYRILLIC.search(word):
            folded = fold_cyrillic(word)
            found.add("n:" + folded)
            if CYRILLIC_GRAMS:
                found.update(_grams(folded, "c:"))
        if skel:
            found.update(_grams(skel, "s:"))
            found.add("w:" + skel)
    sequence = [skeletons[word] for word in words if skeletons[word]]
    found.update(f"b:{first} {second}"
                 for first, second in zip(sequence, sequence[1:], strict=False))
    return found


def feature_values(text: str) -> tuple[set[str], float]:
    """The text's features and the value each one carries."""
    found = features(text)
    return found, (1.0 / math.sqrt(len(found)) if found else 0.0)


def nudged(probability: float, lexicon_says: bool, bonus: float) -> float:
    """The probability with the lexicon's word added: its log-odds moved by `bonus` when the
    lexicon says corruption-related, rounded as thresholds are compared."""
    if not lexicon_says or probability <= 0.0 or probability >= 1.0:
        return round(probability, 4)
    return round(sigmoid(math.log(probability / (1.0 - probability)) + bonus), 4)


def sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


@dataclass(frozen=True)
class Opinion:
    """What the model says of one text. `pushed` are its own features (fragments of the
    text) that pushed the corruption score most, in the text's folded spelling: for the page
    where the text is read, never to be stored."""

    probability: float
    corruption: bool
    categories: dict[str, float]
    pushed: list[str]

    @property
    def category(self) -> str:
        return max(self.categories, key=lambda code: (self.categories[code], code))


class LearnedModel:
    """A model read from its exported bytes; `version` is the number of its row."""

    def __init__(self, data: bytes, version: int | None = None):
        model = json.loads(data)
        if model.get("format") != FORMAT or model.get("features") != FEATURES:
            raise ValueError("not a triage model of this format and these features")
        corruption, category = model["corruption"], model["category"]
        self.version = version
        self.intercept = float(corruption["intercept"])
        self.weights: dict[str, float] = corruption["weights"]
        self.platt = tuple(corruption["platt"])
        self.threshold = float(corruption["threshold"])
        # How far the lexicon's "corruption-related" moves the model's log-odds; a model
        # file without it (trained before) is combined the old way, lexicon OR model.
        bonus = corruption.get("lexicon_bonus")
        self.lexicon_bonus = None if bonus is None else float(bonus)
        self.classes: list[str] = category["classes"]
        # How much the category model's "one of the corruption categories" adds to the
        # corruption score (its log-odds times `category_mix`); none in older files.
        self.category_mix = float(corruption.get("category_mix", 0.0))
        mixed = set(corruption.get("mixed_classes", []))
        self.mixed = [index for index, code in enumerate(self.classes) if code in mixed]
        self.class_intercepts: list[float] = category["intercepts"]
        class_weights = [category["weights"][code] for code in self.classes]
        # Every feature's weights in one row, (corruption, each class in order), so that a
        # text costs one lookup per feature it has.
        names = set(self.weights).union(*class_weights)
        self.rows: dict[str, tuple[float, ...]] = {
            name: (self.weights.get(name, 0.0), *(row.get(name, 0.0) for row in class_weights))
            for name in names}
        self.known = frozenset(names)

    @staticmethod
    def calibrate(platt, score: float) -> float:
        slope, offset = platt
        return sigmoid(slope * score + offset)

    def probability_of(self, score: float) -> float:
        return self.calibrate(self.platt, score)

    def verdict(self, *, probability: float, lexicon_says: bool) -> bool:
        """Corruption-related, by the model's probability and the lexicon together."""
        if self.lexicon_bonus is None:
            return lexicon_says or probability >= self.threshold
        return nudged(probability, lexicon_says, self.lexicon_bonus) >= self.threshold

    def opinion(self, text: str, *, explain: bool = False) -> Opinion:
        """The model's reading of `text`; with `explain`, the fragments that pushed it most
        (for the page where the text is read)."""
        found, value = feature_values(text)
        present = found & self.known
        # fsum: exact, so the order a set gives its features in never changes a score.
        rows = map(self.rows.__getitem__, present)
        sums = ([math.fsum(column) for column in zip(*rows, strict=True)]
                or [0.0] * (len(self.classes) + 1))
        totals = [intercept + value * total
                  for intercept, total in zip(self.class_intercepts, sums[1:], strict=True)]
        score = self.intercept + value * sums[0]
        if self.category_mix and self.mixed:
            score += self.category_mix * category_log_odds(totals, self.mixed)
        # Rounded before it is compared, as the threshold was chosen (routing.training).
        probability = round(self.probability_of(score), 4)
        corruption = probability >= self.threshold
        return Opinion(
            probability=probability,
            corruption=corruption,
            categories=dict(zip(self.classes, _shares(totals), strict=True)),
            pushed=_pushed({name: self.rows[name][0] for name in present}, corruption)
            if explain else [],
        )


MIXED_CLIP = 1e-4


def category_log_odds(scores: list[float], mixed: list[int]) -> float:
    """The log-odds that a text is in one of the `mixed` categories (their probabilities as
    `_shares` gives them, added up and kept within MIXED_CLIP of 0 and 1)."""
    each = [sigmoid(score) for score in scores]
    share = sum(each[index] for index in mixed) / (sum(each) or 1.0)
    share = min(max(share, MIXED_CLIP), 1.0 - MIXED_CLIP)
    return math.log(share / (1.0 - share))


def _shares(scores: list[float]) -> list[float]:
    """One-vs-rest scores as probabilities that add up to one."""
    each = [sigmoid(score) for score in scores]
    total = sum(each) or 1.0
    return [round(p / total, 4) for p in each]


def _pushed(contributions: dict[str, float], corruption: bool) -> list[str]:
    """The fragments that pushed most towards the model's answer, each fragment once (the
    same letters seen in Cyrillic and as a skeleton count as one) and without the markers
    of a word's start and end."""
    sign = 1.0 if corruption else -1.0
    ranked = sorted((name for name, weight in contributions.items() if weight * sign > 0),
                    key=lambda name: (-contributions[name] * sign, name))
    shown: list[str] = []
    for name in ranked:
        fragment = name[2:].strip("<>")
        if fragment and not any(fragment in seen or seen in fragment for seen in shown):
            shown.append(fragment)
        if len(shown) == EXPLAINED:
            break
    return shown


def combine(*, corruption: bool, ranked: list[str], model_categories: dict[str, float],
            corruption_codes) -> tuple[bool, list[str]]:
    """The lexicon and the model together: corruption-related as `LearnedModel.verdict` says
    (the model's probability, nudged up when the lexicon says so), and the categories ranked
    with the model's best category on that side of corruption-related first, the lexicon's
    after it. (Scored by models that never saw the text's writer, on 3,083 training texts:
    76% land in their category this way, 69% when the lexicon's first category stood
    wherever its evidence was strong.)"""
    side = [code for code in model_categories if (code in corruption_codes) == corruption]
    if not side:
        return corruption, list(ranked)
    best = max(side, key=lambda code: (model_categories[code], code))
    return corruption, [best] + [code for code in ranked if code != best]
