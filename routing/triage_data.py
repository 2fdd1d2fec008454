"""The labelled texts triage learns from and is judged on (routing/data/triage/).

Every `train*.jsonl` there is training data: one JSON object a line with `text`,
`corruption` (true/false) and `category` (a category code), and optionally `script` and
`holdout`. New files are picked up as they are added, without a change here.

`eval.jsonl` is the fixed evaluation set. Nothing that learns or chooses reads it: not the
training, not the choice of threshold, not an edit of the lexicon. Only the reports read it
(`manage.py triage_eval`, the promotion check of `manage.py triage_train`, bench/triage.py),
so its figures stay an honest estimate of texts never seen.
"""

import json
from dataclasses import dataclass
from pathlib import Path

TRIAGE_DATA = Path(__file__).resolve().parent / "data" / "triage"
EVAL_FILE = TRIAGE_DATA / "eval.jsonl"
TRAINING_PATTERN = "train*.jsonl"


class DataError(ValueError):
    """A labelled file that cannot be read: says which file and line."""


@dataclass(frozen=True)
class Labelled:
    text: str
    corruption: bool
    category: str
    # Who wrote it: the file's name for the labelled files, "decisions" for the officers'
    # decisions. The threshold is chosen on texts scored by a model that saw nothing of their
    # writer (routing.training).
    source: str = ""


def read_labelled(path: Path | str) -> list[Labelled]:
    path = Path(path)
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, corruption, category = row["text"], row["corruption"], row["category"]
        except (ValueError, KeyError, TypeError) as error:
            raise DataError(f"{path.name}:{number}: {error}") from None
        if not (isinstance(text, str) and isinstance(corruption, bool)
                and isinstance(category, str) and text.strip()):
            raise DataError(f"{path.name}:{number}: text, corruption and category expected")
        rows.append(Labelled(text=text, corruption=corruption, category=category,
                             source=path.stem))
    return rows


def training_files(folder: Path | str = TRIAGE_DATA) -> list[Path]:
    return sorted(Path(folder).glob(TRAINING_PATTERN))


def read_training(folder: Path | str = TRIAGE_DATA) -> list[Labelled]:
    """Every training file's rows, file by file in name order, each distinct text once."""
    seen, rows = set(), []
    for path in training_files(folder):
        for row in read_labelled(path):
            if row.text not in seen:
                seen.add(row.text)
                rows.append(row)
    return rows
