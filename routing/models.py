"""Categories of complaints and the triage lexicon (data an administrator edits), the
officer's triage decisions, referrals and the agencies' answers. The agencies themselves,
and the outbox that delivers referrals, are the outbox app's (outbox/models.py)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from intake.models import Complaint
from org.models import Unit
from outbox.models import Agency, Outbox
from routing.words import LexiconError, parse_term
from vault.fields import EncryptedTextField
from vault.models import DataKey


class Category(models.Model):
    """What a complaint is about (bribery, red tape, praise, …). A complaint may have several.
    The corruption-related ones send a case towards the anti-corruption agency."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_mn = models.CharField(_("name in Mongolian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    corruption_related = models.BooleanField(_("corruption-related"), default=False)
    retention_years = models.PositiveSmallIntegerField(
        _("kept for (years)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("How long a closed case in this category is kept before its content is "
                    "destroyed, if longer than the general rule. Empty: the general rule."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_mn


class TriageTerm(models.Model):
    """One word, ending or phrase the triage classifier looks for (see routing/triage.py)."""

    class Kind(models.TextChoices):
        STEM = "stem", _("Word stem")
        PHRASE = "phrase", _("Phrase")
        NEGATION = "negation", _("Negation or context")

    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="terms",
        help_text=_("A negation without a category lowers every corruption-related category."),
    )
    term = models.CharField(
        _("term"), max_length=120,
        help_text=_("The start of a word (авлиг), an ending (-аач) or several such words."),
    )
    weight = models.FloatField(
        _("weight"), default=1.0, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STEM)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category__order", "kind", "term"]
        verbose_name = _("triage term")
        verbose_name_plural = _("triage terms")
        constraints = [
            models.UniqueConstraint(fields=["category", "kind", "term"],
                                    name="one_triage_term_per_category_and_kind"),
        ]

    def __str__(self):
        return self.term

    def clean(self):
        try:
            parse_term(self.term, self.kind)
        except LexiconError:
            raise ValidationError({"term": _(
                "A stem is one word, a phrase two or more; use letters and digits."
            )})
        if self.kind != self.Kind.NEGATION and self.category_id is None:
            raise ValidationError({"category": _("Only a negation may have no category.")})


# --- the officer's decision --------------------------------------------------------------

class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class TriageDecisionQuerySet(models.QuerySet):
    def current(self):
        return self.filter(current=True)


class TriageDecision(models.Model):
    """What an officer decided a complaint is about. Decisions are never edited: a new one
    replaces the old as `current`, and both stay. The suggestion the officer was shown is kept
    beside it (lexicon terms, category codes and a score: no complaint text); the officer's
    reason is sealed with the complaint's data key, as it may repeat what the reporter said."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey("intake.Complaint", verbose_name=_("complaint"),
                                  on_delete=models.PROTECT, related_name="triage_decisions")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+",
                                 editable=False)
    categories = models.ManyToManyField(Category, verbose_name=_("categories"),
                                        related_name="decisions")
    corruption_related = models.BooleanField(_("corruption-related"))
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices,
                                default=Priority.NORMAL)
    reason = EncryptedTextField(_("reason"))
    suggestion = models.JSONField(_("suggestion shown"), null=True, blank=True)
    # Set when the case is corruption-related: the case must be referred on by this day.
    refer_due = models.DateField(_("refer by"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    current = models.BooleanField(default=True)

    objects = TriageDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("triage decision")
        verbose_name_plural = _("triage decisions")
        constraints = [
            models.UniqueConstraint(fields=["complaint"], condition=models.Q(current=True),
                                    name="one_current_triage_per_complaint"),
        ]
        indexes = [
            # The refer-on clock of the monthly report: corruption cases due in a month.
            models.Index(fields=["refer_due"], name="triage_refer_due",
                         condition=models.Q(current=True, corruption_related=True)),
            # The report's list of corruption-related cases, joined to a month's complaints
            # in complaint order (the index above would fetch them in due-day order).
            models.Index(fields=["complaint"], name="triage_corrupt_current",
                         condition=models.Q(current=True, corruption_related=True)),
        ]

    def __str__(self):
        return f"{self.complaint} · {self.decided_at:%Y.%m.%d}"


# --- referrals ----------------------------------------------------------------------------

class ReferralState(models.TextChoices):
    PREPARED = "prepared", _("Awaiting approval")
    RETURNED = "returned", _("Returned by the head")
    APPROVED = "approved", _("Approved, being sent")
    AWAITING_LETTER = "awaiting_letter", _("Approved, letter to be sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Delivery failed")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the agency")
    CONCLUDED = "concluded", _("Outcome received")


# States in which a referral is still on its way or waiting for the agency.
OPEN_REFERRAL_STATES = (
    ReferralState.PREPARED, ReferralState.APPROVED, ReferralState.AWAITING_LETTER,
    ReferralState.DELIVERED, ReferralState.FAILED, ReferralState.ACKNOWLEDGED,
)


# Until the agency has the referral, the clock that runs is the case's own refer-by day.
NOT_YET_WITH_AGENCY = (ReferralState.PREPARED, ReferralState.APPROVED,
                       ReferralState.AWAITING_LETTER)


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Leaves out referrals of complaints `user` is recused from."""
        return self.exclude(complaint__recusals__user=user)

    def tracked(self, today):
        """Each referral with `next_due`, the day it waits on, and `overdue`: that day has
        passed, or delivery failed. The day depends on the state: the case's refer-by day
        (its current triage) until the agency has it, then the day the agency should have
        acknowledged, then the case's resolve-by day; none once it is returned or concluded.
        One SQL expression, so the head's tracker rows, its filter and its counts agree.
        The days come by subqueries rather than joins: a page of 50 costs one query, and the
        counts scan every referral of a unit while only the acknowledged need their case."""
        refer_due = models.Subquery(
            TriageDecision.objects.filter(complaint=models.OuterRef("complaint_id"),
                                          current=True)
            .order_by().values("refer_due")[:1]
        )
        resolve_due = models.Subquery(
            Complaint.objects.filter(pk=models.OuterRef("complaint_id")).order_by()
            .values("resolve_due")[:1]
        )
        return self.annotate(next_due=models.Case(
            models.When(state__in=NOT_YET_WITH_AGENCY, then=refer_due),
            models.When(state=ReferralState.DELIVERED, then=models.F("acknowledge_expected_by")),
            models.When(state=ReferralState.ACKNOWLEDGED, then=resolve_due),
            default=None, output_field=models.DateField(),
        )).annotate(overdue=models.Case(
            models.When(models.Q(state=ReferralState.FAILED) | models.Q(next_due__lt=today),
                        then=models.Value(True)),
            default=models.Value(False), output_field=models.BooleanField(),
        ))


class Referral(models.Model):
    """A complaint sent on to an agency: prepared by an officer, approved by the head (two
    different people), delivered through the outbox, then followed until the agency answers.
    The cover letter and the redactions are sealed with the complaint's data key, so that
    shredding the complaint shreds them too."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("referral number"), max_length=40, unique=True)
    complaint = models.ForeignKey("intake.Complaint", verbose_name=_("complaint"),
                                  on_delete=models.PROTECT, related_name="referrals")
    # The complaint's unit, kept here so that the tracker filters without a join.
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="referrals")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+",
                                 editable=False)
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="referrals")
    state = models.CharField(_("state"), max_length=20, choices=ReferralState.choices,
                             default=ReferralState.PREPARED, db_index=True)

    cover_letter = EncryptedTextField(_("cover letter"))
    # Words or phrases blacked out of the complaint's text before it is sent, one per line.
    redactions = EncryptedTextField(_("blacked out"), null=True, blank=True)
    include_reporter = models.BooleanField(
        _("include who the reporter is"), default=False,
        help_text=_("Leave unticked unless the reporter agreed to be named to the agency."),
    )
    attachments = models.ManyToManyField("intake.Attachment", verbose_name=_("files sent"),
                                         blank=True, related_name="referrals")

    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("prepared by"),
                                    on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(_("prepared at"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    returned_reason = models.CharField(_("why it was returned"), max_length=500, blank=True)

    # What exactly was sent: the package is built once, at approval, and its hash recorded.
    package_sha256 = models.CharField(_("package hash (SHA-256)"), max_length=64, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    # Letters: the outgoing letter's number in the unit's register, entered by the clerk.
    letter_number = models.CharField(_("letter number"), max_length=64, blank=True)

    # The agency's side.
    acknowledge_expected_by = models.DateField(_("acknowledgement expected by"), null=True,
                                               blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    agency_reference = models.CharField(_("agency's reference number"), max_length=64,
                                        blank=True)
    agency_status = models.CharField(_("agency's status"), max_length=200, blank=True)
    concluded_at = models.DateTimeField(_("outcome received at"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    # How a referral is named as the subject of its outbox row (routing/delivery.py).
    OUTBOX_KIND = "referral"

    class Meta:
        ordering = ["-prepared_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["unit", "state", "prepared_at"]),
            models.Index(fields=["unit", "prepared_at"]),
            # The tracker of a unit with units below it, newest first over all of them.
            models.Index(fields=["prepared_at", "id"], name="referral_tracked"),
            # The tracker's counts by state, read from the index alone (the recusal check
            # needs the complaint, the count the id).
            models.Index(fields=["unit", "state", "complaint", "id"], name="referral_counted"),
            # The letters to post, the first approved first.
            models.Index(fields=["unit", "approved_at", "id"],
                         condition=models.Q(state="awaiting_letter"),
                         name="referral_letters_waiting"),
        ]

    def __str__(self):
        return self.reference

    @property
    def outbox(self) -> Outbox | None:
        """The outbox row that carries the package, written at approval (None before)."""
        return Outbox.objects.of(self.OUTBOX_KIND, self.pk).first()

    def take_answer(self, answer: "AgencyAnswer", now) -> list[str]:
        """Move along with what the agency said: an acknowledgement (or any answer with the
        agency's reference) acknowledges the referral, an outcome concludes it. Returns the
        fields changed, for the caller to save under its lock."""
        changed = ["agency_status"]
        if answer.agency_reference:
            self.agency_reference = answer.agency_reference
            changed.append("agency_reference")
        if answer.status:
            self.agency_status = answer.status
        if answer.kind == AgencyAnswer.Kind.OUTCOME:
            self.state, self.concluded_at = ReferralState.CONCLUDED, now
            changed += ["state", "concluded_at"]
        elif self.state != ReferralState.CONCLUDED and (
                answer.kind == AgencyAnswer.Kind.ACKNOWLEDGEMENT or answer.agency_reference):
            self.state = ReferralState.ACKNOWLEDGED
            changed.append("state")
        if self.acknowledged_at is None and self.state in (
                ReferralState.ACKNOWLEDGED, ReferralState.CONCLUDED):
            self.acknowledged_at = now
            changed.append("acknowledged_at")
        return changed


class AgencyAnswer(models.Model):
    """Something the agency told us about a referral: by a signed callback on the API, or
    entered by staff from a letter or an email. What it says in words is sealed."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
        STATUS = "status", _("Status change")
        OUTCOME = "outcome", _("Outcome")
        RECOMMENDATION = "recommendation", _("Recommendation (зөвлөмж)")
        NOTICE = "notice", _("Notice (мэдэгдэл)")

    class Via(models.TextChoices):
        CALLBACK = "callback", _("Agency's API")
        STAFF = "staff", _("Entered by staff")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="answers")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+",
                                 editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    via = models.CharField(_("received by"), max_length=16, choices=Via.choices)
    # The agency's own id of the message, so a callback sent twice is kept once.
    event_id = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 (unique when set)
    agency_reference = models.CharField(_("agency's reference number"), max_length=64,
                                        blank=True)
    status = models.CharField(_("agency's status"), max_length=200, blank=True)
    text = EncryptedTextField(_("what the agency said"), null=True, blank=True)
    answered_on = models.DateField(_("date of the answer"))
    received_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name = _("agency's answer")
        verbose_name_plural = _("agency's answers")
        constraints = [
            models.UniqueConstraint(fields=["referral", "event_id"],
                                    name="one_answer_per_agency_event"),
        ]

    def __str__(self):
        return f"{self.referral} · {self.get_kind_display()}"




# The learned triage models live in their own module; imported here so Django finds them.
from routing.triage_model import TriageModel  # noqa: E402, F401
