"""Fitting triage's learned model with scikit-learn, and writing it out for routing.learned.

This is the only module that imports scikit-learn (and numpy and scipy with it); the
suggestion path never does. `model_fit(texts=…, lexicon=…)` returns the model file's bytes
and the figures measured by cross-validation on the training texts alone:

1. Features as routing.learned.features reads them; a feature is kept only when at least
   MIN_DF texts have it, so one complaint's names, numbers or places never become one.
2. A binary logistic regression for corruption-related over the features scaled by their
   naive Bayes log-count ratios (how much more often a feature comes in corruption-related
   texts than in others), classes weighted so that the rarer class counts as much as the
   other (recall matters most); the scaling is folded into the exported weights, so the
   model file and the suggestion path are those of a plain regression. One regression per
   category code (one against the rest), weighted the same way, unscaled.
   The corruption score adds CATEGORY_MIX times the category model's log-odds of a
   corruption-related category (routing.learned.category_log_odds). Measured leaving each
   of six training writers out in turn (3,083 texts, each writer's threshold chosen on the
   other writers alone), precision at recall 0.975: 0.705 for the regression alone, 0.732
   with the category model's log-odds added twice (with C_CORRUPTION 30 rather than 10,
   0.739, but then officers' decisions weigh too little to move the model).
3. Held-out scores: each training text is scored by a model that saw nothing of its writer
   (one fold per source file, and the officers' decisions as one source) when there are at
   least three sources, else by five stratified folds. Texts of a writer never seen are what
   triage meets, and scores from folds that share writers were too optimistic: measured
   leaving each of six training writers out in turn, a threshold from stratified folds found
   0.962 of the corruption-related texts, one from writer folds 0.976. Platt scaling
   fitted on those scores calibrates the probability. The lexicon's "corruption-related"
   moves the log-odds by LEXICON_BONUS (routing.learned.nudged); the threshold is the one
   at which that nudged probability finds at least TARGET_RECALL of the corruption-related
   texts with the best precision. (Measured the same way: lexicon OR model, precision 0.676;
   a bonus of 0.5, 0.702; plain regression without the scaling, 0.03 lower again.)
4. The final models are fitted on every text; weights smaller than PRUNE times the largest
   are dropped, and each number is rounded to ROUND significant digits, so the file is
   small and the same texts always give the same bytes.

The evaluation set (routing.triage_data.EVAL_FILE) is never read here.
"""

import json

import numpy as np
from scipy.sparse import csr_matrix, diags
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold
from sklearn.multiclass import OneVsRestClassifier

from routing.learned import FEATURES, FORMAT, MIXED_CLIP, LearnedModel, feature_values, nudged
from routing.triage_data import Labelled
from routing.triage_eval import Judged, combined_verdict, figures, lexicon_verdict

MIN_DF = FEATURES["min_df"]
C_CORRUPTION = 10.0
C_CATEGORY = 10.0
FOLDS = 5
SOURCES_FOR_WRITER_FOLDS = 3
TARGET_RECALL = 0.97
LEXICON_BONUS = 0.5
CATEGORY_MIX = 2.0
PRUNE = 0.03  # on 1,883 texts: 1.8 MB not 2.9, and 99.95% of decisions unchanged
ROUND = 5
SEED = 18


class TrainingError(ValueError):
    pass


class _Features:
    """Every text's features as one sparse matrix over every name any text has, in name
    order, so that a fold's matrix is a slice of it rather than a recount of its texts:
    the columns a fold keeps (those MIN_DF of its texts have) keep their order, and each
    row its value, so the slice is the matrix the fold's own vocabulary would give."""

    def __init__(self, rows: list[tuple[set[str], float]]):
        self.names = sorted({name for found, _value in rows for name in found})
        index = {name: i for i, name in enumerate(self.names)}
        indptr, indices, data = [0], [], []
        for found, value in rows:
            columns = sorted(index[name] for name in found)
            indices += columns
            data += [value] * len(columns)
            indptr.append(len(indices))
        self.data = np.array(data, dtype=np.float64)
        self.indices = np.array(indices, dtype=np.int64)
        self.indptr = np.array(indptr, dtype=np.int64)

    def _entries(self, at) -> tuple[np.ndarray, np.ndarray]:
        """The positions in data/indices of the entries of the rows `at`, row by row, and
        how many entries each of those rows has."""
        starts, ends = self.indptr[at], self.indptr[np.asarray(at) + 1]
        lengths = ends - starts
        offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        return np.arange(lengths.sum()) + offsets, lengths

    def vocabulary(self, at) -> np.ndarray:
        """The columns kept for a model fitted on the rows `at`: those MIN_DF of them have."""
        entries, _lengths = self._entries(at)
        counts = np.bincount(self.indices[entries], minlength=len(self.names))
        return np.flatnonzero(counts >= MIN_DF)

    def matrix(self, at, kept: np.ndarray) -> csr_matrix:
        """The rows `at` over the columns `kept` (ascending), renumbered from 0."""
        entries, lengths = self._entries(at)
        columns = self.indices[entries]
        renumbered = np.full(len(self.names), -1, dtype=np.int64)
        renumbered[kept] = np.arange(len(kept))
        inside = renumbered[columns] >= 0
        rows = np.repeat(np.arange(len(lengths)), lengths)
        indptr = np.concatenate(([0], np.cumsum(np.bincount(rows[inside],
                                                            minlength=len(lengths)))))
        return csr_matrix((self.data[entries][inside], renumbered[columns][inside],
                           indptr.astype(np.int64)), shape=(len(lengths), len(kept)))


def _regression(c: float) -> LogisticRegression:
    # liblinear in its dual form: with many more features than texts it is the fastest
    # (twenty times lbfgs here), and with a fixed seed it gives the same weights every time.
    return LogisticRegression(C=c, class_weight="balanced", solver="liblinear", dual=True,
                              max_iter=1000, random_state=SEED)


class _ScaledRegression:
    """The corruption regression over features scaled by their naive Bayes log-count
    ratios; `coef_` is the weight of each unscaled feature, as the model file keeps it."""

    def fit(self, matrix, truth):
        present = (matrix > 0).astype(np.float64)
        inside = np.asarray(present[truth].sum(axis=0)).ravel() + 1.0
        outside = np.asarray(present[~truth].sum(axis=0)).ravel() + 1.0
        self.ratios = np.log((inside / inside.sum()) / (outside / outside.sum()))
        regression = _regression(C_CORRUPTION).fit(matrix @ diags(self.ratios), truth)
        self.coef_ = regression.coef_ * self.ratios
        self.intercept_ = regression.intercept_
        return self

    def decision_function(self, matrix):
        return matrix @ self.coef_[0] + self.intercept_[0]


def _fit(features: _Features, corruption, categories, indices=None):
    """Both regressions on every text (or those at `indices`), and the columns they use."""
    if indices is None:
        indices = np.arange(len(corruption))
    kept = features.vocabulary(indices)
    matrix = features.matrix(indices, kept)
    return (kept, _ScaledRegression().fit(matrix, corruption[indices]),
            OneVsRestClassifier(_regression(C_CATEGORY)).fit(matrix, categories[indices]))


def _folds(corruption, sources):
    """One fold per writer when there are enough writers and each fold leaves both kinds of
    text to learn from; five stratified folds otherwise."""
    if len(set(sources)) >= SOURCES_FOR_WRITER_FOLDS:
        folds = list(LeaveOneGroupOut().split(np.zeros(len(sources)), corruption, sources))
        if all(len(set(corruption[fit_at])) == 2 for fit_at, _test_at in folds):
            return folds
    stratified = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    return list(stratified.split(np.zeros(len(corruption)), corruption))


def _held_out_scores(features: _Features, corruption, categories, sources):
    """Each text's corruption score and category probabilities from a model fitted without
    it (and without its writer, when there are enough writers; the same folds every time)."""
    scores = np.zeros(len(corruption))
    classes = sorted(set(categories))
    probabilities = np.zeros((len(corruption), len(classes)))
    for fit_at, test_at in _folds(corruption, sources):
        kept, binary, multi = _fit(features, corruption, categories, fit_at)
        matrix = features.matrix(test_at, kept)
        scores[test_at] = binary.decision_function(matrix)
        columns = [classes.index(code) for code in multi.classes_]
        probabilities[np.ix_(test_at, columns)] = _normalised(multi.decision_function(matrix))
    return scores, classes, probabilities


def _mixed_classes(corruption, categories) -> list[str]:
    """The categories most of whose texts are corruption-related."""
    return sorted(code for code in set(categories)
                  if corruption[categories == code].mean() > 0.5)


def _mixed(scores, classes, probabilities, mixed):
    """Each corruption score with the category model's log-odds of a corruption category
    added, CATEGORY_MIX times, as routing.learned.category_log_odds does."""
    columns = [classes.index(code) for code in mixed if code in classes]
    if not columns:  # nothing to add, as routing.learned reads a file without them
        return scores
    share = np.clip(probabilities[:, columns].sum(axis=1), MIXED_CLIP, 1.0 - MIXED_CLIP)
    return scores + CATEGORY_MIX * np.log(share / (1.0 - share))


def _normalised(scores):
    """One-vs-rest scores as routing.learned turns them into probabilities."""
    each = 1.0 / (1.0 + np.exp(-scores))
    return each / each.sum(axis=1, keepdims=True)


def _platt(scores, corruption) -> tuple[float, float]:
    calibration = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000, tol=1e-8)
    calibration.fit(scores.reshape(-1, 1), corruption)
    return float(calibration.coef_[0][0]), float(calibration.intercept_[0])


def threshold_choose(*, probabilities, truth, target=TARGET_RECALL) -> float:
    """The threshold with the best precision among those at which "probability ≥ threshold"
    finds at least `target` of the corruption-related texts (the highest such threshold
    when several tie); the lowest candidate when none reaches the target. One pass from the
    highest probability down, counting what each lower threshold adds."""
    relevant = sum(truth) or 1
    ranked = sorted(zip((round(p, 4) for p in probabilities), truth, strict=True),
                    key=lambda entry: -entry[0])
    found = flagged = 0
    best, index = None, 0
    while index < len(ranked):
        threshold = ranked[index][0]
        while index < len(ranked) and ranked[index][0] == threshold:
            found += ranked[index][1]
            flagged += 1
            index += 1
        if found / relevant >= target:
            precision = found / flagged
            if best is None or precision > best[0]:
                best = (precision, threshold)
    return best[1] if best else (ranked[-1][0] if ranked else 0.5)


def _number(value: float) -> float:
    return float(f"{value:.{ROUND}g}")


def _export(names, binary, multi, platt, threshold, mixed) -> bytes:
    coef = binary.coef_[0]
    limit = PRUNE * float(np.abs(coef).max() or 1.0)
    weights = {name: _number(coef[i]) for i, name in enumerate(names) if abs(coef[i]) >= limit}
    class_weights = {}
    for code, estimator in zip(multi.classes_, multi.estimators_, strict=True):
        row = estimator.coef_[0]
        row_limit = PRUNE * float(np.abs(row).max() or 1.0)
        class_weights[str(code)] = {name: _number(row[i]) for i, name in enumerate(names)
                                    if abs(row[i]) >= row_limit}
    model = {
        "format": FORMAT,
        "features": FEATURES,
        "corruption": {"intercept": _number(binary.intercept_[0]), "weights": weights,
                       "platt": [_number(platt[0]), _number(platt[1])],
                       "threshold": _number(threshold), "lexicon_bonus": LEXICON_BONUS,
                       "category_mix": CATEGORY_MIX, "mixed_classes": mixed},
        "category": {"classes": [str(code) for code in multi.classes_],
                     "intercepts": [_number(e.intercept_[0]) for e in multi.estimators_],
                     "weights": class_weights},
    }
    return json.dumps(model, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode()


def model_fit(*, texts: list[Labelled], lexicon) -> tuple[bytes, dict]:
    """The model file's bytes for `texts`, and the cross-validated figures on them for the
    lexicon alone, the model alone and the two combined."""
    if len(texts) < FOLDS * MIN_DF or len({t.corruption for t in texts}) < 2:
        raise TrainingError("too few labelled texts, or texts of one kind only")
    features = _Features([feature_values(t.text) for t in texts])
    corruption = np.array([t.corruption for t in texts])
    categories = np.array([t.category for t in texts])
    sources = np.array([t.source for t in texts])
    scores, classes, probabilities = _held_out_scores(features, corruption, categories, sources)
    mixed = _mixed_classes(corruption, categories)
    scores = _mixed(scores, classes, probabilities, mixed)
    platt = _platt(scores, corruption)
    # Rounded as routing.learned rounds them before comparing with the threshold.
    calibrated = [round(LearnedModel.calibrate(platt, s), 4) for s in scores]
    lexicon_judged = [lexicon_verdict(t.text, lexicon) for t in texts]
    threshold = threshold_choose(
        probabilities=[nudged(p, j.corruption, LEXICON_BONUS)
                       for p, j in zip(calibrated, lexicon_judged, strict=True)],
        truth=list(corruption))
    kept, binary, multi = _fit(features, corruption, categories)
    data = _export([features.names[i] for i in kept], binary, multi, platt, threshold, mixed)
    held_out = [Judged(corruption=p >= threshold, category=max(
        zip(classes, row, strict=True), key=lambda pair: (pair[1], pair[0]))[0],
        probability=p, categories=dict(zip(classes, row, strict=True)))
        for p, row in zip(calibrated, probabilities, strict=True)]
    model = LearnedModel(data)
    combined = [combined_verdict(lex, judged, lexicon, model) for lex, judged in
                zip(lexicon_judged, held_out, strict=True)]
    return data, {
        "texts": len(texts), "threshold": _number(threshold),
        "features": len(json.loads(data)["corruption"]["weights"]),
        "lexicon": figures(texts, lexicon_judged), "model": figures(texts, held_out),
        "combined": figures(texts, combined),
    }
