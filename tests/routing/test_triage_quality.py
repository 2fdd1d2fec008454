"""How well triage finds corruption complaints, on labelled texts.

routing/data/triage/train_labelled.jsonl was written apart from the lexicon; its last lines
(marked "holdout") were written before the classifier was first run and never used to tune it.
The shared development set (a copy of ../shared/data/triage_dev.jsonl, kept here so that the
test runs wherever the repository does) is checked too.
Missing a corruption complaint costs more than a false alarm: recall must be at least 0.95
with precision at least 0.8. Run with -s to see the figures.
"""

import json
from pathlib import Path

import pytest

from routing.triage import lexicon_from_file, suggest
from routing.triage_data import TRIAGE_DATA

LABELLED = TRIAGE_DATA / "train_labelled.jsonl"
SHARED_DEV = TRIAGE_DATA / "train_shared_dev.jsonl"
CATEGORIES = {
    "bribery", "conflict_of_interest", "abuse_of_office", "red_tape", "service_quality",
    "staff_conduct", "suggestion", "praise", "other",
}


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def figures(rows: list[dict], lexicon) -> dict:
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "category": 0}
    for row in rows:
        suggestion = suggest(row["text"], lexicon)
        key = ("t" if suggestion.corruption == row["corruption"] else "f") + (
            "p" if suggestion.corruption else "n"
        )
        counts[key] += 1
        counts["category"] += suggestion.category == row["category"]
    found = counts["tp"] + counts["fp"]
    relevant = counts["tp"] + counts["fn"]
    return {
        "n": len(rows), **counts,
        "precision": counts["tp"] / found if found else 1.0,
        "recall": counts["tp"] / relevant if relevant else 1.0,
        "category_accuracy": counts["category"] / len(rows),
    }


def report(name, result):
    print(f"\n{name}: {result['n']} texts, precision {result['precision']:.3f}, "
          f"recall {result['recall']:.3f}, category {result['category_accuracy']:.3f} "
          f"(tp {result['tp']}, fp {result['fp']}, fn {result['fn']}, tn {result['tn']})")


@pytest.fixture(scope="module")
def lexicon():
    return lexicon_from_file()


def test_the_labelled_set_is_large_varied_and_well_formed():
    rows = read(LABELLED)
    assert len(rows) >= 250
    assert {row["category"] for row in rows} == CATEGORIES
    assert all(isinstance(row["corruption"], bool) and row["text"].strip() for row in rows)
    assert len({row["text"] for row in rows}) == len(rows)
    for row in rows:
        corruption_category = row["category"] in {
            "bribery", "conflict_of_interest", "abuse_of_office"}
        assert row["corruption"] == corruption_category, row["text"]
    holdout = [row for row in rows if row.get("holdout")]
    assert len(holdout) >= 80 and rows[-len(holdout):] == holdout
    latin = [row for row in rows if row["text"].isascii()]
    assert len(latin) >= 50 and len(rows) - len(latin) > len(rows) / 2  # Cyrillic majority


def test_corruption_recall_and_precision_on_the_whole_labelled_set(lexicon):
    result = figures(read(LABELLED), lexicon)
    report("labelled set", result)
    assert result["recall"] >= 0.95, result
    assert result["precision"] >= 0.8, result


def test_corruption_figures_on_the_held_out_part(lexicon):
    result = figures([row for row in read(LABELLED) if row.get("holdout")], lexicon)
    report("held-out part", result)
    # Reported rather than tuned for; a floor that catches a broken lexicon.
    assert result["recall"] >= 0.9, result
    assert result["precision"] >= 0.8, result


def test_corruption_recall_and_precision_on_the_shared_development_set(lexicon):
    result = figures(read(SHARED_DEV), lexicon)
    report("shared development set", result)
    assert result["recall"] >= 0.95, result
    assert result["precision"] >= 0.8, result
