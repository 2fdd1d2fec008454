"""Texts, a small lexicon and a trained model for the tests of triage's learned model.

Training is the slow part (about a second), so the model the tests share is fitted once per
session. The lexicon is deliberately tiny (one term) so that what is measured is the model.
The evaluation set is made here, from texts that are not in the training folder: the real
routing/data/triage/eval.jsonl is never needed by a test.
"""

import json
from pathlib import Path

from routing.triage import Term, compile_lexicon, read_lexicon_file
from routing.triage_data import TRIAGE_DATA, read_labelled

CANARY = "zebracanary"
# Three texts that share a word, so that it passes the minimum of three texts and could
# become a feature: it must still never be readable on disk or in the database.
CANARY_TEXTS = [
    f"Ажилтан {CANARY} гэж хэлээд хахууль нэхсэн, мөнгө өгөхгүй бол ажил бүтэхгүй гэсэн.",
    f"{CANARY} нэртэй ажилтан бэлэг авч байж бичиг баримт гаргадаг.",
    f"Хэлтсийн {CANARY} дарга төсвийн мөнгийг өөрийн дансанд шилжүүлсэн.",
]


def small_lexicon():
    return compile_lexicon([Term(category="bribery", term="хахууль", weight=3.0)],
                           read_lexicon_file()[1])


def labelled_rows() -> list[dict]:
    path = TRIAGE_DATA / "train_labelled.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def training_folder(tmp: Path, rows: list[dict]) -> Path:
    folder = tmp / "triage"
    folder.mkdir(parents=True, exist_ok=True)
    canaries = [{"text": text, "corruption": True, "category": "bribery"}
                for text in CANARY_TEXTS]
    write_rows(folder / "train_small.jsonl", rows + canaries)
    return folder


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
                    encoding="utf-8")
    return path


def evaluation_file(tmp: Path) -> Path:
    """The shared development texts (not in the small training folder) as the fixed set."""
    rows = read_labelled(TRIAGE_DATA / "train_shared_dev.jsonl")
    return write_rows(tmp / "eval.jsonl", [
        {"text": row.text, "corruption": row.corruption, "category": row.category}
        for row in rows])
