""""You said, we did": an officer writes, for a closed case whose reporter allowed it, a
public summary of what was raised and what the unit did; the unit's head publishes it (or
withdraws it). Published summaries show on the hall screen, on the unit's open figures and
on a printable page for the information board, and the reporter sees on their own case page
that theirs was published.

    publication_write(complaint=case, by=officer, said="…", did="…")
    publication_approve(publication=draft, by=head)
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from intake.models import Complaint, Status
from org.access import roles_in_unit
from org.models import Role
from outreach.figures.data import forget_unit
from outreach.models import Publication
from outreach.screen import forget

WRITERS = {Role.OFFICER, Role.HEAD}


def publishable(complaint: Complaint) -> bool:
    return complaint.status == Status.CLOSED and complaint.publish_consent


def published(unit, limit: int = 10):
    return (Publication.objects.filter(unit=unit, state=Publication.State.PUBLISHED)
            .order_by("-published_at", "-pk")[:limit])


def _require(user, unit, roles) -> None:
    if not roles_in_unit(user, unit) & set(roles):
        raise PermissionDenied


@transaction.atomic
def publication_write(*, complaint: Complaint, by, said: str, did: str) -> Publication:
    """A new summary, or a draft (or withdrawn one) written again; awaits the head."""
    _require(by, complaint.unit, WRITERS)
    if not publishable(complaint):
        raise ValidationError(_("Only a closed case whose reporter allowed it can be "
                                "published."), code="not_publishable")
    found = Publication.objects.select_for_update().filter(complaint=complaint).first()
    if found is not None and found.state == Publication.State.PUBLISHED:
        raise ValidationError(_("This summary is published; withdraw it before writing it "
                                "again."), code="published")
    found = found or Publication(complaint=complaint, unit=complaint.unit, written_by=by)
    found.said, found.did = said.strip(), did.strip()
    found.state, found.written_by, found.written_at = Publication.State.DRAFT, by, timezone.now()
    found.approved_by, found.published_at = None, None
    found.save()
    record(actor=by, action="publication.written", target=found, unit=complaint.unit,
           details={"complaint": complaint.reference})
    return found


def _decided(publication: Publication, by, state: str, allowed) -> Publication:
    _require(by, publication.unit, {Role.HEAD})
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    if locked.state not in allowed:
        raise ValidationError(_("This summary has changed meanwhile; look at it again."),
                              code="state")
    locked.state = state
    if state == Publication.State.PUBLISHED:
        locked.approved_by, locked.published_at = by, timezone.now()
    locked.save(update_fields=["state", "approved_by", "published_at"])
    details = {"complaint": locked.complaint.reference}
    if state == Publication.State.PUBLISHED:
        record(actor=by, action="publication.approved", target=locked, unit=locked.unit,
               details=details)
    else:
        record(actor=by, action="publication.withdrawn", target=locked, unit=locked.unit,
               details=details)
    # The hall screens show it at their next read, the open page at once.
    transaction.on_commit(lambda: (forget(locked.unit), forget_unit(locked.unit)))
    return locked


@transaction.atomic
def publication_approve(*, publication: Publication, by) -> Publication:
    return _decided(publication, by, Publication.State.PUBLISHED, {Publication.State.DRAFT})


@transaction.atomic
def publication_withdraw(*, publication: Publication, by) -> Publication:
    return _decided(publication, by, Publication.State.WITHDRAWN,
                    {Publication.State.DRAFT, Publication.State.PUBLISHED})


def reporter_note(complaint: Complaint) -> str | None:
    """What the reporter reads on their own case page once their summary is published."""
    found = Publication.objects.filter(complaint=complaint,
                                       state=Publication.State.PUBLISHED).first()
    if found is None:
        return None
    return _("A summary of your report was published (“you said, we did”): %(said)s — "
             "%(did)s") % {"said": found.said, "did": found.did}
