"""The demo's triage model (org.demo): trained from the shipped labelled texts and the demo's
decisions when `make run` seeds the demo, so that suggestions and `manage.py triage_suggest`
use the model as an installation would after its first training, judged by the same rule
(routing.learning.promotion_judge)."""

from routing.learning import LearningError, triage_model_train
from routing.triage_model import TriageModel


def seed_triage_model(units, people, stdout) -> None:
    if TriageModel.objects.promoted().exists():
        return
    try:
        row = triage_model_train()
    except LearningError as error:
        stdout.write(f"No triage model trained: {error}")
        return
    outcome = "promoted" if row.promoted else "not promoted"
    combined = row.figures["evaluation"]["combined"]
    stdout.write(f"Triage model {row.version} trained and {outcome} ({row.verdict}): recall "
                 f"{combined['recall']}, precision {combined['precision']} on the fixed "
                 f"evaluation set.")
