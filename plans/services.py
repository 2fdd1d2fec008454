"""The plan's workflows: making a year's plan (empty, from last year's, or from the parent's
template), writing its goals and measures while it is a draft, approving it, revising an
approved plan as a new version, pushing the national plan down as a template, and recording
the activities and trainings done against its measures.

Each checks who may (reporting.access: the unit's clerk and head write, the head approves)
and writes its audit event in the same transaction. The plan's texts are the unit's own
words about its work, never complaint content.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from org.models import Membership, Unit
from plans.models import (
    Activity,
    ActivityKind,
    Evidence,
    Goal,
    Measure,
    Plan,
    PlanState,
    Source,
    Training,
)
from reporting.access import may_approve, may_write, require
from vault.files import atomic_with_files, save_encrypted
from vault.models import DataKey


@dataclass(frozen=True)
class MeasureText:
    number: str
    text: str
    criterion: str = ""
    responsible: str = ""
    due: date | None = None
    source: str = Source.NONE


@dataclass(frozen=True)
class Upload:
    file: object
    filename: str
    content_type: str


def latest_plan(unit: Unit, year: int) -> Plan | None:
    return Plan.objects.filter(unit=unit, year=year).order_by("-version").first()


def _copy_into(plan: Plan, source: Plan) -> None:
    for goal in source.goals.order_by("number"):
        copy = Goal.objects.create(plan=plan, number=goal.number, text=goal.text)
        Measure.objects.bulk_create([Measure(
            goal=copy, number=m.number, order=m.order, text=m.text, criterion=m.criterion,
            responsible=m.responsible, due=_moved_to(m.due, plan.year), source=m.source,
        ) for m in goal.measures.order_by("order", "pk")])


def _moved_to(day: date | None, year: int) -> date | None:
    """A due day carried into another year (29 February becomes the 28th)."""
    if day is None or day.year == year:
        return day
    return day.replace(year=year, day=min(day.day, 28 if day.month == 2 else day.day))


def _template_for(unit: Unit, year: int) -> Plan | None:
    """The nearest unit above with an approved plan for `year`."""
    for above in unit.ancestors():
        found = Plan.objects.filter(unit=above, year=year, state=PlanState.APPROVED).order_by(
            "-version").first()
        if found is not None:
            return found
    return None


@transaction.atomic
def plan_create(*, unit: Unit, year: int, copy: str, by) -> Plan:
    """A new draft plan for `year`; `copy` is "last_year", "template" (the nearest unit
    above's approved plan for the year) or "empty"."""
    require(may_write(by, unit), _("Only the unit's clerk or head may make its plan."))
    if Plan.objects.filter(unit=unit, year=year).exists():
        raise ValidationError(_("The unit already has a plan for %(year)s.") % {"year": year})
    source = None
    if copy == "last_year":
        source = latest_plan(unit, year - 1)
        if source is None:
            raise ValidationError(_("There is no plan for %(year)s to copy.")
                                  % {"year": year - 1})
    elif copy == "template":
        source = _template_for(unit, year)
        if source is None:
            raise ValidationError(_("No unit above has an approved plan for %(year)s.")
                                  % {"year": year})
    plan = Plan.objects.create(unit=unit, year=year, created_by=by, copied_from=source)
    if source is not None:
        _copy_into(plan, source)
    record(actor=by, action="plan.created", target=plan, unit=unit,
           details={"year": year, "copied_from": source.pk if source else None})
    return plan


def _editable(plan: Plan, by) -> None:
    require(may_write(by, plan.unit), _("Only the unit's clerk or head may edit its plan."))
    if plan.is_frozen:
        raise ValidationError(_("An approved plan is not edited; revise it as a new version."))
    if Plan.objects.filter(supersedes=plan).exists():
        raise ValidationError(_("A newer version of this plan exists."))


@transaction.atomic
def plan_goal_add(*, plan: Plan, number: int, text: str, by) -> Goal:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _editable(plan, by)
    if plan.goals.filter(number=number).exists():
        raise ValidationError(_("Goal %(number)s already exists.") % {"number": number})
    goal = Goal.objects.create(plan=plan, number=number, text=text.strip())
    record(actor=by, action="plan.edited", target=plan, unit=plan.unit,
           details={"goal": number})
    return goal


@transaction.atomic
def plan_measure_save(*, plan: Plan, goal_number: int, fields: MeasureText, by) -> Measure:
    """Add the measure `fields.number` under goal `goal_number`, or rewrite it if the plan
    has it already."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _editable(plan, by)
    goal = plan.goals.filter(number=goal_number).first()
    if goal is None:
        raise ValidationError(_("There is no goal %(number)s.") % {"number": goal_number})
    measure = Measure.objects.filter(goal__plan=plan, number=fields.number).first()
    if measure is None:
        measure = Measure(goal=goal, number=fields.number, order=goal.measures.count() + 1)
    measure.goal = goal
    for name in ("text", "criterion", "responsible", "due", "source"):
        setattr(measure, name, getattr(fields, name))
    measure.save()
    record(actor=by, action="plan.edited", target=plan, unit=plan.unit,
           details={"measure": fields.number})
    return measure


@transaction.atomic
def plan_approve(*, plan: Plan, by) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    require(may_approve(by, plan.unit), _("Only the head of the unit approves its plan."))
    _editable(plan, by)
    if not plan.measures().exists():
        raise ValidationError(_("A plan without measures cannot be approved."))
    plan.state, plan.approved_by, plan.approved_at = PlanState.APPROVED, by, timezone.now()
    plan.save(update_fields=["state", "approved_by", "approved_at"])
    record(actor=by, action="plan.approved", target=plan, unit=plan.unit,
           details={"year": plan.year, "version": plan.version})
    return plan


@transaction.atomic
def plan_revise(*, plan: Plan, by) -> Plan:
    """A new draft version of an approved plan, with its goals and measures."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    require(may_write(by, plan.unit), _("Only the unit's clerk or head may revise its plan."))
    if not plan.is_frozen:
        raise ValidationError(_("Only an approved plan is revised; edit the draft instead."))
    if Plan.objects.filter(supersedes=plan).exists():
        raise ValidationError(_("This plan has been revised already."))
    new = Plan.objects.create(unit=plan.unit, year=plan.year, version=plan.version + 1,
                              supersedes=plan, created_by=by, copied_from=plan)
    _copy_into(new, plan)
    record(actor=by, action="plan.revised", target=new, unit=plan.unit,
           details={"year": plan.year, "version": new.version})
    return new


@transaction.atomic
def plan_template_push(*, plan: Plan, by) -> int:
    """Give every active unit below the plan's unit that has no plan for the year a draft
    copied from this approved plan; returns how many were made."""
    require(may_approve(by, plan.unit), _("Only the head of the unit pushes its plan down."))
    if not plan.is_frozen:
        raise ValidationError(_("Approve the plan before giving it to the units below."))
    below = Unit.objects.active().filter(pk__in=plan.unit.descendant_ids() - {plan.unit_id})
    made = 0
    for unit in below.exclude(plans__year=plan.year):
        copy = Plan.objects.create(unit=unit, year=plan.year, created_by=by,
                                   copied_from=plan)
        _copy_into(copy, plan)
        made += 1
    record(actor=by, action="plan.pushed", target=plan, unit=plan.unit,
           details={"year": plan.year, "units": made})
    return made


def _measure_of(unit: Unit, measure: Measure, by) -> None:
    require(may_write(by, unit), _("Only the unit's clerk or head may record its work."))
    if measure.goal.plan.unit_id != unit.pk:
        raise ValidationError(_("That measure is not in this unit's plan."))


@transaction.atomic
def activity_record(*, unit: Unit, measure: Measure, kind: str, channel: str, day: date,
                    place: str, description: str, feedback: str, uploads=(), by) -> Activity:
    """An activity against a measure, with its evidence files sealed (vault.files); a
    failure leaves neither the row nor a file behind."""
    _measure_of(unit, measure, by)
    if kind == ActivityKind.OUTREACH and not channel:
        raise ValidationError(_("Say on which channel it was posted."))
    if day > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    with atomic_with_files():
        activity = Activity.objects.create(
            unit=unit, measure=measure, kind=kind,
            channel=channel if kind == ActivityKind.OUTREACH else "", day=day,
            place=place, description=description, feedback=feedback, recorded_by=by)
        for upload in uploads:
            evidence = Evidence(activity=activity, data_key=DataKey.objects.create_fresh())
            stored = save_encrypted(upload.file, data_key=evidence.data_key,
                                    context=evidence_context(evidence))
            evidence.stored_name, evidence.size, evidence.sha256 = (
                stored.name, stored.size, stored.sha256)
            evidence.content_type, evidence.filename = upload.content_type, upload.filename
            evidence.save()
        record(actor=by, action="plan.activity_recorded", target=activity, unit=unit,
               details={"measure": measure.number, "kind": kind, "files": len(uploads)})
    return activity


def evidence_context(evidence: Evidence) -> str:
    """The context an evidence file is sealed under (vault.files)."""
    return f"plans.evidence|{evidence.uid}"


def active_staff(unit: Unit):
    """The people holding an active role in the unit (each once)."""
    from django.contrib.auth import get_user_model

    ids = Membership.objects.active().filter(unit=unit).values("user_id")
    return get_user_model().objects.filter(pk__in=ids).order_by("last_name", "first_name")


@transaction.atomic
def training_record(*, unit: Unit, measure: Measure, day: date, topic: str, trainer: str,
                    articles: str, attendee_ids, by) -> Training:
    _measure_of(unit, measure, by)
    if day > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    staff = active_staff(unit)
    attendees = list(staff.filter(pk__in=attendee_ids))
    if len(attendees) != len(set(attendee_ids)):
        raise ValidationError(_("Tick only the unit's own staff."))
    training = Training.objects.create(
        unit=unit, measure=measure, day=day, topic=topic, trainer=trainer,
        articles=articles, staff_count=staff.count(), recorded_by=by)
    training.attendees.set(attendees)
    record(actor=by, action="plan.training_recorded", target=training, unit=unit,
           details={"measure": measure.number, "attendees": len(attendees),
                    "staff": training.staff_count})
    return training
