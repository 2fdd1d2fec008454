"""Complaints and every way they come in (matters across channels: matter_models; the
reports' counters: tally_models). What a reporter wrote, who they are and how to reach
them are sealed by the vault before they reach the database (EncryptedTextField /
EncryptedJSONField); the rest is metadata staff, reports and clocks need without content."""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake import matter_models, tally_models  # noqa: F401 (their models are intake's too)
from org.models import Role, Unit
from vault.blind import BlindIndexField
from vault.fields import EncryptedJSONField, EncryptedTextField, SealedRecord
from vault.models import DataKey


class Channel(models.TextChoices):
    SUGGESTION_BOX = "suggestion_box", _("Suggestion box")
    COMPLAINT_BOX = "complaint_box", _("Complaint box")
    PHONE = "phone", _("Phone line")
    WEB = "web", _("Web form")
    WALK_IN = "walk_in", _("Walk-in")
    NOTEBOOK = "notebook", _("Suggestion notebook")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("Email")
    SOCIAL = "social", _("Social media")


BOX_CHANNELS = {Channel.SUGGESTION_BOX, Channel.COMPLAINT_BOX}


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion or request")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("Being handled")
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", _("Closed")


class ReferenceCounter(models.Model):
    """The last reference number given in a unit and year (DG-2026-00042)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_counter_per_unit_year")
        ]

    def __str__(self):
        return f"{self.unit_id}/{self.year}: {self.last}"


class BoxOpening(models.Model):
    """One opening of a box, held with a witness. An opening with no slips is recorded too:
    it is the evidence behind a nil report."""

    class Box(models.TextChoices):
        SUGGESTION = Channel.SUGGESTION_BOX.value, Channel.SUGGESTION_BOX.label
        COMPLAINT = Channel.COMPLAINT_BOX.value, Channel.COMPLAINT_BOX.label

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    box = models.CharField(_("box"), max_length=32, choices=Box.choices)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT,
        related_name="box_openings",
    )
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("witness"), on_delete=models.PROTECT,
        related_name="witnessed_openings",
    )
    slip_count = models.PositiveIntegerField(_("number of slips"))
    reconciled_at = models.DateTimeField(_("all slips logged at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("box opening")
        verbose_name_plural = _("box openings")

    def __str__(self):
        return f"{self.get_box_display()} {self.opened_at:%Y.%m.%d}"

    @property
    def is_reconciled(self) -> bool:
        return self.reconciled_at is not None


class DiscardedSlip(models.Model):
    """A slip from a box that is not a complaint (blank, spam, …), so that the count of slips
    always reconciles with what was logged."""

    class Reason(models.TextChoices):
        BLANK = "blank", _("Blank")
        SPAM = "spam", _("Unrelated or spam")
        DUPLICATE = "duplicate", _("Duplicate of another slip")
        ILLEGIBLE = "illegible", _("Illegible")

    opening = models.ForeignKey(BoxOpening, on_delete=models.PROTECT, related_name="discarded")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    logged_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.opening} · {self.get_reason_display()}"


# A case's short title is written by staff for the queue and is NOT encrypted: a few words
# of their own, never the reporter's words, names or anything that identifies anyone.
TITLE_MAX = 80
# Control characters, and the invisible marks that could make a title read other than it is
# stored (zero-width spaces, direction overrides, the byte-order mark, the mark of bytes
# that were not UTF-8). A line break or a tab becomes a space.
TITLE_DROPPED = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                           r"\u2060-\u2069\ufeff\ufffd]")
TITLE_SPACES = re.compile(r"[\s\u00a0]+")


def tidy_title(text) -> str:
    """A title as it is kept: control and invisible characters removed, runs of spaces and
    line breaks made one space, no space at either end. Its length is checked after this."""
    return TITLE_SPACES.sub(" ", TITLE_DROPPED.sub("", str(text or ""))).strip()


def checked_title(text) -> str:
    """`text` tidied as a title, or a ValidationError when it is too long even then."""
    title = tidy_title(text)
    if len(title) > TITLE_MAX:
        raise ValidationError(_("Keep it under %(limit_value)d characters.")
                              % {"limit_value": TITLE_MAX}, code="max_length")
    return title


# The clocks a case's next deadline can be (ComplaintQuerySet.with_next_due).
ACKNOWLEDGE, RESOLVE = "acknowledge", "resolve"


class ComplaintQuerySet(models.QuerySet):
    def for_unit(self, unit):
        return self.filter(unit=unit)

    def open(self):
        return self.exclude(status=Status.CLOSED)

    def visible_to(self, user):
        """Leaves out the complaints `user` is recused from (see intake.recusal)."""
        return self.exclude(recusals__user=user)

    def for_staff(self, user, *, unit, roles):
        """The cases `user`, holding `roles` in `unit`, may see under that unit: the unit's
        own, and for a head of the unit also those escalated to it (because they name a
        child unit's head, or a deadline passed there); never one the user is recused from."""
        found = models.Q(unit=unit)
        if Role.HEAD in roles:
            found |= models.Q(escalated_to=unit)
        return self.filter(found).visible_to(user)

    def with_overdue(self, today=None):
        """Each complaint with `acknowledge_overdue` and `resolve_overdue`: whether the day to
        acknowledge it (when it is not acknowledged yet) or to resolve it has passed. A closed
        case is never overdue. This is the one place the rule is written: `overdue` filters
        on it, and the queue and the case page show it."""
        today = today or timezone.localdate()
        still_open = ~models.Q(status=Status.CLOSED)
        return self.annotate(
            acknowledge_overdue=models.ExpressionWrapper(
                still_open & models.Q(acknowledged_at__isnull=True, acknowledge_due__lt=today),
                output_field=models.BooleanField()),
            resolve_overdue=models.ExpressionWrapper(
                still_open & models.Q(resolve_due__lt=today), output_field=models.BooleanField()),
        )

    def overdue(self, today=None):
        return self.with_overdue(today).filter(
            models.Q(acknowledge_overdue=True) | models.Q(resolve_overdue=True))

    def with_next_due(self):
        """Each complaint with `next_due` and `next_clock`: the deadline it must meet next.
        Until it is acknowledged that is the day to acknowledge it (always before the day to
        resolve it); then the day to resolve it; a closed case has none."""
        closed = models.Q(status=Status.CLOSED)
        unacknowledged = models.Q(acknowledged_at__isnull=True)
        return self.annotate(
            next_due=models.Case(
                models.When(closed, then=models.Value(None, output_field=models.DateField())),
                models.When(unacknowledged, then=models.F("acknowledge_due")),
                default=models.F("resolve_due"), output_field=models.DateField()),
            next_clock=models.Case(
                models.When(closed, then=models.Value("")),
                models.When(unacknowledged, then=models.Value(ACKNOWLEDGE)),
                default=models.Value(RESOLVE), output_field=models.CharField()),
        )

    def with_reference_like(self, text: str):
        """Complaints whose reference number contains `text`, in capitals or not: both
        "dg-2026-00006" and "00006" find DG-2026-00006."""
        return self.filter(reference__icontains=text)


class Complaint(SealedRecord):
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="complaints")
    reference = models.CharField(_("reference number"), max_length=32, unique=True)
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.COMPLAINT)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.NEW, db_index=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    logged_at = models.DateTimeField(_("logged at"), default=timezone.now)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    language = models.CharField(_("language"), max_length=8, default="mn")
    # Staff's own few words for the queue (see TITLE_MAX): plain text, not sealed.
    title = models.CharField(_("short title"), max_length=TITLE_MAX, blank=True, default="")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned officer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="assigned_cases",
    )

    body = EncryptedTextField(_("what happened"))  # sealed content, to channel_details
    subject = EncryptedTextField(_("whom or what it is about"), null=True, blank=True)
    particulars = EncryptedJSONField(_("where, when, who"), null=True, blank=True)
    reporter = EncryptedJSONField(_("reporter"), null=True, blank=True)
    channel_details = EncryptedJSONField(_("channel details"), null=True, blank=True)
    # Recognises a repeat caller without keeping the number readable.
    reporter_phone_index = BlindIndexField(kind="phone", source="reporter.phone", blank=True)

    box_opening = models.ForeignKey(BoxOpening, null=True, blank=True,  # the slip's box
                                    on_delete=models.PROTECT, related_name="complaints")
    # Phone calls: which public line rang, and whether the summary was read back.
    phone_line = models.CharField(_("line called"), max_length=32, blank=True)
    call_duration_seconds = models.PositiveIntegerField(
        _("call duration (seconds)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    summary_confirmed = models.BooleanField(_("summary read back and confirmed"), default=False)

    # The reporter's way back in (an Argon2id hash of the receipt code, see receipts.py), and
    # a web form's one-time token, so a form posted twice makes one complaint.
    receipt_hash = models.CharField(max_length=80, null=True, blank=True, unique=True)
    submission_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # Whether the reporter let a summary be published ("you said, we did", outreach).
    publish_consent = models.BooleanField(_("summary may be published"), default=False)

    # Legal clocks, in the unit's working days, set at receipt.
    acknowledge_due = models.DateField(_("acknowledge by"))
    resolve_due = models.DateField(_("resolve by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Retention (lifecycle.retention): a legal hold keeps a closed case's content past its
    # period until it is released; the warning before destruction is given once.
    legal_hold_at = models.DateTimeField(_("on legal hold since"), null=True, blank=True)
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("legal hold placed by"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="+",
    )
    retention_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the unit's head is named in the complaint: the head of this unit (the
    # parent) then sees the case too, in their own queue (ComplaintQuerySet.for_staff).
    escalated_to = models.ForeignKey(
        Unit, verbose_name=_("escalated to"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="escalated_complaints",
    )

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["unit", "status", "received_at"]),
            models.Index(fields=["unit", "acknowledge_due"], name="complaint_ack_due"),
            models.Index(fields=["unit", "resolve_due"], name="complaint_resolve_due"),
            # The daily retention sweep walks closed cases by when they were closed.
            models.Index(fields=["status", "closed_at"], name="complaint_closed"),
            # The queue: a unit's cases, newest first; a unit's month for the reports.
            models.Index(fields=["unit", "received_at", "id"], name="complaint_queue"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_extended(self) -> bool:
        return self.extended_at is not None


class Message(models.Model):
    """One message in the thread between the officer and the (usually anonymous) reporter.
    Sealed with the complaint's own data key."""

    class Author(models.TextChoices):
        REPORTER = "reporter", _("Reporter")
        STAFF = "staff", _("Officer")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="messages")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    author = models.CharField(max_length=16, choices=Author.choices)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.complaint} · {self.get_author_display()} · {self.created_at:%Y.%m.%d}"


class Attachment(models.Model):
    """A file a reporter or clerk attached (a scanned slip, a photo, a document), stored
    encrypted outside the database."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="attachments")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    stored_name = models.CharField(max_length=100, unique=True)
    filename = EncryptedTextField(_("file name"))
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by_reporter = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.complaint} · {self.content_type} · {self.size}"


class Note(models.Model):
    """Staff's own working note on a case, or an amendment that corrects the record.
    Content is never edited in place: a correction is a new amendment, audited."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        AMENDMENT = "amendment", _("Amendment")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="notes")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NOTE)
    amends_field = models.CharField(max_length=32, blank=True)
    body = EncryptedTextField(_("text"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.complaint} · {self.get_kind_display()}"


class Recusal(models.Model):
    """A member of staff kept away from a complaint because it names them. Says who, not
    why in words: what the complaint said stays sealed in the complaint."""

    class Reason(models.TextChoices):
        NAMED = "named", _("Named in the complaint")

    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"),
                                  on_delete=models.PROTECT, related_name="recusals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.PROTECT, related_name="recusals")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices,
                              default=Reason.NAMED)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "user"], name="one_recusal_per_person")
        ]

    def __str__(self):
        return f"{self.complaint} · {self.user_id}"
