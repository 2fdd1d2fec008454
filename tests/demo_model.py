"""The demo's triage model, trained once per data set for the whole suite (tests/conftest.py
`_the_demo_model_trained_once`)."""

import base64
import fcntl
import hashlib
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "var" / "test-models"

# A test that seeds the whole demo is slow: seeding trains the demo's triage model whenever
# none is kept for the present data and code (half a minute of a core on this kind of
# machine, after a fresh clone and after any change to routing/*.py), and tests waiting for
# that model stall `make check`, the quick loop. `make test` runs them.
SEEDS_THE_DEMO = pytest.mark.slow


def _digest() -> str:
    """Everything the demo's model depends on: the training and evaluation texts, the
    lexicon and the code that trains and judges."""
    digest = hashlib.sha256()
    for path in sorted([*(ROOT / "routing" / "data").rglob("*.json*"),
                        *(ROOT / "routing").glob("*.py")]):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def remembered(train, learning):
    """`train` (routing.learning.triage_model_train), run for real once per data set; after
    that, the kept model is recorded with learning.triage_model_record as training would."""

    def once(**kwargs):
        if Path(learning.EVAL_FILE) != ROOT / "routing" / "data" / "triage" / "eval.jsonl":
            return train(**kwargs)  # a test that moved the evaluation set: not the demo's
        FOLDER.mkdir(parents=True, exist_ok=True)
        path = FOLDER / f"{_digest()}.json"
        with open(FOLDER / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another test process may be training it now
            if path.exists():
                kept = json.loads(path.read_text())
                kept["data"] = base64.b64decode(kept["data"])
                row = learning.triage_model_record(by=kwargs.get("by"), **kept)
                learning.forget_model()
                return row
            seen = {}
            record = learning.triage_model_record

            def recording(**fields):
                seen.update(fields)
                return record(**fields)

            learning.triage_model_record = recording
            try:
                row = train(**kwargs)
            finally:
                learning.triage_model_record = record
            kept = {key: value for key, value in seen.items() if key != "by"}
            kept["data"] = base64.b64encode(kept["data"]).decode()
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(kept))
            temporary.replace(path)
            return row

    return once


def seed_demo_keeping_the_model() -> None:
    """`manage.py seed_demo` with the demo's model trained once per data set, for a process
    of its own (`manage.py shell -c`, see SEED_DEMO): an installation that a test or a
    benchmark starts needs the demo, not another half-minute of training."""
    from django.core.management import call_command

    from routing import demo, learning

    demo.triage_model_train = remembered(demo.triage_model_train, learning)
    call_command("seed_demo")


SEED_DEMO = ("from tests.demo_model import seed_demo_keeping_the_model; "
             "seed_demo_keeping_the_model()")
