"""Triage decisions and referrals, from the officer's decision to the agency's answer.

Each workflow is one transaction that locks what it changes, checks the state again, makes
the change and ends with its audit event. Who may act is checked here as well as in the
views: a clerk cannot prepare, the head approves, the person who prepared a referral cannot
approve it, and nobody recused from a complaint can touch it.

Approval builds the package (routing.package) and hands it to the outbox (outbox.services),
which seals it on disk and writes its row in the same transaction as the approval; delivery
starts only once that transaction has committed. What becomes of it comes back through
routing/delivery.py.

Each workflow also emits its notification (notify.events) in that same transaction, so the
people concerned are told exactly when the change happened, and of nothing but ids and
reference numbers.
"""

from dataclasses import asdict
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import SYSTEM, record, record_read
from intake.case.services import complaint_lock
from intake.case.worklist import case_title_set
from intake.matters import matter_complaints
from intake.models import Complaint, Status
from intake.tallies import tallies_move
from notify.events import emit, settle
from notify.models import Event
from notify.models import Kind as Notice
from notify.rules import REFERRAL_RETURNED, ROLES
from org.calendar import add_working_days
from org.models import Membership, Role
from outbox.models import Agency, Outbox
from outbox.services import outbox_enqueue
from routing import package
from routing.models import AgencyAnswer, Priority, Referral, ReferralState, TriageDecision
from routing.tallies import case_tallies, first_referred_at, referral_counted
from routing.triage import Suggestion
from vault.files import atomic_with_files


def _holds(user, unit, roles) -> bool:
    return Membership.objects.active().filter(user=user, unit=unit, role__in=roles).exists()


def require_role(user, complaint: Complaint, roles, message: str):
    """`user` holds one of `roles` in the complaint's unit (or, for a head, in the unit it
    was escalated to)."""
    units = [complaint.unit] + ([complaint.escalated_to] if complaint.escalated_to else [])
    if not any(_holds(user, unit, roles) for unit in units):
        raise PermissionDenied(message)


def tell(kind: str, *, unit, subject: dict, escalated_to=None, users=(),
         actor=None) -> list[Event]:
    """Emit `kind` about a case of `unit` to the people notify.rules names there (and
    `users`). A case put with another unit (the parent, when the unit's own head is named in
    it or let a deadline pass) is that unit's heads' as well, so a kind meant for heads is
    emitted for them too, as a second event of that unit: they open the case from their own
    unit, and the unit's head may be recused, so telling only the unit could tell no one.
    `actor`, whose act it is, is not told."""
    events = [emit(kind, unit=unit, subject=subject, users=users, actor=actor)]
    if escalated_to is not None and escalated_to.pk != unit.pk and Role.HEAD in ROLES[kind]:
        events.append(emit(kind, unit=escalated_to, subject=subject, roles={Role.HEAD},
                           actor=actor))
    return events


def notify_about(kind: str, complaint: Complaint, referral: Referral | None = None, *,
                 users=(), actor=None, **subject) -> list[Event]:
    """`tell` of `complaint` (and `referral`): its id and reference, nothing else."""
    subject = {"complaint": complaint.pk, "reference": complaint.reference, **subject}
    if referral is not None:
        subject |= {"referral": referral.pk, "referral_reference": referral.reference}
    return tell(kind, unit=complaint.unit, subject=subject, users=users,
                escalated_to=complaint.escalated_to, actor=actor)


def current_decision(complaint: Complaint) -> TriageDecision | None:
    return complaint.triage_decisions.current().prefetch_related("categories").first()


# --- triage --------------------------------------------------------------------------------

def suggestion_record(suggestion: Suggestion) -> dict:
    """What is kept of a suggestion: category codes, the score, lexicon terms and the model's
    version only. Never the model's n-grams: they are fragments of the complaint's text."""
    kept = asdict(suggestion)
    return {key: kept[key] for key in
            ("corruption", "category", "categories", "score", "matched", "against", "scores",
             "model_version")
            if key in kept}


@transaction.atomic
def triage_decide(*, complaint: Complaint, by, categories, corruption_related: bool | None,
                  priority: str, reason: str, suggestion: dict | None,
                  title: str | None = None) -> TriageDecision:
    """Record the officer's decision. `corruption_related` None means: as the categories say
    (bribery, conflict of interest, abuse of office); a person may set it either way. A
    `title` given sets the case's short title too (intake.case.worklist)."""
    complaint = complaint_lock(complaint=complaint, by=by)
    require_role(by, complaint, (Role.OFFICER, Role.HEAD),
                  "only an officer or the head triages")
    if complaint.status == Status.CLOSED:
        raise ValidationError(_("This case is closed."), code="closed")
    categories = list(categories)
    if not categories:
        raise ValidationError(_("Choose at least one category."), code="no_category")
    if priority not in Priority.values:
        raise ValidationError(_("Choose a priority."), code="priority")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say briefly why."), code="no_reason")
    if title is not None:
        case_title_set(complaint=complaint, title=title, by=by)
    derived = any(category.corruption_related for category in categories)
    corruption = derived if corruption_related is None else bool(corruption_related)

    previous, referred_at = current_decision(complaint), first_referred_at(complaint)
    counted = case_tallies(complaint, previous, referred_at=referred_at)
    if previous is not None:
        TriageDecision.objects.filter(pk=previous.pk).update(current=False)
    refer_due = None
    if corruption:
        refer_due = (previous.refer_due if previous and previous.refer_due else
                     add_working_days(timezone.localdate(complaint.received_at),
                                      settings.REFER_WORKING_DAYS, complaint.unit))
    decision = TriageDecision(
        complaint=complaint, data_key=complaint.data_key, corruption_related=corruption,
        priority=priority, suggestion=suggestion, refer_due=refer_due, decided_by=by,
    )
    decision.reason = reason
    decision.save()
    decision.categories.set(categories)
    if complaint.status in (Status.NEW, Status.ACKNOWLEDGED):
        complaint.status = Status.IN_PROGRESS
        complaint.save(update_fields=["status"])
    tallies_move(before=counted, after=case_tallies(complaint, decision, referred_at=referred_at,
                                                    codes=[c.code for c in categories]))
    suggested = (suggestion or {}).get("corruption")
    record(actor=by, action="complaint.triaged", target=decision, unit=complaint.unit,
           details={
               "complaint": complaint.reference,
               "categories": sorted(category.code for category in categories),
               "corruption": corruption, "derived": derived, "priority": priority,
               "suggested_corruption": suggested,
               "suggested_category": (suggestion or {}).get("category"),
               "agrees_with_suggestion": None if suggested is None else suggested == corruption,
               "replaces": previous.pk if previous else None,
           })
    notify_about(Notice.COMPLAINT_TRIAGED, complaint, actor=by)
    return decision


# --- preparing and approving a referral ------------------------------------------------------

def default_agency(unit) -> Agency | None:
    """The agency serving `unit` that its corruption-related referrals go to by default."""
    return Agency.objects.default_for(unit)


def _next_referral_reference(complaint: Complaint) -> str:
    # The complaint row is locked by the caller, so two referrals never get one number.
    return f"{complaint.reference}-R{complaint.referrals.count() + 1}"


@transaction.atomic
def referral_prepare(*, complaint: Complaint, by, agency: Agency, cover_letter: str,
                     attachments=(), include_reporter: bool = False,
                     redactions: str = "") -> Referral:
    complaint = complaint_lock(complaint=complaint, by=by)
    require_role(by, complaint, (Role.OFFICER, Role.HEAD),
                  "only an officer or the head prepares a referral")
    if complaint.status == Status.CLOSED:
        raise ValidationError(_("This case is closed."), code="closed")
    if current_decision(complaint) is None:
        raise ValidationError(_("Triage the case before referring it."), code="untriaged")
    if not agency.active:
        raise ValidationError(_("This agency no longer takes referrals."), code="inactive")
    if complaint.referrals.filter(agency=agency, state=ReferralState.PREPARED).exists():
        raise ValidationError(
            _("A referral of this case to this agency is already awaiting approval."),
            code="duplicate",
        )
    cover_letter = (cover_letter or "").strip()
    if not cover_letter:
        raise ValidationError(_("Write the cover letter."), code="no_letter")
    attachments = list(attachments)
    if any(attachment.complaint_id != complaint.pk for attachment in attachments):
        raise ValidationError(_("Choose only this case's files."), code="foreign_file")
    referral = Referral(
        reference=_next_referral_reference(complaint), complaint=complaint, unit=complaint.unit,
        data_key=complaint.data_key, agency=agency, include_reporter=include_reporter,
        prepared_by=by,
    )
    referral.cover_letter = cover_letter
    referral.redactions = (redactions or "").strip() or None
    referral.save()
    referral.attachments.set(attachments)
    record(actor=by, action="referral.prepared", target=referral, unit=complaint.unit,
           details={"complaint": complaint.reference, "referral": referral.reference,
                    "agency": agency.code, "attachments": len(attachments),
                    "include_reporter": include_reporter,
                    "redacted_phrases": len(package.redaction_phrases(redactions))})
    notify_about(Notice.REFERRAL_PREPARED, complaint, referral, actor=by)
    return referral


def locked_referral(referral: Referral, by) -> Referral:
    complaint_lock(complaint=referral.complaint, by=by)  # recusal check, the case's lock first
    return Referral.objects.select_for_update(no_key=True, of=("self",)).select_related(
        "complaint", "complaint__unit", "complaint__data_key", "agency", "unit", "prepared_by",
    ).get(pk=referral.pk)


def _require_approver(referral: Referral, by):
    require_role(by, referral.complaint, (Role.HEAD,), "only the head approves a referral")
    if referral.prepared_by_id == by.pk:
        raise PermissionDenied("the person who prepared a referral cannot approve it")


def _refuse_unless_prepared(referral: Referral):
    if referral.state != ReferralState.PREPARED:
        raise ValidationError(
            _("This referral is no longer awaiting approval (%(state)s).")
            % {"state": referral.get_state_display()}, code="state",
        )


def _seal_package(referral: Referral, linked=()) -> tuple[Outbox, list[str]]:
    """The package built and handed to the outbox, which queues its delivery after commit
    (a letter waits for the clerk); and the sealed fields that building it read. `linked`:
    the other complaints of the matter, sent with it (routing.matters)."""
    decision = current_decision(referral.complaint)
    categories = sorted(category.code for category in decision.categories.all())
    data, read = package.build(referral, categories, linked)
    outbox = outbox_enqueue(kind=Referral.OUTBOX_KIND, subject_id=referral.pk,
                            reference=referral.reference, agency=referral.agency,
                            data_key=referral.data_key, data=data)
    return outbox, read


def referral_approve(*, referral: Referral, by) -> Referral:
    """The head's approval: the package is built and sealed, the outbox row written, all in
    one transaction with the approval and its audit event; delivery starts after commit."""
    with atomic_with_files():
        referral = locked_referral(referral, by)
        _require_approver(referral, by)
        _refuse_unless_prepared(referral)
        now = timezone.now()
        complaint = referral.complaint
        decision, referred_at = current_decision(complaint), first_referred_at(complaint)
        counted = case_tallies(complaint, decision, referred_at=referred_at, clock_only=True)
        referral.approved_by, referral.approved_at = by, now
        linked = matter_complaints(referral.complaint, by)
        outbox, read = _seal_package(referral, linked)
        letter = referral.agency.delivery == Agency.Delivery.LETTER
        referral.state = ReferralState.AWAITING_LETTER if letter else ReferralState.APPROVED
        referral.package_sha256 = outbox.package_sha256
        referral.save(update_fields=["approved_by", "approved_at", "state",
                                     "package_sha256"])
        if complaint.status != Status.CLOSED:
            complaint.status = Status.REFERRED
            complaint.save(update_fields=["status"])
        tallies_move(before=counted, after=case_tallies(
            complaint, decision, referred_at=referred_at or now, clock_only=True))
        record_read(actor=by, target=complaint, fields=read, unit=complaint.unit)
        for other in linked:
            record_read(actor=by, target=other, fields=package.LINKED_FIELDS, unit=other.unit)
        record(actor=by, action="referral.approved", target=referral, unit=referral.unit,
               details={"referral": referral.reference, "agency": referral.agency.code,
                        "delivery": outbox.delivery, "outbox": str(outbox.key),
                        "package_sha256": outbox.package_sha256,
                        "package_bytes": outbox.package_size})
        # The officer who prepared it is told even if not an officer (a head may
        # prepare); the unit's officers are told as notify.rules says.
        notify_about(Notice.REFERRAL_APPROVED, complaint, referral,
                     users=[referral.prepared_by_id], actor=by)
    return referral


@transaction.atomic
def referral_return(*, referral: Referral, by, reason: str) -> Referral:
    """The head sends a prepared referral back; the officer prepares a new one."""
    referral = locked_referral(referral, by)
    require_role(by, referral.complaint, (Role.HEAD,), "only the head returns a referral")
    _refuse_unless_prepared(referral)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the referral goes back."), code="no_reason")
    referral.state = ReferralState.RETURNED
    referral.returned_reason = reason[:500]
    referral.save(update_fields=["state", "returned_reason"])
    record(actor=by, action="referral.returned", target=referral, unit=referral.unit,
           details={"referral": referral.reference})
    settle(REFERRAL_RETURNED, unit=referral.unit, subject={"referral": referral.pk})
    return referral


@transaction.atomic
def letter_mark_sent(*, referral: Referral, by, letter_number: str, sent_on: date) -> Referral:
    """A clerk (or officer) posted or handed over the printed letter."""
    referral = locked_referral(referral, by)
    require_role(by, referral.complaint, (Role.CLERK, Role.OFFICER, Role.HEAD),
                  "only the unit's staff mark a letter sent")
    if referral.state != ReferralState.AWAITING_LETTER:
        raise ValidationError(_("This referral is not waiting for a letter."), code="state")
    letter_number = (letter_number or "").strip()
    if not letter_number:
        raise ValidationError(_("Enter the letter's number."), code="no_number")
    if sent_on > timezone.localdate():
        raise ValidationError(_("The letter cannot have been sent in the future."),
                              code="future")
    outbox = Outbox.objects.select_for_update().of(Referral.OUTBOX_KIND, referral.pk).get()
    now = timezone.now()
    outbox.state, outbox.delivered_at = Outbox.State.DELIVERED, now
    outbox.save(update_fields=["state", "delivered_at"])
    referral.letter_number = letter_number[:64]
    mark_delivered(referral, at=now, on=sent_on)
    record(actor=by, action="referral.letter_sent", target=referral, unit=referral.unit,
           details={"referral": referral.reference, "letter_number": referral.letter_number,
                    "sent_on": sent_on.isoformat()})
    notify_about(Notice.REFERRAL_DELIVERED, referral.complaint, referral, actor=by)
    return referral


def mark_delivered(referral: Referral, *, at, on: date | None = None):
    """Sets a referral delivered and starts the agency's acknowledgement clock; the caller
    holds the row lock and records the event."""
    if referral.state in (ReferralState.APPROVED, ReferralState.AWAITING_LETTER,
                          ReferralState.FAILED):
        # An answer that arrived before this record (the agency acknowledged at once)
        # has already moved the referral on; that is not undone.
        referral.state = ReferralState.DELIVERED
    with referral_counted(referral):
        referral.delivered_at = at
        referral.acknowledge_expected_by = add_working_days(
            on or timezone.localdate(at), referral.agency.acknowledge_within_days, referral.unit)
        referral.save(update_fields=["state", "delivered_at", "acknowledge_expected_by",
                                     "letter_number"])


# --- the agency's answers --------------------------------------------------------------------

ANSWERABLE = (ReferralState.DELIVERED, ReferralState.ACKNOWLEDGED, ReferralState.CONCLUDED,
              ReferralState.APPROVED, ReferralState.FAILED)


def answer_record(*, referral: Referral, kind: str, answered_on: date, by=None,
                  event_id: str | None = None, agency_reference: str = "", status: str = "",
                  text: str = "") -> tuple[AgencyAnswer, bool]:
    """Keep one answer of the agency and move the referral along: an acknowledgement (or
    any answer with the agency's reference) acknowledges it, an outcome concludes it.
    `by` is the member of staff who entered it, or None for the agency's signed callback.
    Returns the answer and whether it is new (a callback repeated is kept once)."""
    with transaction.atomic():
        if by is not None:
            referral = locked_referral(referral, by)
            require_role(by, referral.complaint, (Role.CLERK, Role.OFFICER, Role.HEAD),
                          "only the unit's staff enter an agency's answer")
        else:
            referral = Referral.objects.select_for_update(no_key=True, of=("self",)).select_related(
                "agency", "unit", "complaint").get(pk=referral.pk)
        if event_id:
            existing = referral.answers.filter(event_id=event_id).first()
            if existing is not None:
                return existing, False
        if referral.state not in ANSWERABLE:
            raise ValidationError(_("This referral has not been sent, so it has no answers."),
                                  code="state")
        if kind not in AgencyAnswer.Kind.values:
            raise ValidationError(_("Choose what kind of answer this is."), code="kind")
        if answered_on > timezone.localdate():
            raise ValidationError(_("The answer cannot be dated in the future."),
                                  code="future")
        answer = AgencyAnswer(
            referral=referral, data_key=referral.data_key, kind=kind,
            via=AgencyAnswer.Via.STAFF if by else AgencyAnswer.Via.CALLBACK,
            event_id=event_id or None, agency_reference=(agency_reference or "")[:64],
            status=(status or "")[:200], answered_on=answered_on, entered_by=by,
        )
        answer.text = (text or "").strip() or None
        answer.save()
        with referral_counted(referral):
            referral.save(update_fields=referral.take_answer(answer, timezone.now()))
        record(actor=by or SYSTEM, action="referral.answer", target=answer, unit=referral.unit,
               details={"referral": referral.reference, "kind": kind, "via": answer.via,
                        "agency_reference": answer.agency_reference,
                        "state": referral.state, "has_text": answer.text is not None})
        notify_about(Notice.REFERRAL_ANSWERED, referral.complaint, referral,
                     state=referral.state, actor=by)
        return answer, True
