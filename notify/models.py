"""Notifications: what happened (an Event, ids and kinds only), who is told (one
Notification per recipient, read or unread), how (Preference per kind and channel), and the
outbox of emails and text messages that tell them (Dispatch).

Nothing here ever holds what a complaint says or who made it: an event names the kind of
thing that happened, the unit, and the ids of the objects concerned, so the page it links to
can decide, when someone signs in, what they may see.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import Unit


class Kind(models.TextChoices):
    COMPLAINT_LOGGED = "complaint.logged", _("New complaint")
    COMPLAINT_TRIAGED = "complaint.triaged", _("Complaint triaged")
    REPORTER_MESSAGE = "message.from_reporter", _("Message from a reporter")
    REFERRAL_PREPARED = "referral.prepared", _("Referral awaiting approval")
    REFERRAL_APPROVED = "referral.approved", _("Referral approved")
    REFERRAL_DELIVERED = "referral.delivered", _("Referral delivered")
    REFERRAL_FAILED = "referral.failed", _("Referral could not be delivered")
    REFERRAL_ANSWERED = "referral.answered", _("Answer from the agency")
    CLOCK_APPROACHING = "clock.approaching", _("Deadline approaching")
    CLOCK_OVERDUE = "clock.overdue", _("Deadline passed")
    REPORT_DRAFTED = "report.drafted", _("Monthly report drafted")
    REPORT_AWAITING_REVIEW = "report.awaiting_review", _("Monthly report awaiting review")
    REPORT_APPROVED = "report.approved", _("Monthly report approved")
    REPORT_LATE = "report.late", _("Monthly report late")
    REPORT_DELIVERY_FAILED = "report.failed", _("Monthly report could not be delivered")
    REPORT_SENT_BACK = "report.sent_back", _("Monthly report sent back by the head")
    RETENTION_WARNING = "retention.warning", _("Case content to be destroyed soon")
    CONTENT_DAMAGED = "content.damaged", _("Protected content found damaged")
    CALENDAR_INCOMPLETE = "calendar.incomplete", _("Movable holidays not in the calendar")
    TALLY_MISMATCH = "tally.mismatch", _("Report figures differed from the records")


class Event(models.Model):
    """Something that happened, written in the transaction that made it happen."""

    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="+")
    # What it is about, as ids: {"complaint": 12, "reference": "DG-2026-00012", ...}.
    # References and ids only; never text, names or contact details.
    subject = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.kind} · {self.unit_id} · {self.pk}"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One person told of one event."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="+")
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["recipient", "read_at", "id"])]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event"],
                                    name="one_notification_per_person_and_event"),
        ]

    def __str__(self):
        return f"{self.recipient_id} · {self.kind}"


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class Preference(models.Model):
    """Which kinds a person also wants by email or text message. Without a row, the
    defaults of notify.rules.DEFAULT_EMAIL apply."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    enabled = models.BooleanField(_("on"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"],
                                    name="one_preference_per_kind_and_channel"),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.kind} · {self.channel}"


class Profile(models.Model):
    """A person's notification settings that are not per kind."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_profile")
    daily_digest = models.BooleanField(
        _("one daily email instead of one per notification"), default=False)
    sms_number = models.CharField(_("mobile number for text messages"), max_length=20,
                                  blank=True)

    def __str__(self):
        return f"{self.user_id}"


class Dispatch(models.Model):
    """One email or text message to send, written with the notification it tells of and
    sent by a task, never inside a request. A digest collects a day's notifications."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    notification = models.ForeignKey(Notification, null=True, blank=True,
                                      on_delete=models.CASCADE, related_name="dispatches")
    digest_day = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING,
                             db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # No worker may take it before then: the lease of the worker sending it, or the
    # back-off after a failed try.
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "channel", "notification"],
                                    condition=models.Q(notification__isnull=False),
                                    name="one_dispatch_per_notification_and_channel"),
            models.UniqueConstraint(fields=["recipient", "channel", "digest_day"],
                                    condition=models.Q(digest_day__isnull=False),
                                    name="one_digest_per_person_and_day"),
        ]

    def __str__(self):
        return f"{self.recipient_id} · {self.channel} · {self.state}"
