"""One matter across channels: complaints an officer linked as the same matter, pairs they
said are not, and the keyed similarity buckets that suggest them (intake.likeness).

Imported by intake.models; the complaint is named by its label so that this module does not
import that one back.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vault.fields import EncryptedTextField


class Matter(models.Model):
    """Complaints that are one matter: a citizen phoned, then dropped a note in the box, then
    wrote on the web. Triage and referral read the matter; each reporter keeps their own
    receipt, and the public pages never say that another complaint exists."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")

    def __str__(self):
        return f"matter {self.pk}"


class MatterMember(models.Model):
    """A complaint's place in a matter; a complaint is in one matter at most."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="members")
    complaint = models.OneToOneField("intake.Complaint", on_delete=models.PROTECT,
                                     related_name="matter_member")
    linked_at = models.DateTimeField(default=timezone.now, editable=False)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")

    def __str__(self):
        return f"{self.matter} · {self.complaint_id}"


class MatterDismissal(models.Model):
    """An officer said two suggested complaints are not the same matter: the pair is not
    suggested again. `first` is the one with the lower id."""

    first = models.ForeignKey("intake.Complaint", on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey("intake.Complaint", on_delete=models.PROTECT, related_name="+")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    dismissed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="one_dismissal_per_pair"),
            models.CheckConstraint(condition=models.Q(first__lt=models.F("second")),
                                   name="dismissal_pair_in_order"),
        ]

    def __str__(self):
        return f"{self.first_id} ≠ {self.second_id}"


class LikenessBucket(models.Model):
    """One LSH band of a complaint's keyed similarity signature (intake.likeness): a 64-bit
    keyed hash, no text. The unit and the time received are copied from the complaint so
    that a lookup reads this table's index alone: the unit's buckets of a window of time."""

    complaint = models.ForeignKey("intake.Complaint", on_delete=models.CASCADE,
                                  related_name="likeness_buckets")
    # Not indexed alone: likeness_lookup begins with it.
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+",
                             db_index=False)
    received_at = models.DateTimeField()
    bucket = models.BigIntegerField()
    # The blind key version whose sub-key made it (vault.blind.subkey).
    version = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["unit", "bucket", "received_at"], name="likeness_lookup"),
        ]

    def __str__(self):
        return f"{self.complaint_id} · {self.bucket}"


class LikenessSignature(models.Model):
    """A complaint's whole similarity signature (intake.likeness), sealed with the
    complaint's own data key: it estimates how alike two complaints are once their buckets
    met, and goes when the complaint is shredded."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    complaint = models.OneToOneField("intake.Complaint", on_delete=models.CASCADE,
                                     related_name="likeness_signature")
    data_key = models.ForeignKey("vault.DataKey", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField()
    values = EncryptedTextField()

    def __str__(self):
        return f"{self.complaint_id} · v{self.version}"
