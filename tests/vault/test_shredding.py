"""Crypto-shredding: destroying a record's data key makes its content unrecoverable, even
with the keyring, while the record and its plain metadata stay."""

import io

import pytest
from django.db.models import ProtectedError
from django.utils import translation

from tests.vault.conftest import reload, stored
from tests.vault.sealed_app.models import Attachment, Complaint, Message
from vault.errors import ShreddedError, VaultError
from vault.files import open_encrypted, save_encrypted
from vault.models import DataKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def shredded(make_complaint):
    complaint = make_complaint(
        reference="DG-2026-0042", body="Нэр дурдсан гомдол", summary="товч",
        details={"amount": 1}, reporter_name="Д. Сараа",
    )
    Message.objects.create(complaint=complaint, data_key=complaint.data_key, text="хариу")
    attachment = Attachment(
        complaint=complaint, data_key=complaint.data_key, filename="баримт.pdf",
        content_type="application/pdf", size=0, stored_name="", sha256="",
    )
    upload = save_encrypted(
        io.BytesIO(b"%PDF-1.7 evidence"), data_key=complaint.data_key,
        context=attachment.file_context,
    )
    attachment.stored_name, attachment.size, attachment.sha256 = (
        upload.name, upload.size, upload.sha256
    )
    attachment.save()
    complaint.shred()
    return reload(complaint)


def test_every_encrypted_field_of_a_shredded_record_raises_a_clear_error(shredded):
    for field in ("body", "summary", "details", "reporter_name"):
        with pytest.raises(ShreddedError) as caught:
            getattr(shredded, field).reveal()
        with translation.override("en"):
            assert "destroyed" in str(caught.value.user_message)
        with translation.override("mn"):
            assert "устгасан" in str(caught.value.user_message)


def test_what_shared_the_data_key_is_shredded_too(shredded):
    with pytest.raises(ShreddedError):
        shredded.messages.get().text.reveal()
    attachment = shredded.attachments.get()
    with pytest.raises(ShreddedError):
        attachment.filename.reveal()
    with pytest.raises(ShreddedError):
        open_encrypted(
            attachment.stored_name, data_key=attachment.data_key,
            context=attachment.file_context,
        )


def test_the_record_and_its_plain_metadata_stay(shredded):
    assert Complaint.objects.filter(reference="DG-2026-0042").get() == shredded
    assert shredded.created_at is not None
    assert shredded.is_shredded and shredded.data_key.shredded_at is not None
    assert shredded.attachments.get().size == len(b"%PDF-1.7 evidence")
    assert shredded.messages.count() == 1


def test_the_ciphertext_stays_but_not_even_the_keyring_can_open_it(shredded):
    assert stored(shredded, "body")  # nothing to gain from erasing it: it is noise now
    data_key = DataKey.objects.get(pk=shredded.data_key_id)
    assert bytes(data_key.wrapped) == b""
    with pytest.raises(VaultError):
        data_key.unwrap()


def test_a_shredded_record_can_be_saved_without_reading_its_content(shredded):
    shredded.reference = "DG-2026-0042-closed"
    shredded.save()
    assert reload(shredded).reference == "DG-2026-0042-closed"


def test_new_content_cannot_be_sealed_with_a_shredded_key(shredded):
    shredded.summary = "шинэ"
    with pytest.raises(ShreddedError):
        shredded.save()


def test_a_shredded_data_key_cannot_be_deleted_while_records_point_to_it(shredded):
    with pytest.raises(ProtectedError):
        DataKey.objects.filter(pk=shredded.data_key_id).delete()
