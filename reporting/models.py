"""Monthly reports: one per unit and month, in versions.

A report's figures are counts, reference numbers and category codes computed from the
records (reporting.figures); they are stored as they stood when the clerk prepared the
report and frozen when the head approves it. The narrative the clerk adds is sealed with the
report's own data key, like complaint content, since it may mention a case. An approved
report is never edited: a correction is a new version that points to the one it corrects.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import Unit
from vault.fields import EncryptedTextField, SealedRecord


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PREPARED = "prepared", _("Prepared, awaiting review")
    APPROVED = "approved", _("Approved")


class MonthlyReport(SealedRecord):
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="monthly_reports")
    # The first day of the month reported on.
    period = models.DateField(_("month"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    reference = models.CharField(_("report number"), max_length=40, unique=True)
    supersedes = models.OneToOneField(
        "self", verbose_name=_("corrects"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    correction_reason = models.CharField(_("reason for the correction"), max_length=500,
                                         blank=True)
    # The head's note when they last sent this version back (reporting.services
    # .report_send_back), shown to the clerk until the clerk marks the report prepared
    # again. A note on a report of counts, like correction_reason, not complaint content.
    send_back_reason = models.CharField(_("reason it was sent back"), max_length=500,
                                        blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices,
                             default=State.DRAFT, db_index=True)
    figures = models.JSONField(_("figures"), default=dict)
    figures_at = models.DateTimeField(_("figures computed at"), default=timezone.now)
    narrative = EncryptedTextField(_("narrative"), null=True, blank=True)

    drafted_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drafted by"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("prepared by"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    prepared_at = models.DateTimeField(_("prepared at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # SHA-256 of the frozen document (reporting.document): figures, narrative, signatories.
    document_sha256 = models.CharField(_("document hash (SHA-256)"), max_length=64,
                                       blank=True)

    class Meta:
        ordering = ["-period", "unit__code", "-version"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        constraints = [
            # The schedule drafting twice, or two people at once, still make one report.
            models.UniqueConstraint(fields=["unit", "period", "version"],
                                    name="one_report_version_per_unit_month"),
            models.CheckConstraint(condition=models.Q(period__day=1),
                                   name="report_period_is_first_of_month"),
        ]
        indexes = [models.Index(fields=["period", "unit"])]

    def __str__(self):
        return self.reference

    @property
    def is_frozen(self) -> bool:
        return self.state == State.APPROVED

    @property
    def month(self) -> str:
        return f"{self.period:%Y-%m}"


class ReportDelivery(models.Model):
    """Which outbox row carries an approved report to which agency (outbox.subjects), and
    what became of it; kept here so the report page shows it without reading the outbox's
    tables by hand."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(MonthlyReport, on_delete=models.PROTECT,
                               related_name="deliveries")
    outbox = models.OneToOneField("outbox.Outbox", on_delete=models.PROTECT,
                                  related_name="+")
    letter_number = models.CharField(_("letter number"), max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.report} → {self.outbox.agency_id}"
