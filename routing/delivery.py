"""A referral's delivery as routing sees it: the subject it registers with the outbox, which
hears how each try ended, and the head's second try after a dead letter.

The outbox (outbox.delivery) sends the package and records each try; here the referral
moves on in the same transaction: delivered starts the agency's acknowledgement clock, a
dead letter fails the referral, and both are audited and told to the people concerned.
Letters are not sent by the outbox: staff post them and say so
(routing.services.letter_mark_sent).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import SYSTEM, record
from notify.models import Kind as Notice
from org.models import Role
from outbox.models import Outbox
from outbox.services import outbox_retry
from outbox.subjects import Subject
from routing.models import Referral, ReferralState
from routing.services import locked_referral, mark_delivered, notify_about, require_role


def _locked(outbox: Outbox) -> Referral:
    # Only the referral's row, and FOR NO KEY UPDATE: a lock on the joined unit row blocks
    # the foreign-key checks of every transaction that holds the audit chain's head and
    # wrote an event of that unit, while this one waits for the head: deadlock.
    return (Referral.objects.select_for_update(no_key=True, of=("self",))
            .select_related("agency", "unit", "complaint").get(pk=outbox.subject_id))


def _delivered(outbox: Outbox, now) -> None:
    referral = _locked(outbox)
    if referral.state in (ReferralState.APPROVED, ReferralState.FAILED):
        mark_delivered(referral, at=now)
    elif referral.delivered_at is None:
        # The agency answered before we heard back from it (a worker died after sending):
        # its answer already moved the referral on, so only the time is filled in.
        referral.delivered_at = now
        referral.save(update_fields=["delivered_at"])
    record(actor=SYSTEM, action="referral.delivered", target=referral, unit=referral.unit,
           details={"referral": referral.reference, "attempts": outbox.attempts,
                    "delivery": outbox.delivery, "package_sha256": outbox.package_sha256})
    notify_about(Notice.REFERRAL_DELIVERED, referral.complaint, referral)


def _dead(outbox: Outbox, detail: str, permanent: bool) -> None:
    referral = _locked(outbox)
    if referral.state == ReferralState.APPROVED:
        referral.state = ReferralState.FAILED
        referral.save(update_fields=["state"])
    record(actor=SYSTEM, action="referral.failed", target=referral, unit=referral.unit,
           details={"referral": referral.reference, "attempts": outbox.attempts,
                    "delivery": outbox.delivery, "error": detail, "permanent": permanent})
    # The heads are told through notify, which emails them by default: written in this
    # transaction, so the alert exists exactly when the dead letter does, and is queued
    # once however often this try is recorded.
    notify_about(Notice.REFERRAL_FAILED, referral.complaint, referral)


def _email_subject(outbox: Outbox) -> str:
    return _("Referral %(reference)s") % {"reference": outbox.subject_reference}


# Registered with the outbox in routing's ready(). The referral is locked before the outbox
# row, in the order the head's retry and the letter's workflow take them.
SUBJECT = Subject(kind=Referral.OUTBOX_KIND, email_subject=_email_subject,
                  delivered=_delivered, dead=_dead, lock=_locked)


def dead_letter_retry(*, referral: Referral, by) -> Referral:
    """The head sends a referral whose delivery was given up once more: its outbox row is
    due again with a fresh count of tries, under the same idempotency key."""
    with transaction.atomic():
        referral = locked_referral(referral, by)
        require_role(by, referral.complaint, (Role.HEAD,),
                      "only the head sends a failed referral again")
        outbox = (Outbox.objects.select_for_update()
                  .of(Referral.OUTBOX_KIND, referral.pk).first())
        if (referral.state != ReferralState.FAILED or outbox is None
                or outbox.state != Outbox.State.DEAD):
            raise ValidationError(_("Only a referral whose delivery failed can be sent again."),
                                  code="state")
        referral.state = ReferralState.APPROVED
        referral.save(update_fields=["state"])
        record(actor=by, action="referral.retried", target=referral, unit=referral.unit,
               details={"referral": referral.reference, "outbox": str(outbox.key),
                        "last_error": outbox.last_error})
        outbox_retry(outbox=outbox)
    return referral
