"""Stand-ins for intake's records: a complaint that owns a data key, and a message and an
attachment that share it, using the vault exactly as the real models will."""

import uuid

from django.db import models
from django.utils import timezone

from vault.blind import BlindIndexField
from vault.fields import EncryptedJSONField, EncryptedTextField, SealedRecord
from vault.models import DataKey


class Complaint(SealedRecord):
    # Plain metadata: stays readable after shredding, and is the canary test's control.
    reference = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    body = EncryptedTextField()
    summary = EncryptedTextField(null=True)
    details = EncryptedJSONField(null=True)
    reporter_name = EncryptedTextField(null=True)
    reporter_phone = EncryptedTextField(null=True)
    name_index = BlindIndexField(kind="name", source="reporter_name", null=True)
    phone_index = BlindIndexField(kind="phone", source="reporter_phone", null=True)

    def __str__(self):
        return self.reference


class Message(models.Model):
    """Shares its complaint's data key, so shredding the complaint silences it too."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    data_key = models.ForeignKey(
        DataKey, on_delete=models.PROTECT, related_name="+", editable=False
    )
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    text = EncryptedTextField()

    def __str__(self):
        return f"message {self.uid}"


class Attachment(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    data_key = models.ForeignKey(
        DataKey, on_delete=models.PROTECT, related_name="+", editable=False
    )
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = EncryptedTextField()
    content_type = models.CharField(max_length=100)
    stored_name = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self):
        return f"attachment {self.uid}"

    @property
    def file_context(self) -> str:
        return f"sealed_app.attachment:{self.uid}"
