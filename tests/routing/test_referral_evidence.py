"""The evidence goes with a referral unless the officer says otherwise, the head sees which
files go before approving and is warned when none do, and a referral waiting for approval
is the only one being prepared."""

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from routing.models import Referral, ReferralState
from tests.intake.pages_case import CASE, FILE_UID, NOW, make_case
from tests.routing.helpers import make_agency, prepare, triage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_march_2026(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=True):
        yield


def read_page(client) -> str:
    return client.post(reverse("intake:case_read", kwargs=CASE)).content.decode()


def referral_form(page: str) -> str:
    start = page.index('action="' + reverse("routing:refer", kwargs=CASE))
    return page[start:page.index("</form>", start)]


def test_the_cases_files_are_ticked_in_the_referral_form(client, units, personas, signed_in):
    complaint = make_case(units, personas)
    make_agency()
    triage(complaint, personas["officer"])
    signed_in(personas["officer"])
    form = referral_form(read_page(client))
    box = form[form.index(f'value="{FILE_UID}"') - 200:form.index(f'value="{FILE_UID}"') + 80]
    assert "checked" in box and "slip.pdf" in form


def test_the_head_sees_which_files_go_before_approving(client, units, personas, signed_in):
    complaint = make_case(units, personas)
    agency = make_agency()
    prepare(complaint, personas["officer"], agency, attachments=complaint.attachments.all())
    signed_in(personas["head"])
    page = client.get(reverse("intake:case", kwargs=CASE)).content.decode()
    panel = page[page.index('class="files-sent"'):]
    assert "slip.pdf" not in page  # the name is sealed: shown only once the case is read
    assert "PDF" in panel[:200]
    read = read_page(client)
    assert "slip.pdf" in read[read.index('class="files-sent"'):][:300]
    # Listing the files decrypts nothing beyond the reading itself.
    assert not AuditEvent.objects.filter(action__contains="download").exists()


def test_the_head_is_warned_plainly_when_no_file_goes(client, units, personas, signed_in):
    complaint = make_case(units, personas)
    prepare(complaint, personas["officer"], make_agency())
    signed_in(personas["head"])
    page = client.get(reverse("intake:case", kwargs=CASE)).content.decode()
    assert 'class="files-sent"' not in page
    warning = page[page.index('<p class="errors" role="status">No file'):][:300]
    assert "No file goes with this referral, although the case has 1 file." in warning
    # Warned, the head may still approve: a referral without files can be what was meant.
    assert reverse("routing:referral_approve",
                   kwargs={**CASE, "number": "DG-2026-00001-R1"}) in page


def test_no_second_referral_is_prepared_while_one_waits(client, units, personas, signed_in):
    complaint = make_case(units, personas)
    prepare(complaint, personas["officer"], make_agency())
    assert Referral.objects.get().state == ReferralState.PREPARED
    signed_in(personas["head"])
    page = read_page(client)
    assert reverse("routing:refer", kwargs=CASE) not in page
    assert 'name="refer-cover_letter"' not in page
