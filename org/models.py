"""Units (a tree: national authority → department → sub-unit) and who works in which role."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Unit(models.Model):
    class Kind(models.TextChoices):
        NATIONAL = "national", _("National authority")
        DEPARTMENT = "department", _("Department")
        SUBUNIT = "subunit", _("Sub-unit")

    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z][A-Z0-9]{1,15}$",
                _("Use 2–16 capital Latin letters and digits, starting with a letter."),
            )
        ],
        help_text=_("Short code used in reference numbers, e.g. DG."),
    )
    name_mn = models.CharField(_("name in Mongolian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Where the unit sits, as the heading of its documents names it ("Дархан хот").
    place_mn = models.CharField(_("place in Mongolian"), max_length=100, blank=True)
    place_en = models.CharField(_("place in English"), max_length=100, blank=True)
    public_phone = models.CharField(
        _("public complaint line"), max_length=32, blank=True,
        help_text=_("The phone number citizens call to report bribery and red tape."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return f"{self.code} — {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_mn

    @property
    def place(self) -> str:
        return self.place_en if get_language() == "en" else self.place_mn

    def ancestors(self) -> list["Unit"]:
        """Parents from the nearest up to the root. Trees here are a few levels deep."""
        chain, unit, seen = [], self.parent, {self.pk}
        while unit is not None and unit.pk not in seen:
            chain.append(unit)
            seen.add(unit.pk)
            unit = unit.parent
        return chain

    def descendant_ids(self) -> set[int]:
        """This unit and every unit below it, one query per level."""
        found, level = {self.pk}, {self.pk}
        while level:
            level = set(Unit.objects.filter(parent_id__in=level).values_list("pk", flat=True))
            level -= found
            found |= level
        return found


class Role(models.TextChoices):
    CLERK = "clerk", _("Clerk")
    OFFICER = "officer", _("Officer")
    HEAD = "head", _("Head of unit")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, unit__is_active=True, user__is_active=True)

    def for_user(self, user):
        return self.active().filter(user=user).select_related("unit")


class Membership(models.Model):
    """One person holding one role in one unit. A person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    position = models.CharField(_("position"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="one_role_once_per_unit")
        ]

    def __str__(self):
        return f"{self.user} · {self.unit.code} · {self.get_role_display()}"


class CalendarDayQuerySet(models.QuerySet):
    def applying_to(self, unit):
        """Days set for the whole country and those set for this unit or a unit above it."""
        units = [unit.pk, *(u.pk for u in unit.ancestors())] if unit is not None else []
        return self.filter(models.Q(unit__isnull=True) | models.Q(unit_id__in=units))


class CalendarDay(models.Model):
    """A day that differs from the plain rule "Monday to Friday are working days": a public
    holiday (lunar new year, Naadam, …) or a Saturday declared a working day in exchange."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKING = "working", _("Working day (transferred)")

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.HOLIDAY)
    name_mn = models.CharField(_("name in Mongolian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE,
        help_text=_("Leave empty for the whole country."),
    )
    # Tsagaan Sar (Цагаан сар) moves with the lunar calendar and is announced year by year;
    # until a year has one, its clocks are provisional (org.calendar.known_through).
    movable = models.BooleanField(
        _("movable holiday"), default=False,
        help_text=_("A holiday whose date is set anew each year, such as Tsagaan Sar."),
    )

    objects = CalendarDayQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("holiday calendar")
        constraints = [
            models.UniqueConstraint(fields=["date", "unit"], name="one_entry_per_day_and_unit"),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(unit__isnull=True),
                name="one_national_entry_per_day",
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y.%m.%d} {self.name_mn}"
