"""How well triage does on labelled texts: recall and precision for corruption-related, and a
table per category, for the lexicon alone, the learned model alone and the two combined.

Used on held-out scores when a model is fitted (routing.training) and on the fixed
evaluation set by `manage.py triage_eval`, the promotion check and bench/triage.py. Pure
Python: no scikit-learn, and nothing of a text is kept in what it returns.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from routing.learned import LearnedModel, combine
from routing.triage_data import Labelled

WAYS = ("lexicon", "model", "combined")


@dataclass(frozen=True)
class Judged:
    """One text's verdict: corruption-related or not and the category put first. For the
    lexicon, `ranked` as its suggestion has it; for the model, `categories`
    holds each category's probability."""

    corruption: bool
    category: str
    probability: float | None = None
    ranked: tuple = ()
    categories: dict = field(default_factory=dict)


def lexicon_verdict(text: str, lexicon) -> Judged:
    from routing.triage import suggest

    suggestion = suggest(text, lexicon)
    return Judged(corruption=suggestion.corruption, category=suggestion.category,
                  ranked=tuple(suggestion.categories))


def model_verdict(text: str, model: LearnedModel) -> Judged:
    opinion = model.opinion(text)
    return Judged(corruption=opinion.corruption, category=opinion.category,
                  probability=opinion.probability, categories=opinion.categories)


def combined_verdict(lexicon_judged: Judged, model_judged: Judged, lexicon,
                     model: LearnedModel) -> Judged:
    corruption, ranked = combine(
        corruption=model.verdict(probability=model_judged.probability,
                                 lexicon_says=lexicon_judged.corruption),
        ranked=list(lexicon_judged.ranked),
        model_categories=model_judged.categories, corruption_codes=lexicon.corruption_codes)
    return Judged(corruption=corruption, category=ranked[0] if ranked else "other",
                  probability=model_judged.probability, ranked=tuple(ranked))


def figures(rows: Sequence[Labelled], judged: Sequence[Judged]) -> dict:
    """Counts, recall and precision for corruption-related, category accuracy, and per
    category: how many texts, how many put there, how many rightly."""
    tp = sum(j.corruption and r.corruption for r, j in zip(rows, judged, strict=True))
    fp = sum(j.corruption and not r.corruption for r, j in zip(rows, judged, strict=True))
    fn = sum(r.corruption and not j.corruption for r, j in zip(rows, judged, strict=True))
    table: dict[str, dict[str, int]] = {}
    for row, verdict in zip(rows, judged, strict=True):
        table.setdefault(row.category, {"texts": 0, "suggested": 0, "right": 0})
        table.setdefault(verdict.category, {"texts": 0, "suggested": 0, "right": 0})
        table[row.category]["texts"] += 1
        table[verdict.category]["suggested"] += 1
        table[row.category]["right"] += verdict.category == row.category
    right = sum(entry["right"] for entry in table.values())
    return {
        "n": len(rows), "tp": tp, "fp": fp, "fn": fn, "tn": len(rows) - tp - fp - fn,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "category_accuracy": round(right / len(rows), 4) if rows else 1.0,
        "categories": {code: table[code] for code in sorted(table)},
    }


def evaluate(rows: Sequence[Labelled], *, lexicon, model: LearnedModel | None) -> dict:
    """The figures of each way on `rows`; without a model, the lexicon's only."""
    lexicon_judged = [lexicon_verdict(row.text, lexicon) for row in rows]
    found = {"lexicon": figures(rows, lexicon_judged)}
    if model is not None:
        model_judged = [model_verdict(row.text, model) for row in rows]
        found["model"] = figures(rows, model_judged)
        found["combined"] = figures(rows, [
            combined_verdict(lex, learned, lexicon, model)
            for lex, learned in zip(lexicon_judged, model_judged, strict=True)])
    return found


def figures_lines(found: dict) -> list[str]:
    """The figures as a plain table, for the commands and the benchmark."""
    found = {way: found[way] for way in WAYS if way in found}
    lines = []
    for way in WAYS:
        if way not in found:
            continue
        f = found[way]
        lines.append(f"{way:9} corruption recall {f['recall']:.3f} precision "
                     f"{f['precision']:.3f} (tp {f['tp']} fp {f['fp']} fn {f['fn']} "
                     f"tn {f['tn']}), category accuracy {f['category_accuracy']:.3f}")
    codes = sorted({code for way in found.values() for code in way["categories"]})
    lines.append("category".ljust(22) + "".join(f"{way:>22}" for way in WAYS if way in found))
    for code in codes:
        cells = []
        for way in WAYS:
            if way in found:
                entry = found[way]["categories"].get(code, {"texts": 0, "suggested": 0,
                                                              "right": 0})
                cells.append(f"{entry['right']:>4}/{entry['texts']:<4} of {entry['suggested']:>4}"
                             .rjust(22))
        lines.append(code.ljust(22) + "".join(cells))
    lines.append("(right/texts of the category, of how many suggested there)")
    return lines
