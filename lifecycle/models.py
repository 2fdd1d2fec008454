"""The steps taken on a case's legal clocks (lifecycle.clocks)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import Unit
from routing.models import Referral


class Escalation(models.Model):
    """One step of one overdue clock, taken once: step 1 tells the unit's head, step 2 the
    parent unit's head. The unique constraint is what makes a scan that runs twice, or
    crashes half-way and runs again, escalate each step exactly once.

    It was routing's until issue 16 and keeps routing's table; the audit trail names its
    rows "routing.escalation" (AUDIT_TYPE), as it always has."""

    AUDIT_TYPE = "routing.escalation"

    class Clock(models.TextChoices):
        REFER = "refer", _("Referral deadline")
        AGENCY_ACKNOWLEDGE = "agency_acknowledge", _("Agency's acknowledgement")
        ACKNOWLEDGE = "acknowledge", _("Acknowledgement to the reporter")
        RESOLVE = "resolve", _("Resolution deadline")

    clock = models.CharField(_("clock"), max_length=24, choices=Clock.choices)
    complaint = models.ForeignKey("intake.Complaint", on_delete=models.PROTECT,
                                  related_name="escalations")
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="escalations")
    step = models.PositiveSmallIntegerField(_("step"))
    due = models.DateField(_("was due"))
    to_unit = models.ForeignKey(Unit, verbose_name=_("escalated to"), on_delete=models.PROTECT,
                                related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "routing_escalation"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(fields=["clock", "complaint", "step", "due"],
                                    condition=models.Q(referral__isnull=True),
                                    name="one_escalation_per_clock_step"),
            # A case may have several referrals, each with its own acknowledgement clock.
            models.UniqueConstraint(fields=["clock", "referral", "step", "due"],
                                    condition=models.Q(referral__isnull=False),
                                    name="one_escalation_per_referral_clock_step"),
        ]

    def __str__(self):
        return f"{self.complaint_id} · {self.clock} · {self.step}"
