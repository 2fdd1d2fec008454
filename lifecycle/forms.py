"""The legal hold's form on the case page (lifecycle.views.legal_hold); the service checks
the rules (already held, already destroyed) again."""

from django import forms
from django.utils.translation import gettext_lazy as _


class LegalHoldForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("place", _("Place on legal hold")), ("release", _("Release the legal hold"))],
        error_messages={"required": _("Say whether to place or release the hold."),
                        "invalid_choice": _("Say whether to place or release the hold.")},
    )
