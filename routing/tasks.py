"""Routing's queued jobs: thin wrappers that call a service (routing.schedules says when)."""

from routing.learning import LearningError, triage_model_train


def triage_retrain() -> str:
    """The monthly retraining: a candidate from the labelled texts and the month's decisions,
    promoted only if it does no worse (routing.learning)."""
    try:
        row = triage_model_train()
    except LearningError as error:
        return f"not trained: {error}"
    return f"model {row.version} {'promoted' if row.promoted else 'refused'} ({row.verdict})"
