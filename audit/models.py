"""The audit trail: an append-only, hash-chained table of events, its head, and checkpoints.

Nothing here is ever updated or deleted: database triggers refuse it (audit/triggers.py), and
the ORM refuses it earlier with a clearer message. Write events only through
`audit.services.record`.
"""

import json
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.chain import CHAIN_COLUMNS, GENESIS, parse_timestamp, timestamp
from org.models import Unit


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit record through the ORM."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit records cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit records cannot be deleted")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit records cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit records cannot be deleted")


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    SYSTEM = "system", _("System")
    # Nothing that could identify the reporter is kept with this kind of actor.
    ANONYMOUS = "anonymous", _("Anonymous reporter")


class AuditEventQuerySet(AppendOnlyQuerySet):
    def in_units(self, unit_ids):
        return self.filter(unit_id__in=unit_ids)

    def by_actor(self, username: str):
        return self.filter(actor_kind=ActorKind.STAFF, actor_label__iexact=username)

    def since(self, moment: datetime):
        return self.filter(occurred_at__gte=timestamp(moment))

    def before(self, moment: datetime):
        return self.filter(occurred_at__lt=timestamp(moment))


class SequenceField(models.BigIntegerField):
    """A 64-bit sequence number that SQLite stores as the table's rowid: events then sit in
    sequence order and verification reads them without going through a separate index."""

    def db_type(self, connection):
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class AuditEvent(AppendOnlyModel):
    """One thing that happened. The sequence number has no gaps; the HMAC chains each event
    to the one before it (audit/chain.py says exactly what it covers).

    Time and details are stored as the very text that is signed (UTC time as fixed-width
    ISO 8601 text, details as canonical JSON): SQLite and PostgreSQL give back the same
    bytes, and verification needs no conversion per row. Details are for non-sensitive
    facts only: never complaint content, names, contact details or anything about a client.
    """

    seq = SequenceField(_("sequence number"), primary_key=True)
    occurred_at = models.CharField(_("time (UTC)"), max_length=27, db_index=True)
    actor_kind = models.CharField(_("actor kind"), max_length=16, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The username at the time, so the record stays readable if the account is renamed.
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    details = models.TextField(_("details"), default="{}")
    key_version = models.PositiveIntegerField(_("audit key version"))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    mac = models.CharField(_("HMAC"), max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_event_object"),
            # The auditor's page: a unit's events, newest first.
            models.Index(fields=["unit", "seq"], name="audit_event_unit"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action}"

    @property
    def when(self) -> datetime:
        return parse_timestamp(self.occurred_at)

    @property
    def details_dict(self) -> dict:
        return json.loads(self.details)

    def chain_values(self) -> tuple:
        return tuple(getattr(self, column) for column in CHAIN_COLUMNS)


class ChainHead(models.Model):
    """The newest event's number and HMAC, in one row that every writer locks first, so
    appends queue one behind another and the chain never forks. It also tells verification
    where the chain should end."""

    ONLY = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=ONLY)
    seq = models.BigIntegerField(default=0)
    mac = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = _("audit chain head")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_one_head")]

    def __str__(self):
        return f"head #{self.seq}"


class CheckpointQuerySet(AppendOnlyQuerySet):
    pass


class Checkpoint(AppendOnlyModel):
    """The chain head at one moment, signed with Ed25519 and exported as a file outside the
    database. Verification proves the chain still passes through every checkpoint, so even
    someone holding the audit key cannot rewrite or cut back what a checkpoint vouches for."""

    seq = models.BigIntegerField(_("sequence number"))
    head_mac = models.CharField(_("HMAC of the head event"), max_length=64)
    made_at = models.CharField(_("made at (UTC)"), max_length=27)
    sign_key_version = models.PositiveIntegerField(_("signing key version"))
    public_key = models.CharField(_("public key"), max_length=64)
    signature = models.CharField(_("signature"), max_length=128)
    file_name = models.CharField(_("exported file"), max_length=200)

    objects = CheckpointQuerySet.as_manager()

    class Meta:
        ordering = ["-seq", "-id"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self):
        return f"checkpoint #{self.seq} at {self.made_at}"

    @property
    def when(self) -> datetime:
        return parse_timestamp(self.made_at)
