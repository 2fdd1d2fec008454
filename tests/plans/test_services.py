"""The plan's workflows: made, copied, edited until approved, versioned after, pushed down
as a template; activities with sealed evidence and trainings with their coverage."""

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from plans import services
from plans.drafting import coverage
from plans.models import Activity, Evidence, Plan, PlanState, Training
from tests.conftest import make_staff
from tests.plans.helpers import YEAR, measure, reference_plan, travel
from vault.files import open_encrypted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _at_report_time():
    with travel():
        yield


def test_a_plan_is_edited_until_approved_and_then_only_revised(units, personas):
    plan = reference_plan(units, personas, approve=False)
    assert [m.number for m in plan.measures()] == ["1.1", "1.2", "1.3", "2.1", "3.1", "3.2",
                                                   "3.3"]
    plan = services.plan_approve(plan=plan, by=personas["head"])
    assert plan.state == PlanState.APPROVED
    with pytest.raises(ValidationError):
        services.plan_goal_add(plan=plan, number=4, text="Шинэ зорилт", by=personas["clerk"])
    revised = services.plan_revise(plan=plan, by=personas["clerk"])
    assert (revised.version, revised.supersedes_id) == (2, plan.pk)
    assert revised.measures().count() == 7
    services.plan_goal_add(plan=revised, number=4, text="Шинэ зорилт", by=personas["clerk"])
    assert plan.goals.count() == 3 and revised.goals.count() == 4


def test_only_the_head_approves_and_only_writers_edit(units, personas):
    plan = reference_plan(units, personas, approve=False)
    with pytest.raises(PermissionDenied):
        services.plan_approve(plan=plan, by=personas["clerk"])
    for person in ("officer", "auditor", "outsider", "national_head"):
        with pytest.raises(PermissionDenied):
            services.plan_goal_add(plan=plan, number=9, text="x", by=personas[person])


def test_last_years_plan_and_the_parents_template_are_copied(units, personas):
    plan = reference_plan(units, personas)
    copy = services.plan_create(unit=units["DG"], year=YEAR + 1, copy="last_year",
                                by=personas["clerk"])
    assert copy.measures().count() == 7 and copy.state == PlanState.DRAFT
    assert copy.measures().get(number="3.2").due == date(YEAR + 1, 12, 31)
    du_clerk = make_staff("du_clerk", units["DU"], "clerk")
    with pytest.raises(ValidationError):  # no approved plan above DU yet
        services.plan_create(unit=units["DU"], year=YEAR, copy="template", by=du_clerk)
    head = personas["national_head"]
    national = services.plan_create(unit=units["UBEG"], year=YEAR, copy="empty", by=head)
    services.plan_goal_add(plan=national, number=1, text="Соён гэгээрүүлэх", by=head)
    services.plan_measure_save(plan=national, goal_number=1, by=head,
                               fields=services.MeasureText(number="1.1", text="Сурталчлах"))
    services.plan_approve(plan=national, by=head)
    du_plan = services.plan_create(unit=units["DU"], year=YEAR, copy="template", by=du_clerk)
    assert du_plan.copied_from_id == national.pk and du_plan.measures().count() == 1
    assert plan.measures().count() == 7


def test_the_national_head_pushes_an_approved_plan_to_the_units_below(units, personas):
    head = personas["national_head"]
    national = services.plan_create(unit=units["UBEG"], year=YEAR, copy="empty", by=head)
    services.plan_goal_add(plan=national, number=1, text="Соён гэгээрүүлэх", by=head)
    services.plan_measure_save(plan=national, goal_number=1, by=head,
                               fields=services.MeasureText(number="1.1", text="Сурталчлах"))
    with pytest.raises(ValidationError):
        services.plan_template_push(plan=national, by=head)
    national = services.plan_approve(plan=national, by=head)
    reference_plan(units, personas)  # DG has its own plan: kept
    assert services.plan_template_push(plan=national, by=head) == 1
    du_plan = Plan.objects.get(unit=units["DU"], year=YEAR)
    assert du_plan.copied_from_id == national.pk
    assert list(du_plan.measures().values_list("number", flat=True)) == ["1.1"]
    assert Plan.objects.filter(unit=units["DG"], year=YEAR).count() == 1


def test_an_activity_keeps_its_evidence_sealed(units, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = reference_plan(units, personas)
    photo = b"\xff\xd8\xff poster photo"
    activity = services.activity_record(
        unit=units["DG"], measure=measure(plan, "1.1"), kind="outreach", channel="board",
        day=date(YEAR, 3, 12), place="Танхим", description="Шторк үзүүлсэн", feedback="",
        uploads=[services.Upload(io.BytesIO(photo), "зураг.jpg", "image/jpeg")],
        by=personas["clerk"])
    evidence = Evidence.objects.get(activity=activity)
    on_disk = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert photo not in on_disk
    assert b"".join(open_encrypted(evidence.stored_name, data_key=evidence.data_key,
                                   context=services.evidence_context(evidence))) == photo
    assert AuditEvent.objects.filter(action="plan.activity_recorded").count() == 1


def test_bad_activities_save_nothing(units, personas):
    plan = reference_plan(units, personas)
    with pytest.raises(ValidationError):
        services.activity_record(unit=units["DG"], measure=measure(plan, "1.1"),
                                 kind="outreach", channel="", day=date(YEAR, 3, 1), place="",
                                 description="x", feedback="", by=personas["clerk"])
    du_clerk = make_staff("du_clerk", units["DU"], "clerk")
    with pytest.raises(ValidationError):  # DG's measure under DU
        services.activity_record(unit=units["DU"], measure=measure(plan, "1.1"),
                                 kind="other", channel="", day=date(YEAR, 3, 1), place="",
                                 description="x", feedback="", by=du_clerk)
    assert not Activity.objects.exists()


def test_a_trainings_coverage_is_of_the_units_active_staff(units, personas):
    plan = reference_plan(units, personas)
    staff = list(services.active_staff(units["DG"]).values_list("pk", flat=True))
    training = services.training_record(
        unit=units["DG"], measure=measure(plan, "3.3"), day=date(YEAR, 4, 8),
        topic="Мэдээллийн ил тод байдал", trainer="Э.Уранбилэг", articles="6.2, 8.1",
        attendee_ids=staff[:3], by=personas["clerk"])
    assert training.staff_count == len(staff) == 5
    assert coverage(training.attendees.count(), training.staff_count) == 60
    with pytest.raises(ValidationError):
        services.training_record(
            unit=units["DG"], measure=measure(plan, "3.3"), day=date(YEAR, 4, 8),
            topic="x", trainer="y", articles="", attendee_ids=[personas["outsider"].pk],
            by=personas["clerk"])
    assert Training.objects.count() == 1
