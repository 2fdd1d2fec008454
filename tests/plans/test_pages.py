"""The plan's pages used as the clerk and the head use them: the plan written and approved,
an outreach posting with its photo and a training recorded, the year's report drafted,
edited, prepared, approved by the head and downloaded; bad input refused with nothing
saved; another unit's evidence not found."""

import io
from datetime import date

import pytest
from django.urls import reverse
from docx import Document

from audit.models import AuditEvent
from plans.models import Activity, Evidence, Plan, PlanReport, Training
from tests.intake.test_box_openings import png_scan
from tests.plans.helpers import NOW, reference_plan
from tests.reporting.test_exports import NIL_MN, placed_unit
from tests.security.helpers import body_of, client_for

pytestmark = pytest.mark.django_db

PNG = png_scan()


@pytest.fixture(autouse=True)
def _in_november(time_machine, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    time_machine.move_to(NOW, tick=False)


def url(name, **kwargs):
    return reverse(name, kwargs={"unit_code": "DG", "year": 2026, **kwargs})


def test_the_clerk_writes_the_plan_and_the_head_approves_it(units, personas):
    clerk, head = client_for(personas["clerk"]), client_for(personas["head"])
    made = clerk.post(reverse("plans:create", kwargs={"unit_code": "DG"}),
                      {"year": "2026", "copy": "empty"})
    assert made.status_code == 302
    assert clerk.post(url("plans:goal"), {"version": "1", "goal-version": "1",
                                          "goal-number": "1",
                                          "goal-text": "Соён гэгээрүүлэх"}).status_code == 302
    saved = clerk.post(url("plans:measure"), {
        "version": "1", "measure-version": "1", "measure-goal": "1", "measure-number": "1.1",
        "measure-text": "Сурталчлах", "measure-source": "outreach",
        "measure-due": "2026.12.31"})
    assert saved.status_code == 302
    page = body_of(clerk.get(url("plans:plan")))
    assert "Соён гэгээрүүлэх" in page and 'id="measure-1.1"' in page
    assert clerk.post(url("plans:approve"), {"version": "1"}).status_code == 403
    assert head.post(url("plans:approve"), {"version": "1"}).status_code == 302
    assert Plan.objects.get().is_frozen
    refused = clerk.post(url("plans:goal"), {"version": "1", "goal-version": "1",
                                             "goal-number": "2", "goal-text": "Дахин"})
    assert refused.status_code == 409 and Plan.objects.get().goals.count() == 1


def test_bad_input_is_refused_with_the_text_kept_and_nothing_saved(units, personas):
    reference_plan(units, personas, approve=False)
    clerk = client_for(personas["clerk"])
    before = AuditEvent.objects.count()
    response = clerk.post(url("plans:measure"), {
        "measure-version": "1", "measure-goal": "1", "measure-number": "один",
        "measure-text": "Миний бичсэн текст", "measure-source": "none",
        "goal-version": "1", "goal-text": "Хагас бичсэн зорилт"})
    assert response.status_code == 400
    assert "Миний бичсэн текст" in body_of(response)
    assert "Хагас бичсэн зорилт" in body_of(response)  # the other form's text is kept
    stale = clerk.post(url("plans:goal"), {"goal-version": "7", "goal-number": "5",
                                           "goal-text": "x"})
    assert stale.status_code == 409
    assert AuditEvent.objects.count() == before


def test_an_outreach_posting_with_its_photo_and_a_training_are_recorded(units, personas):
    reference_plan(units, personas)
    clerk = client_for(personas["clerk"])
    posted = clerk.post(url("plans:activity_record"), {
        "measure": "1.1", "kind": "outreach", "channel": "board", "day": "2026.11.02",
        "place": "Үйлчилгээний танхим", "description": "Шторк байршуулсан",
        "files": io.BytesIO(PNG)})
    errors = [line for line in body_of(posted).splitlines() if "error" in line]
    assert posted.status_code == 302, errors
    evidence = Evidence.objects.get()
    download = clerk.get(url("plans:evidence", uid=evidence.uid))
    assert download.status_code == 200
    assert AuditEvent.objects.filter(action="plan.evidence_read").exists()
    no_channel = clerk.post(url("plans:activity_record"), {
        "measure": "1.1", "kind": "outreach", "day": "2026.11.02", "description": "x"})
    assert no_channel.status_code == 400 and Activity.objects.count() == 1
    staff = [personas[r].pk for r in ("clerk", "officer", "head")]
    trained = clerk.post(url("plans:training_record"), {
        "measure": "3.3", "day": "2026.10.08", "topic": "Шүгэл үлээгчийг хамгаалах",
        "trainer": "Э.Уранбилэг", "articles": "6.2, 8.1",
        "attendees": [str(pk) for pk in staff]})
    assert trained.status_code == 302
    assert Training.objects.get().attendees.count() == 3
    english = "/en" + url("plans:trainings")
    assert "3 of 5 (60%)" in body_of(client_for(personas["officer"]).get(english))


def test_another_units_evidence_is_not_found(units, personas):
    plan = reference_plan(units, personas)
    from plans import services
    activity = services.activity_record(
        unit=units["DG"], measure=plan.measures().get(number="1.1"), kind="other",
        channel="", day=date(2026, 3, 1), place="", description="x", feedback="",
        uploads=[services.Upload(io.BytesIO(PNG), "a.png", "image/png")],
        by=personas["clerk"])
    uid = activity.evidence.get().uid
    du_url = reverse("plans:evidence", kwargs={"unit_code": "DU", "year": 2026, "uid": uid})
    assert client_for(personas["outsider"]).get(du_url).status_code == 404


def test_the_years_report_is_drafted_edited_approved_and_downloaded(units, personas):
    placed_unit(units, personas)
    reference_plan(units, personas)
    clerk, head = client_for(personas["clerk"]), client_for(personas["head"])
    report_url = url("plans:report", period="year")
    assert "not-drafted" in body_of(clerk.get(report_url))
    assert clerk.post(url("plans:report_draft", period="year")).status_code == 302
    page = body_of(clerk.get(report_url))
    assert NIL_MN in page and 'id="performance-table"' in page
    line = PlanReport.objects.get().performances.get(measure__number="1.1")
    edited = clerk.post(url("plans:performance", period="year", measure="1.1"), {
        f"m{line.pk}-text": "Шторк үзүүлсэн.", f"m{line.pk}-level": "70"})
    assert edited.status_code == 302
    line.refresh_from_db()
    assert (line.text, line.level) == ("Шторк үзүүлсэн.", 70)
    bad_level = clerk.post(url("plans:performance", period="year", measure="1.1"), {
        f"m{line.pk}-text": "Өөр текст", f"m{line.pk}-level": "42"})
    assert bad_level.status_code == 400 and "Өөр текст" in body_of(bad_level)
    assert clerk.post(url("plans:report_prepare", period="year")).status_code == 302
    assert clerk.post(url("plans:report_approve", period="year")).status_code == 403
    assert head.post(url("plans:report_approve", period="year")).status_code == 302
    assert PlanReport.objects.get().is_frozen
    docx = clerk.get(url("plans:report_export", period="year", fmt="docx"))
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.content))
    assert [c.text for c in document.tables[0].rows[0].cells][4] == "Гүйцэтгэл"


def test_the_report_as_of_a_day_is_reached_from_the_plan_page(units, personas):
    reference_plan(units, personas)
    clerk = client_for(personas["clerk"])
    found = clerk.get(url("plans:report", period="year") + "?as_of=2026.11.15")
    assert found["Location"] == url("plans:report", period="2026-11-15")
    wrong = clerk.get(url("plans:report", period="year") + "?as_of=2025.11.15")
    assert wrong["Location"] == url("plans:plan")
    assert clerk.get(url("plans:report", period="2025-11-15")).status_code == 404


def test_the_national_head_sees_which_units_below_have_filed(units, personas):
    plan = reference_plan(units, personas)
    from plans import reports
    report = reports.plan_report_draft(plan=plan, key="year", by=personas["clerk"])
    reports.performance_edit(performance=report.performances.first(), text="x", level=100,
                             by=personas["clerk"])
    page = client_for(personas["national_head"]).get(
        reverse("plans:units", kwargs={"unit_code": "UBEG", "year": 2026}))
    body = body_of(page)
    assert page.status_code == 200 and units["DG"].name_mn in body
    assert units["DU"].name_mn in body and "14%" in body  # 100 / 7
    dg_report = url("plans:report", period="year")
    assert client_for(personas["national_head"]).get(dg_report).status_code == 200


def test_the_report_page_marks_a_text_the_records_have_overtaken(units, personas):
    plan = reference_plan(units, personas)
    clerk = client_for(personas["clerk"])
    clerk.post(url("plans:report_draft", period="year"))
    assert "stale" not in body_of(clerk.get(url("plans:report", period="year")))
    from plans import services
    services.training_record(unit=units["DG"], measure=plan.measures().get(number="3.3"),
                             day=date(2026, 10, 1), topic="Ил тод байдал", trainer="Э.У",
                             articles="", attendee_ids=[personas["head"].pk],
                             by=personas["clerk"])
    page = body_of(clerk.get("/en" + url("plans:report", period="year")))
    assert 'class="warning stale"' in page
    assert "The records now give other figures than this text was written from." in page
    assert "Count: 0 → 1" in page


def test_mark_prepared_keeps_what_was_typed_under_each_measure(units, personas):
    reference_plan(units, personas)
    clerk = client_for(personas["clerk"])
    clerk.post(url("plans:report_draft", period="half"))
    report = PlanReport.objects.get()
    lines = {p.measure.number: p for p in report.performances.select_related("measure")}
    body = {f"m{p.pk}-text": p.text for p in lines.values()}
    body.update({f"m{p.pk}-level": "0" for p in lines.values()})
    body[f"m{lines['2.1'].pk}-text"] = "Гомдолд дүн шинжилгээ хийсэн."
    body[f"m{lines['2.1'].pk}-level"] = "50"
    assert clerk.post(url("plans:report_prepare", period="half"), body).status_code == 302
    line = report.performances.get(measure__number="2.1")
    assert (line.text, line.level) == ("Гомдолд дүн шинжилгээ хийсэн.", 50)
    assert PlanReport.objects.get().state == "prepared"
