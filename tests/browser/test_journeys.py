"""Issue 17's acceptance: a working day without training, one journey per role, in Chromium,
with JavaScript and without, each page looked at on a 1,280 px screen and a 390 px phone, in
Mongolian (and again in English on the JavaScript pass). What every page is held to is in
tests/browser/journeys.py; what a journey checks on the way is written out here.

Screenshots of every page visited go to var/screenshots/<role>/ (not committed)."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from intake.models import Kind
from intake.services import Content, Upload, web_report_submit
from reporting import services as reports
from reporting.models import MonthlyReport, State
from routing.models import Agency, Category, Referral, ReferralState
from tests.audit.scenario import working_month
from tests.browser.journeys import RAW_CODE, Journey, fill_when, mn, signed_in_context
from tests.routing.helpers import make_agency, prepare, seeded_categories, triage

JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False],
                                     ids=["javascript-on", "javascript-off"])
AXE_SEEN: set = set()  # pages axe-core has checked in this module, by path and language
MONGOLIAN_NAMES = {"clerk": ("Сарантуяа", "Б."), "officer": ("Тэмүүлэн", "Д."),
                   "head": ("Уранбилэг", "Э."), "auditor": ("Батзориг", "Г."),
                   "admin": ("Энхжаргал", "Л."), "outsider": ("Номин", "С."),
                   "national_head": ("Мөнхбаяр", "Ц.")}
REASON = "Хүснэгтийн хайрцаг нээлтийн тоо зөрүүтэй байна, шалгаад дахин илгээнэ үү."


@pytest.fixture
def people(personas):
    """The personas with the Mongolian names a real department's staff have."""
    for role, (first, last) in MONGOLIAN_NAMES.items():
        user = personas[role]
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    return personas


def start(browser, live_server, people, role, javascript) -> Journey:
    user = None if role == "reporter" else people[role]
    context = signed_in_context(browser, live_server, user, javascript=javascript)
    return Journey(context, live_server.url, role, javascript=javascript, axe_seen=AXE_SEEN)


def last_month():
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def report_path(period) -> str:
    return f"/staff/u/DG/reports/{period:%Y-%m}/"


def bribe_with_evidence(units):
    """A web complaint about a bribe, with a receipt photographed as its evidence."""
    pdf = Upload(file=io.BytesIO(b"%PDF-1.4\n% payment slip\n%%EOF\n"),
                 filename="төлбөрийн-баримт.pdf", content_type="application/pdf")
    return web_report_submit(
        unit=units["DG"], kind=Kind.COMPLAINT, submission_token="j" * 40, language="mn",
        content=Content(body="Төрсний гэрчилгээ авахад 2-р цонхны ажилтан 20 000 төгрөгийн "
                             "хээл хахууль нэхсэн."),
        uploads=[pdf]).complaint


@JAVASCRIPT
def test_a_citizen_reports_keeps_the_receipt_and_follows_the_case(
    browser, transactional_db, live_server, people, units, javascript
):
    journey = start(browser, live_server, people, "reporter", javascript)
    page = journey.page
    journey.go("/")
    journey.look("01-landing")
    journey.go("/staff/login/")
    journey.look("02-staff-login")
    journey.go("/")
    page.get_by_role("link", name=mn("Report on the web")).first.click()
    journey.look("03-report-form")
    page.get_by_label(mn("Which office is it about?")).select_option(str(units["DG"].pk))
    page.get_by_label(mn("What happened?")).fill("Гэрчилгээ авахад ажилтан мөнгө нэхсэн.")
    page.get_by_label(mn("When?")).fill("Өнгөрсөн долоо хоногт")
    journey.button("Send the report").click()
    code = page.locator("#receipt").inner_text().strip()
    journey.look("04-receipt")
    page.get_by_role("link", name=mn("Follow a report with your receipt code")).click()
    journey.look("05-track")
    page.get_by_label(mn("Receipt code")).fill(code)
    journey.button("Open").click()
    journey.check("DG-2026-00001" in page.locator("h1").inner_text(), "the case did not open")
    journey.look("06-the-case")
    if javascript:
        journey.look_again_in_english()
    journey.finish()


@JAVASCRIPT
def test_a_clerk_logs_a_call_and_a_box_opening_and_prepares_the_monthly_report(
    browser, transactional_db, live_server, people, units, javascript
):
    journey = start(browser, live_server, people, "clerk", javascript)
    page, now = journey.page, timezone.localtime()
    journey.go("/staff/u/DG/")
    journey.look("01-unit")
    journey.go("/staff/u/DG/intake/calls/new/")
    journey.look("02-call-form")
    fill_when(page.locator("[name=started_at]"), now - timedelta(hours=1))
    page.locator("[name=duration]").fill("4:30")
    page.locator("[name=body]").fill("Иргэний үнэмлэх солиход гурван удаа буцаасан.")
    page.locator("[name=summary_confirmed]").check()
    journey.button("Log the call").click()
    journey.look("03-call-logged")

    journey.go("/staff/u/DG/intake/boxes/new/")
    journey.look("04-box-form")
    page.locator("[name=box]").last.check()
    fill_when(page.locator("[name=opened_at]"), now - timedelta(minutes=30))
    page.locator("[name=opened_by]").select_option(str(people["clerk"].pk))
    page.locator("[name=witness]").select_option(str(people["officer"].pk))
    page.locator("[name=slip_count]").fill("0")
    journey.button("Record the opening").click()
    journey.look("05-box-recorded")

    journey.go("/staff/u/DG/reports/")
    journey.look("06-reports")
    journey.button("Draft the report").click()
    journey.look("07-report-draft")
    narrative = "Сард нэг санал ирсэн, авлигын гомдол ирээгүй."
    journey.keeps_typed_text(page.locator("textarea").first, narrative,
                             journey.button("Mark prepared"), "the narrative, on Mark prepared")
    journey.look("08-report-prepared")

    # The head sends it back; the clerk must see why.
    report = MonthlyReport.objects.get(unit=units["DG"], period=last_month())
    if report.state != State.PREPARED:
        report = reports.report_prepare(report=report, by=people["clerk"])
    reports.report_send_back(report=report, by=people["head"], reason=REASON)
    journey.go(report_path(last_month()))
    journey.check(REASON in page.locator("main").inner_text(),
                  "the head's send-back reason is not shown to the clerk")
    journey.look("09-report-sent-back")
    if javascript:
        journey.look_again_in_english()
    journey.finish()


@JAVASCRIPT
def test_an_officer_opens_a_case_triages_it_and_prepares_the_referral(
    browser, transactional_db, live_server, people, units, javascript
):
    seeded_categories(())
    make_agency("atg", delivery=Agency.Delivery.LETTER, postal_address="Улаанбаатар")
    complaint = bribe_with_evidence(units)
    journey = start(browser, live_server, people, "officer", javascript)
    page = journey.page
    journey.go("/staff/u/DG/queue/")
    journey.look("01-queue")
    page.get_by_role("link", name=complaint.reference).click()
    journey.look("02-case")
    journey.keeps_typed_text(page.locator("[name=reply-body]"), "Баримтаа илгээнэ үү.",
                             journey.button("Read the case"), "a reply, on Read the case")
    journey.look("03-case-read")

    for box in page.locator("[name=triage-categories]").all():
        box.uncheck()
    bribery = Category.objects.get(code="bribery")
    page.locator(f"[name=triage-categories][value='{bribery.pk}']").check()
    page.locator("[name=triage-corruption]").select_option(index=1)
    page.locator("[name=triage-reason]").fill("Хээл хахууль нэхсэн тухай.")
    journey.button("Record the decision").click()
    journey.look("04-triaged")

    # The reply typed earlier is still in its box, so the decision kept the read page open
    # with it (one form for every box); otherwise the case page asks to read again.
    if journey.button("Read the case").count():
        journey.button("Read the case").click()
    journey.button("Prepare the referral").click()
    journey.check(Referral.objects.filter(state=ReferralState.PREPARED).exists(),
                  "the referral was not prepared")
    journey.look("05-referral-prepared")
    if javascript:
        journey.look_again_in_english()
    journey.finish()


def approval_panel(page):
    """The innermost block holding the head's "Approve and send" button."""
    approve = mn("Approve and send")
    blocks = ":is(section, article, fieldset, div, li, details)"
    return page.locator(f"{blocks}:has(button:text-is('{approve}'))").last


@JAVASCRIPT
def test_a_head_approves_a_referral_sends_a_report_back_and_approves_it(
    browser, transactional_db, live_server, people, units, javascript
):
    seeded_categories(())
    agency = make_agency("atg", delivery=Agency.Delivery.LETTER, postal_address="Улаанбаатар")
    complaint = bribe_with_evidence(units)
    triage(complaint, people["officer"])
    prepare(complaint, people["officer"], agency, attachments=list(complaint.attachments.all()))
    report, _ = reports.report_draft(unit=units["DG"], period=last_month(), by=people["clerk"])
    reports.report_narrative_save(report=report, by=people["clerk"], narrative="Тайлбар.")
    reports.report_prepare(report=report, by=people["clerk"])

    journey = start(browser, live_server, people, "head", javascript)
    page = journey.page
    journey.go(f"/staff/u/DG/c/{complaint.reference}/")
    journey.look("01-case")
    journey.button("Read the case").click()
    journey.look("02-case-read")
    journey.check("төлбөрийн-баримт.pdf" in approval_panel(page).inner_text(),
                  "the evidence is not listed on the approval panel")
    journey.button("Approve and send").click()
    journey.check(not Referral.objects.filter(state=ReferralState.PREPARED).exists(),
                  "the referral was not approved")
    journey.look("03-referral-approved")

    journey.go(report_path(last_month()))
    journey.look("04-report-to-review")
    page.locator("[name=send_back-reason]").fill(REASON)
    journey.button("Send back").click()
    journey.look("05-report-sent-back")
    report.refresh_from_db()
    journey.check(report.state == State.DRAFT, "the report was not sent back")
    reports.report_prepare(report=report, by=people["clerk"])
    journey.go(report_path(last_month()))
    journey.button("Approve").click()
    report.refresh_from_db()
    journey.check(report.state == State.APPROVED, "the report was not approved")
    journey.look("06-report-approved")
    if javascript:
        journey.look_again_in_english()
    journey.finish()


@JAVASCRIPT
def test_an_auditor_reads_filters_and_verifies_the_trail(
    browser, transactional_db, live_server, people, units, javascript
):
    working_month(units, people)
    journey = start(browser, live_server, people, "auditor", javascript)
    page = journey.page

    def no_raw_code(where):
        found = sorted(set(RAW_CODE.findall(page.locator("main").inner_text())))
        journey.check(not found, f"raw code on the audit page ({where}): {found[:10]}")

    journey.go("/staff/u/DG/audit/")
    no_raw_code("the whole trail")
    journey.look("01-trail")
    page.locator("[name=action]").select_option(label=mn("Approved the monthly report"))
    journey.button("Filter").click()
    no_raw_code("filtered")
    journey.look("02-filtered")
    journey.go("/staff/u/DG/audit/verify/")
    journey.look("03-verify")
    journey.button("Verify now").click()
    journey.look("04-verified")
    if javascript:
        journey.look_again_in_english()
    journey.finish()
