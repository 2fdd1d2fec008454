"""Categories of complaints and the triage lexicon, both data that an administrator edits."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """What a complaint is about (bribery, red tape, praise, …). A complaint may have several.
    The corruption-related ones send a case towards the anti-corruption agency."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_mn = models.CharField(_("name in Mongolian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    corruption_related = models.BooleanField(_("corruption-related"), default=False)
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
        from routing.triage import LexiconError, parse_term

        try:
            parse_term(self.term, self.kind)
        except LexiconError:
            raise ValidationError({"term": _(
                "A stem is one word, a phrase two or more; use letters and digits."
            )})
        if self.kind != self.Kind.NEGATION and self.category_id is None:
            raise ValidationError({"category": _("Only a negation may have no category.")})
