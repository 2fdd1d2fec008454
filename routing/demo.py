"""The demo's triage model (org.demo): trained from the shipped labelled texts and the demo's
decisions when `make run` seeds the demo, so that suggestions and `manage.py triage_suggest`
use the model as an installation would after its first training.

The demo's first model must not lose recall against the lexicon, but may lose precision
(DEMO_MARGIN): on the texts shipped today the model finds far more corruption complaints
than the lexicon and raises more false alarms, which the 2-point margin of a real
installation refuses. The margin used is kept with the model's figures and printed."""

from routing.learning import LearningError, triage_model_train
from routing.triage_model import TriageModel

DEMO_MARGIN = 0.25


def seed_triage_model(units, people, stdout) -> None:
    if TriageModel.objects.promoted().exists():
        return
    try:
        row = triage_model_train(margin=DEMO_MARGIN)
    except LearningError as error:
        stdout.write(f"No triage model trained: {error}")
        return
    outcome = "promoted" if row.promoted else "not promoted"
    combined = row.figures["evaluation"]["combined"]
    stdout.write(f"Triage model {row.version} trained and {outcome} ({row.verdict}, precision "
                 f"margin {DEMO_MARGIN}): recall {combined['recall']}, precision "
                 f"{combined['precision']} on the fixed evaluation set.")
