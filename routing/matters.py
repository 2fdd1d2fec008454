"""Triage and referral read the matter (intake.matters): complaints an officer linked as one
matter across channels are decided and referred together.

- The triage card of each lists the others of its matter with their current decision, and
  one button applies the decision of this complaint to the others (`matter_triage_apply`).
- A referral's package carries the content of every other complaint of the matter beside
  the complaint referred (routing.package), redacted alike; each reporter's identity stays
  with their own complaint and is never sent for the others.

Only the complaints the acting person may see count (their unit's, never one they are
recused from), so a recused officer neither learns of nor acts on the other complaint.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from intake.matters import matter_complaints
from intake.models import Complaint, Status
from routing.models import TriageDecision
from routing.services import current_decision, triage_decide


def linked_for(complaint: Complaint, user) -> list[Complaint]:
    """The other complaints of `complaint`'s matter that `user` may see."""
    return matter_complaints(complaint, user)


def _same(decision: TriageDecision | None, other: TriageDecision | None) -> bool:
    if decision is None or other is None:
        return decision is other
    return (decision.corruption_related == other.corruption_related
            and decision.priority == other.priority
            and {c.pk for c in decision.categories.all()}
            == {c.pk for c in other.categories.all()})


def decisions_differing(complaint: Complaint, linked: list[Complaint]) -> list[Complaint]:
    """The open linked complaints whose current decision is not this complaint's."""
    decision = current_decision(complaint)
    return [other for other in linked if other.status != Status.CLOSED
            and not _same(decision, current_decision(other))]


@transaction.atomic
def matter_triage_apply(*, complaint: Complaint, by) -> list[Complaint]:
    """Record `complaint`'s current triage decision on every open complaint of its matter
    that `by` may see and that is decided otherwise; returns those changed. Each is an
    ordinary decision of `by` (audited, with its own clocks), its reason naming the
    complaint it was decided on."""
    decision = current_decision(complaint)
    if decision is None:
        raise ValidationError(_("Record a triage decision on this complaint first."),
                              code="undecided")
    changed = decisions_differing(complaint, linked_for(complaint, by))
    if not changed:
        raise ValidationError(_("The linked complaints already have this decision."),
                              code="same")
    categories = list(decision.categories.all())
    for other in changed:
        triage_decide(
            complaint=other, by=by, categories=categories,
            corruption_related=decision.corruption_related, priority=decision.priority,
            reason=_("Decided with %(reference)s, the same matter.")
            % {"reference": complaint.reference},
            suggestion=None)
    return changed
