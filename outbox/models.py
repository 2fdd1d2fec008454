"""The agencies documents are sent to, and the outbox that sends them.

These tables began in routing, when referrals were all the outbox carried; they keep their
names (`routing_agency`, `routing_outbox`, `routing_deliveryattempt`), and the agency's
sealed secret keeps the label it was sealed under.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from outbox.addresses import api_url_allowed
from outbox.openpgp import openpgp_key_usable
from vault.fields import EncryptedTextField, SealedRecord
from vault.models import DataKey


class AgencyQuerySet(models.QuerySet):
    def serving(self, unit):
        """Active agencies that serve `unit`: the national ones (serving no unit in
        particular) and those serving it or a unit above it."""
        units = [unit.pk, *(above.pk for above in unit.ancestors())]
        return (self.filter(active=True)
                .filter(models.Q(serves__isnull=True) | models.Q(serves__in=units))
                .distinct())

    def nearest(self, unit, **criteria):
        """Of the agencies serving `unit` that meet `criteria`, the one whose scope is
        closest to it: its own office before its parent's, a parent's before a national
        one. None when there is none."""
        found = list(self.serving(unit).filter(**criteria).prefetch_related("serves"))
        if not found:
            return None
        distance = {pk: depth for depth, pk in enumerate(
            [unit.pk, *(above.pk for above in unit.ancestors())])}

        def closeness(agency):
            served = [distance[u.pk] for u in agency.serves.all() if u.pk in distance]
            return (min(served) if served else len(distance), agency.code)

        return min(found, key=closeness)

    def default_for(self, unit):
        """The agency a corruption-related referral from `unit` goes to by default."""
        return self.nearest(unit, is_default=True)


class Agency(SealedRecord):
    """A body a complaint can be referred to, and how a referral reaches it. The secret the
    agency's API shares with us is sealed like complaint content: it never sits in the
    database in the clear."""

    class Kind(models.TextChoices):
        ANTI_CORRUPTION = "anti_corruption", _("Anti-corruption agency")
        POLICE = "police", _("Police")
        PROSECUTOR = "prosecutor", _("Prosecutor")
        PARENT = "parent", _("Parent authority")
        OTHER = "other", _("Other competent body")

    class Delivery(models.TextChoices):
        API = "api", _("HTTPS API")
        EMAIL = "email", _("Email, encrypted with OpenPGP")
        LETTER = "letter", _("Printed letter")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_mn = models.CharField(_("name in Mongolian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices)
    is_default = models.BooleanField(
        _("default for corruption-related cases"), default=False,
        help_text=_("The agency a corruption-related referral is addressed to unless the "
                    "officer chooses another."),
    )
    email = models.EmailField(_("email address"), blank=True)
    openpgp_key = models.TextField(
        _("OpenPGP public key"), blank=True,
        help_text=_("ASCII-armoured. Referrals by email are encrypted to this key."),
    )
    api_url = models.URLField(_("API address"), blank=True)
    # Sealed when the model was routing's: the label is part of what the secret is bound to.
    api_secret = EncryptedTextField(_("API shared secret"), null=True, blank=True,
                                    sealed_as="routing.agency")
    postal_address = models.TextField(_("postal address"), blank=True)
    # Working days the agency is expected to take to acknowledge a referral.
    acknowledge_within_days = models.PositiveSmallIntegerField(
        _("acknowledges within (working days)"), default=5,
    )
    active = models.BooleanField(_("active"), default=True)
    # Several provinces may share one installation: each unit's referrals and reports go to
    # the agencies that serve it (AgencyQuerySet.serving), never to another province's.
    serves = models.ManyToManyField(
        "org.Unit", verbose_name=_("units served"), blank=True, related_name="agencies",
        help_text=_("Leave empty for a national body that serves every unit. An agency that "
                    "serves a unit also serves the units below it."),
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        db_table = "routing_agency"
        ordering = ["-is_default", "kind", "code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_mn

    def clean(self):
        """Each way of delivery needs its own details; a referral approved to an agency
        missing them would only fail later, at sending."""
        errors = {}
        if self.delivery == self.Delivery.EMAIL:
            if not self.email:
                errors["email"] = _("Email delivery needs the agency's email address.")
            if not self.openpgp_key.strip():
                errors["openpgp_key"] = _("Email delivery needs the agency's OpenPGP "
                                          "public key.")
            elif not openpgp_key_usable(self.openpgp_key):
                errors["openpgp_key"] = _("This is not one OpenPGP public key that can "
                                          "encrypt.")
        elif self.delivery == self.Delivery.API:
            if not self.api_url:
                errors["api_url"] = _("API delivery needs the agency's API address.")
            elif not api_url_allowed(self.api_url):
                errors["api_url"] = _("The API address must start with https:// (plain "
                                      "http only to this computer, for testing).")
            if self.api_secret is None or not self.api_secret.reveal():
                errors["api_secret"] = _("API delivery needs the secret shared with the "
                                         "agency.")
        elif self.delivery == self.Delivery.LETTER and not self.postal_address.strip():
            errors["postal_address"] = _("Letters need the agency's postal address.")
        if errors:
            raise ValidationError(errors)


class OutboxQuerySet(models.QuerySet):
    def of(self, kind: str, subject_id: int):
        """The rows that carry one subject (`kind` as registered with outbox.subjects)."""
        return self.filter(subject_kind=kind, subject_id=subject_id)

    def due(self, now):
        """Waiting to be sent, due by `now`, and not held by a worker."""
        return self.filter(state=Outbox.State.PENDING, next_attempt_at__lte=now).filter(
            models.Q(lease_until__isnull=True) | models.Q(lease_until__lte=now))


class Outbox(models.Model):
    """One package to deliver, written in the same transaction as the decision to send it.
    A task delivers it; it is never sent from inside a request. The package itself is an
    encrypted file (vault.files), so this row holds nothing but what to send where, and the
    idempotency key the agency uses to keep a package delivered twice as one.

    What it carries (a referral, a monthly report, a checkpoint of the audit trail) is its
    subject: the kind registered with outbox.subjects, and the subject's id and number in
    the app that sent it, which the outbox never reads."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        MANUAL = "manual", _("To be sent by hand")
        DELIVERED = "delivered", _("Delivered")
        DEAD = "dead", _("Given up")

    key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True,
                           editable=False)
    subject_kind = models.CharField(max_length=16)
    subject_reference = models.CharField(max_length=64, blank=True)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    delivery = models.CharField(max_length=16, choices=Agency.Delivery.choices)
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    package_name = models.CharField(max_length=100)
    package_sha256 = models.CharField(max_length=64)
    package_size = models.PositiveBigIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING,
                             db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    # A worker that claims the row holds it until then; one that dies lets it go.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        db_table = "routing_outbox"
        ordering = ["created_at", "pk"]
        indexes = [
            # A subject's rows (a referral's, a report's) are looked up by it.
            models.Index(fields=["subject_kind", "subject_id"], name="outbox_subject"),
        ]

    def __str__(self):
        return f"{self.key} · {self.state}"


class DeliveryAttempt(models.Model):
    """One try at delivering an outbox entry: when, and how it ended (a status code or the
    kind of error; never what was sent)."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        RETRY = "retry", _("Failed, will retry")
        PERMANENT = "permanent", _("Refused, will not retry")

    outbox = models.ForeignKey(Outbox, on_delete=models.PROTECT, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "routing_deliveryattempt"
        ordering = ["outbox", "number"]

    def __str__(self):
        return f"{self.outbox_id} #{self.number} {self.outcome}"
