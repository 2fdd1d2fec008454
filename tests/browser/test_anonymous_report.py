"""A citizen reports on the web with a photo, keeps the receipt, follows the case, reads the
officer's question and answers it with a file: in a real browser, with JavaScript and
without it."""

import re

import pytest
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image
from playwright.sync_api import expect

from intake.case.services import staff_reply_send
from intake.models import Attachment, Complaint, Message
from tests.intake.pdf_samples import small_pdf


def mn(text: str) -> str:
    """What a Mongolian page shows for `text`."""
    with translation.override("mn"):
        return gettext(text)


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_a_citizen_reports_with_a_photo_follows_the_case_and_answers_the_officer(
    browser, transactional_db, live_server, personas, units, tmp_path, settings, javascript
):
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "зураг.jpg"
    Image.new("RGB", (120, 90), (30, 120, 200)).save(photo, format="JPEG")
    document = tmp_path / "баримт.pdf"
    document.write_bytes(small_pdf("receipt of payment"))

    context = browser.new_context(locale="mn-MN", timezone_id="Asia/Ulaanbaatar",
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + "/")
        page.get_by_role("link", name=mn("Report on the web")).first.click()
        expect(page).to_have_url(live_server.url + "/report/")

        page.get_by_label(mn("Which office is it about?")).select_option(str(units["DG"].pk))
        page.get_by_label(mn("What happened?")).fill(
            "Төрсний гэрчилгээ авахад 2-р цонхны ажилтан 20 000 төгрөг нэхсэн."
        )
        page.get_by_label(mn("When?")).fill("Өнгөрсөн долоо хоногт")
        page.get_by_label(mn("Photos or documents")).set_input_files(str(photo))
        page.get_by_role("button", name=mn("Send the report")).click()

        receipt = page.locator("#receipt")
        expect(receipt).to_have_text(re.compile(r"^\d{4} \d{4} \d{4} \d{4}$"))
        code = receipt.inner_text().strip()
        complaint = Complaint.objects.get()
        assert complaint.attachments.get().filename.reveal() == "зураг.jpg"
        assert code.replace(" ", "") not in page.url

        page.get_by_role("link", name=mn("Follow a report with your receipt code")).click()
        expect(page).to_have_url(live_server.url + "/track/")
        page.get_by_label(mn("Receipt code")).fill(code)
        page.get_by_role("button", name=mn("Open")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(complaint.reference)
        expect(page.get_by_text(mn("No messages yet."))).to_be_visible()
        assert page.url == live_server.url + "/track/"

        question = "Баримт, төлбөрийн тасалбар байгаа юу?"
        staff_reply_send(complaint=complaint, body=question, by=personas["officer"])

        page.goto(live_server.url + "/track/")
        page.get_by_label(mn("Receipt code")).fill(code.replace(" ", ""))
        page.get_by_role("button", name=mn("Open")).click()
        expect(page.get_by_text(question)).to_be_visible()

        answer = "Тийм, тасалбарын зургийг хавсаргав."
        page.get_by_label(mn("Your message")).fill(answer)
        page.get_by_label(mn("Photos or documents")).set_input_files(str(document))
        page.get_by_role("button", name=mn("Send the message")).click()

        expect(page.get_by_role("status")).to_contain_text(mn("Your message was sent."))
        expect(page.get_by_text(answer)).to_be_visible()
        expect(page.get_by_text(question)).to_be_visible()
        assert code.replace(" ", "") not in page.url

        mine = Message.objects.get(author=Message.Author.REPORTER)
        assert mine.body.reveal() == answer
        assert [a.filename.reveal() for a in mine.attachments.all()] == ["баримт.pdf"]
        assert Attachment.objects.count() == 2
    finally:
        context.close()
