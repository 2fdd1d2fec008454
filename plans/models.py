"""The anti-corruption plan (авлигын эсрэг төлөвлөгөө) of a unit for a year, what was done
against it, and the report on its implementation (төлөвлөгөөний хэрэгжилт).

None of this is complaint content or names a reporter: goals, measures, trainings and
outreach are the unit's own work, kept in plain columns. Evidence files are sealed by the
vault (a photo of a poster may show people), each under a data key of its own.

A plan is a draft until the head approves it; an approved plan is never edited, a change is
a new version that points to the one it revises. Activities and trainings hang on a measure
but are matched to a plan by the measure's number and the year, so they carry over to every
version of the plan.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import Unit
from vault.fields import EncryptedTextField, SealedRecord

USER = settings.AUTH_USER_MODEL


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class Source(models.TextChoices):
    """Where the performance text of a measure is drafted from (plans.drafting)."""

    COMPLAINTS = "complaints", _("Complaints and the agency's answers")
    TRAININGS = "trainings", _("Trainings")
    OUTREACH = "outreach", _("Outreach and other activities")
    SURVEYS = "surveys", _("Satisfaction surveys")
    NONE = "none", _("Written by hand")


class Plan(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="plans")
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    state = models.CharField(_("state"), max_length=16, choices=PlanState.choices,
                             default=PlanState.DRAFT)
    supersedes = models.OneToOneField("self", verbose_name=_("revises"), null=True,
                                      blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    copied_from = models.ForeignKey("self", verbose_name=_("copied from"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "unit__code", "-version"]
        verbose_name = _("anti-corruption plan")
        verbose_name_plural = _("anti-corruption plans")
        constraints = [models.UniqueConstraint(fields=["unit", "year", "version"],
                                               name="one_plan_version_per_unit_year")]

    def __str__(self):
        return f"{self.unit.code} {self.year} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.state == PlanState.APPROVED

    def measures(self):
        return (Measure.objects.filter(goal__plan=self).select_related("goal")
                .order_by("goal__number", "order", "pk"))


class Goal(models.Model):
    """A goal (зорилт), numbered 1, 2, 3 as on paper."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("goal"))

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"],
                                               name="one_goal_number_per_plan")]

    def __str__(self):
        return f"{self.number}. {self.text[:40]}"


class Measure(models.Model):
    """A measure (хэрэгжүүлэх арга хэмжээ) under a goal, numbered "1.1", "3.2"."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measures")
    number = models.CharField(_("number"), max_length=12)
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("measure"))
    criterion = models.TextField(_("criterion"), blank=True)  # шалгуур үзүүлэлт
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)
    due = models.DateField(_("due by"), null=True, blank=True)
    source = models.CharField(_("drafted from"), max_length=16, choices=Source.choices,
                              default=Source.NONE)

    class Meta:
        ordering = ["goal__number", "order", "pk"]

    def __str__(self):
        return self.number


class ActivityKind(models.TextChoices):
    OUTREACH = "outreach", _("Outreach posting")
    OPEN_DAY = "open_day", _("Open day")
    CONTROL = "control", _("Internal-control check")
    OTHER = "other", _("Other")


class OutreachChannel(models.TextChoices):
    """The reference's а–е."""

    WEBSITE = "website", _("Official website")
    SOCIAL = "social", _("Social media")
    INTERNAL = "internal", _("Internal network")
    PRESS = "press", _("Press and media")
    BOARD = "board", _("Information board or LED screen")
    OTHER = "other", _("Other channel")


class Activity(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="plan_activities")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=OutreachChannel.choices,
                               blank=True)
    day = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("what was done"))
    feedback = models.TextField(_("feedback received"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day", "pk"]

    def __str__(self):
        return f"{self.unit.code} {self.day} {self.kind}"


class Evidence(SealedRecord):
    """A file proving an activity (a photo of the poster, the attendance sheet), sealed on
    disk with a data key of its own (vault.files)."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="evidence")
    stored_name = models.CharField(max_length=100, unique=True)
    filename = EncryptedTextField(_("file name"))
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.activity} · {self.size}"


class Training(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="plan_trainings")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="trainings")
    day = models.DateField(_("date"))
    topic = models.CharField(_("topics"), max_length=500)
    trainer = models.CharField(_("trainer"), max_length=200)
    articles = models.CharField(_("law articles introduced"), max_length=500, blank=True)
    # Ticked from the people holding an active role in the unit.
    attendees = models.ManyToManyField(USER, verbose_name=_("attendees"), related_name="+")
    # Active staff of the unit on the day it was recorded, the base of the coverage.
    staff_count = models.PositiveIntegerField(_("staff of the unit"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day", "pk"]

    def __str__(self):
        return f"{self.unit.code} {self.day} {self.topic[:30]}"


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PREPARED = "prepared", _("Prepared, awaiting review")
    APPROVED = "approved", _("Approved")


class PlanReport(models.Model):
    """The report on a plan's implementation for a period: the first half-year, the year, or
    the year so far as of a day (the reference is dated 15 November). Prepared by one
    person, approved by the head (another person), then frozen and hashed into the audit
    trail; a correction is a new version."""

    class Kind(models.TextChoices):
        HALF = "half", _("First half-year")
        YEAR = "year", _("Whole year")
        AS_OF = "as_of", _("The year so far")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="plan_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("period"), max_length=8, choices=Kind.choices)
    through = models.DateField(_("through"))  # the period is 1 January to this day
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    correction_reason = models.CharField(_("reason for the correction"), max_length=500,
                                         blank=True)
    state = models.CharField(_("state"), max_length=16, choices=ReportState.choices,
                             default=ReportState.DRAFT)
    drafted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)
    prepared_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    prepared_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-through", "-version"]
        constraints = [models.UniqueConstraint(
            fields=["unit", "year", "kind", "through", "version"],
            name="one_plan_report_version_per_period")]

    def __str__(self):
        return f"{self.unit.code} {self.year} {self.kind} {self.through} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.state == ReportState.APPROVED

    @property
    def period_key(self) -> str:
        return self.kind if self.kind != self.Kind.AS_OF else f"{self.through:%Y-%m-%d}"


class Performance(models.Model):
    """One measure's line of a report: the wording (drafted, then edited by the clerk), the
    figures the draft was made from, and the self-assessed level of implementation."""

    report = models.ForeignKey(PlanReport, on_delete=models.CASCADE,
                               related_name="performances")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("performance"), blank=True)
    figures = models.JSONField(default=dict)
    level = models.PositiveSmallIntegerField(_("level of implementation (%)"), default=0)

    class Meta:
        ordering = ["measure__goal__number", "measure__order", "measure__pk"]
        constraints = [models.UniqueConstraint(fields=["report", "measure"],
                                               name="one_performance_per_measure")]

    def __str__(self):
        return f"{self.report} · {self.measure.number}"
