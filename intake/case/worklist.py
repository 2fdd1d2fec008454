"""What puts a case in its place in the unit's worklist: its short title and the officer it is
assigned to. Both are metadata that the queue shows without decrypting anything.

The title is a few words staff write themselves (intake.models.TITLE_MAX). It is not sealed,
so it must never hold the reporter's words, a name or anything that identifies anyone; the
audit trail, which outlives the case's content, records its length only. Assigning names an
officer of the case's own unit who may handle it (not one recused from it).

The assignee is not notified: notify has no kind of event for an assignment, and adding one
is notify's to decide. The case shows in their "mine" view of the queue at once.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from audit.services import record
from intake.case.services import complaint_lock
from intake.models import Complaint, Status, checked_title
from org.models import Membership, Role

# Who may write a case's title: the clerk who logs it and those who handle it.
TITLERS = (Role.CLERK, Role.OFFICER, Role.HEAD)
# Who may give a case to an officer.
ASSIGNERS = (Role.OFFICER, Role.HEAD)
# `case_worklist_set`'s officer when the form had no officer field: leave it as it is.
KEEP = object()


def _refuse_unless_holds(user, complaint: Complaint, roles, what: str):
    """The views let only these roles through; this is the same rule where the change is
    made, for any other caller. The head of the unit a case was escalated to counts too."""
    place = Q(unit_id=complaint.unit_id, role__in=roles)
    if complaint.escalated_to_id and Role.HEAD in roles:
        place |= Q(unit_id=complaint.escalated_to_id, role=Role.HEAD)
    if not Membership.objects.active().filter(place, user=user).exists():
        raise PermissionDenied(what)


def officers_for(complaint: Complaint):
    """The people a case may be assigned to: the active officers of its unit, less anyone
    recused from it, by name."""
    officers = (Membership.objects.active()
                .filter(unit_id=complaint.unit_id, role=Role.OFFICER).values("user_id"))
    return (get_user_model().objects.filter(pk__in=officers)
            .exclude(recusals__complaint=complaint)
            .order_by("first_name", "last_name", "username"))


@transaction.atomic
def case_title_set(*, complaint: Complaint, title: str, by) -> Complaint:
    """Write, change or (with an empty `title`) clear the case's short title. Control and
    invisible characters are dropped (intake.models.tidy_title); a title still too long is
    refused. Saving the same title again changes and records nothing."""
    title = checked_title(title)
    complaint = complaint_lock(complaint=complaint, by=by)
    _refuse_unless_holds(by, complaint, TITLERS, "only the unit's clerk, officers or head")
    previous = complaint.title
    if title == previous:
        return complaint
    complaint.title = title
    complaint.save(update_fields=["title"])
    record(actor=by, action="complaint.titled", target=complaint, unit=complaint.unit,
           details={"reference": complaint.reference, "length": len(title),
                    "replaced": bool(previous)})
    return complaint


@transaction.atomic
def case_assign(*, complaint: Complaint, officer, by) -> Complaint:
    """Give the case to `officer`, or to nobody with None. Refused on a closed case and for
    anyone but an officer of the case's unit who may handle it (`officers_for`). Assigning
    it to whom it is already assigned changes and records nothing."""
    complaint = complaint_lock(complaint=complaint, by=by)
    _refuse_unless_holds(by, complaint, ASSIGNERS, "only the unit's officers or head assign")
    if complaint.status == Status.CLOSED:
        raise ValidationError(_("This case is closed."), code="closed")
    if officer is not None and not officers_for(complaint).filter(pk=officer.pk).exists():
        raise ValidationError(
            _("A case can be assigned only to an officer of its unit who may handle it."),
            code="not_an_officer",
        )
    previous = complaint.assigned_to_id
    if previous == (officer.pk if officer else None):
        return complaint
    complaint.assigned_to = officer
    complaint.save(update_fields=["assigned_to"])
    record(actor=by, action="complaint.assigned", target=complaint, unit=complaint.unit,
           details={"reference": complaint.reference, "from": previous,
                    "to": officer.pk if officer else None})
    return complaint


@transaction.atomic
def case_worklist_set(*, complaint: Complaint, by, title: str, officer=KEEP) -> Complaint:
    """What the worklist form of a case says, saved together or not at all: the title,
    and the officer unless `officer` is KEEP (a clerk's form has no officer field)."""
    complaint = case_title_set(complaint=complaint, title=title, by=by)
    if officer is not KEEP:
        complaint = case_assign(complaint=complaint, officer=officer, by=by)
    return complaint
