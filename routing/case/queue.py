"""Routing's column of intake's queue: each case's current categories and whether it is
corruption-related, from its current triage decision (registered in routing.apps with
intake.classification). Two queries for a whole page of the queue, however many rows."""

from intake.classification import Classification
from routing.models import TriageDecision


def current_triage(complaints) -> dict[int, Classification]:
    decisions = (TriageDecision.objects.current()
                 .filter(complaint__in=[complaint.pk for complaint in complaints])
                 .only("complaint_id", "corruption_related")
                 .prefetch_related("categories"))
    return {
        decision.complaint_id: Classification(
            categories=tuple(category.name for category in decision.categories.all()),
            corruption_related=decision.corruption_related,
        )
        for decision in decisions
    }
