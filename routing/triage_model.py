"""The learned triage models, one row per model trained (routing.training, `manage.py
triage_train`): its number, when and from how much it learnt, its figures on the fixed
evaluation set, and whether it was promoted to make suggestions, and why.

The model file itself is on disk, sealed by the vault under the row's data key
(vault.files); the row holds its random name and the SHA-256 of its plain bytes. A model's
features are fragments of the texts it learnt from, so the file never leaves the vault and
nothing of it is copied here: `figures` holds counts and rates only.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vault.models import DataKey

MODEL_CONTEXT = "routing.triage_model"


class TriageModelQuerySet(models.QuerySet):
    def promoted(self):
        return self.filter(promoted=True)

    def current(self):
        """The model that makes suggestions: the newest promoted one, or None."""
        return self.promoted().order_by("-version").first()


class TriageModel(models.Model):
    class Verdict(models.TextChoices):
        FIRST = "first", _("Promoted: it finds at least as many corruption complaints as the "
                           "lexicon alone, with enough precision")
        KEPT_UP = "kept_up", _("Promoted: it does at least as well as the model before it")
        RECALL_FELL = "recall_fell", _("Refused: it finds fewer corruption complaints")
        PRECISION_FELL = "precision_fell", _("Refused: it raises too many false alarms")

    version = models.PositiveIntegerField(_("version"), unique=True)
    trained_at = models.DateTimeField(_("trained at"), default=timezone.now)
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("trained by"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    texts = models.PositiveIntegerField(_("labelled texts"))
    decisions = models.PositiveIntegerField(_("officers' decisions"))
    sha256 = models.CharField(_("SHA-256 of the model"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    # The sealed file (vault.files), kept only for a promoted model.
    file_name = models.CharField(max_length=32, blank=True, editable=False)
    data_key = models.ForeignKey(DataKey, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", editable=False)
    figures = models.JSONField(_("figures"), default=dict)
    promoted = models.BooleanField(_("promoted"), default=False)
    verdict = models.CharField(_("why"), max_length=20, choices=Verdict.choices)

    objects = TriageModelQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")

    def __str__(self):
        return f"triage model {self.version}"

    @property
    def context(self) -> str:
        """What the sealed file is bound to: a file moved to another row does not open."""
        return f"{MODEL_CONTEXT}:{self.version}"
