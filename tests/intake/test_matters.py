"""One matter across channels: a citizen phones, drops a note in the box, writes on the web;
the case page suggests the unit's recent complaints that are probably the same matter (same
phone, similar wording), and the officer links them or says they are not the same. Only
staff who may open both complaints ever learn of the suggestion, and the reporter never does.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEvent
from intake.matter_models import LikenessBucket, LikenessSignature, MatterDismissal
from intake.matters import matter_of, suggestions_for
from intake.models import Channel, Complaint, Kind, Message, Recusal
from intake.services import Content, phone_call_log, staff_channel_log, web_report_submit
from tests.intake.pages_case import NOW

pytestmark = pytest.mark.django_db

TOLD = ("Би 3 сарын 12-ны өдөр иргэний үнэмлэх авахаар хэлтэст очсон. 4-р цонхны ажилтан "
        "надаас 150 мянган төгрөг нэхсэн. Мөнгө өгөхгүй бол 20 хоног хүлээнэ гэж хэлсэн. "
        "Төлбөрийг ажилтан дансаараа авч баримт өгөөгүй. Энэ асуудлыг шалгаж өгнө үү.")
# The same matter, noted by the clerk from a call: third person, reordered, a typo or two.
NOTED = ("Иргэн утсаар залгаж мэдэгдэв. 4-р цонхны ажилтан түүнээс 150 мянган төгрөг "
         "нэхсэн. Иргэн 3 сарын 12-ны өдөр иргэний үнэмлэх авахаар хэлтэст очсон. Мөнгө "
         "өгөхгүй бол 20 хоног хүлээнэ гэж хэлсэн. Төлбөрийг ажилтан дансаараа авч баримт "
         "өгөөгүй.")
OTHER = ("Үйлчилгээний танхимд ширээ сандал хүрэлцэхгүй байна. Хүүхэдтэй ээжүүдэд зориулсан "
         "булан гаргаж өгөөч. Мөн ариун цэврийн өрөө ажиллахгүй байсан.")
PHONE = "+97699112233"


@pytest.fixture(autouse=True)
def _on_a_working_day(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    with time_machine.travel(NOW, tick=True), translation.override("mn"):
        yield
    cache.clear()


def letter(unit, clerk, body, *, phone=None, days_ago=1):
    return staff_channel_log(
        unit=unit, channel=Channel.LETTER, kind=Kind.COMPLAINT,
        received_at=timezone.now() - timedelta(days=days_ago), logged_by=clerk,
        content=Content(body=body, reporter={"phone": phone} if phone else None),
    ).complaint


def call(unit, clerk, body, *, phone=None):
    return phone_call_log(
        unit=unit, line="7052-2200", started_at=timezone.now() - timedelta(hours=2),
        duration_seconds=300, kind=Kind.COMPLAINT, summary_confirmed=True,
        give_receipt=True, logged_by=clerk,
        content=Content(body=body, reporter={"phone": phone} if phone else None),
    ).complaint


def case_url(complaint, name="intake:case", unit=None):
    return reverse(name, kwargs={"unit_code": unit or complaint.unit.code,
                                 "reference": complaint.reference})


def visible(user, unit, roles):
    return Complaint.objects.for_staff(user, unit=unit, roles=roles)


# --- suggestions -------------------------------------------------------------------------------

def test_a_similar_complaint_from_another_channel_is_suggested_with_its_similarity(
        client, units, personas, signed_in):
    first = letter(units["DG"], personas["clerk"], TOLD)
    letter(units["DG"], personas["clerk"], OTHER)
    second = call(units["DG"], personas["clerk"], NOTED)
    found = suggestions_for(second, visible(personas["officer"], units["DG"], {"officer"}))
    assert [s.complaint for s in found] == [first]
    assert not found[0].same_phone and found[0].similarity > 0.45
    signed_in(personas["officer"])
    page = client.get(case_url(second)).content.decode()
    assert "Probably the same matter" in page or "Нэг асуудал байж магадгүй" in page
    assert first.reference in page
    assert f'name="matter-other" value="{first.reference}"' in page


def test_the_same_phone_is_suggested_whatever_was_said(units, personas):
    first = letter(units["DG"], personas["clerk"], OTHER, phone=PHONE)
    second = call(units["DG"], personas["clerk"], TOLD, phone="9911 2233")
    found = suggestions_for(second, visible(personas["officer"], units["DG"], {"officer"}))
    assert [(s.complaint, s.same_phone) for s in found] == [(first, True)]


def test_complaints_outside_the_window_or_unrelated_are_not_suggested(units, personas,
                                                                      settings):
    settings.MATTER_WINDOW_DAYS = 30
    letter(units["DG"], personas["clerk"], TOLD, days_ago=40)
    letter(units["DG"], personas["clerk"], OTHER)
    second = call(units["DG"], personas["clerk"], NOTED)
    assert suggestions_for(second, visible(personas["officer"], units["DG"], {"officer"})) == []


def test_another_units_complaint_is_never_suggested(units, personas):
    from tests.conftest import make_staff

    du_clerk = make_staff("du_clerk", units["DU"], "clerk")
    letter(units["DU"], du_clerk, TOLD, phone=PHONE)
    second = call(units["DG"], personas["clerk"], NOTED, phone=PHONE)
    assert suggestions_for(second, visible(personas["officer"], units["DG"], {"officer"})) == []


def test_a_recused_officer_learns_nothing_of_the_other_complaint(client, units, personas,
                                                                  signed_in):
    first = letter(units["DG"], personas["clerk"], TOLD, phone=PHONE)
    second = call(units["DG"], personas["clerk"], NOTED, phone=PHONE)
    Recusal.objects.create(complaint=first, user=personas["officer"])
    signed_in(personas["officer"])
    page = client.get(case_url(second)).content.decode()
    assert first.reference not in page
    response = client.post(case_url(second, "intake:case_matter_link"),
                           {"matter-other": first.reference})
    assert response.status_code == 404
    assert matter_of(second) is None


def test_an_officer_of_another_unit_and_a_clerk_cannot_link(client, units, personas,
                                                            signed_in):
    first = letter(units["DG"], personas["clerk"], TOLD)
    second = call(units["DG"], personas["clerk"], NOTED)
    for person, status in (("outsider", 404), ("clerk", 403), ("auditor", 403)):
        signed_in(personas[person])
        response = client.post(case_url(second, "intake:case_matter_link"),
                               {"matter-other": first.reference})
        assert response.status_code == status, person
    assert matter_of(second) is None


def test_a_complaint_of_another_unit_cannot_be_named_to_link(client, units, personas,
                                                             signed_in):
    from tests.conftest import make_staff

    theirs = letter(units["DU"], make_staff("du_clerk", units["DU"], "clerk"), TOLD)
    mine = call(units["DG"], personas["clerk"], NOTED)
    signed_in(personas["officer"])
    response = client.post(case_url(mine, "intake:case_matter_link"),
                           {"matter-other": theirs.reference})
    assert response.status_code == 404
    assert matter_of(mine) is None


# --- linking, dismissing, unlinking ---------------------------------------------------------------

def test_linking_makes_one_matter_shown_on_both_pages_and_audited(client, units, personas,
                                                                  signed_in):
    first = letter(units["DG"], personas["clerk"], TOLD)
    second = call(units["DG"], personas["clerk"], NOTED)
    signed_in(personas["officer"])
    response = client.post(case_url(second, "intake:case_matter_link"),
                           {"matter-other": first.reference})
    assert response.status_code == 302
    assert matter_of(first) == matter_of(second) is not None
    assert second.reference in client.get(case_url(first)).content.decode()
    event = AuditEvent.objects.get(action="matter.linked")
    assert first.reference in event.details
    # No longer a suggestion: it is the matter now.
    assert suggestions_for(second, visible(personas["officer"], units["DG"], {"officer"})) == []
    client.post(case_url(first, "intake:case_matter_unlink"))
    assert matter_of(first) is None and matter_of(second) is None
    assert AuditEvent.objects.filter(action="matter.unlinked").count() == 1


def test_a_dismissed_pair_is_not_suggested_again(client, units, personas, signed_in):
    first = letter(units["DG"], personas["clerk"], TOLD)
    second = call(units["DG"], personas["clerk"], NOTED)
    signed_in(personas["officer"])
    response = client.post(case_url(second, "intake:case_matter_dismiss"),
                           {"matter-other": first.reference})
    assert response.status_code == 302
    assert MatterDismissal.objects.count() == 1
    assert AuditEvent.objects.filter(action="matter.dismissed").count() == 1
    for one in (first, second):
        assert suggestions_for(one, visible(personas["head"], units["DG"], {"head"})) == []


def test_a_link_pressed_with_a_reply_typed_does_nothing_and_keeps_the_reply(
        client, units, personas, signed_in):
    first = letter(units["DG"], personas["clerk"], TOLD)
    second = call(units["DG"], personas["clerk"], NOTED)
    signed_in(personas["officer"])
    reply = "Бид таны гомдлыг шалгаж байна."
    response = client.post(case_url(second, "intake:case_matter_link"),
                           {"matter-other": first.reference, "reply-body": reply})
    assert response.status_code == 409
    assert reply in response.content.decode()
    assert matter_of(second) is None
    assert not Message.objects.filter(author="staff").exists()


def test_a_link_without_a_complaint_named_is_refused_with_a_reason(client, units, personas,
                                                                    signed_in):
    second = call(units["DG"], personas["clerk"], NOTED)
    signed_in(personas["officer"])
    response = client.post(case_url(second, "intake:case_matter_link"), {})
    assert response.status_code == 409
    assert matter_of(second) is None


def test_the_reporters_tracking_page_never_tells_of_the_other_complaint(client, units,
                                                                        personas, signed_in):
    from tests.intake.test_web_submission import lookup_token

    first = letter(units["DG"], personas["clerk"], TOLD, phone=PHONE)
    logged = web_report_submit(unit=units["DG"], kind=Kind.COMPLAINT,
                               content=Content(body=NOTED, reporter={"phone": PHONE}),
                               submission_token="matter-test", language="mn")
    signed_in(personas["officer"])
    client.post(case_url(logged.complaint, "intake:case_matter_link"),
                {"matter-other": first.reference})
    assert matter_of(first) is not None
    client.logout()
    page = client.post("/track/", {"receipt": logged.receipt, "token": lookup_token()},
                       REMOTE_ADDR="198.51.100.7").content.decode()
    assert logged.complaint.reference in page
    assert first.reference not in page
    for word in ("matter", "асуудал нэг", "linked", "холбо"):
        assert word not in page.casefold()


def test_a_flood_of_one_text_is_read_only_as_far_as_the_nearest_in_each_bucket(
        units, personas, monkeypatch, django_assert_num_queries):
    """Many people sending one text share every bucket: the panel reads the nearest few on
    either side in time of each bucket, not all of them."""
    from intake import likeness, matters

    monkeypatch.setattr(matters, "PER_BUCKET", 2)
    clerk = personas["clerk"]
    before = [letter(units["DG"], clerk, TOLD, days_ago=days) for days in (6, 5, 4, 3, 2)]
    probe = letter(units["DG"], clerk, TOLD, days_ago=1)
    after = [letter(units["DG"], clerk, TOLD, days_ago=0)]
    since, until = probe.received_at - matters.window(), probe.received_at + matters.window()
    version = LikenessSignature.objects.get(complaint=probe).version
    with django_assert_num_queries(2):  # the probe's buckets, then one read of them all
        met = matters._meeting(probe, version, since, until)
    assert met == {c.pk: likeness.BANDS for c in [*before[-2:], *after]}
    found = suggestions_for(probe, visible(personas["officer"], units["DG"], {"officer"}))
    assert {s.complaint for s in found} == {*before[-2:], *after}


# --- what is stored ---------------------------------------------------------------------------

def test_the_signature_tables_hold_no_plaintext(units, personas):
    from tests.vault.canary import canary, contains

    secret = canary()
    complaint = letter(units["DG"], personas["clerk"], f"{TOLD} {secret}", phone=PHONE)
    stored = b"".join(
        str(value).encode()
        for row in LikenessBucket.objects.filter(complaint=complaint).values_list()
        for value in row)
    stored += b"".join(
        bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        for row in LikenessSignature.objects.filter(complaint=complaint).values_list()
        for value in row)
    assert LikenessBucket.objects.filter(complaint=complaint).count() > 0
    assert not contains(stored, secret)
    for word in ("иргэний", "үнэмлэх", "төгрөг", "irgenii", PHONE):
        assert not contains(stored, word)


def test_shredding_a_complaint_deletes_its_buckets_and_signature(units, personas):
    from lifecycle.retention import shred

    complaint = letter(units["DG"], personas["clerk"], TOLD)
    Complaint.objects.filter(pk=complaint.pk).update(status="closed", closed_at=timezone.now()
                                                     - timedelta(days=365 * 12))
    assert shred(Complaint.objects.get(pk=complaint.pk), today=timezone.localdate())
    assert not LikenessBucket.objects.filter(complaint=complaint).exists()
    assert not LikenessSignature.objects.filter(complaint=complaint).exists()


def test_rotating_the_blind_key_signs_every_complaint_again(units, personas, settings,
                                                           tmp_path):
    from intake import likeness
    from vault.keyring import Keyring, reload_keyring
    from vault.rotation import key_usage

    keyring_file = tmp_path / "keyring.json"
    keys = Keyring.generate()
    keys.save(keyring_file)
    settings.KEYRING_PATH = keyring_file
    reload_keyring()
    try:
        first = letter(units["DG"], personas["clerk"], TOLD)
        keys.add_version("blind")
        keys.save(keyring_file)
        reload_keyring()
        from vault.reindex import indexes_needing_reindex, reindex_blind

        assert indexes_needing_reindex() >= 1
        assert key_usage("blind", 1) == 1  # `keys remove` waits for the signature
        reindex_blind(batch_size=10)
        assert set(LikenessBucket.objects.values_list("version", flat=True)) == {2}
        assert key_usage("blind", 1) == 0
        second = call(units["DG"], personas["clerk"], NOTED)
        assert likeness.active_version() == 2
        found = suggestions_for(second, visible(personas["officer"], units["DG"], {"officer"}))
        assert [s.complaint for s in found] == [first]
    finally:
        reload_keyring()


def test_complaints_logged_before_signatures_existed_are_signed_by_the_command(units,
                                                                               personas):
    import io

    from django.core.management import call_command

    first = letter(units["DG"], personas["clerk"], TOLD)
    LikenessBucket.objects.all().delete()
    LikenessSignature.objects.all().delete()
    second = call(units["DG"], personas["clerk"], NOTED)
    assert suggestions_for(second, visible(personas["officer"], units["DG"], {"officer"})) == []
    out = io.StringIO()
    call_command("matters_sign", stdout=out)
    assert "Signed 1 complaints." in out.getvalue()
    found = suggestions_for(second, visible(personas["officer"], units["DG"], {"officer"}))
    assert [s.complaint for s in found] == [first]
