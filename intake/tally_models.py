"""The counters the reports read (intake.tallies): one row per unit, local month and figure."""

from django.db import models

from org.models import Unit


class Tally(models.Model):
    """How many of a unit's records count towards `key` in `month` (the first day of an
    Asia/Ulaanbaatar month). Written only by intake.tallies, in the transaction of the change
    that moves the figure; never holds anything but a count."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    key = models.CharField(max_length=64)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "month", "key"],
                                               name="tally_unit_month_key")]
        # The national consolidation reads every unit's month.
        indexes = [models.Index(fields=["month", "unit"], name="tally_month_unit")]

    def __str__(self):
        return f"{self.unit_id} {self.month:%Y-%m} {self.key} = {self.count}"
