"""The plans' URLs and who may use them, in the shape of tests.org.test_access.STAFF_PAGES:
(url name, its arguments, who may), with the method appended for POST-only URLs. As with
the monthly reports, the plans are read by the clerks, heads and auditors of the units
above, so `national_head` (head of UBEG, above DG) reads them and is refused with 403 where
only DG's staff may act.

`make_plan_world` gives DG its 2026 plan from the reference, approved, with an activity
(evidence EVIDENCE_UID) and a training, and the year's report drafted, so that the GET
pages show something; the POSTs are sent with bodies that a rule may still refuse (409),
which the matrix counts as allowed: what it checks is who is let in.
"""

import io
import uuid
from datetime import date

from plans import reports, services
from plans.models import Evidence
from tests.plans.helpers import measure, reference_plan

YEAR = 2026
EVIDENCE_UID = uuid.UUID("5e1d0c9a-3b7f-4c2e-9a61-0f8d2b4c7e13")
ON_YEAR = {"unit_code": "DG", "year": YEAR}
ON_REPORT = {**ON_YEAR, "period": "year"}

READERS = {"clerk", "officer", "head", "auditor", "national_head"}
WRITERS = {"clerk", "head"}
APPROVERS = {"head"}

PAGES = [
    ("plans:index", {"unit_code": "DG"}, READERS),
    ("plans:create", {"unit_code": "DG"}, WRITERS, "post"),
    ("plans:plan", ON_YEAR, READERS),
    ("plans:goal", ON_YEAR, WRITERS, "post"),
    ("plans:measure", ON_YEAR, WRITERS, "post"),
    ("plans:approve", ON_YEAR, APPROVERS, "post"),
    ("plans:revise", ON_YEAR, WRITERS, "post"),
    ("plans:push", ON_YEAR, APPROVERS, "post"),
    ("plans:activities", ON_YEAR, READERS),
    ("plans:activity_record", ON_YEAR, WRITERS, "post"),
    ("plans:evidence", {**ON_YEAR, "uid": EVIDENCE_UID}, READERS),
    ("plans:trainings", ON_YEAR, READERS),
    ("plans:units", ON_YEAR, READERS),
    ("plans:training_record", ON_YEAR, WRITERS, "post"),
    ("plans:report", ON_REPORT, READERS),
    ("plans:report_draft", ON_REPORT, WRITERS, "post"),
    ("plans:performance", {**ON_REPORT, "measure": "3.2"}, WRITERS, "post"),
    ("plans:report_prepare", ON_REPORT, WRITERS, "post"),
    ("plans:report_approve", ON_REPORT, APPROVERS, "post"),
    ("plans:report_send_back", ON_REPORT, APPROVERS, "post"),
    ("plans:report_correct", ON_REPORT, WRITERS, "post"),
    # No letter waits in the matrix's world: a writer is let in and told so (409).
    ("plans:report_letter_sent", {**ON_REPORT, "outbox_id": 1}, WRITERS, "post"),
    ("plans:report_export", {**ON_REPORT, "fmt": "docx"}, READERS),
]

POST_DATA = {
    "plans:create": {"year": "2027", "copy": "last_year"},
    "plans:goal": {"version": "1", "goal-version": "1", "goal-number": "4",
                   "goal-text": "Шинэ зорилт"},
    "plans:measure": {"measure-version": "1", "measure-goal": "1", "measure-number": "1.4",
                      "measure-text": "Шинэ арга хэмжээ", "measure-source": "none"},
    "plans:approve": {"version": "1"},
    "plans:revise": {"version": "1"},
    "plans:push": {"version": "1"},
    "plans:activity_record": {"measure": "1.1", "kind": "other", "day": "2026.10.01",
                              "description": "Самбар шинэчилсэн"},
    "plans:training_record": {"measure": "3.3", "day": "2026.10.02", "topic": "Ил тод байдал",
                              "trainer": "Э.Уранбилэг"},
    "plans:performance": {"text": "Гомдол ирээгүй.", "level": "100"},
    "plans:report_correct": {"correct-reason": "Тоо буруу."},
    "plans:report_letter_sent": {"letter-1-letter_number": "01/245"},
}


def post_data(name: str) -> dict:
    data = dict(POST_DATA.get(name, {}))
    if name == "plans:performance":
        from plans.models import Performance

        line = Performance.objects.filter(measure__number="3.2",
                                          report__unit__code="DG").order_by("-pk").first()
        data = {f"m{line.pk if line else 0}-{key}": value for key, value in data.items()}
    return data


def make_plan_world(units, personas) -> None:
    clerk = personas["clerk"]
    plan = reference_plan(units, personas)
    activity = services.activity_record(
        unit=units["DG"], measure=measure(plan, "1.1"), kind="outreach", channel="board",
        day=date(YEAR, 3, 12), place="Танхим", description="Шторк үзүүлсэн", feedback="",
        uploads=[services.Upload(io.BytesIO(b"%PDF-1.7 poster"), "poster.pdf",
                                 "application/pdf")], by=clerk)
    Evidence.objects.filter(activity=activity).update(uid=EVIDENCE_UID)
    services.training_record(unit=units["DG"], measure=measure(plan, "3.3"),
                             day=date(YEAR, 4, 8), topic="Ил тод байдал", trainer="Э.Уранбилэг",
                             articles="6.2", attendee_ids=[clerk.pk], by=clerk)
    reports.plan_report_draft(plan=plan, key="year", by=clerk)
