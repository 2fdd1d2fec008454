"""What the hall screen of a unit shows: the slides its head chose, how long each stays, and
the campaign text (the agency's material, as the head types it). Nothing here is about a
complaint: the screen's figures are read from approved monthly reports (outreach.screen)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import Unit


class Slide(models.TextChoices):
    LINES = "lines", _("Where to report: the phone lines and the report form's QR code")
    FIGURES = "figures", _("This year's figures, from the approved monthly reports")
    CAMPAIGN = "campaign", _("The campaign text below")
    SAID = "said", _("The latest “you said, we did”")


class ScreenSettings(models.Model):
    unit = models.OneToOneField(Unit, verbose_name=_("unit"), on_delete=models.CASCADE,
                                related_name="screen_settings")
    slides = models.JSONField(_("slides"), default=list)
    seconds = models.PositiveSmallIntegerField(_("seconds per slide"), default=12)
    campaign_text = models.TextField(_("campaign text"), max_length=600, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("hall screen")

    def __str__(self):
        return f"{self.unit.code}: {', '.join(self.slides)}"

    @classmethod
    def for_unit(cls, unit: Unit) -> "ScreenSettings":
        """The unit's settings, or the default (every slide but an empty campaign) unsaved."""
        found = cls.objects.filter(unit=unit).first()
        return found or cls(unit=unit, slides=[Slide.LINES, Slide.FIGURES, Slide.SAID])

    def shown(self) -> list[str]:
        """The slides to turn through, in the order of Slide; the campaign only with text."""
        return [slide for slide in Slide.values if slide in self.slides
                and (slide != Slide.CAMPAIGN or self.campaign_text.strip())]


class Publication(models.Model):
    """"You said, we did": for a closed complaint or suggestion whose reporter allowed it, an
    officer's public summary of what was raised and what the unit did, published once the
    unit's head approves. Public text by design, written fresh by the officer (never the
    reporter's words), so it is kept in plain; the complaint's own content stays sealed."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Awaiting the head's approval")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    complaint = models.OneToOneField("intake.Complaint", verbose_name=_("complaint"),
                                     on_delete=models.CASCADE, related_name="publication")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="publications")
    said = models.TextField(_("what was raised"), max_length=400)
    did = models.TextField(_("what the unit did"), max_length=400)
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.DRAFT)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"),
                                   on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(_("written at"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("“you said, we did”")
        indexes = [models.Index(fields=["unit", "state", "-published_at"])]

    def __str__(self):
        return f"{self.unit.code}: {self.get_state_display()}"
